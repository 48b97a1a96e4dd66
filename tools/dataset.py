"""A deterministic, seeded generator of realistic receivables.

Used by the tests (small scale), the demo data (about 300 invoices with named
French customers) and the benchmarks (20,000 invoices and more).  Given the
same seed, the same ``today`` and the same database state it produces the same
customers, invoices, credit notes and payments.

Every customer has one payment habit, written on the partner (``ref`` starts
with ``RELGEN-<habit>-``) so that tests can check what the accounting says
about it:

========== ==================================================
early      pays about 5 days before the due date
on_time    pays on the due date (a day or two either side)
late_10    pays about 10 days after the due date
late_45    pays about 45 days after the due date
never      never pays (a few partial payments at most)
========== ==================================================

Payments are registered the three ways found in real Odoo 19.0 databases:
``account.payment`` with a journal entry reconciled with the invoice,
bank statement lines reconciled directly with the invoice, and (for recent
payments) ``account.payment`` without journal entry, only linked to the
invoice ("In Payment" until the bank line arrives).
"""

import logging
import random
import time
from collections import Counter, defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tools import SQL, float_round

from . import dataset_writer

_logger = logging.getLogger(__name__)

GENERATOR_VERSION = 2
# Above this many invoices, the ORM creates one block of about this size and
# tools/dataset_writer.py copies it in bulk SQL onto new customers.
BLOCK_INVOICES = 2000

HABITS = ("early", "on_time", "late_10", "late_45", "never")
# One habit per slot; the first five slots cover every habit, so that even a
# handful of customers shows the whole mix.
HABIT_SLOTS = (
    "on_time",
    "late_10",
    "early",
    "late_45",
    "never",
    "on_time",
    "late_10",
    "on_time",
    "early",
    "late_10",
    "on_time",
    "late_45",
    "on_time",
    "late_10",
    "early",
    "on_time",
    "late_45",
    "never",
    "late_10",
    "on_time",
)
HABIT_LABELS = {
    "early": "pays about 5 days early",
    "on_time": "pays on the due date",
    "late_10": "pays about 10 days late",
    "late_45": "pays about 45 days late",
    "never": "never pays",
}

COMPANY_WORDS = (
    "Boulangerie",
    "Garage",
    "Menuiserie",
    "Transports",
    "Pharmacie",
    "Imprimerie",
    "Cabinet",
    "Atelier",
    "Brasserie",
    "Librairie",
    "Plomberie",
    "Fromagerie",
    "Électricité",
    "Quincaillerie",
    "Hôtel",
    "Caves",
)
SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
)
LEGAL_FORMS = ("SARL", "SAS", "& Fils", "SA", "EURL", "et Associés")
CITIES = (
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("13006", "Marseille"),
    ("31000", "Toulouse"),
    ("33000", "Bordeaux"),
    ("44000", "Nantes"),
    ("59000", "Lille"),
    ("67000", "Strasbourg"),
    ("35000", "Rennes"),
    ("21000", "Dijon"),
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "rue du Commerce",
    "place de la Mairie",
    "rue des Artisans",
)
PRODUCTS = (
    ("RELGEN-CONSEIL", "Conseil (jour)", 650.0),
    ("RELGEN-MAINT", "Contrat de maintenance (mois)", 240.0),
    ("RELGEN-INSTALL", "Installation sur site", 1200.0),
    ("RELGEN-FORMATION", "Formation (demi-journée)", 480.0),
    ("RELGEN-LICENCE", "Licence logicielle (an)", 1890.0),
    ("RELGEN-DEPLAC", "Frais de déplacement", 85.0),
    ("RELGEN-FOURN", "Fournitures", 36.5),
    ("RELGEN-AUDIT", "Audit", 2400.0),
)
# Payment terms: Odoo's own (xml ids in `account`) and one we create.
TERM_XMLIDS = (
    "account.account_payment_term_30days",
    "account.account_payment_term_30days",
    "account.account_payment_term_45days",
    "account.account_payment_term_end_following_month",
    "account.account_payment_term_advance_60days",
    "account.account_payment_term_immediate",
)
TERM_45_EOM = "45 Days End of Month"
INSTALLMENT_TERM = "account.account_payment_term_advance_60days"
REF_PREFIX = "RELGEN"
# The demo's customers: realistic French businesses, every habit.
DEMO_CUSTOMERS = (
    ("Boulangerie Martin SARL", "on_time"),
    ("Garage Dupont & Fils", "late_10"),
    ("Pharmacie du Marché", "early"),
    ("Restaurant La Belle Époque", "late_45"),
    ("Bar Le Balto", "never"),
    ("Menuiserie Bernard", "on_time"),
    ("Plomberie Roux", "late_10"),
    ("Imprimerie Moderne de Lyon", "on_time"),
    ("Cabinet Lefèvre Expertise Comptable", "early"),
    ("Brasserie du Port", "late_10"),
    ("Transports Girard SAS", "on_time"),
    ("Électricité Fournier SAS", "late_45"),
    ("Fromagerie Dubois", "on_time"),
    ("Atelier Mercier Design", "late_10"),
    ("Librairie Au Fil des Pages", "early"),
    ("Caves Vincent & Associés", "on_time"),
    ("BTP Morel Construction", "late_45"),
    ("SCI Les Tilleuls", "never"),
    ("Hôtel Le Lion d'Or", "late_10"),
    ("Fleuriste Petit Jardin", "on_time"),
    ("Clinique Vétérinaire Simon", "early"),
    ("Auto-École Laurent", "late_10"),
    ("Traiteur Garcia Événements", "on_time"),
    ("Quincaillerie Leroy", "late_45"),
    ("Salon de Coiffure Michel", "on_time"),
    ("Charcuterie Thomas", "late_10"),
    ("Architectes Robert & David", "early"),
    ("Pressing de la Gare", "never"),
    ("Cave à Vins Richard", "on_time"),
    ("Laboratoire Bertrand Analyses", "late_10"),
)


def generate(env, **kwargs):
    """Generate the dataset in ``env``'s database (see ``Generator.generate``)."""
    return Generator(env).generate(**kwargs)


def generate_demo(env):
    """The demo data: about 300 invoices of named French customers."""
    return Generator(env).generate(n_invoices=300, seed=2024, customers=DEMO_CUSTOMERS)


class Generator:
    """Creates the dataset through the ORM of ``env`` (an Environment of a
    database where account_relance is installed); no model of its own, so a
    production database holds none of it."""

    def __init__(self, env):
        self.env = env

    def generate(
        self,
        n_invoices=200,
        seed=42,
        company=None,
        second_company=True,
        customers=None,
        today=None,
        customers_per_100=10,
        foreign_share=0.1,
        batch_size=500,
        block_invoices=BLOCK_INVOICES,
    ):
        """Create customers, posted invoices, credit notes and payments.

        Above ``block_invoices`` invoices (and without named customers), the
        ORM creates ``n_invoices / blocks`` invoices of ``n_customers /
        blocks`` customers, with ``blocks = ceil(n_invoices /
        block_invoices)``, and the block is copied ``blocks - 1`` times in
        bulk SQL, each copy on new customers of the same habits
        (tools/dataset_writer.py): ``n_invoices`` is then rounded to a
        multiple of ``blocks``.

        :param n_invoices: customer invoices to create over the last 12 months
        :param seed: the seed of every random choice
        :param company: the main company (default: the current one)
        :param second_company: also invoice from a second company (True: found
            or created with the generic chart; or a ``res.company``; False: no)
        :param customers: optional list of ``(name, habit)``: named customers
            (the demo's); more are generated when there are too few
        :param today: the reference date (default: today)
        :param customers_per_100: customers per 100 invoices
        :param foreign_share: share of the customers invoiced in a second
            currency (USD, or EUR when the company's currency is USD)
        :param block_invoices: the largest number of invoices created by the
            ORM (0: all of them)
        :return: a summary dict (counts, companies, currencies, habits)
        """
        started = time.monotonic()
        blocks = 1
        if block_invoices and n_invoices > block_invoices and not customers:
            blocks = -(-n_invoices // block_invoices)
            n_invoices = round(n_invoices / blocks)
        rng = random.Random(seed)
        today = (
            fields.Date.to_date(today)
            if today
            else fields.Date.context_today(self.env.user)
        )
        company = company or self.env.company
        companies = company
        if second_company:
            if second_company is True:
                second_company = self._get_second_company(company)
            companies |= second_company
        self.env = self.env(
            context=dict(
                self.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                mail_auto_subscribe_no_notify=True,
                allowed_company_ids=companies.ids,
            )
        )
        foreign = self._get_foreign_currency(company)
        for comp in companies:
            self._ensure_rates(comp, foreign, today, rng)
        terms = self._get_payment_terms()
        installments = self.env.ref(INSTALLMENT_TERM)
        products = self._get_products()

        n_customers = max(len(HABITS), round(n_invoices * customers_per_100 / 100))
        self.env.flush_all()
        before = dataset_writer.snapshot(self.env.cr)
        partners, habit_of = self._create_customers(
            n_customers, customers or [], companies, rng
        )
        # Each customer buys from one company in one currency, on one term.
        plan = {}
        foreign_step = round(1 / foreign_share) if foreign_share else 0
        for index, partner in enumerate(partners):
            comp = companies[1] if len(companies) > 1 and index % 7 == 2 else company
            is_foreign = foreign_step and index % foreign_step == 1
            currency = foreign if is_foreign else comp.currency_id
            plan[partner.id] = (comp, currency, rng.choice(terms), index)
        # The first customers of each habit use the installment term, so that
        # installments exist at every scale.
        seen = set()
        for partner in partners:
            habit = habit_of[partner.id]
            if habit not in seen:
                seen.add(habit)
                comp, currency, _term, index = plan[partner.id]
                plan[partner.id] = (comp, currency, installments, index)
        for comp in companies:
            for term in set(terms):
                comp_partners = partners.filtered(
                    lambda p, c=comp, t=term: plan[p.id][0] == c and plan[p.id][2] == t
                )
                comp_partners.with_company(comp).property_payment_term_id = term

        timings = {"setup": time.monotonic() - started}
        invoices = self._create_invoices(
            n_invoices, partners, plan, products, today, rng, batch_size
        )
        timings["invoices"] = time.monotonic() - started - sum(timings.values())
        refunds = self._create_credit_notes(invoices, today, rng, batch_size)
        timings["credit_notes"] = time.monotonic() - started - sum(timings.values())
        payments = self._create_payments(invoices, habit_of, today, rng, batch_size)
        self.env.flush_all()
        timings["payments"] = time.monotonic() - started - sum(timings.values())
        if blocks > 1:
            copied = dataset_writer.copy_block(self.env, before, blocks - 1)
            _logger.info("account_relance dataset: block copied: %s", copied)
            timings["copies"] = time.monotonic() - started - sum(timings.values())
            # planner statistics for what follows (the bench, the tests)
            self.env.cr.execute(
                SQL(
                    "ANALYZE res_partner, account_move, account_move_line,"
                    " account_partial_reconcile, account_full_reconcile,"
                    " account_payment, account_bank_statement_line,"
                    " account_move__account_payment"
                )
            )
        summary = {
            "version": GENERATOR_VERSION,
            "seed": seed,
            "today": fields.Date.to_string(today),
            "companies": companies.ids,
            "currencies": sorted({c.name for c in companies.currency_id | foreign}),
            "customers": len(partners) * blocks,
            "habits": {
                habit: count * blocks
                for habit, count in Counter(habit_of.values()).items()
            },
            "invoices": len(invoices) * blocks,
            "credit_notes": len(refunds) * blocks,
            **{key: count * blocks for key, count in payments.items()},
            "blocks": blocks,
            "seconds": round(time.monotonic() - started, 1),
            "timings": {key: round(value, 1) for key, value in timings.items()},
        }
        _logger.info("account_relance dataset: %s", summary)
        return summary

    # ------------------------------------------------------------------
    # Set-up: companies, currencies, terms, products
    # ------------------------------------------------------------------

    def _get_second_company(self, company):
        name = f"{company.name} - Filiale"
        second = self.env["res.company"].search([("name", "=", name)], limit=1)
        if not second:
            # No country: a country would install its localisation module
            # (and commit) as soon as the company is created.
            second = self.env["res.company"].create(
                {"name": name, "currency_id": company.currency_id.id}
            )
            # _load, as account does for new branches: try_loading warns when
            # called during a module's installation (the demo data).
            self.env["account.chart.template"]._load(
                "generic_coa", second, install_demo=False
            )
            # The generic chart brings its currency (USD): back to the main one.
            second.currency_id = company.currency_id
        # The administrators see both companies.
        users = self.env.user | self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )
        for user in users.filtered(lambda u, c=second: c not in u.company_ids):
            user.company_ids = [Command.link(second.id)]
        return second

    def _get_foreign_currency(self, company):
        code = "EUR" if company.currency_id.name == "USD" else "USD"
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            currency.active = True
        return currency

    def _ensure_rates(self, company, foreign, today, rng):
        """A monthly rate of ``foreign`` for the last 13 months in ``company``."""
        if company.currency_id == foreign:
            return
        existing = set(
            self.env["res.currency.rate"]
            .search([("currency_id", "=", foreign.id), ("company_id", "=", company.id)])
            .mapped("name")
        )
        usd_per_eur = 1.08
        vals_list = []
        for months in range(13, -1, -1):
            day = (today - relativedelta(months=months)).replace(day=1)
            usd_per_eur = float_round(usd_per_eur + rng.uniform(-0.02, 0.02), 4)
            if day in existing:
                continue
            rate = usd_per_eur if foreign.name == "USD" else 1 / usd_per_eur
            vals_list.append(
                {
                    "name": day,
                    "currency_id": foreign.id,
                    "company_id": company.id,
                    "rate": rate,
                }
            )
        self.env["res.currency.rate"].create(vals_list)

    def _get_payment_terms(self):
        terms = [self.env.ref(xmlid) for xmlid in TERM_XMLIDS]
        eom = self.env["account.payment.term"].search(
            [("name", "=", TERM_45_EOM), ("company_id", "=", False)], limit=1
        )
        if not eom:
            eom = self.env["account.payment.term"].create(
                {
                    "name": TERM_45_EOM,
                    "line_ids": [
                        Command.create(
                            {
                                "value": "percent",
                                "value_amount": 100.0,
                                "delay_type": "days_end_of_month_on_the",
                                "nb_days": 45,
                                "days_next_month": "0",
                            }
                        )
                    ],
                }
            )
        return [*terms, eom]

    def _get_products(self):
        Product = self.env["product.product"]
        existing = Product.search([("default_code", "like", f"{REF_PREFIX}-%")])
        by_code = {p.default_code: p for p in existing}
        missing = [p for p in PRODUCTS if p[0] not in by_code]
        if missing:
            created = Product.create(
                [
                    {
                        "default_code": code,
                        "name": name,
                        "type": "service",
                        "list_price": price,
                        "taxes_id": [Command.clear()],
                    }
                    for code, name, price in missing
                ]
            )
            by_code.update({p.default_code: p for p in created})
        return [by_code[code] for code, _name, _price in PRODUCTS]

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------

    def _create_customers(self, n_customers, named, companies, rng):
        lang = "fr_FR" if self.env["res.lang"]._lang_get("fr_FR") else "en_US"
        france = self.env.ref("base.fr")
        existing = self.env["res.partner"].search_count(
            [("ref", "=like", f"{REF_PREFIX}-%")]
        )
        vals_list = []
        habits = []
        used_names = set()
        for index in range(max(n_customers, len(named))):
            if index < len(named):
                name, habit = named[index]
            else:
                habit = HABIT_SLOTS[index % len(HABIT_SLOTS)]
                name = self._customer_name(rng, used_names)
            used_names.add(name)
            number = existing + index + 1
            zip_code, city = rng.choice(CITIES)
            slug = "".join(c for c in name.lower() if c.isalnum())[:20] or "client"
            vals_list.append(
                {
                    "name": name,
                    "is_company": True,
                    "ref": f"{REF_PREFIX}-{habit}-{number:05d}",
                    "comment": f"<p>Dataset customer: {HABIT_LABELS[habit]}.</p>",
                    "email": f"compta@{slug}{number}.example.com",
                    "phone": f"+33 1 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                    "street": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                    "zip": zip_code,
                    "city": city,
                    "country_id": france.id,
                    "lang": lang,
                    "customer_rank": 1,
                }
            )
            habits.append(habit)
        partners = self.env["res.partner"].create(vals_list)
        return partners, dict(zip(partners.ids, habits, strict=True))

    def _customer_name(self, rng, used):
        for _attempt in range(20):
            name = (
                f"{rng.choice(COMPANY_WORDS)} {rng.choice(SURNAMES)} "
                f"{rng.choice(LEGAL_FORMS)}"
            )
            if name not in used:
                return name
        return f"{name} {len(used) + 1}"

    # ------------------------------------------------------------------
    # Invoices and credit notes
    # ------------------------------------------------------------------

    def _create_invoices(self, n_invoices, partners, plan, products, today, rng, batch):
        # Every customer has at least one invoice; big customers have more.
        weights = [rng.paretovariate(1.5) for _p in partners]
        chosen = list(partners)[:n_invoices]
        chosen += rng.choices(
            list(partners), weights=weights, k=n_invoices - len(chosen)
        )
        specs = []
        for partner in chosen:
            comp, currency, term, _index = plan[partner.id]
            date = today - timedelta(days=rng.randint(1, 365))
            lines = []
            for _line in range(rng.choice((1, 1, 2, 3))):
                product = rng.choice(products)
                lines.append(
                    (
                        product,
                        rng.choice((1, 1, 2, 3, 5, 10)),
                        float_round(product.list_price * rng.uniform(0.8, 1.3), 2),
                    )
                )
            specs.append((date, partner, comp, currency, term, lines))
        specs.sort(key=lambda s: (s[0], s[2].id))
        Move = self.env["account.move"]
        invoices = Move
        for start in range(0, len(specs), batch):
            vals_list = []
            for date, partner, comp, currency, term, lines in specs[
                start : start + batch
            ]:
                tax = comp.account_sale_tax_id
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "company_id": comp.id,
                        "partner_id": partner.id,
                        "invoice_date": date,
                        "date": date,
                        "currency_id": currency.id,
                        "invoice_payment_term_id": term.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "name": product.name,
                                    "quantity": qty,
                                    "price_unit": price,
                                    "tax_ids": [Command.set(tax.ids)],
                                }
                            )
                            for product, qty, price in lines
                        ],
                    }
                )
            chunk = Move.create(vals_list)
            chunk.action_post()
            invoices |= chunk
            self._flush_and_free()
        return invoices

    def _create_credit_notes(self, invoices, today, rng, batch):
        """About 4% of the invoices get a credit note (full or a commercial
        gesture), reconciled with the invoice's first installment."""
        picked = []
        for invoice in invoices:
            if rng.random() < 0.04:
                date = min(
                    today, invoice.invoice_date + timedelta(days=rng.randint(2, 20))
                )
                share = 1.0 if rng.random() < 0.3 else rng.choice((0.1, 0.15, 0.2))
                picked.append((date, invoice, share))
        # Always one, so that every dataset has a credit note.
        if not picked and invoices:
            invoice = invoices[0]
            picked.append(
                (min(today, invoice.invoice_date + timedelta(days=5)), invoice, 0.1)
            )
        picked.sort(key=lambda p: (p[0], p[1].id))
        Move = self.env["account.move"]
        refunds = Move
        for start in range(0, len(picked), batch):
            vals_list = []
            for date, invoice, share in picked[start : start + batch]:
                lines = invoice.invoice_line_ids
                vals_list.append(
                    {
                        "move_type": "out_refund",
                        "company_id": invoice.company_id.id,
                        "partner_id": invoice.partner_id.id,
                        "invoice_date": date,
                        "date": date,
                        "currency_id": invoice.currency_id.id,
                        "reversed_entry_id": invoice.id,
                        "ref": self.env._(
                            "Credit note for %(invoice)s", invoice=invoice.name
                        ),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": line.product_id.id,
                                    "name": line.name,
                                    "quantity": line.quantity,
                                    "price_unit": float_round(
                                        line.price_unit * share, 2
                                    ),
                                    "tax_ids": [Command.set(line.tax_ids.ids)],
                                }
                            )
                            for line in lines
                        ],
                    }
                )
            chunk = Move.create(vals_list)
            chunk.action_post()
            plan = []
            for refund, (_date, invoice, _share) in zip(
                chunk, picked[start : start + batch], strict=True
            ):
                plan.append(
                    self._receivable_lines(refund) | self._receivable_lines(invoice)
                )
            self.env["account.move.line"]._reconcile_plan(plan)
            refunds |= chunk
            self._flush_and_free()
        return refunds

    def _receivable_lines(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
            and not line.reconciled
        ).sorted("date_maturity")

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------

    def _payment_delay(self, habit, rng):
        if habit == "early":
            return -rng.randint(2, 8)
        if habit == "on_time":
            return rng.choice((-1, 0, 0, 0, 0, 1, 2))
        if habit == "late_10":
            return rng.randint(6, 14)
        return rng.randint(35, 55)  # late_45

    def _create_payments(self, invoices, habit_of, today, rng, batch):
        """Plan then register the payments of every open installment.

        Returns the counts of the summary."""
        lines = self._receivable_lines(invoices)
        lines.fetch(
            ["move_id", "date_maturity", "amount_residual_currency", "currency_id"]
        )
        todo = self._plan_payments(lines, habit_of, today, rng)
        by_kind = self._split_payments(todo, lines, today, rng)
        counts = Counter()
        for start in range(0, len(by_kind["payment"]), batch):
            counts["payments"] += self._register_payments(
                by_kind["payment"][start : start + batch], with_entry=True
            )
        for start in range(0, len(by_kind["no_entry"]), batch):
            counts["payments_without_entry"] += self._register_payments(
                by_kind["no_entry"][start : start + batch], with_entry=False
            )
        for start in range(0, len(by_kind["statement"]), batch):
            counts["statement_lines"] += self._register_statement_lines(
                by_kind["statement"][start : start + batch]
            )
        paid_lines = Counter(entry[1].id for entry in todo)
        return {
            "payments": counts["payments"],
            "payments_without_entry": counts["payments_without_entry"],
            "statement_lines": counts["statement_lines"],
            "partial_payments": sum(1 for count in paid_lines.values() if count > 1),
        }

    def _plan_payments(self, lines, habit_of, today, rng):
        """Return the payments to register, [(date, receivable line, amount)]
        sorted by date, following each customer's habit."""
        todo = []
        for line in lines:
            invoice = line.move_id
            habit = habit_of.get(invoice.partner_id.id)
            residual = line.amount_residual_currency
            currency = line.currency_id
            if currency.is_zero(residual):
                continue
            earliest = invoice.invoice_date
            if habit == "never":
                # A few partial payments, then nothing.
                if rng.random() < 0.15:
                    date = max(
                        earliest,
                        line.date_maturity + timedelta(days=rng.randint(5, 40)),
                    )
                    if date <= today:
                        amount = currency.round(residual * rng.choice((0.2, 0.3, 0.5)))
                        todo.append((date, line, amount))
                continue
            date = max(
                earliest,
                line.date_maturity + timedelta(days=self._payment_delay(habit, rng)),
            )
            if date > today:
                continue
            if rng.random() < 0.08:
                # A partial payment, the balance later (or not yet).
                first = currency.round(residual * rng.choice((0.4, 0.5, 0.6)))
                todo.append((date, line, first))
                later = date + timedelta(days=rng.randint(10, 30))
                if later <= today:
                    todo.append((later, line, currency.round(residual - first)))
            else:
                todo.append((date, line, residual))
        todo.sort(key=lambda t: (t[0], t[1].id))
        return todo

    def _split_payments(self, todo, lines, today, rng):
        """How each payment is registered: {kind: [entries]} with kind in
        payment (with journal entry), statement (bank statement line) and
        no_entry (recent payment waiting for its bank line)."""
        by_kind = defaultdict(list)
        single_installment = {
            move_id
            for move_id, count in Counter(line.move_id.id for line in lines).items()
            if count == 1
        }
        paid_lines = Counter(entry[1].id for entry in todo)

        def no_entry_ok(entry, days=30):
            date, line, amount = entry
            return (
                (today - date).days <= days
                and not line.currency_id.compare_amounts(
                    amount, line.amount_residual_currency
                )
                and line.move_id.id in single_installment
                and paid_lines[line.id] == 1
            )

        def statement_ok(entry):
            line = entry[1]
            return line.currency_id == line.company_id.currency_id

        for entry in todo:
            roll = rng.random()
            if roll < 0.35 and no_entry_ok(entry):
                by_kind["no_entry"].append(entry)
            elif roll > 0.75 and statement_ok(entry):
                by_kind["statement"].append(entry)
            else:
                by_kind["payment"].append(entry)
        # Every way of paying exists, whatever the scale.
        for kind, accept in (
            ("no_entry", lambda e: no_entry_ok(e, days=90)),
            ("statement", statement_ok),
        ):
            if not by_kind[kind]:
                candidates = [e for e in by_kind["payment"] if accept(e)]
                if candidates:
                    by_kind["payment"].remove(candidates[-1])
                    by_kind[kind].append(candidates[-1])
        return by_kind

    def _bank_journal(self, company):
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
        )

    def _register_payments(self, entries, with_entry):
        journals = {}
        vals_list = []
        for date, line, amount in entries:
            company = line.company_id
            if company not in journals:
                journal = self._bank_journal(company)
                method_line = journal.inbound_payment_method_line_ids[:1]
                outstanding = (
                    method_line.payment_account_id
                    or self.env["account.chart.template"]
                    .with_company(company)
                    .ref(
                        "account_journal_payment_debit_account_id",
                        raise_if_not_found=False,
                    )
                    or company.transfer_account_id
                )
                journals[company] = (journal, method_line, outstanding)
            journal, method_line, outstanding = journals[company]
            vals_list.append(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": line.partner_id.id,
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "payment_method_line_id": method_line.id,
                    "date": date,
                    "amount": amount,
                    "currency_id": line.currency_id.id,
                    "memo": line.move_id.name,
                    "destination_account_id": line.account_id.id,
                    # Given, rather than set payment by payment after create.
                    "outstanding_account_id": outstanding.id if with_entry else False,
                }
            )
        payments = self.env["account.payment"].create(vals_list)
        if not with_entry:
            # As when the payment method line has no outstanding account: the
            # payment waits for its bank line, linked to the invoice only.
            payments.outstanding_account_id = False
        else:
            self._create_payment_entries(payments)
        payments.action_post()
        if with_entry:
            plan = []
            for payment, (_date, line, _amount) in zip(payments, entries, strict=True):
                counterpart = payment.move_id.line_ids.filtered(
                    lambda aml, account=line.account_id: aml.account_id == account
                )
                plan.append(counterpart | line)
            self.env["account.move.line"]._reconcile_plan(plan)
        else:
            for payment, (_date, line, _amount) in zip(payments, entries, strict=True):
                payment.invoice_ids = [Command.link(line.move_id.id)]
        self._flush_and_free()
        return len(payments)

    def _create_payment_entries(self, payments):
        """The payments' journal entries, created in one batch.

        ``account.payment`` creates them when posted, but links each one with
        its own write (a dozen queries per payment): here the entries are
        created together from Odoo's own values and linked in one query."""
        moves = self.env["account.move"].create(
            [payment._generate_move_vals() for payment in payments]
        )
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                "UPDATE account_payment AS pay SET move_id = link.move_id"
                " FROM unnest(%(payment_ids)s::int[], %(move_ids)s::int[])"
                " AS link(payment_id, move_id) WHERE pay.id = link.payment_id",
                payment_ids=payments.ids,
                move_ids=moves.ids,
            )
        )
        payments.invalidate_recordset(["move_id"])
        payments.modified(["move_id"])

    def _register_statement_lines(self, entries):
        vals_list = []
        journals = {}
        for date, line, amount in entries:
            company = line.company_id
            if company not in journals:
                journals[company] = self._bank_journal(company)
            vals_list.append(
                {
                    "journal_id": journals[company].id,
                    "date": date,
                    "amount": amount,
                    "partner_id": line.partner_id.id,
                    "payment_ref": line.move_id.name,
                    "counterpart_account_id": line.account_id.id,
                }
            )
        st_lines = self.env["account.bank.statement.line"].create(vals_list)
        plan = []
        for st_line, (_date, line, _amount) in zip(st_lines, entries, strict=True):
            counterpart = st_line.move_id.line_ids.filtered(
                lambda aml, account=line.account_id: aml.account_id == account
            )
            plan.append(counterpart | line)
        self.env["account.move.line"]._reconcile_plan(plan)
        self._flush_and_free()
        return len(st_lines)

    def _flush_and_free(self):
        self.env.flush_all()
        self.env.invalidate_all()
        # Fresh statistics: with the planner's view of a few hundred rows,
        # Odoo's reconciliation queries turn into nested loops over every
        # partial reconciliation and the generation becomes quadratic.
        self.env.cr.execute(
            SQL(
                "ANALYZE account_move, account_move_line, account_partial_reconcile,"
                " account_payment, account_bank_statement_line,"
                " account_move__account_payment"
            )
        )

from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

# Customer documents whose receivable items are measured (credit notes settle
# them; they are not measured themselves).
INVOICE_TYPES = ("out_invoice", "out_receipt")
SALE_TYPES = ("out_invoice", "out_refund", "out_receipt")
# Payment states of an invoice settled by a registered payment that has no
# journal entry yet ("In Payment"; "Paid" in Invoicing-only databases).
IN_PAYMENT_STATES = ("in_payment", "paid")
REFRESH_PRECOMMIT_KEY = "account_relance.behaviour_refresh"
# From the most to the least worrying: lists, groups and pivots follow this
# order (``_read_group_orderby``), not the alphabet.
PAYMENT_BEHAVIOUR_SELECTION = [
    ("never_paid", "Never paid"),
    ("very_late", "Pays very late"),
    ("late", "Pays late"),
    ("no_history", "No history"),
    ("on_time", "Pays on time"),
    ("early", "Pays early"),
]
BEHAVIOUR_SEVERITY = [value for value, _label in PAYMENT_BEHAVIOUR_SELECTION]


def severity_orderby(
    super_orderby, order, groupby_terms, query, fname="payment_behaviour"
):
    """``_read_group_orderby`` for a model grouped by a payment behaviour
    (``fname``): its groups come from the most to the least worrying (the
    selection's order), the other terms as Odoo orders them."""
    if fname not in groupby_terms:
        return super_orderby(order, groupby_terms, query)
    terms = []
    for part in (order or ",".join(groupby_terms)).split(","):
        name, _sep, direction = part.strip().partition(" ")
        if name != fname:
            terms.append(super_orderby(part, groupby_terms, query))
            continue
        terms.append(
            SQL(
                "array_position(%s::varchar[], %s::varchar) %s",
                BEHAVIOUR_SEVERITY,
                groupby_terms[name],
                SQL("DESC" if direction.strip().upper().startswith("DESC") else "ASC"),
            )
        )
    return SQL(", ").join(terms)


class RelancePartnerBehaviour(models.Model):
    """A customer's payment habit in one company, computed from the accounting.

    One row per (commercial partner, company), refreshed in one set-based pass.
    Everything that needs a customer's habit (partner form, reminder engine,
    predicted payment dates) reads these rows; nothing recomputes a delay.
    """

    _name = "relance.partner.behaviour"
    _description = "Customer Payment Behaviour"
    # risk first: the most worrying behaviour, then the largest open amount
    _order = "severity, open_amount desc, id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    payment_delay_avg = fields.Float(
        string="Average Payment Delay (days)",
        digits=(16, 1),
        aggregator="avg",
        help="Amount-weighted average of (payment date - due date) over the "
        "receivable items fully settled in the window. Negative: pays early. "
        "A customer who never paid: the age of his oldest overdue item.",
    )
    payment_delay_median = fields.Float(
        string="Median Payment Delay (days)",
        digits=(16, 1),
        aggregator="avg",
    )
    payment_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        digits=(16, 1),
        aggregator="avg",
        help="Share of the settled amount paid by its due date.",
    )
    payment_count = fields.Integer(
        string="Settled Items",
        help="How many receivable items the figures rest on.",
    )
    settled_amount = fields.Monetary(currency_field="company_currency_id")
    open_amount = fields.Monetary(
        string="Open Receivables", currency_field="company_currency_id"
    )
    sales_amount = fields.Monetary(
        string="Sales in Window", currency_field="company_currency_id"
    )
    dso = fields.Float(string="DSO (days)", digits=(16, 1), aggregator="avg")
    payment_behaviour = fields.Selection(
        selection=PAYMENT_BEHAVIOUR_SELECTION,
        default="no_history",
        required=True,
        index=True,
        group_expand=True,
        help="Never paid: overdue items and nothing settled in the window; "
        "its delays are then the age of the oldest overdue item.",
    )
    severity = fields.Integer(
        compute="_compute_severity",
        store=True,
        help="Rank of the behaviour, the most worrying first (0: never paid).",
    )
    oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)",
        help="Age of the customer's oldest overdue receivable item on the day "
        "of the refresh.",
    )
    date_refreshed = fields.Datetime(string="Refreshed On")
    sample_reliable = fields.Boolean(
        string="Reliable Sample",
        compute="_compute_sample_reliable",
        search="_search_sample_reliable",
        help="At least the company's minimum sample of settled items.",
    )

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one behaviour row per company.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("payment_behaviour")
    def _compute_severity(self):
        for row in self:
            row.severity = BEHAVIOUR_SEVERITY.index(
                row.payment_behaviour or "no_history"
            )

    @api.depends("payment_count", "company_id.relance_behaviour_min_sample")
    def _compute_sample_reliable(self):
        for row in self:
            row.sample_reliable = (
                row.payment_count >= row.company_id.relance_behaviour_min_sample
            )

    def _search_sample_reliable(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        reliable = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain("payment_count", ">=", company.relance_behaviour_min_sample)
            for company in self.env.companies
        )
        wanted = True in value
        if operator == "not in":
            wanted = not wanted
        return reliable if wanted else ~reliable

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        return severity_orderby(
            super()._read_group_orderby, order, groupby_terms, query
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _get_habits(self, company, partner_ids):
        """Return {partner_id: (payment_delay_avg, payment_count)} for the given
        commercial partners in ``company``; partners without a row are absent.
        A customer who never paid has no habit: (0.0, 0), whatever the age of
        his oldest overdue item."""
        rows = self.search_read(
            [("company_id", "=", company.id), ("partner_id", "in", list(partner_ids))],
            ["partner_id", "payment_delay_avg", "payment_count"],
        )
        return {
            row["partner_id"][0]: (
                row["payment_delay_avg"] if row["payment_count"] else 0.0,
                row["payment_count"],
            )
            for row in rows
        }

    @api.model
    def _get_company_figures(self, companies):
        """Return {company_id: {"delay_avg", "count", "settled", "open", "sales",
        "dso"}} for ``companies``, aggregated from the stored rows in one query:
        the company's amount-weighted average delay over every settled item and
        its DSO (open receivables / average daily sales over the window)."""
        self.flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT company_id,
                       SUM(payment_delay_avg * settled_amount)
                           / NULLIF(SUM(settled_amount), 0),
                       SUM(payment_count),
                       SUM(settled_amount),
                       SUM(open_amount),
                       SUM(sales_amount)
                  FROM relance_partner_behaviour
                 WHERE company_id = ANY(%(company_ids)s)
                 GROUP BY company_id
                """,
                company_ids=companies.ids,
            )
        )
        today = fields.Date.context_today(self)
        result = {}
        for company_id, delay_avg, count, settled, open_amount, sales in rows:
            company = companies.browse(company_id)
            window_days = (today - company._get_relance_behaviour_date_from()).days
            result[company_id] = {
                "delay_avg": float(delay_avg or 0.0),
                "count": count or 0,
                "settled": settled or 0.0,
                "open": open_amount or 0.0,
                "sales": sales or 0.0,
                "dso": open_amount * window_days / sales
                if sales and sales > 0
                else 0.0,
            }
        return result

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_refresh_current_company(self):
        """Refresh every customer of the companies selected by the user."""
        # sudo: derived figures, computed from every item of the company
        self.sudo()._refresh(self.env.companies.sudo())
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _refresh_all(self):
        """Recompute every customer of every active company, one statement,
        no commit (the benchmark and the tests call it)."""
        # sudo: derived figures, recomputed for every company whatever the user
        self.sudo()._refresh(
            self.env["res.company"].sudo().search([("active", "=", True)])
        )

    @api.model
    def _cron_refresh_behaviour(self):
        """Daily cron: refresh one company at a time, committing after each
        through the cron progress API (a company is one SQL statement)."""
        # sudo: the cron refreshes every company, whatever its user's companies.
        companies = self.env["res.company"].sudo().search([("active", "=", True)])
        for done, company in enumerate(companies, start=1):
            # sudo: derived figures of the whole company
            self.sudo()._refresh(company)
            if not self.env["ir.cron"]._commit_progress(
                1, remaining=len(companies) - done
            ):
                break

    @api.model
    def _refresh(self, companies=None, partner_ids=None):
        """Recompute and store the payment behaviour of customers in one pass.

        :param companies: res.company records (default: the current company);
            companies are never mixed, every figure is per company.
        :param partner_ids: ids of partners (contacts are mapped to their
            commercial entity); None for every customer of ``companies``.

        One SQL statement reads the receivable items, their reconciliations
        and the registered payments without journal entry, aggregates them per
        (company, commercial partner) and upserts the rows.  The number of
        queries does not depend on the number of partners.
        """
        companies = companies if companies is not None else self.env.company
        if not companies or (partner_ids is not None and not partner_ids):
            return
        for model, fnames in self._get_refresh_dependencies().items():
            self.env[model].flush_model(fnames)
        self.flush_model()
        self.env.execute_query(
            self._get_refresh_query(companies, partner_ids and list(partner_ids))
        )
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(
            [
                "payment_behaviour",
                *self.env["res.partner"]._get_relance_behaviour_fields(),
            ]
        )
        self.env["account.move"].invalidate_model(["predicted_payment_date"])

    @api.model
    def _get_refresh_dependencies(self):
        return {
            "account.move.line": [
                "move_id",
                "company_id",
                "partner_id",
                "account_id",
                "parent_state",
                "balance",
                "amount_residual",
                "reconciled",
                "date",
                "date_maturity",
                "journal_id",
            ],
            "account.move": [
                "move_type",
                "state",
                "payment_state",
                "company_id",
                "commercial_partner_id",
                "invoice_date",
                "amount_total_signed",
                "matched_payment_ids",
            ],
            "account.partial.reconcile": ["debit_move_id", "credit_move_id"],
            "account.payment": ["move_id", "state", "date"],
            "account.account": ["account_type"],
            "res.partner": ["commercial_partner_id", "payment_behaviour"],
        }

    @api.model
    def _get_refresh_config(self, companies):
        """Per-company parameters of the refresh, as SQL arrays."""
        today = fields.Date.context_today(self)
        config = defaultdict(list)
        for company in companies:
            date_from = company._get_relance_behaviour_date_from(today)
            config["company_ids"].append(company.id)
            config["date_from"].append(date_from)
            config["window_days"].append(max((today - date_from).days, 1))
            config["early_days"].append(company.relance_behaviour_early_days)
            config["on_time_days"].append(company.relance_behaviour_on_time_days)
            config["late_days"].append(company.relance_behaviour_late_days)
            config["exchange_journal_ids"].append(
                company.currency_exchange_journal_id.id or 0
            )
        return config

    @api.model
    def _get_refresh_query(self, companies, partner_ids=None):
        """The single statement of :meth:`_refresh` (see readme/BEHAVIOUR.md).

        Measured items: posted receivable debit items of customer invoices.
        Settlement date: when the item is fully reconciled, the latest date of
        the counterparts (payment entry, bank line, credit note, ...) outside
        the exchange difference journal; when the invoice is "In Payment"
        through payments without journal entry (account.move.matched_payment_ids),
        the latest date of those payments (states in_process and paid only).
        """
        config = self._get_refresh_config(companies)
        if partner_ids is None:
            scope_lines = scope_moves = scope_rows = SQL()
        else:
            scope_lines = SQL(
                "AND aml.partner_id IN (SELECT id FROM scope_partner)",
            )
            scope_moves = SQL(
                "AND m.commercial_partner_id IN (SELECT id FROM scope)",
            )
            scope_rows = SQL("AND b.partner_id IN (SELECT id FROM scope)")
        return SQL(
            """
WITH cfg AS (
    SELECT *
      FROM unnest(%(company_ids)s::int[], %(date_from)s::date[],
                  %(window_days)s::int[], %(early_days)s::numeric[],
                  %(on_time_days)s::numeric[], %(late_days)s::numeric[],
                  %(exchange_journal_ids)s::int[])
        AS cfg(company_id, date_from, window_days, early_days, on_time_days,
               late_days, exchange_journal_id)
),
scope AS (
    SELECT DISTINCT commercial_partner_id AS id
      FROM res_partner
     WHERE id = ANY(%(partner_ids)s)
),
scope_partner AS (
    SELECT id FROM res_partner WHERE commercial_partner_id IN (SELECT id FROM scope)
),
rl AS (
    SELECT aml.id, aml.move_id, aml.company_id,
           p.commercial_partner_id AS partner_id,
           aml.balance, aml.amount_residual, aml.reconciled,
           COALESCE(aml.date_maturity, aml.date) AS date_due,
           m.move_type, COALESCE(m.payment_state, 'not_paid') AS payment_state,
           cfg.exchange_journal_id, cfg.date_from
      FROM account_move_line aml
      JOIN cfg ON cfg.company_id = aml.company_id
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN res_partner p ON p.id = aml.partner_id
      JOIN account_move m ON m.id = aml.move_id
     WHERE acc.account_type = 'asset_receivable'
       AND aml.parent_state = 'posted'
       %(scope_lines)s
),
measured AS (
    SELECT * FROM rl
     WHERE rl.move_type IN %(invoice_types)s
       AND rl.balance > 0
       AND (rl.reconciled OR rl.payment_state IN %(in_payment_states)s)
),
-- the latest counterpart of each measured item (outside the exchange
-- difference journal when there is another), grouped in one pass: a lateral
-- subquery per item turns into 150,000 probes at 200,000 invoices
rec AS (
    SELECT it.id,
           COALESCE(MAX(cp.date) FILTER (
                        WHERE cp.journal_id <> it.exchange_journal_id),
                    MAX(cp.date)) AS date_settled
      FROM measured it
      JOIN account_partial_reconcile apr ON apr.debit_move_id = it.id
      JOIN account_move_line cp ON cp.id = apr.credit_move_id
     WHERE cp.move_id <> it.move_id
       AND cp.parent_state = 'posted'
     GROUP BY it.id
),
pay AS (
    SELECT rel.invoice_id AS move_id, MAX(ap.date) AS date_paid
      FROM account_move__account_payment rel
      JOIN account_payment ap ON ap.id = rel.payment_id
     WHERE ap.move_id IS NULL
       AND ap.state IN ('in_process', 'paid')
     GROUP BY rel.invoice_id
),
item AS (
    SELECT it.company_id, it.partner_id, it.balance AS amount, it.date_due,
           it.date_from,
           CASE WHEN it.reconciled THEN rec.date_settled
                ELSE GREATEST(rec.date_settled, pay.date_paid)
           END AS date_settled,
           it.reconciled OR pay.date_paid IS NOT NULL AS settled
      FROM measured it
      LEFT JOIN rec ON rec.id = it.id
      LEFT JOIN pay ON pay.move_id = it.move_id
                   AND NOT it.reconciled
                   AND it.payment_state IN %(in_payment_states)s
),
settled AS (
    SELECT company_id, partner_id, amount, date_settled - date_due AS delay
      FROM item
     WHERE settled AND date_settled >= date_from
),
agg AS (
    SELECT company_id, partner_id,
           SUM(amount * delay) / NULLIF(SUM(amount), 0) AS delay_avg,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY delay) AS delay_median,
           100.0 * COALESCE(SUM(amount) FILTER (WHERE delay <= 0), 0)
               / NULLIF(SUM(amount), 0) AS on_time_rate,
           COUNT(*) AS payment_count,
           SUM(amount) AS settled_amount
      FROM settled
     GROUP BY company_id, partner_id
),
opn AS (
    SELECT company_id, partner_id, SUM(amount_residual) AS open_amount,
           MIN(date_due) FILTER (
               WHERE amount_residual > 0 AND date_due < %(today)s) AS oldest_due
      FROM rl
     WHERE NOT reconciled AND payment_state NOT IN %(in_payment_states)s
     GROUP BY company_id, partner_id
),
sales AS (
    SELECT m.company_id, m.commercial_partner_id AS partner_id,
           SUM(m.amount_total_signed) AS sales_amount
      FROM account_move m
      JOIN cfg ON cfg.company_id = m.company_id
     WHERE m.state = 'posted'
       AND m.move_type IN %(sale_types)s
       AND m.invoice_date >= cfg.date_from
       AND m.commercial_partner_id IS NOT NULL
       %(scope_moves)s
     GROUP BY m.company_id, m.commercial_partner_id
),
keys AS (
    SELECT company_id, partner_id FROM agg
     UNION
    SELECT company_id, partner_id FROM opn
     UNION
    SELECT company_id, partner_id FROM sales
     UNION
    SELECT b.company_id, b.partner_id
      FROM relance_partner_behaviour b
      JOIN cfg ON cfg.company_id = b.company_id
     WHERE TRUE %(scope_rows)s
),
res AS (
    -- nothing settled: "never paid" with overdue items (its delays are the
    -- age of the oldest one, not 0), else "no history" (no delay at all)
    SELECT k.company_id, k.partner_id,
           COALESCE(agg.delay_avg, %(today)s - opn.oldest_due) AS delay_avg,
           COALESCE(agg.delay_median, %(today)s - opn.oldest_due) AS delay_median,
           COALESCE(agg.on_time_rate, 0) AS on_time_rate,
           COALESCE(agg.payment_count, 0) AS payment_count,
           COALESCE(agg.settled_amount, 0) AS settled_amount,
           COALESCE(opn.open_amount, 0) AS open_amount,
           COALESCE(sales.sales_amount, 0) AS sales_amount,
           COALESCE(%(today)s - opn.oldest_due, 0) AS oldest_overdue_days,
           cfg.window_days,
           CASE WHEN agg.payment_count IS NULL AND opn.oldest_due IS NOT NULL
                    THEN 'never_paid'
                WHEN agg.payment_count IS NULL THEN 'no_history'
                WHEN agg.delay_avg < -cfg.early_days THEN 'early'
                WHEN agg.delay_avg <= cfg.on_time_days THEN 'on_time'
                WHEN agg.delay_avg <= cfg.late_days THEN 'late'
                ELSE 'very_late'
           END AS behaviour
      FROM keys k
      JOIN cfg ON cfg.company_id = k.company_id
      LEFT JOIN agg ON agg.company_id = k.company_id AND agg.partner_id = k.partner_id
      LEFT JOIN opn ON opn.company_id = k.company_id AND opn.partner_id = k.partner_id
      LEFT JOIN sales
             ON sales.company_id = k.company_id AND sales.partner_id = k.partner_id
),
partner_vals AS (
    SELECT partner_id, jsonb_object_agg(company_id::text, behaviour) AS vals
      FROM res
     GROUP BY partner_id
),
partner_update AS (
    -- res.partner.payment_behaviour (company-dependent) of the commercial
    -- entity and its contacts, only where it changes
    UPDATE res_partner p
       SET payment_behaviour = COALESCE(p.payment_behaviour, '{}'::jsonb) || pv.vals
      FROM partner_vals pv
     WHERE p.commercial_partner_id = pv.partner_id
       AND NOT COALESCE(p.payment_behaviour, '{}'::jsonb) @> pv.vals
)
INSERT INTO relance_partner_behaviour (
    partner_id, company_id, payment_delay_avg, payment_delay_median,
    payment_on_time_rate, payment_count, settled_amount, open_amount,
    sales_amount, dso, payment_behaviour, severity, oldest_overdue_days,
    date_refreshed, create_uid, create_date, write_uid, write_date)
SELECT partner_id, company_id,
       ROUND(delay_avg::numeric, 1),
       ROUND(delay_median::numeric, 1),
       ROUND(on_time_rate::numeric, 1),
       payment_count, settled_amount, open_amount, sales_amount,
       CASE WHEN sales_amount > 0
            THEN ROUND((open_amount * window_days / sales_amount)::numeric, 1)
            ELSE 0 END,
       behaviour,
       array_position(%(severity)s::varchar[], behaviour::varchar) - 1,
       oldest_overdue_days,
       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM res
ON CONFLICT (partner_id, company_id) DO UPDATE SET
    payment_delay_avg = EXCLUDED.payment_delay_avg,
    payment_delay_median = EXCLUDED.payment_delay_median,
    payment_on_time_rate = EXCLUDED.payment_on_time_rate,
    payment_count = EXCLUDED.payment_count,
    settled_amount = EXCLUDED.settled_amount,
    open_amount = EXCLUDED.open_amount,
    sales_amount = EXCLUDED.sales_amount,
    dso = EXCLUDED.dso,
    payment_behaviour = EXCLUDED.payment_behaviour,
    severity = EXCLUDED.severity,
    oldest_overdue_days = EXCLUDED.oldest_overdue_days,
    date_refreshed = EXCLUDED.date_refreshed,
    write_uid = EXCLUDED.write_uid,
    write_date = EXCLUDED.write_date
            """,
            **config,
            partner_ids=partner_ids or [],
            scope_lines=scope_lines,
            scope_moves=scope_moves,
            scope_rows=scope_rows,
            invoice_types=INVOICE_TYPES,
            sale_types=SALE_TYPES,
            in_payment_states=IN_PAYMENT_STATES,
            severity=BEHAVIOUR_SEVERITY,
            today=fields.Date.context_today(self),
            now=self.env.cr.now(),
            uid=self.env.uid,
        )

    # ------------------------------------------------------------
    # INCREMENTAL REFRESH
    # ------------------------------------------------------------

    @api.model
    def _schedule_refresh(self, pairs):
        """Refresh the behaviour of some customers at the end of the
        transaction (precommit), once for everything the transaction touched.

        :param pairs: iterable of (company_id, partner_id)
        """
        precommit = self.env.cr.precommit
        pending = precommit.data.setdefault(REFRESH_PRECOMMIT_KEY, defaultdict(set))
        if not pending:
            precommit.add(self._run_scheduled_refresh)
        for company_id, partner_id in pairs:
            if company_id and partner_id:
                pending[company_id].add(partner_id)

    @api.model
    def _run_scheduled_refresh(self):
        pending = self.env.cr.precommit.data.pop(REFRESH_PRECOMMIT_KEY, {})
        if not pending:
            return
        # sudo: derived figures; the user who reconciles a payment may not
        # read every item of the customer, the figures must still be complete
        behaviour = self.sudo()
        partner_ids = set().union(*pending.values())
        companies = behaviour.env["res.company"].browse(sorted(pending))
        behaviour._refresh(companies, sorted(partner_ids))

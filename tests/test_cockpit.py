"""The collections cockpit: one row per customer and company, the aging, the
risk score, the last reminder and the next action, computed by hand below;
the follow-up page's buttons and timeline; the query count of the list."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCockpit(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.today = fields.Date.context_today(cls.env.user)
        cls.Cockpit = cls.env["relance.cockpit"]
        cls.plan = cls.env["relance.plan"]._get_default_plan(cls.company)
        cls.levels = cls.plan._get_ordered_levels()
        Partner = cls.env["res.partner"]
        cls.balto = Partner.create(
            {"name": "Bar Le Balto", "is_company": True, "email": "balto@example.com"}
        )
        cls.garage = Partner.create(
            {"name": "Garage Dupont", "is_company": True, "email": "g@example.com"}
        )
        cls.tilleuls = Partner.create({"name": "SCI Les Tilleuls", "is_company": True})
        cls.controller = cls._user("controleur", "Claire Controle")
        cls.salesperson = cls._user("vendeur", "Victor Vendeur")
        cls.default_controller = cls._user("defaut", "Denise Defaut")
        cls.company.relance_user_id = cls.default_controller
        cls.balto.with_company(cls.company).relance_user_id = cls.controller
        cls.garage.user_id = cls.salesperson
        # Bar Le Balto never paid: one item in each bucket, and a credit note
        cls.balto_invoices = {
            bucket: cls._invoice(cls.balto, amount, due_days)
            for bucket, amount, due_days in (
                ("not_due", 1000.0, 10),
                ("1_30", 500.0, -10),
                ("31_60", 300.0, -45),
                ("61_90", 200.0, -75),
                ("over_90", 100.0, -120),
            )
        }
        cls._invoice(cls.balto, 50.0, 0, move_type="out_refund")
        # Garage Dupont pays 10 days late: 2,000 due 20 days ago, and 700
        # due 40 days ago in dispute
        cls.garage_invoice = cls._invoice(cls.garage, 2000.0, -20)
        cls.disputed = cls._invoice(cls.garage, 700.0, -40)
        cls.env["relance.dispute"].create(
            {
                "move_id": cls.disputed.id,
                "reason_id": cls.env.ref("account_relance.dispute_reason_price").id,
            }
        )
        # SCI Les Tilleuls promised to pay its 800 due 35 days ago in 5 days
        cls.promised = cls._invoice(cls.tilleuls, 800.0, -35)
        cls.promise = cls.env["relance.promise"].create(
            {
                "partner_id": cls.tilleuls.id,
                "move_ids": [Command.set(cls.promised.ids)],
                "date": cls.today + timedelta(days=5),
            }
        )
        Behaviour = cls.env["relance.partner.behaviour"]
        for partner, behaviour, delay, count in (
            (cls.balto, "never_paid", 120.0, 0),
            (cls.garage, "late", 10.0, 6),
            (cls.tilleuls, "no_history", 0.0, 0),
        ):
            Behaviour.create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "payment_behaviour": behaviour,
                    "payment_delay_avg": delay,
                    "payment_count": count,
                }
            )

    @classmethod
    def _user(cls, login, name):
        return new_test_user(
            cls.env,
            login=login,
            name=name,
            groups="account.group_account_invoice,account_relance.group_relance_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def _invoice(cls, partner, amount, due_days, move_type="out_invoice"):
        due = cls.today + timedelta(days=due_days)
        values = {
            "partner_id": partner.id,
            "invoice_date": min(due, cls.today) - timedelta(days=30),
            "invoice_line_ids": [
                Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
            ],
            "post": True,
        }
        if move_type == "out_invoice":
            values.update(invoice_date_due=due, invoice_payment_term_id=False)
        return cls._create_invoice(move_type=move_type, **values)

    def _row(self, partner):
        # a reporting model: its rows are read again after the changes
        self.Cockpit.invalidate_model()
        return self.Cockpit.search([("partner_id", "=", partner.id)])

    def test_aging_buckets_and_totals(self):
        row = self._row(self.balto)
        self.assertEqual(len(row), 1, "one row per customer and company")
        self.assertEqual(row.company_id, self.company)
        self.assertEqual(self.Cockpit._browse_key(self.balto, self.company), row)
        self.assertEqual(row.amount_not_due, 1000.0)
        self.assertEqual(row.amount_1_30, 500.0)
        self.assertEqual(row.amount_31_60, 300.0)
        self.assertEqual(row.amount_61_90, 200.0)
        self.assertEqual(row.amount_over_90, 100.0)
        self.assertEqual(row.amount_overdue, 1100.0)
        self.assertEqual(row.amount_credit, -50.0)
        self.assertEqual(row.amount_total, 2050.0)
        self.assertEqual(row.oldest_overdue_days, 120)
        self.assertEqual(row.payment_behaviour, "never_paid")
        garage = self._row(self.garage)
        self.assertEqual((garage.amount_1_30, garage.amount_31_60), (2000.0, 700.0))
        self.assertEqual((garage.dispute_count, garage.dispute_amount), (1, 700.0))

    def test_risk_first(self):
        """Risk: sum of amount x days late / 1000, x the habit's weight;
        disputed and promised items left out.
        Balto: (500*10 + 300*45 + 200*75 + 100*120) / 1000 = 45.5, x2 = 91.
        Garage: 2000*20 / 1000 = 40, x1.25 = 50 (the 700 in dispute left out).
        Tilleuls: its only overdue invoice is promised: 0."""
        rows = self.Cockpit.search(
            [("partner_id", "in", (self.balto | self.garage | self.tilleuls).ids)]
        )
        self.assertEqual(rows.partner_id, self.balto | self.garage | self.tilleuls)
        self.assertEqual(rows.mapped("risk_score"), [91.0, 50.0, 0.0])

    def test_responsible_per_company(self):
        """The credit controller of the company, else the salesperson, else
        the company's default credit controller; the filter "Mine"."""
        self.assertEqual(self._row(self.balto).user_id, self.controller)
        self.assertEqual(self._row(self.garage).user_id, self.salesperson)
        self.assertEqual(self._row(self.tilleuls).user_id, self.default_controller)
        mine = self.Cockpit.with_user(self.controller).search(
            [("user_id", "=", self.controller.id)]
        )
        self.assertEqual(mine.partner_id, self.balto)

    def test_promise_and_dispute_badges(self):
        tilleuls = self._row(self.tilleuls)
        self.assertEqual(tilleuls.promise_count, 1)
        self.assertEqual(tilleuls.promise_date, self.today + timedelta(days=5))
        self.assertFalse(tilleuls.promise_due)
        self.assertEqual(tilleuls.next_action, "promise")
        self.assertEqual(tilleuls.next_action_date, self.promise.date)
        self.promise.date = self.today
        self.assertTrue(self._row(self.tilleuls).promise_due)
        self.assertEqual(
            self.Cockpit.search([("promise_due", "=", True)]).partner_id, self.tilleuls
        )

    def test_next_level_agrees_with_the_daily_job(self):
        """The forecast of the next level is what the engine decides on that
        day: Garage Dupont (10 days late on average, shift 10) reached the
        friendly reminder (offset 3 + 10 = 13) at 20 days; Bar Le Balto, never
        reminded, starts at the level of its oldest item's age."""
        engine = self.env["relance.engine"]
        decisions, _warnings = engine._compute_decisions(self.company, self.today)
        decided = {d.partner_id: d.level_id for d in decisions if d.to_create}
        for partner in (self.garage, self.balto):
            row = self._row(partner)
            self.assertEqual(row.next_level_date, self.today, partner.name)
            self.assertEqual(row.next_level_id.id, decided[partner.id], partner.name)
            self.assertEqual(row.next_action, "level")
        friendly = self.levels.filtered(lambda level: level.offset_days == 3)
        self.assertEqual(self._row(self.garage).next_level_id, friendly)
        # once the job made the reminders, the next level comes later, when
        # the items reach it (and not before the level's minimum days)
        self.env["relance.reminder"].generate_reminders(
            date=self.today, company_ids=self.company.ids
        )
        garage = self._row(self.garage)
        self.assertEqual(garage.last_level_id, friendly)
        following = self.levels.filtered(lambda level: level.offset_days == 15)
        self.assertEqual(garage.next_level_id, following)
        # 15 + 10 days after its due date, 20 days ago
        day = self.garage_invoice.invoice_date_due + timedelta(days=25)
        self.assertEqual(garage.next_level_date, max(day, self.today + timedelta(7)))
        later, _warnings = engine._compute_decisions(
            self.company, garage.next_level_date
        )
        self.assertIn(
            following.id,
            [d.level_id for d in later if d.partner_id == self.garage.id],
        )
        before, _warnings = engine._compute_decisions(
            self.company, garage.next_level_date - timedelta(days=1)
        )
        self.assertNotIn(
            following.id,
            [
                d.level_id
                for d in before
                if d.partner_id == self.garage.id and d.to_create
            ],
        )

    def test_work_filters(self):
        reminder = self.env["relance.reminder"].create(
            {
                "partner_id": self.balto.id,
                "level_id": self.levels[-1].id,
                "state": "draft",
                "move_line_ids": [
                    Command.set(
                        self.balto_invoices["over_90"]
                        .line_ids.filtered(
                            lambda line: line.account_type == "asset_receivable"
                        )
                        .ids
                    )
                ],
            }
        )
        row = self._row(self.balto)
        self.assertEqual(row.to_review_count, 1)
        self.assertEqual(
            (row.next_action, row.next_action_date), ("review", self.today)
        )
        self.assertEqual(row.last_reminder_id, reminder)
        self.assertEqual(row.last_reminder_state, "draft")
        reminder.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=self.today
        )
        self.assertEqual(
            self.Cockpit.search([("call_today", "=", True)]).partner_id, self.balto
        )
        self.assertEqual(
            self.Cockpit.search([("to_review_count", ">", 0)]).partner_id, self.balto
        )

    def test_follow_up_page(self):
        row = self._row(self.garage)
        self.assertEqual(row.invoice_ids, self.garage_invoice | self.disputed)
        timeline = row.timeline
        self.assertIn("Dispute", timeline)
        self.assertIn(self.disputed.name, timeline)
        self._register_payment(self.garage_invoice, amount=500.0)
        self.env["relance.call.log"].create(
            {"partner_id": self.garage.id, "outcome": "message"}
        ).action_confirm()
        row.invalidate_recordset(["timeline"])
        self.assertIn("500", row.timeline)
        # the call logged with its outcome
        self.assertIn("fa-phone", row.timeline)
        # the buttons
        email = row.action_email()
        self.assertEqual(email["res_model"], "mail.compose.message")
        self.assertEqual(email["context"]["default_res_ids"], self.garage.ids)
        self.assertEqual(email["context"]["default_partner_ids"], self.garage.ids)
        self.assertEqual(row.action_sms()["res_model"], "sms.composer")
        self.assertEqual(row.action_call()["res_model"], "relance.call.log")
        promise = row.action_promise()
        self.assertEqual(promise["context"]["default_partner_id"], self.garage.id)
        dispute = row.action_dispute()
        self.assertEqual(dispute["context"]["default_move_id"], self.garage_invoice.id)
        statement = row.action_statement()
        # (without a document layout, Odoo asks for one first)
        statement = statement.get("context", {}).get("report_action", statement)
        self.assertEqual(
            statement["report_name"], "account_relance.report_relance_statement"
        )
        with self.assertRaises(UserError):
            row.action_letter()  # no letter waits

    def test_run_the_next_level_now(self):
        row = self._row(self.garage)
        action = row.action_run_next_level()
        reminder = self.env["relance.reminder"].browse(action["res_id"])
        self.assertEqual(reminder.partner_id, self.garage)
        self.assertEqual(reminder.state, "draft")
        self.assertEqual(reminder.level_id, row.next_level_id)
        # the disputed invoice stays out; its items reached the level
        self.assertEqual(reminder.move_line_ids.move_id, self.garage_invoice)
        self.assertEqual(reminder.amount_due, 2000.0)
        self.assertEqual(reminder.line_ids.level_id, row.next_level_id)
        self.assertEqual(
            self.garage_invoice.line_ids.filtered("relance_line_ids").relance_level_id,
            row.next_level_id,
        )

    def test_multi_company_rule(self):
        other = self.setup_other_company()["company"]
        partner = self.env["res.partner"].create({"name": "Client Filiale"})
        self._create_invoice(
            partner_id=partner.id,
            company_id=other.id,
            invoice_date=self.today - timedelta(days=60),
            invoice_date_due=self.today - timedelta(days=30),
            invoice_payment_term_id=False,
            invoice_line_ids=[
                Command.create({"name": "Service", "price_unit": 99.0, "tax_ids": []})
            ],
            post=True,
        )
        self.assertTrue(
            self.Cockpit.with_company(other).search([("partner_id", "=", partner.id)])
        )
        self.assertFalse(
            self.Cockpit.with_user(self.controller).search(
                [("partner_id", "=", partner.id)]
            ),
            "a controller of the first company does not see the second one's",
        )

    def test_reading_the_list_leaves_the_planner_as_it_found_it(self):
        # the list's reads run without nested loops and JIT; the rest of the
        # transaction keeps the database's settings
        def setting(name):
            self.env.cr.execute("SELECT current_setting(%s)", [name])
            return self.env.cr.fetchone()[0]

        self.env.cr.execute("SET LOCAL jit = on")
        with self.env["relance.engine"]._without_jit(nested_loops=False):
            self.assertEqual(setting("enable_nestloop"), "off")
            self.assertEqual(setting("jit"), "off")
        # an error inside the block leaves them restored too
        with self.assertRaises(ValueError):
            with self.env["relance.engine"]._without_jit(nested_loops=False):
                raise ValueError("not the planner's")
        self.assertEqual(setting("enable_nestloop"), "on")
        self.assertEqual(setting("jit"), "on")
        rows = self.Cockpit.search([("amount_overdue", ">", 0)])
        self.assertTrue(rows.mapped("amount_overdue"))
        self.assertEqual(self.Cockpit.search_count([]), len(self.Cockpit.search([])))
        self.assertEqual(setting("enable_nestloop"), "on")
        self.assertEqual(setting("jit"), "on")

    def test_list_query_count_does_not_grow_with_the_customers(self):
        """The list as the web client reads it: the same queries for 3 and
        for 13 customers."""
        fields_spec = {
            name: {"fields": {"display_name": {}}}
            if self.Cockpit._fields[name].type == "many2one"
            else {}
            for name in (
                "partner_id",
                "user_id",
                "payment_behaviour",
                "amount_1_30",
                "amount_overdue",
                "last_level_id",
                "last_reminder_state",
                "next_action",
                "next_action_date",
                "promise_date",
                "dispute_amount",
                "risk_score",
                "currency_id",
            )
        }

        def read_list():
            self.env.invalidate_all()
            return self.Cockpit.web_search_read(
                [("amount_overdue", ">", 0)], fields_spec, limit=80
            )

        read_list()
        # 6, and 2 around each of the list's two reads of the view, which
        # turn PostgreSQL's nested loops and JIT off and back on
        with self.assertQueryCount(10):
            first = read_list()
        for index in range(10):
            self._invoice(
                self.env["res.partner"].create({"name": f"Client {index}"}),
                100.0 + index,
                -5 - index,
            )
        with self.assertQueryCount(10):
            second = read_list()
        self.assertEqual(second["length"], first["length"] + 10)

    def test_run_now_never_skips_a_formal_notice_rule(self):
        """Bar Le Balto's items reached the second reminder; the formal notice
        after it needs the second reminder delivered first: refused, with
        the reason; once delivered, the formal notice is made."""
        second = self.levels.filtered(lambda level: level.offset_days == 30)
        formal = self.levels.filtered(lambda level: level.offset_days == 45)
        self.assertTrue(formal.requires_previous_delivered)
        reminder = self.env["relance.reminder"].create(
            {
                "partner_id": self.balto.id,
                "level_id": second.id,
                "state": "draft",
                "move_line_ids": [
                    Command.set(
                        self.balto_invoices["over_90"]
                        .line_ids.filtered(
                            lambda line: line.account_type == "asset_receivable"
                        )
                        .ids
                    )
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "requires"):
            self._row(self.balto).action_run_next_level()
        reminder.write({"state": "sent", "email_state": "sent"})
        self.assertEqual(self._row(self.balto)._get_run_now_level(), formal)
        action = self._row(self.balto).action_run_next_level()
        made = self.env["relance.reminder"].browse(action["res_id"])
        self.assertEqual(made.level_id, formal)

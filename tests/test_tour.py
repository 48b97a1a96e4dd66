from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.mail.tests.common import MockEmail


@tagged("post_install", "-at_install")
class TestMainFlowTour(AccountTestInvoicingHttpCommon, MockEmail):
    """The main flow in the browser: a credit controller runs the reminders
    with their preview, sends one and prints its letter (the tour
    ``account_relance_main_flow``, static/tests/tours/).  Outgoing emails go
    through Odoo's mocked SMTP gateway: nothing leaves the machine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "street": "1 rue de la Paix",
                "zip": "75002",
                "city": "Paris",
                "country_id": cls.env.ref("base.fr").id,
                "email": "compta@company.example.com",
            }
        )
        cls.env["relance.plan"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        ).is_default = False
        cls.env.flush_all()
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Tour plan",
                "company_id": cls.company.id,
                "is_default": True,
                "adaptive_timing": False,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Friendly reminder",
                            "sequence": 1,
                            "offset_days": 5,
                            "min_days_since_last": 0,
                            "tone": "friendly",
                            "channel_email": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Firm reminder",
                            "sequence": 2,
                            "offset_days": 15,
                            "min_days_since_last": 0,
                            "tone": "firm",
                            "auto_send": False,
                            "channel_email": True,
                            "channel_letter": True,
                        }
                    ),
                ],
            }
        )
        cls.firm_level = cls.plan.level_ids.filtered(lambda lv: lv.offset_days == 15)
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Tour Customer SARL",
                "is_company": True,
                "email": "compta@tour-customer.example.com",
                "street": "12 avenue des Champs",
                "zip": "69001",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
                "lang": "en_US",
            }
        )
        today = fields.Date.context_today(cls.customer)
        cls.invoice = cls._create_invoice_one_line(
            price_unit=1200.0,
            tax_ids=cls.env["account.tax"],
            partner_id=cls.customer,
            invoice_date=today - timedelta(days=50),
            invoice_date_due=today - timedelta(days=20),
            invoice_payment_term_id=False,
            post=True,
        )
        # a credit controller, in English (the test database speaks French):
        # invoicing rights and the reminders' user group
        cls.env["res.lang"]._activate_lang("en_US")
        cls.controller = new_test_user(
            cls.env,
            login="credit_controller",
            name="Claire Controller",
            email="claire@company.example.com",
            groups="account.group_account_invoice,account_relance.group_relance_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            lang="en_US",
        )

    def test_main_flow(self):
        with self.mock_mail_gateway():
            self.start_tour(
                "/odoo", "account_relance_main_flow", login=self.controller.login
            )

        reminder = self.env["relance.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        # one reminder, at the level the invoice's 20 days overdue reached
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.level_id, self.firm_level)
        self.assertEqual(reminder.amount_due, 1200.0)
        self.assertEqual(reminder.move_line_ids.move_id, self.invoice)
        self.assertEqual(reminder.user_id, self.controller)
        # its email left for the customer, and shows on the chatter
        self.assertEqual(reminder.email_state, "sent")
        self.assertEqual(reminder.email_partner_ids, self.customer)
        notification = self.env["mail.notification"].search(
            [("mail_message_id", "=", reminder.email_message_id.id)]
        )
        self.assertEqual(notification.res_partner_id, self.customer)
        self.assertEqual(notification.notification_status, "sent")
        self.assertIn(reminder.email_message_id, reminder.message_ids)
        self.assertSentEmail(self.controller.partner_id, [self.customer])
        # its letter was printed and is kept on the reminder
        self.assertEqual(reminder.state, "printed")
        self.assertEqual(reminder.letter_state, "printed")
        letter = reminder.letter_attachment_id
        self.assertEqual(letter.mimetype, "application/pdf")
        self.assertTrue(letter.raw.startswith(b"%PDF"))
        self.assertEqual(
            (letter.res_model, letter.res_id), (reminder._name, reminder.id)
        )


@tagged("post_install", "-at_install")
class TestCockpitTour(AccountTestInvoicingHttpCommon):
    """The collections cockpit in the browser (the tour
    ``account_relance_cockpit``): first entry of the menu, risk first, the
    follow-up page with its timeline, the next level made now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        today = fields.Date.context_today(cls.env.user)
        Partner = cls.env["res.partner"]
        cls.worst = Partner.create(
            {
                "name": "Cockpit Never Paid SARL",
                "is_company": True,
                "email": "cockpit@never-paid.example.com",
                "lang": "en_US",
            }
        )
        cls.late = Partner.create(
            {"name": "Cockpit Late SAS", "is_company": True, "lang": "en_US"}
        )
        invoices = cls.env["account.move"]
        for partner, amount, days_late in (
            (cls.worst, 900.0, 120),
            (cls.worst, 400.0, 20),
            (cls.late, 300.0, 10),
        ):
            invoices |= cls._create_invoice_one_line(
                price_unit=amount,
                tax_ids=cls.env["account.tax"],
                partner_id=partner,
                invoice_date=today - timedelta(days=days_late + 30),
                invoice_date_due=today - timedelta(days=days_late),
                invoice_payment_term_id=False,
                post=True,
            )
        cls.env["relance.dispute"].create(
            {
                "move_id": invoices[1].id,
                "reason_id": cls.env.ref("account_relance.dispute_reason_price").id,
            }
        )
        cls.env["res.lang"]._activate_lang("en_US")
        cls.controller = new_test_user(
            cls.env,
            login="cockpit_controller",
            name="Claire Cockpit",
            email="claire.cockpit@company.example.com",
            groups="account.group_account_invoice,account_relance.group_relance_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            lang="en_US",
        )

    def test_cockpit(self):
        menu = self.env.ref("account_relance.relance_customers_menu")
        self.assertEqual(
            menu.child_id.sorted("sequence")[:1],
            self.env.ref("account_relance.relance_cockpit_menu"),
            "the cockpit is the first entry of the Reminders menu",
        )
        self.start_tour("/odoo", "account_relance_cockpit", login=self.controller.login)
        reminder = self.env["relance.reminder"].search(
            [("partner_id", "=", self.worst.id)]
        )
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.state, "draft")
        # the dispute stays out of it; the other invoice reached the level
        self.assertEqual(reminder.amount_due, 900.0)
        self.assertEqual(reminder.user_id, self.controller)

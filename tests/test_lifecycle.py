"""A reminder's life: who owns it, how its channels make its state, what
printing may and may not do, and what stays as it went out."""

from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.mail.tests.common import MailCase
from odoo.addons.sms.tests.common import SMSCase

from .common_engine import D, ReminderEngineCommon, days
from .common_letters import RelanceLetterCommon


@tagged("post_install", "-at_install")
class TestOwnership(ReminderEngineCommon, MailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "credit@company.example.com"
        cls.salesperson = new_test_user(
            cls.env,
            login="sophie",
            name="Sophie Vendeuse",
            email="sophie@company.example.com",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            signature="Sophie Vendeuse, service clients",
        )
        cls.controller = new_test_user(
            cls.env,
            login="claire",
            name="Claire Recouvrement",
            email="claire@company.example.com",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.odoobot = cls.env.ref("base.user_root")

    def _job(self, on):
        """What the daily job does: the engine run as OdooBot."""
        with self.mock_mail_gateway():
            return (
                self.env["relance.engine"]
                .with_user(self.odoobot)
                ._run(date=on, company_ids=self.company.ids)
                .with_user(self.env.user)
            )

    def test_job_reminder_belongs_to_the_credit_controller(self):
        """The daily job's reminder belongs to the customer's salesperson:
        the email comes from them, the letter is signed by them, the call is
        theirs and replies reach them as a follower."""
        self.customer.user_id = self.salesperson
        self.level1.channel_phone = True
        self._invoice(self.customer, D)
        reminder = self._job(days(6))
        self.assertEqual(reminder.user_id, self.salesperson)
        self.assertIn(self.salesperson.partner_id, reminder.message_partner_ids)
        self.assertEqual(
            reminder.email_message_id.author_id, self.salesperson.partner_id
        )
        self.assertIn(
            "sophie@company.example.com", reminder.email_message_id.email_from
        )
        self.assertIn("Sophie Vendeuse", str(reminder.email_message_id.body))
        self.assertEqual(reminder.phone_activity_id.user_id, self.salesperson)
        letter = self.env[
            "report.account_relance.report_relance_reminder"
        ]._get_letter_values(reminder)
        self.assertEqual(
            str(letter["signature"]), "<p>Sophie Vendeuse, service clients</p>"
        )

    def test_credit_controller_then_company_default(self):
        """The customer's credit controller wins over the salesperson; without
        either, the company's default credit controller; without any, nobody
        (never OdooBot) and the email comes from the company."""
        self.customer.user_id = self.salesperson
        self.customer.with_company(self.company).relance_user_id = self.controller
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, D)
        reminders = self._job(days(6))
        owners = {reminder.partner_id: reminder.user_id for reminder in reminders}
        self.assertEqual(owners[self.customer], self.controller)
        self.assertFalse(owners[self.customer_b])
        unowned = reminders.filtered(lambda r: r.partner_id == self.customer_b)
        self.assertEqual(unowned.email_message_id.author_id, self.company.partner_id)
        self.assertNotIn(self.odoobot.partner_id, unowned.message_partner_ids)

        self.company.relance_user_id = self.controller
        self._invoice(self.customer_b, days(-20), 300.0)
        later = self._job(days(16)).filtered(lambda r: r.partner_id == self.customer_b)
        self.assertEqual(later.user_id, self.controller)


@tagged("post_install", "-at_install")
class TestLifecycle(RelanceLetterCommon, MailCase, SMSCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "credit@company.example.com"
        cls.customer.email = "compta@dupont.example.com"
        cls.invoice = cls._invoice(cls.customer, 1000.0, "2025-07-15")
        cls.email_and_letter = cls.env["relance.level"].create(
            {
                "plan_id": cls.plan.id,
                "name": "Email and letter",
                "tone": "firm",
                "offset_days": 20,
                "channel_email": True,
                "channel_letter": True,
            }
        )

    def _level_reminder(self, level, **vals):
        lines = self._receivable(self.invoice)
        return self.env["relance.reminder"].create(
            {
                "partner_id": self.customer.id,
                "level_id": level.id,
                "date": date(2025, 8, 14),
                "state": "to_send",
                "currency_id": self.eur.id,
                "amount_due": 1000.0,
                "move_line_ids": [Command.set(lines.ids)],
                **vals,
            }
        )

    def test_printing_refuses_drafts_and_cancelled(self):
        """A reminder to review is not printed before its review, a cancelled
        one stays cancelled; the others of the batch print."""
        draft = self._reminder(
            self.customer, "firm", self.invoice, "2025-08-14", state="draft"
        )
        cancelled = self._reminder(
            self.customer, "firm", self.invoice, "2025-08-14", state="cancel"
        )
        good = self._reminder(self.customer, "firm", self.invoice, "2025-08-14")
        action = (draft | cancelled | good).action_print_letters()
        self.assertEqual(good.state, "printed")
        self.assertEqual((draft.state, cancelled.state), ("draft", "cancel"))
        self.assertFalse(draft.letter_attachment_id | cancelled.letter_attachment_id)
        self.assertIn("to review", action["params"]["message"])
        self.assertIn("cancelled", action["params"]["message"])
        with self.assertRaisesRegex(UserError, "confirm it before printing"):
            draft.action_print_letters()

    def test_printing_keeps_a_failed_email_to_retry(self):
        """The letter of a reminder whose email failed is printed; the
        reminder stays in error until the email goes, then it is printed."""
        reminder = self._level_reminder(self.email_and_letter)
        reminder._send_reminders()
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.email_message_id.id)]
        )
        with self.mock_mail_gateway():
            self.send_email_mocked.side_effect = ConnectionRefusedError("refused")
            mail.send(raise_exception=False)
        self.assertEqual(reminder.state, "error")
        self.assertEqual(reminder.letter_state, "to_print")
        reminder.action_print_letters()
        self.assertEqual(reminder.letter_state, "printed")
        self.assertEqual(reminder.state, "error", "the email is still to retry")
        with self.mock_mail_gateway():
            reminder.action_retry()
        self.assertEqual(reminder.email_state, "sent")
        self.assertEqual(reminder.state, "printed")

    def test_optional_sms_is_skipped_and_the_email_goes(self):
        """A customer without a mobile number gets the email of a level that
        also sends an SMS: the SMS is skipped with the reason, the reminder is
        sent.  A level that requires its SMS is in error instead."""
        level = self.env["relance.level"].create(
            {
                "plan_id": self.plan.id,
                "name": "Email and SMS",
                "tone": "friendly",
                "offset_days": 10,
                "channel_email": True,
                "channel_sms": True,
            }
        )
        self.customer.phone = False
        reminder = self._level_reminder(level)
        with self.mock_mail_gateway(), self.mockSMSGateway():
            reminder._send_reminders()
        self.assertEqual(
            (reminder.email_state, reminder.sms_state), ("sent", "skipped")
        )
        self.assertIn("has no mobile number", reminder.sms_failure_reason)
        self.assertEqual(reminder.state, "sent")
        self.assertFalse(self._sms)

        level.sms_required = True
        strict = self._level_reminder(level)
        with self.mock_mail_gateway(), self.mockSMSGateway():
            strict._send_reminders()
        self.assertEqual(strict.state, "error")
        self.assertIn("has no mobile number", strict.error_message)

    def test_what_went_out_stays_as_it_went(self):
        """Changing the settings changes the charges and deadline of the
        reminders still to send, never of those sent or printed."""
        firm_sent = self._reminder(self.customer, "firm", self.invoice, "2025-08-14")
        firm_draft = self._reminder(
            self.customer, "firm", self.invoice, "2025-08-14", state="draft"
        )
        firm_sent.action_print_letters()
        self.assertEqual(firm_sent.state, "printed")
        claimed = (firm_sent.charge_amount_total, firm_sent.formal_deadline_date)
        self.assertTrue(claimed[0])
        self.company.write(
            {"relance_recovery_indemnity": 100.0, "relance_formal_deadline_days": 30}
        )
        self.env.flush_all()
        self.assertEqual(
            (firm_sent.charge_amount_total, firm_sent.formal_deadline_date), claimed
        )
        self.assertEqual(firm_draft.formal_deadline_date, date(2025, 9, 13))
        self.company.relance_charges_enabled = False
        self.assertEqual(firm_sent.charge_amount_total, claimed[0])
        self.assertFalse(firm_draft.charge_amount_total)

    def test_email_lists_credits_as_credits(self):
        """A credit note in a reminder email is a credit: negative, named as
        such, without a payment link."""
        refund = self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=200.0,
            partner_id=self.customer,
            invoice_date="2025-07-20",
            tax_ids=[],
            currency_id=self.eur,
            post=True,
        )
        lines = self._receivable(self.invoice | refund)
        reminder = self._level_reminder(
            self.email_and_letter,
            amount_due=800.0,
            move_line_ids=[Command.set(lines.ids)],
        )
        by_name = {line["name"]: line for line in reminder._get_email_lines()}
        credit = by_name[refund.name]
        self.assertTrue(credit["credit"])
        self.assertEqual(credit["residual"], -200.0)
        self.assertEqual(credit["kind"], "Credit note")
        self.assertFalse(credit["pay_url"])
        self.assertTrue(by_name[self.invoice.name]["pay_url"])
        with self.mock_mail_gateway():
            reminder._send_reminders()
        body = str(reminder.email_message_id.body)
        self.assertIn("(Credit note)", body)
        self.assertEqual(body.count("Pay online</a>"), 1)

    def test_level_form_shows_the_charges_and_hold_switches(self):
        """An administrator sets charges, credit hold and escalation on the
        level form; the standard formal notice claims the charges and waits
        for a delivered reminder."""
        with Form(self.email_and_letter) as form:
            form.apply_charges = True
            form.set_credit_hold = True
            form.requires_previous_delivered = True
        self.assertTrue(self.email_and_letter.set_credit_hold)
        formal = self.env.ref("account_relance.relance_level_formal_notice").sudo()
        self.assertTrue(formal.apply_charges)
        self.assertTrue(formal.requires_previous_delivered)

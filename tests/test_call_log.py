from datetime import date

from odoo import Command
from odoo.tests import Form, tagged

from .common_dispute import RelanceDisputeCommon


@tagged("post_install", "-at_install")
class TestCallLog(RelanceDisputeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Paul Martin",
                "parent_id": cls.customer.id,
                "phone": "+33612345678",
            }
        )
        cls.customer.write(
            {
                "relance_payment_contact_id": cls.contact.id,
                "relance_payment_contact_role": "Gérant",
                "accountant_email": "cabinet@expert-compta.fr",
            }
        )
        cls.invoice = cls._invoice(900.0)
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Plan call",
                "level_ids": [
                    Command.create({"name": "Courriel amical"}),
                    Command.create({"name": "Appel", "channel_phone": True}),
                ],
            }
        )
        cls.previous = cls.env["relance.reminder"].create(
            {
                "partner_id": cls.customer.id,
                "level_id": cls.plan.level_ids[0].id,
                "date": date(2026, 2, 10),
                "state": "sent",
                "move_line_ids": [Command.set(cls._receivable(cls.invoice).ids)],
            }
        )
        cls.reminder = cls.env["relance.reminder"].create(
            {
                "partner_id": cls.customer.id,
                "level_id": cls.plan.level_ids[1].id,
                "date": date(2026, 2, 25),
                "move_line_ids": [Command.set(cls._receivable(cls.invoice).ids)],
            }
        )

    def _log(self, outcome, note="", **values):
        action = self.reminder.action_relance_log_call()
        with Form(self.env["relance.call.log"].with_context(action["context"])) as form:
            form.outcome = outcome
            form.note = note
            for name, value in values.items():
                setattr(form, name, value)
        return form.record.action_confirm()

    def test_call_script_answers_the_five_questions(self):
        script = str(self.env["relance.reminder.send"]._get_call_script(self.reminder))
        self.assertIn("Paul Martin", script)  # who
        self.assertIn("Gérant", script)
        self.assertIn("+33612345678", script)
        self.assertIn("cabinet@expert-compta.fr", script)
        self.assertIn(self.invoice.name, script)  # what
        self.assertIn("Courriel amical", script)  # when and how
        self.assertIn("Why is it unpaid?", script)
        self.assertIn("How and when will you pay?", script)
        self.assertEqual(str(self.reminder.call_script), script)

    def test_promise_outcome_opens_promise(self):
        self.reminder.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.env.user.id
        )
        action = self._log("promise", note="Virement vendredi")
        self.assertEqual(action["res_model"], "relance.promise")
        self.assertEqual(action["context"]["default_reminder_id"], self.reminder.id)
        self.assertEqual(action["context"]["default_move_ids"], self.invoice.ids)
        self.assertEqual(action["context"]["default_note"], "Virement vendredi")
        self.assertIn("Promise to pay", self.customer.message_ids[0].body)
        self.assertIn("Paul Martin", self.reminder.message_ids[0].body)
        self.assertFalse(self.reminder.activity_ids, "the call activity is done")

    def test_dispute_outcome_opens_dispute(self):
        action = self._log("dispute", note="Livraison incomplète")
        self.assertEqual(action["res_model"], "relance.dispute")
        self.assertEqual(action["context"]["default_move_id"], self.invoice.id)
        with Form(self.env["relance.dispute"].with_context(action["context"])) as form:
            form.reason_id = self.env.ref("account_relance.dispute_reason_delivery")
        self.assertEqual(self.invoice.dispute_state, "open")

    def test_wrong_number_asks_to_fix_contact(self):
        self._log("wrong_number")
        activity = self.customer.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("phone number", activity.summary)

    def test_log_call_from_customer(self):
        action = self.customer.action_relance_log_call()
        with Form(self.env["relance.call.log"].with_context(action["context"])) as form:
            self.assertEqual(form.contact_id, self.contact)
            form.outcome = "message"
        form.record.action_confirm()
        self.assertIn("Left a message", self.customer.message_ids[0].body)

"""The day's work of each credit controller as Odoo activities
(relance.work): planned once, for the reminder's or customer's owner, gone as
soon as the work is done."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common_engine import ReminderEngineCommon


@tagged("post_install", "-at_install")
class TestDayWork(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.controller = new_test_user(
            cls.env,
            login="claire",
            groups="account.group_account_invoice,account_relance.group_relance_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.customer.with_company(cls.company).relance_user_id = cls.controller
        cls.invoice = cls._invoice(cls.customer, cls.today - timedelta(days=20))
        cls.Activity = cls.env["mail.activity"]

    def _activities(self, records, xmlid):
        return self.Activity.search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("activity_type_id", "=", self.env.ref(xmlid).id),
            ]
        )

    def test_reminders_to_review_and_letters_to_print(self):
        items = self.invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        reminder = self.Reminder.create(
            {
                "partner_id": self.customer.id,
                "level_id": self.formal.id,  # a registered letter
                "user_id": self.controller.id,
                "move_line_ids": [Command.set(items.ids)],
            }
        )
        work = self.env["relance.work"]
        work._sync_activities()
        review = self._activities(
            reminder, "account_relance.mail_activity_type_relance_review"
        )
        self.assertEqual(len(review), 1)
        self.assertEqual(
            (review.user_id, review.date_deadline), (self.controller, self.today)
        )
        work._sync_activities()
        self.assertEqual(
            len(
                self._activities(
                    reminder, "account_relance.mail_activity_type_relance_review"
                )
            ),
            1,
            "planned once",
        )
        # reviewed: the activity goes at once; the letter is now to print
        reminder.action_confirm()
        self.assertFalse(review.exists())
        work._sync_activities()
        letter = self._activities(
            reminder, "account_relance.mail_activity_type_relance_letter"
        )
        self.assertEqual(letter.user_id, self.controller)
        reminder.write({"letter_state": "printed"})
        self.assertFalse(letter.exists())

    def test_promises_due_today(self):
        promise = self.env["relance.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "date": self.today + timedelta(days=2),
            }
        )
        work = self.env["relance.work"]
        xmlid = "account_relance.mail_activity_type_relance_promise"
        work._sync_activities()
        self.assertFalse(self._activities(promise, xmlid), "not due yet")
        promise.date = self.today
        work._sync_activities()
        activity = self._activities(promise, xmlid)
        self.assertEqual(activity.user_id, self.controller, "the customer's controller")
        promise.action_mark_kept()
        self.assertFalse(activity.exists())

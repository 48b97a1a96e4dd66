"""Two real transactions at once, on committed data: two senders, a run on
a stale snapshot, a change committed under a running job.  Each test takes a
snapshot in one transaction, commits in another, then acts in the first, and
checks what the database's constraints and locks held."""

import psycopg2.errors

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common_engine import D, days
from .real_cursors import RealCursorsMixin
from .real_smtp import RealSmtpMixin


@tagged("post_install", "-at_install")
class TestConcurrency(RealCursorsMixin, RealSmtpMixin, TransactionCase):
    def test_two_senders_never_send_the_same_reminder(self):
        """Two transactions send the same reminder at once (two workers of
        the daily job, or a user's Send Now during the job): the second one
        skips what the first one holds, refuses the button with a clear
        message, and, on its stale snapshot, gets PostgreSQL's serialization
        failure (Odoo retries it); retried, it sends nothing.  The SMTP
        server receives one email."""
        ids = self._commit_customers(1, D)
        setup = self._real_env()
        smtp = self._start_smtp(env=setup)
        server_id = self.mail_server.id
        reminder_id = (
            setup["relance.reminder"]
            .with_context(relance_defer_send=True)
            .generate_reminders(date=days(6), company_ids=[ids["company"]])
            .id
        )
        self.assertTrue(reminder_id)
        setup.cr.commit()
        self.addCleanup(self._delete_mail_server, server_id)

        env_a, env_b = self._real_env(), self._real_env()
        reminder_a = env_a["relance.reminder"].browse(reminder_id)
        reminder_b = env_b["relance.reminder"].browse(reminder_id)
        self.assertEqual(reminder_b.state, "to_send")  # B's snapshot
        self.assertEqual(
            env_a["relance.reminder.send"]._send_reminders(reminder_a), reminder_a
        )
        # A holds the reminder until it commits: B leaves it alone
        self.assertFalse(env_b["relance.reminder.send"]._send_reminders(reminder_b))
        with self.assertRaisesRegex(UserError, "being sent by another user"):
            reminder_b.action_send()
        env_a.cr.commit()
        self.assertEqual(len(smtp.messages), 1)

        # B's snapshot predates A's commit: PostgreSQL refuses it the row
        with self.assertRaises(psycopg2.errors.SerializationFailure):
            env_b["relance.reminder.send"]._send_reminders(reminder_b)
        env_b.cr.rollback()
        # retried as Odoo retries it, on fresh data: the email is done
        env_b["relance.reminder.send"]._send_reminders(reminder_b)
        env_b.cr.commit()

        self.assertEqual(len(smtp.messages), 1, "the customer got one email")
        self.assertEqual(
            smtp.messages[0]["to"], [env_b["res.partner"].browse(ids["partners"]).email]
        )
        check = self._real_env()["relance.reminder"].browse(reminder_id)
        self.assertEqual((check.state, check.email_state), ("sent", "sent"))

    def _delete_mail_server(self, server_id):
        env = self._real_env()
        env["ir.mail_server"].browse(server_id).unlink()
        env.cr.commit()

"""Two real transactions at once, on committed data: two senders, a run on
a stale snapshot, a change committed under a running job.  Each test takes a
snapshot in one transaction, commits in another, then acts in the first, and
checks what the database's constraints and locks held."""

import logging
import uuid
from datetime import timedelta

import psycopg2.errors

from odoo import fields
from odoo.exceptions import ConcurrencyError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

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

    def _live_reminders(self, ids):
        """{customer id: number of its live reminders}, as committed."""
        env = self._real_env()
        groups = env["relance.reminder"]._read_group(
            [("partner_id", "in", ids["partners"]), ("state", "!=", "cancel")],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        return {partner_id: counts.get(partner_id, 0) for partner_id in ids["partners"]}

    def test_a_stale_snapshot_makes_no_duplicate(self):
        """A user's Run reminders whose snapshot predates the daily job's
        commit: the run lock is free again when it takes it, and its
        snapshot does not show the job's reminders.  The database refuses
        the second reminder of each customer; the run ends with the error
        Odoo retries a request with, and retried on fresh data, it makes
        nothing.  Each customer has one reminder."""
        ids = self._commit_customers(2, D, auto_send=False)
        user = self._real_env()  # the user's request, started first
        self.assertFalse(
            user["relance.reminder"].search([("partner_id", "in", ids["partners"])])
        )
        job = self._real_env()
        made = job["relance.engine"]._run(date=days(6), company_ids=[ids["company"]])
        self.assertEqual(len(made), 2)
        job.cr.commit()

        try:
            user["relance.engine"]._run(date=days(6), company_ids=[ids["company"]])
        except ConcurrencyError as error:
            caught = error
        else:
            user.cr.commit()  # what the request would do
            caught = None
        user.cr.rollback()
        self.assertEqual(
            self._live_reminders(ids),
            dict.fromkeys(ids["partners"], 1),
            "the stale run made the reminders again",
        )
        # a ConcurrencyError: odoo.service.model.retrying retries the request
        self.assertTrue(caught, "the stale run must end with an error Odoo retries")
        self.assertIn("none was made twice", str(caught))
        # retried as Odoo retries it: a new snapshot sees the job's reminders
        self.assertFalse(
            user["relance.engine"]._run(date=days(6), company_ids=[ids["company"]])
        )
        user.cr.commit()
        self.assertEqual(self._live_reminders(ids), dict.fromkeys(ids["partners"], 1))

    def test_a_stale_daily_job_decides_again(self):
        """The daily job's snapshot predates a user's Run reminders that
        commits first: the job's batch is refused by the database, nothing
        of it is kept, and the job decides again on fresh data, where there
        is nothing left to do.  Each customer has one reminder."""
        today = fields.Date.today()
        ids = self._commit_customers(2, today - timedelta(days=6), auto_send=False)
        job = self._real_env()  # the job's snapshot
        self.assertFalse(
            job["relance.reminder"].search([("partner_id", "in", ids["partners"])])
        )
        user = self._real_env()
        made = user["relance.engine"]._run(date=today, company_ids=[ids["company"]])
        self.assertEqual(len(made), 2)
        user.cr.commit()
        with self.assertLogs(
            "odoo.addons.account_relance.models.relance_engine", level=logging.INFO
        ) as logs:
            job["relance.engine"]._cron_generate_reminders()
        job.cr.commit()
        self.assertEqual(self._live_reminders(ids), dict.fromkeys(ids["partners"], 1))
        self.assertTrue(
            any("deciding again on fresh data" in line for line in logs.output),
            logs.output,
        )

    def test_a_locked_company_does_not_block_the_others(self):
        """A Run reminders holds one company while the daily job starts: the
        job reminds the customers of the other companies, logs the company it
        leaves, and runs again a little later for it."""
        today = fields.Date.today()
        ids = self._commit_customers(1, today - timedelta(days=6), auto_send=False)
        setup = self._real_env()
        locked = setup["res.company"].create(
            {"name": f"Busy Co {uuid.uuid4().hex[:6]}"}
        )
        setup.cr.commit()
        self.addCleanup(self._delete_company, locked.id)

        user = self._real_env()
        user["relance.engine"]._lock_run(user["res.company"].browse(locked.id))
        job = self._real_env()
        cron = job.ref("account_relance.ir_cron_relance_generate")
        with self.assertLogs(
            "odoo.addons.account_relance.models.relance_engine", level=logging.INFO
        ) as logs:
            job["relance.engine"]._cron_generate_reminders()
        job.cr.commit()
        self.assertEqual(self._live_reminders(ids), dict.fromkeys(ids["partners"], 1))
        self.assertTrue(
            any(locked.name in line and "next run" in line for line in logs.output),
            logs.output,
        )
        check = self._real_env()
        self.assertTrue(
            check["ir.cron.trigger"].search(
                [("cron_id", "=", cron.id), ("call_at", ">", fields.Datetime.now())]
            ),
            "the job runs again for the company it left",
        )

    def test_a_serialization_failure_is_not_swallowed(self):
        """Another transaction commits a change to the customers' broken
        promises after the run's snapshot; the run escalates them and
        PostgreSQL refuses its stale write.  The failure reaches Odoo, which
        retries the whole transaction (instead of every customer being
        skipped on an aborted snapshot); retried, every customer gets his
        reminder."""
        ids = self._commit_customers(2, D, auto_send=False, promise=True)
        run = self._real_env()
        self.assertEqual(
            run["relance.promise"].browse(ids["promises"]).mapped("escalated"),
            [False, False],
        )
        other = self._real_env()
        other.execute_query(
            SQL(
                "UPDATE relance_promise SET write_date = now() WHERE id = ANY(%s)",
                ids["promises"],
            )
        )
        other.cr.commit()

        with self.assertRaises(psycopg2.errors.SerializationFailure):
            run["relance.engine"]._run(date=days(6), company_ids=[ids["company"]])
        run.cr.rollback()
        made = run["relance.engine"]._run(date=days(6), company_ids=[ids["company"]])
        run.cr.commit()
        self.assertEqual(len(made), 2)
        self.assertTrue(all(made.mapped("escalated")))
        self.assertEqual(self._live_reminders(ids), dict.fromkeys(ids["partners"], 1))

    def _delete_company(self, company_id):
        env = self._real_env()
        env["ir.cron.trigger"].search(
            [
                (
                    "cron_id",
                    "=",
                    env.ref("account_relance.ir_cron_relance_generate").id,
                ),
                ("call_at", ">", fields.Datetime.now()),
            ]
        ).unlink()
        # the addon gave the new company its default plan
        env["relance.plan"].with_context(active_test=False).search(
            [("company_id", "=", company_id)]
        ).unlink()
        env["res.company"].browse(company_id).unlink()
        env.cr.commit()

    def _delete_mail_server(self, server_id):
        env = self._real_env()
        env["ir.mail_server"].browse(server_id).unlink()
        env.cr.commit()

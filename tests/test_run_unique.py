"""One reminder per customer, level, currency and day from the runs: the
unique index ``relance_reminder_run_uniq``, the decision that respects it, and
the migration that makes room for it on a database with duplicates.  The two
transactions at once are in tests/test_concurrency.py."""

import importlib.util
from pathlib import Path

import psycopg2.errors

from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common_engine import D, ReminderEngineCommon, days

MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "19.0.2.1.0"
    / "pre-run-unique.py"
)


@tagged("post_install", "-at_install")
class TestRunUnique(ReminderEngineCommon):
    def _deferred_run(self, on):
        return self.Reminder.with_context(relance_defer_send=True).generate_reminders(
            date=on, company_ids=self.company.ids
        )

    def _set_generated(self, reminder):
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                "UPDATE relance_reminder SET generated = TRUE WHERE id = %s",
                reminder.id,
            )
        )

    def test_the_database_refuses_a_second_reminder_of_a_run(self):
        """Made by a run, the same customer, level, currency and day twice is
        refused by the database; the same reminder made by hand is accepted,
        and a cancelled reminder does not count."""
        self._invoice(self.customer, D)
        reminder = self._deferred_run(days(6))
        self.assertTrue(reminder.generated)
        by_hand = reminder.copy()  # a reminder made by hand, the same day
        self.assertFalse(by_hand.generated)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
        ):
            self._set_generated(by_hand)
        reminder.action_cancel()
        self._set_generated(by_hand)  # the cancelled one leaves the index

    def test_a_second_run_the_same_day_says_why_it_waits(self):
        """An invoice that becomes due the day its customer was reminded at
        that level: the second run of the day makes no second reminder of
        the level, and the preview says why."""
        self._invoice(self.customer, D)
        first = self._deferred_run(days(6))
        self.assertEqual(first.level_id, self.level1)
        self._invoice(self.customer, D, amount=300.0)
        decisions, _warnings = self.env["relance.engine"]._compute_decisions(
            self.company, days(6)
        )
        (decision,) = [d for d in decisions if d.partner_id == self.customer.id]
        self.assertFalse(decision.to_create)
        self.assertIn("Already reminded at Reminder 1", decision.skip_reason)
        self.assertFalse(self._deferred_run(days(6)))
        self.assertEqual(self._reminders(self.customer), first)

    def test_the_upgrade_keeps_one_of_each_duplicate(self):
        """A database where two runs at once made the same reminders: the
        upgrade to 19.0.2.1.0 keeps the one that went furthest, cancels the
        others that have not gone out (saying why), keeps those that went out
        outside the index, leaves the reminders made by hand alone, and the
        unique index can then be created."""
        self._invoice(self.customer, D)
        original = self._deferred_run(days(6))  # to send
        copies = [original.copy() for _index in range(3)]
        by_hand = original.copy()
        self.env.flush_all()
        cr = self.env.cr
        # the database as 19.0.2.0.0 left it: no flag, no index
        cr.execute("ALTER TABLE relance_reminder DROP COLUMN generated CASCADE")
        for reminder, state in zip(copies, ("sent", "draft", "sent"), strict=True):
            cr.execute(
                SQL(
                    "UPDATE relance_reminder SET state = %(state)s WHERE id = %(id)s",
                    state=state,
                    id=reminder.id,
                )
            )
            cr.execute(
                SQL(
                    """
                    INSERT INTO relance_reminder_line (
                        reminder_id, move_line_id, date_maturity, amount_residual,
                        days_overdue, level_id)
                    SELECT %(id)s, move_line_id, date_maturity, amount_residual,
                           days_overdue, level_id
                      FROM relance_reminder_line WHERE reminder_id = %(original)s
                    """,
                    id=reminder.id,
                    original=original.id,
                )
            )
        spec = importlib.util.spec_from_file_location("pre_run_unique", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        with self.assertLogs(migration.__name__, "WARNING") as logs:
            migration.migrate(cr, "19.0.2.0.0")
        self.assertIn("2 duplicate reminders cancelled, 1 duplicates", logs.output[0])

        ids = [original.id, *(reminder.id for reminder in copies), by_hand.id]
        cr.execute(
            SQL(
                "SELECT id, state, generated, reason FROM relance_reminder"
                " WHERE id = ANY(%s)",
                ids,
            )
        )
        rows = {row[0]: row[1:] for row in cr.fetchall()}
        kept, draft, sent_again = copies
        self.assertEqual(rows[kept.id][:2], ("sent", True))
        self.assertEqual(rows[original.id][:2], ("cancel", True))
        self.assertIn(f"the same reminder as {kept.name}", rows[original.id][2])
        self.assertEqual(rows[draft.id][:2], ("cancel", True))
        self.assertEqual(rows[sent_again.id][:2], ("sent", False))
        self.assertEqual(rows[by_hand.id][:2], ("draft", False))
        # what the update does next: the index is created
        index = self.Reminder._table_objects["relance_reminder_run_uniq"]
        cr.execute(
            SQL(
                "CREATE UNIQUE INDEX relance_reminder_run_uniq ON relance_reminder %s",
                SQL(index._index_definition),
            )
        )
        self.env.invalidate_all()

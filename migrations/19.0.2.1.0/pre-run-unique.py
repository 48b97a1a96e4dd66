"""19.0.2.1.0: a run cannot make the same reminder twice.

The reminders made by a run (the daily job, Run reminders) get the flag
``generated`` and a unique index: one live reminder per company, customer,
currency, level and day (``relance.reminder._run_uniq``).  Before it, two
runs at once could make the same reminders twice; the index could not be
created on such a database, so this script, run before the update creates
the index, keeps one of each set of duplicates:

- a reminder made by a run is one whose lines give an item a level (the lines
  of a reminder made by hand have none);
- of each set, the one kept is the one that went furthest (sent or printed,
  then to send, in error, to review), the oldest first;
- the others that have not gone out are cancelled, and say why in their
  reason;
- the others that went out already stay as they are, for the record of what
  the customer received, and leave the index (``generated`` false).
"""

import logging

from odoo.tools import sql

_logger = logging.getLogger(__name__)

NOTE = "Cancelled on the upgrade to 19.0.2.1.0: the same reminder as %s."


def migrate(cr, version):
    if not sql.column_exists(cr, "relance_reminder", "generated"):
        sql.create_column(cr, "relance_reminder", "generated", "boolean")
        cr.execute(
            """
            UPDATE relance_reminder reminder
               SET generated = TRUE
             WHERE EXISTS (
                    SELECT 1 FROM relance_reminder_line line
                     WHERE line.reminder_id = reminder.id
                       AND line.level_id IS NOT NULL)
            """
        )
    cr.execute(
        """
        WITH ranked AS (
            SELECT id, name, state,
                   FIRST_VALUE(name) OVER key AS kept_name,
                   ROW_NUMBER() OVER key AS rank
              FROM relance_reminder
             WHERE generated AND state != 'cancel'
            WINDOW key AS (
                PARTITION BY company_id, partner_id, currency_id, level_id, date
                ORDER BY CASE state
                             WHEN 'sent' THEN 0 WHEN 'printed' THEN 0
                             WHEN 'to_send' THEN 1 WHEN 'error' THEN 2
                             ELSE 3
                         END, id)
        )
        UPDATE relance_reminder reminder
           SET state = CASE WHEN ranked.state IN ('sent', 'printed')
                            THEN reminder.state ELSE 'cancel' END,
               generated = ranked.state NOT IN ('sent', 'printed'),
               reason = CASE WHEN ranked.state IN ('sent', 'printed')
                             THEN reminder.reason
                             ELSE concat_ws(E'\\n', reminder.reason,
                                            format(%s, ranked.kept_name)) END
          FROM ranked
         WHERE ranked.id = reminder.id AND ranked.rank > 1
        RETURNING reminder.state
        """,
        [NOTE],
    )
    states = [row[0] for row in cr.fetchall()]
    if states:
        _logger.warning(
            "Reminders: %s duplicate reminders cancelled, %s duplicates that "
            "went out kept outside the unique index.",
            sum(state == "cancel" for state in states),
            sum(state != "cancel" for state in states),
        )

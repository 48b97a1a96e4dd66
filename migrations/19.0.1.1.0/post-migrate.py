"""19.0.1.1.0: a journal item's reminder state is read from the reminder
lines, and a reminder's items are those of its lines.

The daily job used to write the level and date on account.move.line, link the
items to the reminder in a many2many table besides the lines, and give each
line its company, document and authors: columns the ORM keeps when a field
stops being stored.  Here the reminders that had items without lines (created
by hand) get their lines, then the columns and the table go, so that the job
pays for none of their indexes and foreign keys.
"""

from odoo.tools import SQL, sql


def migrate(cr, version):
    if sql.table_exists(cr, "relance_reminder_account_move_line_rel"):
        cr.execute(
            """
            INSERT INTO relance_reminder_line (
                reminder_id, move_line_id, date_maturity, amount_residual,
                days_overdue)
            SELECT rel.reminder_id, rel.move_line_id,
                   COALESCE(aml.date_maturity, aml.date),
                   aml.amount_residual_currency,
                   reminder.date - COALESCE(aml.date_maturity, aml.date)
              FROM relance_reminder_account_move_line_rel rel
              JOIN relance_reminder reminder ON reminder.id = rel.reminder_id
              JOIN account_move_line aml ON aml.id = rel.move_line_id
             WHERE NOT EXISTS (
                    SELECT 1 FROM relance_reminder_line line
                     WHERE line.reminder_id = rel.reminder_id
                       AND line.move_line_id = rel.move_line_id)
            """
        )
        cr.execute("DROP TABLE relance_reminder_account_move_line_rel")
    for table, columns in (
        (
            "relance_reminder_line",
            (
                "company_id",
                "move_id",
                "previous_level_id",
                "create_uid",
                "create_date",
                "write_uid",
                "write_date",
            ),
        ),
        ("account_move_line", ("relance_level_id", "relance_last_date")),
    ):
        for column in columns:
            if sql.column_exists(cr, table, column):
                cr.execute(
                    SQL(
                        "ALTER TABLE %s DROP COLUMN %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                    )
                )

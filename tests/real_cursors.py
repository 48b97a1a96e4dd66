"""Two real transactions in one test.

A test's own transaction is never committed, so a second connection cannot
see what it created.  ``RealCursorsMixin`` commits a small set of data in the
test database through real cursors (``self.registry.cursor()``), opens as many
real transactions as the test needs, and deletes what it committed when the
test ends, so that the other tests find the database as it was.

The test class itself must write nothing in its own transaction: a row it
created or locked would block the real cursors (they could wait for it
forever).  Every real cursor gives up after ``LOCK_TIMEOUT``.
"""

import uuid
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL

LOCK_TIMEOUT = "20s"


class RealCursorsMixin:
    def _real_env(self):
        """A new real transaction (closed, rolled back if not committed, at
        the end of the test), as superuser in English."""
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        cr.execute(SQL("SET lock_timeout = %s", LOCK_TIMEOUT))
        return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})

    def _commit_customers(self, count, due, auto_send=True, promise=False):
        """Commit ``count`` customers of the main company, each with one
        open invoice due on ``due`` and a plan of one email level (offset 5
        days, adaptive timing off); ``promise``: each also broke a promise to
        pay.  Returns the ids of what was committed, deleted after the test.
        """
        env = self._real_env()
        company = env.ref("base.main_company")
        tag = uuid.uuid4().hex[:8]
        plan = env["relance.plan"].create(
            {
                "name": f"Concurrency {tag}",
                "company_id": company.id,
                "adaptive_timing": False,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Reminder",
                            "offset_days": 5,
                            "tone": "friendly",
                            "auto_send": auto_send,
                            "channel_email": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Second reminder",
                            "offset_days": 20,
                            "tone": "firm",
                            "auto_send": auto_send,
                            "channel_email": True,
                        }
                    ),
                ],
            }
        )
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Concurrent client {tag} {index}",
                    "email": f"client{index}.{tag}@example.com",
                    "is_company": True,
                }
                for index in range(count)
            ]
        )
        partners.with_company(company).relance_plan_id = plan
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_date_due": due,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": 100.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for partner in partners
            ]
        )
        moves.action_post()
        promises = env["relance.promise"]
        if promise:
            promises = env["relance.promise"].create(
                [
                    {
                        "partner_id": move.partner_id.id,
                        "company_id": company.id,
                        "move_ids": [Command.set(move.ids)],
                        "date": due,
                    }
                    for move in moves
                ]
            )
            promises.write({"state": "broken", "date_closed": due})
        ids = {
            "company": company.id,
            "plan": plan.id,
            "partners": partners.ids,
            "moves": moves.ids,
            "promises": promises.ids,
        }
        env.cr.commit()
        self.addCleanup(self._delete_committed, ids)
        return ids

    def _delete_committed(self, ids):
        """Delete what ``_commit_customers`` committed, and everything the
        test made for those customers (reminders, messages, emails)."""
        env = self._real_env()
        reminders = (
            env["relance.reminder"]
            .with_context(active_test=False)
            .search([("partner_id", "in", ids["partners"])])
        )
        messages = env["mail.message"].search(
            [
                "|",
                "|",
                "&",
                ("model", "=", "relance.reminder"),
                ("res_id", "in", reminders.ids),
                "&",
                ("model", "=", "account.move"),
                ("res_id", "in", ids["moves"]),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "in", ids["partners"]),
            ]
        )
        env["mail.mail"].search([("mail_message_id", "in", messages.ids)]).unlink()
        env["mail.followers"].search(
            [("res_model", "=", "relance.reminder"), ("res_id", "in", reminders.ids)]
        ).unlink()
        messages.unlink()
        # reminders that went out refuse unlink(): this is a test's cleanup
        env.execute_query(
            SQL("DELETE FROM relance_reminder WHERE id = ANY(%s)", reminders.ids)
        )
        env.execute_query(
            SQL("DELETE FROM relance_promise WHERE id = ANY(%s)", ids["promises"])
        )
        moves = env["account.move"].browse(ids["moves"])
        moves.button_draft()
        moves.with_context(force_delete=True).unlink()
        env["res.partner"].browse(ids["partners"]).unlink()
        env["relance.plan"].browse(ids["plan"]).unlink()
        env.cr.commit()

from odoo import api, fields, models
from odoo.tools import SQL


class AccountMoveLine(models.Model):
    """A receivable journal item: its reminder level and last reminder date
    are read from the reminder lines that listed it."""

    _inherit = "account.move.line"

    # An item's reminder state is read from the reminder lines that listed
    # it, not stored on the journal item: the daily job then writes its
    # reminders and their lines only, never the (wide, heavily indexed)
    # journal items, and a cancelled reminder simply stops counting.
    relance_line_ids = fields.One2many(
        comodel_name="relance.reminder.line",
        inverse_name="move_line_id",
        string="Reminder Lines",
        readonly=True,
    )
    relance_level_id = fields.Many2one(
        comodel_name="relance.level",
        string="Reminder Level",
        compute="_compute_relance_state",
        help="The last reminder level this journal item reached, by a "
        "reminder that is not cancelled.",
    )
    relance_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_relance_state",
        help="Date of the last reminder (not cancelled) that listed this journal item.",
    )

    # The items the daily job reads: open, posted, with something left to
    # pay.  account's own index of unreconciled items also holds every
    # product and tax line, and PostgreSQL prefers a full scan to it.
    _relance_open_items_idx = models.Index(
        "(account_id, partner_id) WHERE reconciled IS NOT TRUE"
        " AND parent_state = 'posted' AND amount_residual_currency != 0"
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends(
        "relance_line_ids.level_id",
        "relance_line_ids.reminder_id.state",
        "relance_line_ids.reminder_id.date",
    )
    def _compute_relance_state(self):
        states = {}
        ids = [id_ for id_ in self._origin.ids if id_]
        if ids:
            self.env["relance.reminder"].flush_model(["state", "date"])
            self.env["relance.reminder.line"].flush_model(
                ["move_line_id", "reminder_id", "level_id"]
            )
            states = {
                row[0]: row[1:3]
                for row in self.env.execute_query(
                    self._relance_state_sql(SQL("SELECT unnest(%s::int[])", ids))
                )
            }
        for line in self:
            level_id, last_date = states.get(line._origin.id, (None, None))
            line.relance_level_id = level_id
            line.relance_last_date = last_date

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _relance_open_sql(self):
        """The condition on ``aml`` (a journal item) of an open receivable
        item: posted, not reconciled, with something left; the condition of
        the index ``_relance_open_items_idx``, which the daily job and the
        cockpit read through."""
        return SQL(
            """
            aml.account_id = ANY(ARRAY(
                SELECT id FROM account_account
                 WHERE account_type = 'asset_receivable'))
            AND aml.reconciled IS NOT TRUE
            AND aml.parent_state = 'posted'
            AND aml.amount_residual_currency != 0
            """
        )

    @api.model
    def _relance_registered_sql(self, item_ids):
        """What payments registered without a journal entry already cover of
        the invoices of the journal items that the subquery ``item_ids``
        (SQL) selects: one row per covered installment of those invoices,
        ``move_line_id`` and ``covered`` (in the item's currency, at most its
        residual).  Join it on ``move_line_id``: it is not filtered on the
        items themselves again, which PostgreSQL, misjudging how many
        installments are covered, did by comparing every pair (11 s at
        200,000 invoices).

        Odoo 19 can register a payment with no journal entry (a journal
        without outstanding account): it only links the payment to the
        invoice (``account.move.matched_payment_ids``) and puts the invoice
        *In Payment*, even for part of its amount, until the bank line is
        matched.  Such payments (in process or paid, in the invoice's
        currency) pay the invoice's earliest installments first.  A payment
        in another currency is not converted: its invoice stays left out
        whole, as Odoo's *In Payment* says."""
        return SQL(
            """
            WITH registered AS (
                SELECT rel.invoice_id AS move_id, SUM(pay.amount) AS amount
                  FROM account_move__account_payment rel
                  JOIN account_payment pay ON pay.id = rel.payment_id
                  JOIN account_move inv ON inv.id = rel.invoice_id
                 WHERE rel.invoice_id IN (
                           SELECT move_id FROM account_move_line
                            WHERE id IN (%(item_ids)s))
                   AND pay.move_id IS NULL
                   AND pay.state IN ('in_process', 'paid')
                   AND pay.currency_id = inv.currency_id
                 GROUP BY rel.invoice_id
            ), installment AS (
                SELECT aml.id, aml.amount_residual_currency AS residual,
                       registered.amount - COALESCE(SUM(
                           aml.amount_residual_currency) OVER (
                               PARTITION BY aml.move_id
                               ORDER BY COALESCE(aml.date_maturity, aml.date), aml.id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                       ), 0) AS left_to_cover
                  FROM account_move_line aml
                  JOIN registered ON registered.move_id = aml.move_id
                 WHERE aml.account_id = ANY(ARRAY(
                           SELECT id FROM account_account
                            WHERE account_type = 'asset_receivable'))
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual_currency > 0
            )
            SELECT id AS move_line_id,
                   LEAST(residual, left_to_cover) AS covered
              FROM installment
             WHERE left_to_cover > 0
            """,
            item_ids=item_ids,
        )

    @api.model
    def _relance_state_sql(self, item_ids):
        """The reminder state of the journal items that the subquery
        ``item_ids`` (SQL) selects: one row per item ever reminded,
        ``move_line_id``, ``level_id`` (the level of its latest reminder that
        is not cancelled), ``last_date`` (that reminder's date) and
        ``last_state`` (that reminder's state)."""
        return SQL(
            """
            SELECT DISTINCT ON (line.move_line_id)
                   line.move_line_id, line.level_id, reminder.date AS last_date,
                   reminder.state AS last_state
              FROM relance_reminder_line line
              JOIN relance_reminder reminder ON reminder.id = line.reminder_id
             WHERE line.move_line_id IN (%(item_ids)s)
               AND line.level_id IS NOT NULL
               AND reminder.state != 'cancel'
          ORDER BY line.move_line_id, reminder.date DESC, reminder.id DESC
            """,
            item_ids=item_ids,
        )

    def _reconcile_post_hook(self, data):
        """Payments reconciled with customer invoices: close the promises they
        keep and release the automatic credit holds they settle."""
        result = super()._reconcile_post_hook(data)
        invoices = self.move_id.filtered(lambda m: m.is_sale_document(True))
        if invoices:
            invoices._relance_payment_received()
        return result

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, float_round


class AccountMove(models.Model):
    _inherit = "account.move"

    days_overdue = fields.Integer(
        compute="_compute_days_overdue",
        search="_search_days_overdue",
        help="Days since the due date of an open customer invoice; 0 when it "
        "is not due yet, paid or in payment.",
    )
    relance_payment_behaviour = fields.Selection(
        related="commercial_partner_id.payment_behaviour",
        string="Customer Payment Behaviour",
    )
    predicted_payment_date = fields.Date(
        compute="_compute_predicted_payment_date",
        search="_search_predicted_payment_date",
        help="Due date plus the customer's average payment delay (the "
        "company's average when the customer has too few settled invoices "
        "in the behaviour window).",
    )

    def _relance_is_open_customer_invoice(self):
        self.ensure_one()
        return (
            self.is_sale_document(include_receipts=True)
            and self.move_type != "out_refund"
            and self.state == "posted"
            and self.payment_state in ("not_paid", "partial")
        )

    @api.model
    def _get_relance_open_invoice_domain(self):
        return Domain(
            [
                ("move_type", "in", ("out_invoice", "out_receipt")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    @api.depends_context("date")
    @api.depends("invoice_date_due", "state", "payment_state", "move_type")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            if move.invoice_date_due and move._relance_is_open_customer_invoice():
                move.days_overdue = max((today - move.invoice_date_due).days, 0)
            else:
                move.days_overdue = 0

    def _search_days_overdue(self, operator, value):
        """Only "more than N days overdue" style conditions are supported."""
        if operator not in (">", ">=") or not isinstance(value, int) or value < 0:
            return NotImplemented
        today = fields.Date.context_today(self)
        limit = today - timedelta(days=value)
        due_operator = "<" if operator == ">" else "<="
        return self._get_relance_open_invoice_domain() & Domain(
            "invoice_date_due", due_operator, limit
        )

    @api.depends_context("company")
    @api.depends(
        "invoice_date_due",
        "state",
        "payment_state",
        "move_type",
        "commercial_partner_id",
    )
    def _compute_predicted_payment_date(self):
        open_moves = self.filtered(
            lambda m: m.invoice_date_due and m._relance_is_open_customer_invoice()
        )
        (self - open_moves).predicted_payment_date = False
        delays = self._get_relance_predicted_delays(open_moves)
        for move in open_moves:
            move.predicted_payment_date = move.invoice_date_due + timedelta(
                days=delays.get(move.id, 0)
            )

    @api.model
    def _get_relance_predicted_delays(self, moves):
        """{move id: expected delay in whole days} from the behaviour rows:
        the customer's average when his sample reaches the company's minimum,
        else the company's average.  One query per company for the batch."""
        # sudo: the habit of the invoice's own customer only, for whoever may
        # read the invoice (behaviour rows are for credit controllers).
        behaviour = self.env["relance.partner.behaviour"].sudo()
        # sudo: the prediction shows on invoices to every invoicing user
        delays = {}
        for company, company_moves in moves.grouped("company_id").items():
            habits = behaviour._get_habits(
                company, company_moves.commercial_partner_id.ids
            )
            company_delay = (
                behaviour._get_company_figures(company)
                .get(company.id, {})
                .get("delay_avg", 0.0)
            )
            min_sample = company.relance_behaviour_min_sample
            for move in company_moves:
                delay_avg, count = habits.get(move.commercial_partner_id.id, (0.0, 0))
                delay = delay_avg if count and count >= min_sample else company_delay
                delays[move.id] = int(float_round(delay, precision_digits=0))
        return delays

    def _search_predicted_payment_date(self, operator, value):
        if operator not in ("<", "<=", ">", ">=") or not value:
            return NotImplemented
        value = fields.Date.to_date(value)
        self.env["relance.partner.behaviour"].flush_model()
        self.flush_model(
            ["invoice_date_due", "company_id", "commercial_partner_id", "move_type"]
        )
        query = SQL(
            """
            SELECT m.id
              FROM account_move m
              JOIN res_company c ON c.id = m.company_id
              LEFT JOIN relance_partner_behaviour b
                     ON b.company_id = m.company_id
                    AND b.partner_id = m.commercial_partner_id
              LEFT JOIN (
                    SELECT company_id,
                           SUM(payment_delay_avg * settled_amount)
                               / NULLIF(SUM(settled_amount), 0) AS delay_avg
                      FROM relance_partner_behaviour
                     GROUP BY company_id
                   ) cb ON cb.company_id = m.company_id
             WHERE m.move_type IN ('out_invoice', 'out_receipt')
               AND m.state = 'posted'
               AND m.payment_state IN ('not_paid', 'partial')
               AND m.invoice_date_due IS NOT NULL
               AND m.invoice_date_due + ROUND(
                       CASE WHEN b.payment_count >= c.relance_behaviour_min_sample
                                 AND b.payment_count > 0
                            THEN b.payment_delay_avg
                            ELSE COALESCE(cb.delay_avg, 0)
                       END)::int %s %s
            """,
            SQL(operator),
            value,
        )
        return Domain("id", "in", query)

    # ------------------------------------------------------------
    # INCREMENTAL BEHAVIOUR REFRESH
    # ------------------------------------------------------------

    def _relance_schedule_behaviour_refresh(self):
        """Posting, resetting or cancelling customer documents changes open
        receivables and sales: refresh those customers at commit time."""
        sale_moves = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        if sale_moves:
            self.env["relance.partner.behaviour"]._schedule_refresh(
                (move.company_id.id, move.commercial_partner_id.id)
                for move in sale_moves
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._relance_schedule_behaviour_refresh()
        return posted

    def button_draft(self):
        self._relance_schedule_behaviour_refresh()
        return super().button_draft()

    def button_cancel(self):
        self._relance_schedule_behaviour_refresh()
        return super().button_cancel()

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, float_round

from .relance_partner_behaviour import severity_orderby


class AccountMove(models.Model):
    """An invoice as reminders see it: how late it is and when it should be
    paid, its disputes and promises to pay (which pause its reminders), the
    credit-hold warning, and the thank-you once it is paid."""

    _inherit = "account.move"

    # --- set by disputes and promises, obeyed by the reminder engine ---
    # Shared by the reminder engine (which obeys them) and the dispute and
    # promise features (which set them).
    dispute_state = fields.Selection(
        selection=[
            ("none", "No Dispute"),
            ("open", "In Dispute"),
            ("resolved", "Dispute Resolved"),
        ],
        string="Dispute",
        default="none",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        help="An invoice in dispute (litige) gets no reminder until the "
        "dispute is resolved.",
    )
    relance_paused_until = fields.Date(
        string="Reminders Paused Until",
        copy=False,
        index="btree_not_null",
        help="No reminder is sent for this invoice until this date, for "
        "example while a promise to pay runs.",
    )

    # --- payment behaviour ---
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
        "in the behaviour window); today at the earliest, for an invoice "
        "already later than that.",
    )
    relance_past_habit = fields.Boolean(
        string="Later than Customer's Habit",
        compute="_compute_predicted_payment_date",
        search="_search_relance_past_habit",
        help="Still open after its due date plus the customer's usual delay.",
    )

    # --- disputes, promises to pay and credit hold ---
    relance_dispute_ids = fields.One2many(
        comodel_name="relance.dispute",
        inverse_name="move_id",
        string="Disputes",
    )
    relance_dispute_count = fields.Integer(
        string="Dispute Count", compute="_compute_relance_dispute_count"
    )
    relance_promise_ids = fields.Many2many(
        comodel_name="relance.promise",
        relation="relance_promise_account_move_rel",
        column1="move_id",
        column2="promise_id",
        string="Promises to Pay",
        copy=False,
    )
    relance_promise_count = fields.Integer(
        string="Promise Count", compute="_compute_relance_promise_count"
    )
    relance_credit_hold_warning = fields.Char(
        string="Credit Hold Warning",
        compute="_compute_relance_credit_hold_warning",
    )

    # --- thank-you ---
    relance_thanked = fields.Boolean(
        string="Thanked for Payment",
        copy=False,
        readonly=True,
        help="A thank-you email was sent when this reminded invoice was paid.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

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
        """The due date moved by the customer's habit, and never in the past:
        an invoice already later than the habit is expected from today on
        (the date moves with today)."""
        open_moves = self.filtered(
            lambda m: m.invoice_date_due and m._relance_is_open_customer_invoice()
        )
        (self - open_moves).predicted_payment_date = False
        (self - open_moves).relance_past_habit = False
        delays = self._get_relance_predicted_delays(open_moves)
        today = fields.Date.context_today(self)
        for move in open_moves:
            by_habit = move.invoice_date_due + timedelta(days=delays.get(move.id, 0))
            move.predicted_payment_date = max(by_habit, today)
            move.relance_past_habit = by_habit < today

    def _search_predicted_payment_date(self, operator, value):
        if operator not in ("=", "<", "<=", ">", ">=") or not value:
            return NotImplemented
        value = fields.Date.to_date(value)
        return Domain(
            "id",
            "in",
            self._get_relance_by_habit_query(
                SQL(
                    "GREATEST(%s, %s::date) %s %s",
                    self._get_relance_by_habit_sql(),
                    fields.Date.context_today(self),
                    SQL(operator),
                    value,
                )
            ),
        )

    def _search_relance_past_habit(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        past = Domain(
            "id",
            "in",
            self._get_relance_by_habit_query(
                SQL(
                    "%s < %s",
                    self._get_relance_by_habit_sql(),
                    fields.Date.context_today(self),
                )
            ),
        )
        wanted = (True in value) == (operator == "in")
        return past if wanted else ~past

    @api.model
    def _get_relance_by_habit_sql(self):
        """The date an open invoice (``m``) is due to be paid by the habit:
        its due date plus the customer's average delay (``b``), or the
        company's (``cb``) when the customer's sample is too small."""
        return SQL(
            """m.invoice_date_due + ROUND(
                   CASE WHEN b.payment_count >= c.relance_behaviour_min_sample
                             AND b.payment_count > 0
                        THEN b.payment_delay_avg
                        ELSE COALESCE(cb.delay_avg, 0)
                   END)::int"""
        )

    @api.model
    def _get_relance_by_habit_query(self, condition):
        """The open customer invoices that match ``condition`` (SQL over the
        aliases of ``_get_relance_by_habit_sql``)."""
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
               AND %s
            """,
            condition,
        )
        return query

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        return severity_orderby(
            super()._read_group_orderby,
            order,
            groupby_terms,
            query,
            fname="relance_payment_behaviour",
        )

    @api.depends("relance_dispute_ids")
    def _compute_relance_dispute_count(self):
        groups = self.env["relance.dispute"]._read_group(
            [("move_id", "in", self.ids)], ["move_id"], ["__count"]
        )
        counts = {move.id: count for move, count in groups}
        for move in self:
            move.relance_dispute_count = counts.get(move.id, 0)

    @api.depends("relance_promise_ids")
    def _compute_relance_promise_count(self):
        for move in self:
            move.relance_promise_count = len(move.relance_promise_ids)

    @api.depends("partner_id", "company_id", "move_type", "state")
    def _compute_relance_credit_hold_warning(self):
        for move in self:
            move.relance_credit_hold_warning = (
                move.move_type in ("out_invoice", "out_receipt")
                and move.state == "draft"
                and move.partner_id._relance_credit_hold_warning(
                    move.company_id or self.env.company
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_relance_open_dispute(self):
        self.ensure_one()
        return self.env["relance.dispute"]._action_new(self)

    def action_relance_view_disputes(self):
        self.ensure_one()
        return self.env["relance.dispute"]._action_view(
            [("move_id", "=", self.id)], {"default_move_id": self.id}
        )

    def action_relance_new_promise(self):
        return self.env["relance.promise"]._action_new(
            self.commercial_partner_id[:1], invoices=self
        )

    def action_relance_view_promises(self):
        self.ensure_one()
        return self.env["relance.promise"]._action_view([("move_ids", "in", self.ids)])

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

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

    def _relance_receivable_lines(self):
        return self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def _relance_payment_received(self):
        """Payments reached these customer invoices: close the promises they
        keep and release the automatic credit holds they settle."""
        # sudo: whoever records the payment (online payment, bank
        # reconciliation) closes the promises of these invoices and lifts the
        # automatic holds they settle, without rights on reminders.
        self.env["relance.promise"].sudo()._check_payments(self)
        for company, moves in self.sudo().grouped("company_id").items():
            moves.commercial_partner_id.with_company(
                company
            )._relance_release_paid_credit_holds()

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        self._relance_send_thank_you()
        return res

    def _relance_send_thank_you_pending(self):
        """Paid invoices that were reminded and not yet thanked (the daily job
        catches payments that did not go through reconciliation)."""
        reminders = self.env["relance.reminder"].search(
            [
                ("state", "in", ("sent", "printed")),
                ("plan_id.thank_you", "=", True),
                ("move_line_ids.move_id.relance_thanked", "=", False),
                ("move_line_ids.move_id.payment_state", "in", ("paid", "in_payment")),
            ]
        )
        reminders.move_line_ids.move_id._relance_send_thank_you()

    def _relance_send_thank_you(self):
        """Thank the customer once per invoice, when a reminded invoice is
        fully paid and its plan asks for it."""
        candidates = self.filtered(
            lambda m: m.is_sale_document()
            and m.state == "posted"
            and m.payment_state in ("paid", "in_payment")
            and not m.relance_thanked
        )
        if not candidates:
            return
        reminders = self.env["relance.reminder"].search(
            [
                ("move_line_ids.move_id", "in", candidates.ids),
                ("state", "in", ("sent", "printed")),
                ("plan_id.thank_you", "=", True),
            ]
        )
        reminded = reminders.move_line_ids.move_id & candidates
        template = self.env.ref(
            "account_relance.mail_template_relance_thank_you", raise_if_not_found=False
        )
        if not reminded or not template:
            return
        reminded.relance_thanked = True
        for move in reminded:
            if not move.partner_id.email:
                continue
            move.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=move.partner_id.ids,
                email_layout_xmlid="mail.mail_notification_light",
            )

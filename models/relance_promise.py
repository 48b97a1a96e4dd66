from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

PAID_STATES = ("paid", "in_payment", "reversed")


class RelancePromise(models.Model):
    """A customer's promise to pay some invoices by a date.

    While open, it pauses the reminders of the invoices it covers until the
    promised date plus the company's grace period (``relance_paused_until``).
    Payments that settle the covered invoices, or reduce what they owe by the
    promised amount, mark it kept; a daily job marks it broken once the grace
    period has passed unpaid, and the customer's next reminder escalates.
    """

    _name = "relance.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["partner_id"]

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("parent_id", "=", False)],
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    move_ids = fields.Many2many(
        comodel_name="account.move",
        relation="relance_promise_account_move_rel",
        column1="promise_id",
        column2="move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="The invoices the customer promised to pay.  Their reminders "
        "are paused until the promised date plus the grace period.",
    )
    date = fields.Date(
        string="Promised Date",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self._default_date(),
    )
    date_deadline = fields.Date(
        string="Paused Until",
        compute="_compute_date_deadline",
        store=True,
        index=True,
        help="The promised date plus the company's grace period: reminders "
        "of the covered invoices are paused until then, and the promise is "
        "broken after it if still unpaid.",
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    amount = fields.Monetary(
        string="Promised Amount",
        currency_field="currency_id",
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    residual_start = fields.Monetary(
        string="Due When Promised",
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="What the covered invoices still owed when the promise was recorded.",
    )
    amount_paid = fields.Monetary(
        string="Paid Since",
        currency_field="currency_id",
        compute="_compute_amount_paid",
    )
    payment_method = fields.Selection(
        selection=[
            ("transfer", "Bank Transfer"),
            ("check", "Check"),
            ("card", "Card"),
            ("direct_debit", "Direct Debit"),
            ("cash", "Cash"),
            ("other", "Other"),
        ],
        default="transfer",
    )
    note = fields.Text()
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    reminder_id = fields.Many2one(
        comodel_name="relance.reminder",
        string="Reminder",
        index="btree_not_null",
        check_company=True,
        help="The reminder (or call) the promise answered.",
    )
    state = fields.Selection(
        selection=[
            ("open", "Open"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        default="open",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    escalated = fields.Boolean(
        readonly=True,
        copy=False,
        help="The broken promise already escalated the customer's reminders.",
    )

    _amount_positive = models.Constraint(
        "CHECK(amount >= 0)", "A promised amount cannot be negative."
    )
    _state_deadline_idx = models.Index("(state, date_deadline)")

    def _default_date(self):
        return fields.Date.context_today(self) + timedelta(days=7)

    @api.depends("date", "company_id.relance_promise_grace_days")
    def _compute_date_deadline(self):
        for promise in self:
            grace = (promise.company_id or self.env.company).relance_promise_grace_days
            promise.date_deadline = promise.date and promise.date + timedelta(
                days=max(grace, 0)
            )

    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for promise in self:
            currencies = promise.move_ids.currency_id
            promise.currency_id = (
                currencies
                if len(currencies) == 1
                else (promise.company_id or self.env.company).currency_id
            )

    @api.depends("move_ids", "currency_id")
    def _compute_amount(self):
        for promise in self:
            promise.amount = promise._residual(open_only=False)

    @api.depends("residual_start", "move_ids.amount_residual", "move_ids.payment_state")
    def _compute_amount_paid(self):
        for promise in self:
            promise.amount_paid = promise.residual_start - promise._residual()

    @api.depends("partner_id", "amount", "date")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(partner)s: %(amount)s by %(date)s",
                partner=promise.partner_id.display_name or "",
                amount=promise.currency_id.format(promise.amount)
                if promise.currency_id
                else promise.amount,
                date=promise.date or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        for promise in promises:
            promise.residual_start = promise._residual(open_only=False)
        promises._sync_pause(promises.move_ids)
        bodies = {
            promise: self.env._(
                "Promise to pay recorded by %(user)s: %(promise)s.",
                user=promise.user_id.name,
                promise=promise._get_html_link(title=promise.display_name),
            )
            for promise in promises
        }
        promises._log_on("partner_id", bodies)
        promises.filtered("reminder_id")._log_on("reminder_id", bodies)
        return promises

    def write(self, vals):
        moves_before = self.move_ids
        result = super().write(vals)
        if {"state", "date", "move_ids", "company_id"} & set(vals):
            self._sync_pause(moves_before | self.move_ids)
        if {"state", "date"} & set(vals):
            self.env["relance.work"]._close_done_activities(self)
        return result

    def unlink(self):
        moves = self.move_ids
        result = super().unlink()
        self._sync_pause(moves.exists())
        return result

    # Actions

    def action_cancel(self):
        to_cancel = self.filtered(lambda p: p.state == "open")
        if not to_cancel:
            raise UserError(self.env._("Only open promises can be cancelled."))
        to_cancel._close("cancel")
        return True

    def action_mark_kept(self):
        self.filtered(lambda p: p.state in ("open", "broken"))._close("kept")
        return True

    def action_reopen(self):
        self.filtered(lambda p: p.state != "open").write(
            {"state": "open", "date_closed": False}
        )
        return True

    # Business

    @api.model
    def _action_new(self, partner, invoices=None, reminder=None):
        """The form of a new promise, filled from a customer, invoices or a
        reminder."""
        invoices = invoices or self.env["account.move"]
        if reminder:
            invoices |= reminder.move_line_ids.move_id
            partner = partner or reminder.partner_id
        invoices = invoices.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.state == "posted"
            and m.payment_state in ("not_paid", "partial")
        )
        context = {
            "default_partner_id": partner.commercial_partner_id.id,
            "default_move_ids": invoices.ids,
        }
        if reminder:
            context["default_reminder_id"] = reminder.id
            context["default_company_id"] = reminder.company_id.id
        elif invoices:
            context["default_company_id"] = invoices[0].company_id.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "relance.promise",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    @api.model
    def _action_view(self, domain, context=None):
        """The promises list, limited to ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_promise_action"
        )
        action["domain"] = domain
        action["context"] = context or {}
        return action

    def _residual(self, open_only=True):
        """What the covered invoices still owe, in the promise's currency;
        an invoice paid or in payment counts as settled."""
        self.ensure_one()
        total = 0.0
        company = self.company_id or self.env.company
        currency = self.currency_id or company.currency_id
        for move in self.move_ids:
            if open_only and move.payment_state in PAID_STATES:
                continue
            total += move.currency_id._convert(
                move.amount_residual,
                currency,
                company,
                fields.Date.context_today(self),
            )
        return total

    def _is_kept(self):
        self.ensure_one()
        if not self.move_ids:
            return False
        if all(move.payment_state in PAID_STATES for move in self.move_ids):
            return True
        return self.currency_id.compare_amounts(
            self.amount_paid, self.amount
        ) >= 0 and not self.currency_id.is_zero(self.amount_paid)

    def _close(self, state):
        self.write({"state": state, "date_closed": fields.Date.context_today(self)})
        self._log_on(
            "partner_id",
            {promise: promise._get_close_message(state) for promise in self},
        )

    def _log_on(self, field_name, bodies):
        """Log ``bodies`` ({promise: body}) in the chatter of each promise's
        ``field_name`` record (customer or reminder), one message per record,
        without notifications: the chronology of the customer."""
        grouped = defaultdict(list)
        for promise in self:
            grouped[promise[field_name]].append(bodies[promise])
        if not grouped:
            return
        records = self[field_name]
        records._message_log_batch(
            {
                record.id: Markup("<br/>").join(messages)
                for record, messages in grouped.items()
            },
            message_type="comment",
        )

    def _get_close_message(self, state):
        self.ensure_one()
        link = self._get_html_link(title=self.display_name)
        if state == "kept":
            return self.env._("Promise to pay kept: %(promise)s.", promise=link)
        if state == "broken":
            return self.env._(
                "Promise to pay broken: %(promise)s was not paid by %(date)s.",
                promise=link,
                date=self.date_deadline or self.date,
            )
        return self.env._("Promise to pay cancelled: %(promise)s.", promise=link)

    def _check_kept(self):
        """Mark kept the open promises whose invoices are paid, or whose
        residual dropped by the promised amount.  Returns them."""
        kept = self.filtered(lambda p: p.state == "open" and p._is_kept())
        if kept:
            kept._close("kept")
        return kept

    @api.model
    def _check_payments(self, moves):
        """Called when payments reconcile with ``moves``."""
        promises = self.search([("state", "=", "open"), ("move_ids", "in", moves.ids)])
        return promises._check_kept()

    @api.model
    def _get_broken_domain(self, today):
        return [("state", "=", "open"), ("date_deadline", "<", today)]

    @api.model
    def _cron_check_promises(self, batch_size=200):
        """Daily: close the kept promises, break the overdue ones, in batches
        committed through the cron progress API."""
        today = fields.Date.context_today(self)
        self.search([("state", "=", "open")])._check_kept()
        domain = self._get_broken_domain(today)
        cron = self.env["ir.cron"]
        while True:
            batch = self.search(domain, limit=batch_size)
            if not batch:
                break
            remaining = (
                len(batch) if len(batch) < batch_size else self.search_count(domain)
            )
            cron._commit_progress(remaining=remaining)
            batch._keep_or_break()
            if not cron._commit_progress(len(batch)):
                break

    def _keep_or_break(self):
        """Close these overdue promises: kept if paid after all, else broken."""
        kept = self._check_kept()
        (self - kept)._close("broken")

    @api.model
    def _get_escalating_partner_ids(self, company):
        """Commercial partners of ``company`` with a broken promise that has not
        escalated their reminders yet (empty when the company does not escalate
        on broken promises).  Called by the reminder engine."""
        if not company.relance_escalate_broken_promise:
            return set()
        groups = self._read_group(
            [
                ("company_id", "=", company.id),
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ],
            ["partner_id"],
        )
        return {partner.id for (partner,) in groups}

    @api.model
    def _mark_escalated(self, company, partner_ids):
        """The engine escalated these partners' reminders: their broken
        promises escalate no more."""
        self.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "broken"),
                ("escalated", "=", False),
                ("partner_id", "in", list(partner_ids)),
            ]
        ).write({"escalated": True})

    @api.model
    def _sync_pause(self, moves):
        """Pause each invoice until the latest deadline of its open promises,
        or lift the pause when no promise covers it any more."""
        if not moves:
            return
        groups = self._read_group(
            [("state", "=", "open"), ("move_ids", "in", moves.ids)],
            ["move_ids"],
            ["date_deadline:max"],
        )
        deadlines = {move.id: deadline for move, deadline in groups}
        # a flag, not accounting: no need to resynchronise the invoice lines
        moves = moves.with_context(skip_invoice_sync=True)
        for deadline, group in moves.grouped(
            lambda m: deadlines.get(m.id) or False
        ).items():
            group.filtered(lambda m, d=deadline: m.relance_paused_until != d).write(
                {"relance_paused_until": deadline}
            )

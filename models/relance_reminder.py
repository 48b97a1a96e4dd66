"""A payment reminder: one customer, one level, the items it lists, and the
outcome of each of its channels.

Every field and state of a reminder is here.  Who gets a reminder is decided
by ``relance.engine`` (and ``engine/decision.py``); how it goes out by
``relance.reminder.send``; what its letter prints by the report model
``report.account_relance.report_relance_reminder``.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import formataddr

from .relance_reminder_send import MAX_SEND_ATTEMPTS

# Status of one channel of a reminder.  "queued": handed over to Odoo's mail
# or SMS queue, not yet left; "sent": left; "error": failed (reason kept);
# "skipped": an optional channel that could not reach the customer (reason
# kept); "fallback": replaced by a letter.
CHANNEL_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("error", "Failed"),
    ("skipped", "Skipped"),
    ("fallback", "Replaced by a Letter"),
]
DELIVERED_STATES = ("sent", "printed")
# What a reviewed reminder stands by: once it left review (To Send and every
# state after it) or once any channel went out, these fields never change;
# cancel it and make another one instead (README, "Who can do what").
FROZEN_FIELDS = (
    "partner_id",
    "company_id",
    "level_id",
    "date",
    "currency_id",
    "amount_due",
    "move_line_ids",
    "line_ids",
)
CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("message", "Left a message"),
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("wrong_number", "Wrong number"),
]
# The outcome of each channel, as _update_state_from_channels reads it:
# todo (not tried yet), pending (left for a queue, a printer or a caller),
# done, failed, skipped (an optional channel that could not be used).
CHANNEL_OUTCOMES = {
    "email": {
        False: "todo",
        "queued": "pending",
        "sent": "done",
        "error": "failed",
        "skipped": "skipped",
        "fallback": "skipped",
    },
    "sms": {
        False: "todo",
        "queued": "pending",
        "sent": "done",
        "error": "failed",
        "skipped": "skipped",
    },
    "phone": {False: "todo", "planned": "pending", "done": "done", "failed": "failed"},
    "letter": {False: "todo", "to_print": "pending", "printed": "done"},
}


class RelanceReminder(models.Model):
    _name = "relance.reminder"
    _description = "Payment Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    # --- what the engine decided -------------------------------------------
    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    level_id = fields.Many2one(
        comodel_name="relance.level",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    # computed before the daily job's INSERT rather than by an UPDATE after it
    plan_id = fields.Many2one(related="level_id.plan_id", store=True, precompute=True)
    tone = fields.Selection(related="level_id.tone")
    channel_summary = fields.Char(related="level_id.channel_summary", string="Channels")
    channel_letter = fields.Boolean(
        related="level_id.channel_letter", string="Level Sends a Letter"
    )
    channel_registered = fields.Boolean(
        related="level_id.channel_registered", string="Level Sends a Registered Letter"
    )
    date = fields.Date(
        required=True,
        index=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "To Review"),
            ("to_send", "To Send"),
            ("sent", "Sent"),
            ("printed", "Printed"),
            ("error", "In Error"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    amount_due = fields.Monetary(
        currency_field="currency_id",
        help="What the customer owes in this currency on the reminder date: "
        "overdue items, less open credit notes and unreconciled payments.",
    )
    line_ids = fields.One2many(
        comodel_name="relance.reminder.line",
        inverse_name="reminder_id",
        string="Lines",
        copy=False,
    )
    # The items are those of the lines (one table, written once by the
    # daily job); writing them creates the lines of a manual reminder.
    move_line_ids = fields.Many2many(
        comodel_name="account.move.line",
        string="Journal Items",
        compute="_compute_move_line_ids",
        inverse="_inverse_move_line_ids",
        search="_search_move_line_ids",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    reason = fields.Text(
        help="Why this reminder was generated: the rule, the customer's habit "
        "and the dates.",
    )
    escalated = fields.Boolean(
        readonly=True,
        copy=False,
        help="One level higher than the items alone give: the customer broke "
        "a promise to pay.",
    )
    error_message = fields.Text(readonly=True, copy=False)
    generated = fields.Boolean(
        string="Made by a Run",
        readonly=True,
        copy=False,
        help="Made by the daily job or by Run reminders, not by hand: a "
        "customer gets one such reminder per level, currency and day.",
    )

    # --- channels: email ---------------------------------------------------
    email_state = fields.Selection(
        selection=CHANNEL_STATES,
        string="Email",
        readonly=True,
        copy=False,
        tracking=True,
    )
    email_message_id = fields.Many2one(
        comodel_name="mail.message",
        string="Email Message",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    email_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="relance_reminder_email_partner_rel",
        column1="reminder_id",
        column2="partner_id",
        string="Email Recipients",
        readonly=True,
        copy=False,
    )
    email_cc = fields.Char(string="Email CC", readonly=True, copy=False)
    email_failure_reason = fields.Char(readonly=True, copy=False)
    # --- channels: SMS -----------------------------------------------------
    sms_state = fields.Selection(
        selection=CHANNEL_STATES[:4],
        string="SMS",
        readonly=True,
        copy=False,
        tracking=True,
    )
    sms_number = fields.Char(
        string="SMS Number",
        readonly=True,
        copy=False,
        help="The number the SMS went to, in international (E.164) format.",
    )
    sms_message_id = fields.Many2one(
        comodel_name="mail.message",
        string="SMS Message",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    sms_failure_reason = fields.Char(readonly=True, copy=False)
    # --- channels: phone call ----------------------------------------------
    phone_state = fields.Selection(
        selection=[
            ("planned", "Call Planned"),
            ("done", "Called"),
            ("failed", "Call Failed"),
        ],
        string="Phone Call",
        readonly=True,
        copy=False,
        tracking=True,
        help="A call counts once it is logged with its outcome (Log a Call).",
    )
    phone_outcome = fields.Selection(
        selection=CALL_OUTCOMES,
        string="Call Outcome",
        readonly=True,
        copy=False,
        tracking=True,
    )
    phone_date = fields.Datetime(string="Called On", readonly=True, copy=False)
    phone_activity_id = fields.Many2one(
        comodel_name="mail.activity",
        string="Call Activity",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    outbox = fields.Html(
        string="What Goes Out",
        compute="_compute_outbox",
        sanitize=False,
        help="The recipients, the email, the SMS and the letter's address, as "
        "they would go now.",
    )
    call_script = fields.Html(
        compute="_compute_call_script",
        sanitize=False,
        help="What to ask and say when calling the customer about this reminder.",
    )
    # --- channels: letter --------------------------------------------------
    letter_state = fields.Selection(
        selection=[("to_print", "To Print"), ("printed", "Printed")],
        string="Letter",
        copy=False,
        tracking=True,
        index="btree_not_null",
    )
    letter_registered = fields.Boolean(
        string="Registered Letter",
        copy=False,
        help="The letter goes by registered post (lettre recommandée): keep "
        "its tracking number and date of sending as proof.",
    )
    registered_tracking_ref = fields.Char(
        string="Registered Letter Number",
        copy=False,
        tracking=True,
        help="Tracking number of the registered letter (lettre recommandée), "
        "as printed on the postal receipt; the formal notice prints it once "
        "known.",
    )
    registered_sent_date = fields.Date(
        string="Registered Letter Sent On",
        copy=False,
        tracking=True,
    )
    letter_attachment_id = fields.Many2one(
        comodel_name="ir.attachment",
        string="Printed Letter",
        readonly=True,
        copy=False,
        help="The letter exactly as it was printed; a reprint gives this file.",
    )
    letter_printed_date = fields.Datetime(readonly=True, copy=False)
    # --- channels: what went wrong, when it was tried ----------------------
    channel_failure_reason = fields.Char(
        readonly=True,
        copy=False,
        help="Why the phone call or the letter could not be prepared.",
    )
    channel_fallback_reason = fields.Char(
        string="Channel Change",
        readonly=True,
        copy=False,
        help="Why a channel of the level was replaced by another one.",
    )
    last_send_attempt = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the reminder was last handed to its channels.",
    )
    send_attempt_count = fields.Integer(
        string="Sending Attempts",
        readonly=True,
        copy=False,
        help="How many times the reminder was handed to its channels since "
        "it was made (or since the last Retry by hand).",
    )
    next_retry_date = fields.Date(
        readonly=True,
        copy=False,
        help="In error, the day the daily job tries again: 1, 2, then 4 days "
        "after each failed attempt.",
    )
    retry_stop = fields.Selection(
        selection=[
            ("bounce", "Address Refused"),
            ("cap", "Too Many Attempts"),
        ],
        string="Automatic Retries Stopped",
        readonly=True,
        copy=False,
        help="Why the daily job no longer retries this reminder: the "
        "customer's address refused the email, or every attempt failed. Fix "
        "the cause, then click Retry.",
    )
    cancel_reason = fields.Char(
        readonly=True,
        copy=False,
        help="Why the reminder cancelled itself: nothing left to chase when "
        "it was about to go out.",
    )

    # --- late-payment charges and the formal notice's deadline ------------
    charges_applicable = fields.Boolean(
        compute="_compute_charges", store=True, string="Charges Claimed"
    )
    charge_interest_amount = fields.Monetary(
        string="Late-Payment Interest",
        compute="_compute_charges",
        store=True,
        currency_field="currency_id",
    )
    charge_indemnity_amount = fields.Monetary(
        string="Recovery Indemnity",
        compute="_compute_charges",
        store=True,
        currency_field="currency_id",
    )
    charge_amount_total = fields.Monetary(
        string="Late-Payment Charges",
        compute="_compute_charges",
        store=True,
        currency_field="currency_id",
    )
    charges_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Charges Invoice",
        readonly=True,
        copy=False,
        check_company=True,
    )
    formal_deadline_date = fields.Date(
        string="Payment Deadline",
        compute="_compute_formal_deadline_date",
        store=True,
        readonly=False,
        help="The date by which a formal notice asks to be paid.",
    )

    # --- disputes and promises to pay --------------------------------------
    relance_disputed_move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Disputed Invoices",
        compute="_compute_relance_disputed_move_ids",
    )
    relance_promise_ids = fields.One2many(
        comodel_name="relance.promise",
        inverse_name="reminder_id",
        string="Promises to Pay",
    )
    relance_promise_count = fields.Integer(
        string="Promise Count", compute="_compute_relance_promise_count"
    )

    _state_date_idx = models.Index("(state, date)")
    # Two runs at once (the daily job and a Run reminders whose snapshot
    # predates the job's commit) cannot make the same reminder twice: one
    # live reminder made by a run per company, customer, currency, level and
    # day.  Reminders made by hand and cancelled ones are left out.
    _run_uniq = models.UniqueIndex(
        "(company_id, partner_id, currency_id, level_id, date)"
        " WHERE generated AND state != 'cancel'",
        "This customer already has a reminder of this level in this currency "
        "for this date.",
    )

    # ------------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------------

    @api.depends("line_ids.move_line_id", "line_ids.left_out")
    def _compute_move_line_ids(self):
        # the items it still chases: those left out since stay as lines only
        for reminder in self:
            reminder.move_line_ids = reminder.line_ids.filtered(
                lambda line: not line.left_out
            ).move_line_id

    def _inverse_move_line_ids(self):
        self.env["relance.reminder.line"]._set_reminder_items(self)

    def _search_move_line_ids(self, operator, value):
        return [("line_ids.move_line_id", operator, value)]

    @api.depends(
        "date",
        "currency_id",
        "move_line_ids.amount_residual",
        "level_id.apply_charges",
        "partner_id.commercial_partner_id.relance_is_consumer",
        "partner_id.commercial_partner_id.relance_no_charges",
        "partner_id.commercial_partner_id.is_company",
        "company_id.relance_charges_enabled",
        "company_id.relance_charges_b2b_only",
    )
    def _compute_charges(self):
        # frozen once the reminder went out: what it claimed stays claimed
        for reminder in self.filtered(lambda r: r.state not in DELIVERED_STATES):
            charges = reminder._get_late_charges()
            reminder.charges_applicable = bool(charges["lines"])
            reminder.charge_interest_amount = charges["interest"]
            reminder.charge_indemnity_amount = charges["indemnity"]
            reminder.charge_amount_total = charges["total"]

    @api.depends("date", "company_id.relance_formal_deadline_days")
    def _compute_formal_deadline_date(self):
        for reminder in self.filtered(lambda r: r.state not in DELIVERED_STATES):
            reminder.formal_deadline_date = reminder.date and fields.Date.add(
                reminder.date, days=reminder.company_id.relance_formal_deadline_days
            )

    @api.depends("partner_id", "company_id", "move_line_ids.move_id.dispute_state")
    def _compute_relance_disputed_move_ids(self):
        """The customer's invoices in dispute: left out of the reminder, or
        disputed since (one search for the whole batch)."""
        disputes = self.env["relance.dispute"].search(
            [
                ("state", "=", "open"),
                ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                ("company_id", "in", self.company_id.ids),
            ]
        )
        for reminder in self:
            reminder.relance_disputed_move_ids = disputes.filtered(
                lambda d, r=reminder: d.partner_id == r.partner_id.commercial_partner_id
                and d.company_id == r.company_id
            ).move_id

    @api.depends("relance_promise_ids")
    def _compute_relance_promise_count(self):
        for reminder in self:
            reminder.relance_promise_count = len(reminder.relance_promise_ids)

    @api.depends("partner_id", "move_line_ids", "level_id", "state")
    def _compute_outbox(self):
        outbox = self.env["relance.reminder.outbox"]
        for reminder in self:
            reminder.outbox = (
                outbox._render(reminder)
                if reminder.id and reminder.state in ("draft", "to_send", "error")
                else False
            )

    @api.depends("partner_id", "move_line_ids", "level_id")
    def _compute_call_script(self):
        send = self.env["relance.reminder.send"]
        for reminder in self:
            reminder.call_script = (
                send._get_call_script(reminder) if reminder.partner_id else False
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # sudo: credit controllers cannot read ir.sequence; only the
                # next number is used.
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("relance.reminder")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        self._check_frozen(vals)
        if vals.get("line_ids"):
            vals = self.env["relance.reminder.line"]._remove_from_reminders(self, vals)
        # the customer's chatter follows the email's real outcome
        emailed = self.browse()
        if vals.get("email_state") in ("sent", "error"):
            emailed = self.filtered(lambda r: r.email_state != vals["email_state"])
        delivered = self.browse()
        if vals.get("state") in DELIVERED_STATES:
            delivered = self.filtered(lambda r: r.state not in DELIVERED_STATES)
            # what goes out is what the reminder claims now: computed before
            # the state freezes it (see _compute_charges)
            delivered.mapped("charge_amount_total")
            delivered.mapped("formal_deadline_date")
        res = super().write(vals)
        if delivered:
            delivered._on_delivered()
        for reminder in emailed:
            self.env["relance.reminder.send"]._log_on_partner(
                reminder, reminder.email_message_id
            )
        if {"state", "letter_state"} & set(vals):
            # the day's work: a reviewed reminder, a printed letter
            self.env["relance.work"]._close_done_activities(self)
        return res

    def _is_frozen(self):
        """Whether the reminder was reviewed or went out, in part: its
        customer, level, date, amount and items then stand (FROZEN_FIELDS)."""
        self.ensure_one()
        return (
            self.state != "draft"
            or self.email_state in ("queued", "sent")
            or self.sms_state in ("queued", "sent")
            or self.letter_state == "printed"
            or self.phone_state in ("done", "failed")
        )

    def _check_frozen(self, vals):
        """Refuse to change what a reviewed reminder stands by.  The engine
        and the sending service write these fields only on the reminders
        they create, or as superuser."""
        changed = set(vals) & set(FROZEN_FIELDS)
        if not changed or self.env.su:
            return
        frozen = self.filtered(lambda reminder: reminder._is_frozen())
        if frozen:
            raise UserError(
                self.env._(
                    "%(reminders)s: a reminder that was reviewed or went out keeps "
                    "its customer, level, date, currency, amount and items "
                    "(%(fields)s cannot change). Cancel it and create another "
                    "one instead.",
                    reminders=", ".join(frozen.mapped("display_name")),
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"]
                        for name in FROZEN_FIELDS
                        if name in changed
                    ),
                )
            )

    # ------------------------------------------------------------------
    # STATE: derived from the channels
    # ------------------------------------------------------------------

    def _get_channel_outcomes(self):
        """[(channel, outcome, reason)] for each channel of the reminder: those
        of its level, and the letter an email fell back on.  Outcomes are
        those of ``CHANNEL_OUTCOMES``; a failed channel the level does not
        require counts as skipped."""
        self.ensure_one()
        level = self.level_id
        channels = level._get_channels()
        if self.letter_state and "letter" not in channels:
            channels.append("letter")
        states = {
            "email": (self.email_state, self.email_failure_reason),
            "sms": (self.sms_state, self.sms_failure_reason),
            "phone": (self.phone_state, self.channel_failure_reason),
            "letter": (self.letter_state, self.channel_failure_reason),
        }
        outcomes = []
        for channel in channels:
            state, reason = states[channel]
            outcome = CHANNEL_OUTCOMES[channel][state]
            if outcome == "failed" and not level._is_channel_required(channel):
                outcome = "skipped"
            if channel in ("phone", "letter") and outcome == "todo" and reason:
                outcome = "failed"  # the call or the letter could not be prepared
            outcomes.append((channel, outcome, reason))
        return outcomes

    def _update_state_from_channels(self):
        """Derive the reminder's state from the outcome of its channels (the
        one place a reminder's state follows its sending; README, "The life
        of a reminder"):

        - cancelled stays cancelled, and a reminder to review whose channels
          were not tried stays to review;
        - a required channel failed: in error, with the reasons;
        - a channel not tried yet, or waiting (an email or SMS in its queue,
          a letter to print, a call to make): to send;
        - the letter printed: printed; another channel done: sent;
        - every channel skipped (no address, no mobile number): in error.
        """
        labels = {
            "email": self.env._("Email"),
            "sms": self.env._("SMS"),
            "phone": self.env._("Phone call"),
            "letter": self.env._("Letter"),
        }
        outcomes = defaultdict(self.browse)
        for reminder in self:
            if reminder.state == "cancel":
                continue
            channels = reminder._get_channel_outcomes()
            found = {outcome for _channel, outcome, _reason in channels}
            errors = [
                self.env._(
                    "%(channel)s: %(reason)s",
                    channel=labels[channel],
                    reason=reason or self.env._("failed"),
                )
                for channel, outcome, reason in channels
                if outcome == "failed"
            ]
            if not channels:
                errors.append(
                    self.env._(
                        "The level %(level)s has no channel to send it through.",
                        level=reminder.level_id.display_name,
                    )
                )
            if reminder.state == "draft" and found <= {"todo"}:
                state = "draft"
            elif errors:
                state = "error"
            elif found & {"todo", "pending"}:
                state = "to_send"
            elif ("letter", "done") in {(c, o) for c, o, _r in channels}:
                state = "printed"
            elif "done" in found:
                state = "sent"
            else:
                state = "error"
                errors.append(
                    self.env._(
                        "No channel could reach the customer: %(reasons)s",
                        reasons="; ".join(
                            f"{labels[channel]}: {reason}"
                            for channel, _outcome, reason in channels
                            if reason
                        )
                        or self.env._("no address"),
                    )
                )
            stop = reminder.retry_stop
            if state == "error":
                stop, stop_message = reminder._get_retry_stop()
                if stop_message:
                    errors.append(stop_message)
            message = "\n".join(errors) or False
            if (reminder.state, reminder.error_message, reminder.retry_stop) != (
                state,
                message,
                stop,
            ):
                outcomes[state, message, stop] |= reminder
        # one write per outcome, not per reminder
        for (state, message, stop), reminders in outcomes.items():
            reminders.write(
                {"state": state, "error_message": message, "retry_stop": stop}
            )

    def _get_retry_stop(self):
        """(retry_stop, what to do) for a reminder in error: the daily job
        no longer retries it once the customer's address refused the email
        or after the last attempt (``relance.reminder.send``'s
        ``MAX_SEND_ATTEMPTS``); (False, "") while it does."""
        self.ensure_one()
        if self.retry_stop == "bounce":
            return "bounce", self.env._(
                "The customer's address refused the email: the daily job no "
                "longer retries this reminder. Correct the address on the "
                "customer, then click Retry."
            )
        if self.retry_stop == "cap" or self.send_attempt_count >= MAX_SEND_ATTEMPTS:
            return "cap", self.env._(
                "%(count)s attempts failed: the daily job no longer retries "
                "this reminder. Fix the cause above, then click Retry.",
                count=self.send_attempt_count,
            )
        return False, ""

    def _on_delivered(self):
        """These reminders just reached the customer (an email left, a letter
        was printed, a call was made): a level marked "Put on Credit Hold"
        puts the customer on credit hold."""
        holding = self.filtered(lambda r: r.level_id.set_credit_hold)
        for company, reminders in holding.grouped("company_id").items():
            for level, level_reminders in reminders.grouped("level_id").items():
                level_reminders.partner_id.commercial_partner_id.with_company(
                    company
                )._relance_set_credit_hold(
                    self.env._("reminder level %(level)s sent", level=level.name),
                    auto=True,
                )

    def _log_call(self, outcome):
        """A call about this reminder was made and logged with its outcome:
        its phone channel is done (failed on a wrong number)."""
        failed = outcome == "wrong_number"
        self.write(
            {
                "phone_state": "failed" if failed else "done",
                "phone_outcome": outcome,
                "phone_date": fields.Datetime.now(),
                "channel_failure_reason": failed
                and self.env._("the number called is wrong"),
            }
        )
        self._update_state_from_channels()

    def _email_failed(self, reason, bounced=False):
        """The email failed; ``bounced``: the customer's address refused it,
        so the daily job stops retrying (a Retry by hand, once the address
        is corrected, sends it again)."""
        vals = {
            "email_state": "error",
            "email_failure_reason": reason
            or self.env._("The email could not be delivered."),
        }
        if bounced:
            vals["retry_stop"] = "bounce"
        self.write(vals)

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    @api.model
    def generate_reminders(self, date=None, company_ids=None, dry_run=False):
        """Generate the reminders due on ``date`` (default: today) for the
        given companies (default: the current user's companies).

        Returns the created reminders; in ``dry_run``, writes nothing and
        returns the would-be reminders as a list of dicts (partner_id,
        level_id, currency_id, amount_due, move_line_ids, lines, reason...).
        Reminders of levels sent automatically are sent at once (left "to
        send" with the context key ``relance_defer_send``); the others wait
        in draft for review.
        """
        if not dry_run:
            self.env["relance.engine"]._check_run_date(date)
        return self.env["relance.engine"]._run(
            date=date, company_ids=company_ids, dry_run=dry_run
        )

    @api.model
    def _get_level_effectiveness(self, date_from, date_to, company_ids=None):
        """Effectiveness per level of the reminders sent from ``date_from`` to
        ``date_to``: one dict per level with ``level_id``,
        ``reminded_amount``, ``paid_7_amount``, ``paid_15_amount``,
        ``paid_30_amount``, ``median_days_to_pay`` and the same figures for
        the items of the same age not reminded (``baseline``).  Computed by
        the reporting model ``relance.effectiveness``."""
        return self.env["relance.effectiveness"]._get_level_effectiveness(
            date_from, date_to, company_ids=company_ids
        )

    def action_confirm(self):
        """Reviewed: the reminder may go."""
        if self.filtered(lambda reminder: reminder.state != "draft"):
            raise UserError(self.env._("Only reminders to review can be confirmed."))
        # an item paid, disputed or promised since is left out; a reminder
        # with nothing left to chase cancels itself
        self.env["relance.reminder.send"]._recheck_items(self).state = "to_send"
        return True

    def action_send(self):
        """Send now through the channels of the level (working day or not)."""
        self.env["relance.reminder.send"]._claim(self, raise_if_busy=True)
        if self.filtered(lambda reminder: reminder.state not in ("draft", "to_send")):
            raise UserError(
                self.env._("Only reminders to review or to send can be sent.")
            )
        self.filtered(lambda reminder: reminder.state == "draft").state = "to_send"
        self._send_reminders()
        return True

    def action_retry(self):
        """Send again the channels that failed."""
        self.env["relance.reminder.send"]._claim(self, raise_if_busy=True)
        failed = self.filtered(lambda r: r.state == "error")
        if not failed:
            raise UserError(self.env._("Only reminders in error can be retried."))
        # by hand: the daily job's retries start again from the first
        failed.write({"send_attempt_count": 0, "retry_stop": False})
        failed._send_reminders()
        return True

    def action_cancel(self):
        """Cancel: the items get back the level they had before (an item's
        level is that of its latest reminder that is not cancelled)."""
        if self.filtered(lambda reminder: reminder.state in DELIVERED_STATES):
            raise UserError(
                self.env._("A reminder that was sent or printed cannot be cancelled.")
            )
        self.filtered(lambda reminder: reminder.state != "cancel").state = "cancel"
        return True

    def action_reset_draft(self):
        """Back to review, from cancelled or in error."""
        if self.filtered(lambda reminder: reminder.state not in ("cancel", "error")):
            raise UserError(
                self.env._(
                    "Only cancelled reminders or reminders in error can be reset."
                )
            )
        self.write({"state": "draft", "error_message": False})
        return True

    def action_send_now(self):
        """Open the email composer prefilled with the level's template."""
        self.ensure_one()
        send = self.env["relance.reminder.send"]
        ctx = {
            "default_model": self._name,
            "default_res_ids": self.ids,
            "default_template_id": send._get_mail_template(self).id,
            "default_composition_mode": "comment",
            "default_message_type": "comment",
            "default_email_layout_xmlid": "mail.mail_notification_light",
            "default_partner_ids": send._get_email_recipients(self).ids,
            "default_attachment_ids": send._get_invoice_attachments(self).ids,
            "mark_so_as_sent": False,
            "relance_composer_send": True,
            "relance_email_cc": send._get_email_cc(self),
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Reminder"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": ctx,
        }

    def action_preview_letter(self):
        """The letter as it would print now, in the browser: nothing printed."""
        self.ensure_one()
        report = self.env.ref("account_relance.action_report_relance_reminder")
        return dict(report.report_action(self, config=False), report_type="qweb-html")

    def action_print_letters(self):
        """Print the letters of the selected reminders into one PDF, in order.

        Reminders whose customer has no postal address are refused (named in
        a notification and in their error message); the others print.
        """
        if not self:
            raise UserError(self.env._("Select the reminders to print."))
        send = self.env["relance.reminder.send"]
        pdf, printed, refused = send._print_letters(self)
        reasons = "\n".join(send._get_print_refusal(r) for r in refused)
        if not printed:
            raise UserError(reasons)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Reminder letters %(date)s.pdf", date=fields.Date.today()
                ),
                "raw": pdf,
                "mimetype": "application/pdf",
            }
        )
        download = {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
        if not refused:
            return download
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._(
                    "%(printed)s, %(refused)s",
                    printed=self.env["relance.engine"]._format_quantity(
                        len(printed),
                        self.env._("%(count)s letter printed"),
                        self.env._("%(count)s letters printed"),
                    ),
                    refused=self.env["relance.engine"]._format_quantity(
                        len(refused),
                        self.env._("%(count)s letter refused"),
                        self.env._("%(count)s letters refused"),
                    ),
                ),
                "message": reasons,
                "type": "warning",
                "sticky": True,
                "next": download,
            },
        }

    def action_mark_letter_sent(self):
        """A registered letter was posted: tracking number and date given."""
        for reminder in self:
            if not reminder.registered_tracking_ref:
                raise UserError(
                    self.env._(
                        "Enter the registered letter number of %(name)s first.",
                        name=reminder.name,
                    )
                )
        self.filtered(
            lambda r: not r.registered_sent_date
        ).registered_sent_date = fields.Date.context_today(self)
        return True

    def action_create_charges_invoice(self):
        """Book the reminder's late-payment charges on a draft customer invoice."""
        moves = self.env["account.move"]
        for reminder in self:
            if reminder.charges_move_id:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s already has its charges invoice %(move)s.",
                        name=reminder.name,
                        move=reminder.charges_move_id.display_name,
                    )
                )
            if not reminder.charge_amount_total:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s claims no late-payment charges.",
                        name=reminder.name,
                    )
                )
            moves |= self.env["relance.late.charge"]._create_charges_invoice(reminder)
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(moves) == 1:
            action.update({"views": [(False, "form")], "res_id": moves.id})
        else:
            action["domain"] = [("id", "in", moves.ids)]
        return action

    def action_relance_new_promise(self):
        self.ensure_one()
        return self.env["relance.promise"]._action_new(self.partner_id, reminder=self)

    def action_relance_view_promises(self):
        self.ensure_one()
        return self.env["relance.promise"]._action_view([("reminder_id", "=", self.id)])

    def action_relance_open_dispute(self):
        self.ensure_one()
        return self.env["relance.dispute"]._action_new(
            self._get_undisputed_invoices()[:1]
        )

    def action_relance_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "relance.call.log",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_reminder_id": self.id,
                "default_partner_id": self.partner_id.commercial_partner_id.id,
            },
        }

    # ------------------------------------------------------------------
    # MAIL THREAD
    # ------------------------------------------------------------------

    def _message_receive_bounce(self, email, partner):
        """A bounce of the reminder's email puts the reminder in error."""
        res = super()._message_receive_bounce(email, partner)
        if self.email_state in ("queued", "sent"):
            self._email_failed(
                self.env._(
                    "The email to %(email)s bounced: the address does not "
                    "receive mail.",
                    email=email,
                ),
                bounced=True,
            )
            self._update_state_from_channels()
        return res

    def _notify_by_email_get_base_mail_values(
        self, message, recipients_data, additional_values=None
    ):
        """In a batch of emails (``relance.reminder.post._notify_emails``),
        the References header was read for the whole batch at once: the
        same values as Odoo's, without one search of the thread per email."""
        references = self.env.context.get("relance_email_references")
        if references is None:
            return super()._notify_by_email_get_base_mail_values(
                message, recipients_data, additional_values=additional_values
            )
        message_sudo = message.sudo()
        subject = " ".join((message.subject or message.record_name or "").splitlines())
        values = {"mail_message_id": message.id, "references": references}
        if subject and subject != message.subject:
            values["subject"] = subject
        values.update(additional_values or {})
        headers = values.get("headers") or {}
        external = [
            formataddr((r["name"], r["email_normalized"]))
            for r in recipients_data
            if r["active"] and r["email_normalized"] and r["share"]
        ]
        if external and len(external) < self._CUSTOMER_HEADERS_LIMIT_COUNT:
            headers["X-Msg-To-Add"] = ",".join(external)
        # sudo: the bounce address of the alias domain, as Odoo reads it
        if message_sudo.record_alias_domain_id.bounce_email:
            headers["Return-Path"] = message_sudo.record_alias_domain_id.bounce_email
        headers = self._notify_by_email_get_headers(headers=headers)
        if headers:
            values["headers"] = repr(headers)
        return values

    def _notify_by_email_get_final_mail_values(
        self, recipient_ids, mail_values, additional_values=None
    ):
        values = super()._notify_by_email_get_final_mail_values(
            recipient_ids, mail_values, additional_values=additional_values
        )
        cc = self.env.context.get("relance_email_cc") or self.env.context.get(
            "relance_email_cc_by_id", {}
        ).get(self.id)
        if cc and set(recipient_ids) & set(self.email_partner_ids.ids):
            values["email_cc"] = cc
        return values

    def _message_post_after_hook(self, message, msg_vals):
        """Sending from the composer ("Send now") marks the email done, and a
        customer's reply is copied to the customer's chatter."""
        res = super()._message_post_after_hook(message, msg_vals)
        message_type = msg_vals.get("message_type", message.message_type)
        if (
            self.env.context.get("relance_composer_send")
            and message_type == "comment"
            and len(self) == 1
        ):
            self.write(
                {
                    "email_state": "queued",
                    "email_failure_reason": False,
                    "email_partner_ids": [Command.set(message.partner_ids.ids)],
                    "email_message_id": message.id,
                    "last_send_attempt": fields.Datetime.now(),
                }
            )
            send = self.env["relance.reminder.send"]
            send._log_on_partner(self, message)
            send._sync_email_state(self)
            self._update_state_from_channels()
        elif message_type == "email" and len(self) == 1:
            # sudo: the reply is copied whoever processes the incoming mail
            self.partner_id.commercial_partner_id.sudo().message_post(
                body=message.body,
                subject=message.subject,
                author_id=message.author_id.id,
                email_from=message.email_from,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachment_ids=message.attachment_ids.ids,
            )
        return res

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    def _send_reminders(self):
        """Send through the channels of the level (``relance.reminder.send``)."""
        return self.env["relance.reminder.send"]._send_reminders(self)

    def _get_email_lines(self):
        """The lines of the email and SMS templates
        (``relance.reminder.post._get_email_lines``)."""
        self.ensure_one()
        return self.env["relance.reminder.post"]._get_email_lines(self)

    def _get_late_charges(self):
        """The charges this reminder claims (an empty result when none)."""
        self.ensure_one()
        LateCharge = self.env["relance.late.charge"]
        if not (
            self.level_id.apply_charges
            and self.partner_id
            and self.date
            and self.partner_id._relance_charges_allowed(self.company_id)
        ):
            return LateCharge._empty_charges()
        return LateCharge._get_charges(
            self.move_line_ids, self.date, currency=self.currency_id
        )

    def _get_previous_reminders(self):
        """The customer's earlier reminders that went out, oldest first."""
        self.ensure_one()
        return self.search(
            Domain("partner_id", "=", self.partner_id.id)
            & Domain("company_id", "=", self.company_id.id)
            & Domain("state", "in", DELIVERED_STATES)
            & Domain("date", "<=", self.date)
            & Domain("id", "!=", self.id),
            order="date, id",
        )

    def _get_undisputed_invoices(self):
        """The invoices of the reminder's items not in dispute."""
        return self.move_line_ids.move_id.filtered(
            lambda m: m.move_type == "out_invoice" and m.dispute_state != "open"
        )

    def _get_letters_to_print_domain(self):
        """Reminders with a letter to print (plain or registered): of a level
        that sends one, or queued by a channel (an email that fell back on a
        letter), not printed yet; in error too, when only the email failed.
        The "Letters to Print" filter says the same."""
        return (
            Domain("state", "in", ["draft", "to_send", "error"])
            & Domain("letter_state", "!=", "printed")
            & (
                Domain("letter_state", "=", "to_print")
                | Domain("level_id.channel_letter", "=", True)
                | Domain("level_id.channel_registered", "=", True)
            )
        )

    def _get_letter_filename(self):
        self.ensure_one()
        return self.env._(
            "Letter %(name)s.pdf", name=(self.name or "").replace("/", "-")
        )

from odoo import api, fields, models


class RelanceLevel(models.Model):
    _name = "relance.level"
    _description = "Reminder Level"
    _order = "plan_id, sequence, offset_days, id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        comodel_name="relance.plan",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="plan_id.company_id",
        store=True,
        index=True,
        precompute=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Offset (days)",
        help="Days after the due date (negative: before it) when this level "
        "applies to an item.",
    )
    min_days_since_last = fields.Integer(
        string="Days Since Last Reminder",
        default=7,
        help="Minimum number of days since the customer's previous reminder.",
    )
    tone = fields.Selection(
        selection=[
            ("notice", "Courteous notice"),
            ("friendly", "Friendly"),
            ("firm", "Firm"),
            ("formal", "Formal notice"),
        ],
        default="friendly",
        required=True,
    )
    auto_send = fields.Boolean(
        string="Send Automatically",
        help="Reminders at this level are sent by the daily job; otherwise they "
        "wait in draft for a credit controller to review them.",
    )
    channel_email = fields.Boolean(default=True)
    channel_sms = fields.Boolean(string="SMS")
    sms_required = fields.Boolean(
        string="SMS Required",
        help="Without a valid mobile number the reminder is in error. "
        "Otherwise the SMS is skipped, with the reason, and the reminder goes "
        "out through its other channels.",
    )
    channel_phone = fields.Boolean(string="Phone Call")
    channel_letter = fields.Boolean(string="Letter")
    channel_registered = fields.Boolean(string="Registered Letter")
    attach_invoices = fields.Boolean()
    min_amount = fields.Monetary(
        string="Minimum Overdue Amount",
        currency_field="company_currency_id",
        help="Customers owing less than this (converted to the invoice "
        "currency) are not reminded at this level.",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Email Template",
        domain=[("model", "=", "relance.reminder")],
    )
    sms_template_id = fields.Many2one(
        comodel_name="sms.template",
        string="SMS Template",
        domain=[("model", "=", "relance.reminder")],
    )
    channel_summary = fields.Char(compute="_compute_channel_summary")
    apply_charges = fields.Boolean(
        string="Claim Late-Payment Charges",
        help="The reminders of this level state the statutory late-payment "
        "interest and the recovery indemnity (when the company claims them and "
        "the customer is not a consumer), and can book them on an invoice.",
    )
    requires_previous_delivered = fields.Boolean(
        string="Requires the Previous Level Sent",
        help="A customer gets this level only once the previous level of the "
        "plan reached him (sent or printed); until then he gets the previous "
        "level. A court expects a formal notice to follow actual reminders.",
    )
    set_credit_hold = fields.Boolean(
        string="Put on Credit Hold",
        help="Sending a reminder at this level (for example the formal notice) "
        "puts the customer on credit hold.",
    )

    _minimums_positive = models.Constraint(
        "CHECK(min_days_since_last >= 0 AND min_amount >= 0)",
        "A level's minimum days since the last reminder and minimum amount "
        "cannot be negative.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends(
        "channel_email",
        "channel_sms",
        "channel_phone",
        "channel_letter",
        "channel_registered",
    )
    def _compute_channel_summary(self):
        labels = self._channel_labels()
        for level in self:
            level.channel_summary = ", ".join(
                label for field, label in labels.items() if level[field]
            )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _get_channels(self):
        """The channels this level sends through: "email", "sms", "phone",
        "letter" (plain or registered)."""
        self.ensure_one()
        channels = []
        if self.channel_email:
            channels.append("email")
        if self.channel_sms:
            channels.append("sms")
        if self.channel_phone:
            channels.append("phone")
        if self.channel_letter or self.channel_registered:
            channels.append("letter")
        return channels

    def _is_channel_required(self, channel):
        """Whether a reminder of this level fails when ``channel`` fails: the
        SMS only when the level says so, the other channels always (an email
        without address falls back on a letter instead)."""
        self.ensure_one()
        if channel == "sms":
            return self.sms_required
        return True

    def _channel_labels(self):
        return {
            name: self._fields[name].get_description(self.env)["string"]
            for name in (
                "channel_email",
                "channel_sms",
                "channel_phone",
                "channel_letter",
                "channel_registered",
            )
        }

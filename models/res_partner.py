import phonenumbers

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools.mail import email_normalize

from .relance_partner_behaviour import PAYMENT_BEHAVIOUR_SELECTION, severity_orderby

BEHAVIOUR_GROUPS = "account_relance.group_relance_user"
# Written only by a reminder administrator, or as superuser for the automatic
# holds of the reminder levels (the reason too, while the hold is on).
CREDIT_HOLD_FIELDS = (
    "credit_hold",
    "credit_hold_date",
    "credit_hold_user_id",
    "credit_hold_auto",
)


class ResPartner(models.Model):
    """A customer as the credit controller sees it: its reminder plan, its
    payment habit in the current company, who validates its payments, its
    credit hold, disputes and promises, and what its letters need."""

    _inherit = "res.partner"

    # --- reminders ---
    relance_plan_id = fields.Many2one(
        comodel_name="relance.plan",
        string="Reminder Plan",
        company_dependent=True,
        check_company=True,
        help="The follow-up plan of this customer in the current company. "
        "Empty: the company's default plan.",
    )
    relance_excluded = fields.Boolean(
        string="No Reminders",
        help="This customer never gets payment reminders.",
    )
    relance_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Credit Controller",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="Who follows this customer's payments in the current company: "
        "the reminders made by the daily job belong to them (the email's "
        "author and signature, the letter's signature, the calls to make, "
        "the replies). Empty: the customer's salesperson, then the company's "
        "default credit controller (Settings).",
    )
    relance_reminder_ids = fields.One2many(
        comodel_name="relance.reminder",
        inverse_name="partner_id",
        string="Reminders",
    )
    relance_reminder_count = fields.Integer(
        string="Reminder Count",
        compute="_compute_relance_reminder_count",
    )

    # --- payment behaviour: the commercial entity's, in the current company ---
    relance_behaviour_ids = fields.One2many(
        comodel_name="relance.partner.behaviour",
        inverse_name="partner_id",
        string="Payment Behaviour Rows",
        groups=BEHAVIOUR_GROUPS,
    )
    # The figures of the commercial entity in the current company.
    payment_delay_avg = fields.Float(
        string="Average Payment Delay (days)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        search="_search_payment_delay_avg",
        groups=BEHAVIOUR_GROUPS,
        help="Amount-weighted average of (payment date - due date) over the "
        "receivable items settled in the behaviour window, in the current "
        "company. Negative: pays early.",
    )
    payment_delay_median = fields.Float(
        string="Median Payment Delay (days)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        groups=BEHAVIOUR_GROUPS,
    )
    payment_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        search="_search_payment_on_time_rate",
        groups=BEHAVIOUR_GROUPS,
        help="Share of the settled amount paid by its due date.",
    )
    payment_count = fields.Integer(
        string="Settled Items",
        compute="_compute_relance_behaviour",
        search="_search_payment_count",
        groups=BEHAVIOUR_GROUPS,
        help="How many receivable items the payment figures rest on.",
    )

    # Stored per company (jsonb) so that customer lists can be grouped and
    # filtered by it; written by relance.partner.behaviour._refresh on the
    # commercial entity and all its contacts, "No history" by default.
    payment_behaviour = fields.Selection(
        selection=PAYMENT_BEHAVIOUR_SELECTION,
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=BEHAVIOUR_GROUPS,
        group_expand=True,
    )
    relance_dso = fields.Float(
        string="DSO over the Window (days)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        search="_search_relance_dso",
        groups=BEHAVIOUR_GROUPS,
        help="Days sales outstanding over the behaviour window: open "
        "receivables / (sales invoiced in the window / days in the window).",
    )
    relance_open_amount = fields.Monetary(
        string="Open Receivables",
        compute="_compute_relance_behaviour",
        currency_field="currency_id",
        groups=BEHAVIOUR_GROUPS,
    )
    relance_min_sample = fields.Integer(
        string="Minimum Sample",
        compute="_compute_relance_min_sample",
        groups=BEHAVIOUR_GROUPS,
        help="Below this many settled items (company setting), the customer's "
        "figures are read with care and predictions use the company's average.",
    )
    relance_behaviour_refreshed = fields.Datetime(
        string="Behaviour Refreshed On",
        compute="_compute_relance_behaviour",
        groups=BEHAVIOUR_GROUPS,
    )

    # --- who validates the payments ---
    relance_payment_contact_id = fields.Many2one(
        comodel_name="res.partner",
        string="Payment Contact",
        index="btree_not_null",
        domain="[('id', '!=', id), ('is_company', '=', False),"
        " ('commercial_partner_id', '=', commercial_partner_id)]",
        help="The person who validates the payments at this customer: "
        "reminders are addressed to them.",
    )
    relance_payment_contact_role = fields.Char(
        string="Payment Contact Role",
        help="e.g. Accounts payable, Chief financial officer.",
    )
    relance_payment_contact_phone = fields.Char(
        string="Payment Contact Phone",
        compute="_compute_relance_payment_contact_info",
        inverse="_inverse_relance_payment_contact_phone",
        help="Saved in international format (E.164); the country of the "
        "contact (or of the customer) completes national numbers.",
    )
    relance_payment_contact_email = fields.Char(
        string="Payment Contact Email",
        compute="_compute_relance_payment_contact_info",
        inverse="_inverse_relance_payment_contact_email",
    )
    accountant_email = fields.Char(
        string="Accounting Email",
        help="The accounting department's address: copied on every reminder.",
    )

    # --- credit hold (per company) ---
    credit_hold = fields.Boolean(
        string="On Credit Hold",
        company_dependent=True,
        copy=False,
        help="New invoices show a warning and sales orders cannot be confirmed "
        "until a manager releases the hold or the overdue invoices are paid.",
    )
    credit_hold_reason = fields.Char(company_dependent=True, copy=False)
    credit_hold_date = fields.Date(
        string="On Credit Hold Since", company_dependent=True, copy=False
    )
    credit_hold_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Credit Hold Set By",
        company_dependent=True,
        copy=False,
    )
    credit_hold_auto = fields.Boolean(
        string="Automatic Credit Hold",
        company_dependent=True,
        copy=False,
        help="Set by a reminder level: released automatically once every "
        "overdue invoice is paid.",
    )

    # --- disputes and promises to pay ---
    relance_dispute_ids = fields.One2many(
        comodel_name="relance.dispute",
        inverse_name="partner_id",
        string="Disputes",
    )
    dispute_state = fields.Selection(
        selection=[("none", "No Dispute"), ("open", "In Dispute")],
        string="Dispute",
        compute="_compute_dispute_stats",
        search="_search_dispute_state",
        help="In dispute while at least one of the customer's invoices has an "
        "open dispute.",
    )
    dispute_count = fields.Integer(
        string="Open Disputes", compute="_compute_dispute_stats"
    )
    dispute_amount = fields.Monetary(
        string="Disputed Amount",
        currency_field="relance_company_currency_id",
        compute="_compute_dispute_stats",
    )
    relance_company_currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_relance_company_currency_id",
    )
    relance_promise_ids = fields.One2many(
        comodel_name="relance.promise",
        inverse_name="partner_id",
        string="Promises to Pay",
    )
    relance_promise_count = fields.Integer(
        string="Open Promises", compute="_compute_relance_promise_count"
    )

    # --- letters and late-payment charges ---
    relance_is_consumer = fields.Boolean(
        string="Consumer",
        help="A consumer is never charged late-payment interest nor the "
        "recovery indemnity.",
    )
    relance_no_charges = fields.Boolean(
        string="No Late-Payment Charges",
        help="Never claim late-payment charges from this customer.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    def _compute_relance_reminder_count(self):
        groups = self.env["relance.reminder"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.relance_reminder_count = counts.get(partner.id, 0)

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_relance_behaviour(self):
        mapping = self._get_relance_behaviour_fields()
        rows = self.env["relance.partner.behaviour"].search_fetch(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "in", self.commercial_partner_id.ids),
            ],
            list(mapping.values()) + ["partner_id"],
        )
        by_partner = {row.partner_id.id: row for row in rows}
        empty = self.env["relance.partner.behaviour"]
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id.id, empty)
            for partner_field, row_field in mapping.items():
                partner[partner_field] = row[row_field] if row else False

    @api.depends_context("company")
    def _compute_relance_min_sample(self):
        self.relance_min_sample = self.env.company.relance_behaviour_min_sample

    def _search_relance_behaviour(self, row_field, operator, value):
        """Partners whose commercial entity's row in the current company
        matches; a partner without a row matches when an empty row would
        (no history, zeros)."""
        condition = Domain(row_field, operator, value)
        in_company = Domain("company_id", "=", self.env.company.id)
        domain = Domain("relance_behaviour_ids", "any", in_company & condition)
        empty_row = self.env["relance.partner.behaviour"].new(
            {"payment_behaviour": "no_history"}
        )
        if empty_row.filtered_domain(condition):
            domain |= Domain("relance_behaviour_ids", "not any", in_company)
        return Domain("commercial_partner_id", "any", domain)

    def _search_payment_delay_avg(self, operator, value):
        return self._search_relance_behaviour("payment_delay_avg", operator, value)

    def _search_payment_on_time_rate(self, operator, value):
        return self._search_relance_behaviour("payment_on_time_rate", operator, value)

    def _search_payment_count(self, operator, value):
        return self._search_relance_behaviour("payment_count", operator, value)

    def _search_relance_dso(self, operator, value):
        return self._search_relance_behaviour("dso", operator, value)

    @api.depends("relance_payment_contact_id.phone", "relance_payment_contact_id.email")
    def _compute_relance_payment_contact_info(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            partner.relance_payment_contact_phone = contact.phone
            partner.relance_payment_contact_email = contact.email

    def _inverse_relance_payment_contact_phone(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            if not contact:
                continue
            country = contact.country_id or partner.country_id
            contact.phone = self._relance_normalize_phone(
                partner.relance_payment_contact_phone, country
            )

    def _inverse_relance_payment_contact_email(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            email = partner.relance_payment_contact_email
            if not contact:
                continue
            if email and not email_normalize(email):
                raise ValidationError(
                    self.env._("%(email)s is not a valid email address.", email=email)
                )
            contact.email = email

    @api.depends_context("company")
    def _compute_relance_company_currency_id(self):
        self.relance_company_currency_id = self.env.company.currency_id

    @api.depends_context("company", "allowed_company_ids")
    @api.depends("relance_dispute_ids.state", "relance_dispute_ids.amount_company")
    def _compute_dispute_stats(self):
        commercial = self.commercial_partner_id
        groups = self.env["relance.dispute"]._read_group(
            [
                ("partner_id", "in", commercial.ids),
                ("state", "=", "open"),
                ("company_id", "=", self.env.company.id),
            ],
            ["partner_id"],
            ["__count", "amount_company:sum"],
        )
        stats = {partner.id: (count, amount) for partner, count, amount in groups}
        for partner in self:
            count, amount = stats.get(partner.commercial_partner_id.id, (0, 0.0))
            partner.dispute_count = count
            partner.dispute_amount = amount
            partner.dispute_state = "open" if count else "none"

    def _search_dispute_state(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        values = set(value)
        in_dispute = Domain(
            "commercial_partner_id.relance_dispute_ids.state", "=", "open"
        )
        if "open" in values and "none" in values:
            domain = Domain.TRUE
        elif "open" in values:
            domain = in_dispute
        elif "none" in values:
            domain = ~in_dispute
        else:
            domain = Domain.FALSE
        return ~domain if operator == "not in" else domain

    @api.depends("relance_promise_ids.state")
    def _compute_relance_promise_count(self):
        commercial = self.commercial_partner_id
        groups = self.env["relance.promise"]._read_group(
            [("partner_id", "in", commercial.ids), ("state", "=", "open")],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.relance_promise_count = counts.get(
                partner.commercial_partner_id.id, 0
            )

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        return severity_orderby(
            super()._read_group_orderby, order, groupby_terms, query
        )

    # ------------------------------------------------------------
    # CONSTRAINS AND ONCHANGES
    # ------------------------------------------------------------

    @api.constrains("accountant_email")
    def _check_accountant_email(self):
        for partner in self:
            email = partner.accountant_email
            if email and not email_normalize(email):
                raise ValidationError(
                    self.env._(
                        "The accounting email of %(partner)s, %(email)s, is not "
                        "a valid email address.",
                        partner=partner.display_name,
                        email=email,
                    )
                )

    @api.constrains("relance_payment_contact_id")
    def _check_relance_payment_contact(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            if not contact:
                continue
            if contact.commercial_partner_id != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The payment contact of %(partner)s must be one of its "
                        "contacts.",
                        partner=partner.display_name,
                    )
                )
            if contact.phone:
                self._relance_normalize_phone(
                    contact.phone, contact.country_id or partner.country_id
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        self._check_credit_hold_write(vals)
        return super().write(vals)

    def _check_credit_hold_write(self, vals):
        """Only a reminder administrator puts or lifts a credit hold, or
        changes the reason of a hold in place; the automatic holds of the
        reminder levels are written as superuser.  No context key lets
        anybody else through: a context comes from the client."""
        if self.env.su or self.env.user.has_group(
            "account_relance.group_relance_manager"
        ):
            return
        if set(vals) & set(CREDIT_HOLD_FIELDS) or (
            "credit_hold_reason" in vals and any(self.mapped("credit_hold"))
        ):
            raise AccessError(
                self.env._("Only a reminder administrator can change a credit hold.")
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_relance_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_reminder_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_view_relance_behaviour(self):
        """Open the payment behaviour rows of this customer (every company the
        user may see)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_partner_behaviour_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_company": 0}
        return action

    def action_relance_credit_hold(self):
        self._check_relance_manager()
        self.commercial_partner_id._relance_set_credit_hold(
            self.credit_hold_reason or self.env._("Set by hand")
        )
        return True

    def action_relance_release_credit_hold(self):
        self._check_relance_manager()
        self.commercial_partner_id._relance_release_credit_hold(
            self.env._("released by %(user)s", user=self.env.user.name)
        )
        return True

    def action_relance_view_disputes(self):
        self.ensure_one()
        return self.env["relance.dispute"]._action_view(
            [("partner_id", "=", self.commercial_partner_id.id)],
            {"search_default_open": 1},
        )

    def action_relance_view_promises(self):
        self.ensure_one()
        return self.env["relance.promise"]._action_view(
            [("partner_id", "=", self.commercial_partner_id.id)],
            {"default_partner_id": self.commercial_partner_id.id},
        )

    def action_relance_new_promise(self):
        self.ensure_one()
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<=", fields.Date.context_today(self)),
                ("dispute_state", "!=", "open"),
            ]
        )
        return self.env["relance.promise"]._action_new(self, invoices=invoices)

    def action_relance_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "relance.call.log",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["relance_excluded"]

    @api.model
    def _get_relance_behaviour_fields(self):
        """Partner fields mirroring a behaviour row: {partner field: row field}."""
        return {
            "payment_delay_avg": "payment_delay_avg",
            "payment_delay_median": "payment_delay_median",
            "payment_on_time_rate": "payment_on_time_rate",
            "payment_count": "payment_count",
            "relance_dso": "dso",
            "relance_open_amount": "open_amount",
            "relance_behaviour_refreshed": "date_refreshed",
        }

    @api.model
    def _relance_normalize_phone(self, number, country=None):
        """Return ``number`` in E.164 (``+33612345678``), reading national
        numbers in ``country`` (a ``res.country``); raise a ValidationError
        that says why when the number is not a valid phone number."""
        if not number:
            return number
        region = country.code if country else None
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException as error:
            if region:
                message = self.env._(
                    "%(number)s is not a phone number (%(error)s). Type it "
                    "as in %(country)s or in international format, e.g. "
                    "+33 6 12 34 56 78.",
                    number=number,
                    error=error,
                    country=country.name,
                )
            else:
                message = self.env._(
                    "%(number)s is not a phone number (%(error)s). Without "
                    "a country, type it in international format, e.g. "
                    "+33 6 12 34 56 78.",
                    number=number,
                    error=error,
                )
            raise ValidationError(message) from error
        if not phonenumbers.is_valid_number(parsed):
            raise ValidationError(
                self.env._(
                    "%(number)s is not a valid phone number: check the number "
                    "of digits and the country code (%(country)s).",
                    number=number,
                    country=country.name if region else self.env._("none"),
                )
            )
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def _relance_get_payment_contact(self):
        """The person to address a reminder to: the payment contact of the
        customer, else the customer itself."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.relance_payment_contact_id or commercial

    def _check_relance_manager(self):
        if not self.env.user.has_group("account_relance.group_relance_manager"):
            raise AccessError(
                self.env._("Only a reminder administrator can change a credit hold.")
            )

    def _relance_set_credit_hold(self, reason, auto=False):
        """Put these (commercial) partners on credit hold in the current
        company and log it in their chatter."""
        to_hold = self.filtered(lambda p: not p.credit_hold)
        if not to_hold:
            return to_hold
        # sudo: a level's automatic hold is put whoever sends the reminder
        # (callers check who may put a hold by hand)
        to_hold.sudo().write(
            {
                "credit_hold": True,
                "credit_hold_reason": reason,
                "credit_hold_date": fields.Date.context_today(self),
                "credit_hold_user_id": self.env.user.id,
                "credit_hold_auto": auto,
            }
        )
        for partner in to_hold:
            # sudo: logged whoever sends the reminder, as them
            partner.sudo().message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "Put on credit hold in %(company)s: %(reason)s",
                    company=self.env.company.name,
                    reason=reason,
                ),
            )
        return to_hold

    def _relance_release_credit_hold(self, reason):
        to_release = self.filtered("credit_hold")
        if not to_release:
            return to_release
        # sudo: an automatic hold is lifted whoever registers the payment
        # (callers check who may lift a hold by hand)
        to_release.sudo().write(
            {
                "credit_hold": False,
                "credit_hold_reason": False,
                "credit_hold_date": False,
                "credit_hold_user_id": False,
                "credit_hold_auto": False,
            }
        )
        for partner in to_release:
            # sudo: logged whoever registers the payment, as them
            partner.sudo().message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._(
                    "Credit hold in %(company)s lifted: %(reason)s",
                    company=self.env.company.name,
                    reason=reason,
                ),
            )
        return to_release

    def _relance_release_paid_credit_holds(self):
        """Release the automatic holds of these partners (current company)
        once none of their receivable items is overdue any more."""
        held = self.commercial_partner_id.filtered(
            lambda p: p.credit_hold and p.credit_hold_auto
        )
        if not held:
            return held
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "child_of", held.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
                ("no_followup", "=", False),
                ("date_maturity", "<", fields.Date.context_today(self)),
            ],
            ["partner_id"],
        )
        still_overdue = {partner.commercial_partner_id.id for (partner,) in groups}
        paid = held.filtered(lambda p: p.id not in still_overdue)
        return paid._relance_release_credit_hold(
            self.env._("every overdue invoice is paid")
        )

    def _relance_credit_hold_warning(self, company):
        """The warning shown on new invoices (and, with account_relance_sale,
        sales orders) of this customer in ``company``, or False."""
        partner = self.commercial_partner_id.with_company(company)
        if not partner.credit_hold:
            return False
        return self.env._(
            "%(partner)s is on credit hold since %(date)s: %(reason)s",
            partner=partner.display_name,
            date=partner.credit_hold_date or "",
            reason=partner.credit_hold_reason or self.env._("no reason given"),
        )

    def _relance_credit_hold_sale_message(self, company):
        """The error that stops confirming a sales order of this customer in
        ``company``, or False."""
        partner = self.commercial_partner_id.with_company(company)
        if not partner.credit_hold:
            return False
        return self.env._(
            "%(partner)s is on credit hold since %(date)s (%(reason)s): the "
            "order cannot be confirmed until the overdue invoices are paid or "
            "a reminder administrator releases the hold.",
            partner=partner.display_name,
            date=partner.credit_hold_date or "",
            reason=partner.credit_hold_reason or "",
        )

    def _relance_is_professional(self, company):
        """Whether the French commercial code's late-payment rules (L441-10,
        D441-5) apply to this customer in ``company``: not a consumer, and a
        company when ``company`` charges companies only."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.relance_is_consumer:
            return False
        return not company.relance_charges_b2b_only or partner.is_company

    def _relance_charges_allowed(self, company):
        """Whether late-payment charges may be claimed from this customer."""
        self.ensure_one()
        return (
            company.relance_charges_enabled
            and not self.commercial_partner_id.relance_no_charges
            and self._relance_is_professional(company)
        )

    def _relance_missing_address(self):
        """The address lines missing for a postal letter, empty when complete."""
        self.ensure_one()
        missing = []
        if not self.street:
            missing.append(self.env._("street"))
        if not self.zip:
            missing.append(self.env._("postal code"))
        if not self.city:
            missing.append(self.env._("city"))
        if not self.country_id:
            missing.append(self.env._("country"))
        return missing

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class RelanceDispute(models.Model):
    """A dispute (litige) on a customer invoice.

    While a dispute is open, the invoice is flagged ``dispute_state = 'open'``
    and its receivable items carry Odoo's ``no_followup`` flag: the reminder
    engine leaves it alone.  Resolving the dispute lifts both flags, so that
    reminders resume where they were, optionally from a new due date.
    """

    _name = "relance.dispute"
    _description = "Invoice Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, date_open desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        check_company=True,
        domain=[("move_type", "=", "out_invoice"), ("state", "=", "posted")],
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        related="move_id.commercial_partner_id",
        store=True,
        index=True,
        precompute=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        related="move_id.company_id",
        store=True,
        index=True,
        precompute=True,
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        related="move_id.currency_id",
        store=True,
        precompute=True,
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount = fields.Monetary(
        string="Disputed Amount",
        currency_field="currency_id",
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        help="The part of the invoice the customer disputes; by default what "
        "remains due on it.",
    )
    amount_company = fields.Monetary(
        string="Disputed Amount (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
    )
    invoice_date_due = fields.Date(related="move_id.invoice_date_due")
    payment_state = fields.Selection(related="move_id.payment_state")
    reason_id = fields.Many2one(
        comodel_name="relance.dispute.reason",
        string="Reason",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        # the kanban shows a column per reason, even empty
        group_expand="_read_group_reason_ids",
    )
    description = fields.Html(help="What the customer says, and what was checked.")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain=[("share", "=", False)],
        help="Who settles the dispute; a to-do activity is assigned to them.",
    )
    date_open = fields.Date(
        string="Opened On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_resolved = fields.Date(string="Resolved On", readonly=True, copy=False)
    state = fields.Selection(
        selection=[("open", "Open"), ("resolved", "Resolved")],
        default="open",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    resolution = fields.Text(help="How the dispute was settled.")
    new_due_date = fields.Date(
        help="When set, resolving the dispute moves the invoice's due date "
        "here, and reminders start again from that date.",
    )
    color = fields.Integer(compute="_compute_color")

    _move_open_uniq = models.UniqueIndex(
        "(move_id) WHERE state = 'open'",
        "An invoice has at most one open dispute.",
    )
    _amount_positive = models.Constraint(
        "CHECK(amount >= 0)", "A disputed amount cannot be negative."
    )

    @api.depends("move_id")
    def _compute_amount(self):
        for dispute in self:
            dispute.amount = dispute.move_id.amount_residual

    @api.depends("amount", "currency_id", "company_id", "date_open")
    def _compute_amount_company(self):
        for dispute in self:
            company = dispute.company_id or self.env.company
            currency = dispute.currency_id or company.currency_id
            dispute.amount_company = currency._convert(
                dispute.amount,
                company.currency_id,
                company,
                dispute.date_open or fields.Date.context_today(self),
            )

    @api.model
    def _read_group_reason_ids(self, reasons, domain):
        return reasons.search([("active", "=", True)])

    @api.depends("state")
    def _compute_color(self):
        for dispute in self:
            dispute.color = 1 if dispute.state == "open" else 10

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # sudo: credit controllers cannot read ir.sequence; only the
                # next number is used.
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("relance.dispute")
                    or "/"
                )
        disputes = super().create(vals_list)
        disputes._sync_invoice_flags(disputes.move_id)
        for dispute in disputes.filtered(lambda d: d.state == "open"):
            dispute._notify_responsible()
            dispute.move_id.message_post(
                body=self.env._(
                    "Dispute %(dispute)s opened (%(reason)s): reminders are "
                    "suspended for this invoice.",
                    dispute=dispute._get_html_link(),
                    reason=dispute.reason_id.name,
                ),
            )
        return disputes

    def write(self, vals):
        moves_before = self.move_id
        result = super().write(vals)
        if "state" in vals or "move_id" in vals:
            self._sync_invoice_flags(moves_before | self.move_id)
        if vals.get("user_id"):
            for dispute in self.filtered(lambda d: d.state == "open"):
                dispute._notify_responsible()
        return result

    def unlink(self):
        moves = self.move_id
        result = super().unlink()
        self._sync_invoice_flags(moves.exists())
        return result

    def action_resolve(self):
        open_disputes = self.filtered(lambda d: d.state == "open")
        if not open_disputes:
            raise UserError(self.env._("Only open disputes can be resolved."))
        today = fields.Date.context_today(self)
        open_disputes.write({"state": "resolved", "date_resolved": today})
        open_disputes.activity_feedback(
            ["mail.mail_activity_data_todo"],
            feedback=self.env._("Dispute resolved."),
        )
        for dispute in open_disputes:
            if dispute.new_due_date:
                dispute._set_new_due_date()
            dispute.move_id.message_post(
                body=self.env._(
                    "Dispute %(dispute)s resolved: reminders resume for this invoice.",
                    dispute=dispute._get_html_link(),
                )
            )
        return True

    def action_reopen(self):
        resolved = self.filtered(lambda d: d.state == "resolved")
        resolved.write({"state": "open", "date_resolved": False})
        for dispute in resolved:
            dispute._notify_responsible()
        return True

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _action_new(self, invoice=None, description=None):
        """The dialog of a new dispute, on ``invoice`` when given."""
        context = {"default_move_id": invoice.id if invoice else False}
        if description:
            context["default_description"] = description
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a Dispute"),
            "res_model": "relance.dispute",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    @api.model
    def _action_view(self, domain, context=None):
        """The disputes list, limited to ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_dispute_action"
        )
        action["domain"] = domain
        action["context"] = context or {}
        return action

    def _notify_responsible(self):
        self.ensure_one()
        if not self.user_id:
            return
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=self.user_id.id,
            summary=self.env._(
                "Settle dispute on %(invoice)s", invoice=self.move_id.name
            ),
            note=Markup("<p>%s</p>") % (self.reason_id.name or ""),
        )

    def _set_new_due_date(self):
        """Move the invoice's due date (and its receivable items') to the
        dispute's new due date, so that reminders restart from there."""
        self.ensure_one()
        move = self.move_id
        lines = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        lines.write({"date_maturity": self.new_due_date})
        move.write({"invoice_date_due": self.new_due_date})

    @api.model
    def _sync_invoice_flags(self, moves):
        """Set or lift the dispute flags of ``moves`` from their disputes:
        open dispute -> ``dispute_state = 'open'`` and ``no_followup`` on the
        receivable items; no open dispute any more -> ``resolved`` (or
        ``none`` without any dispute left) and ``no_followup`` lifted."""
        if not moves:
            return
        groups = self._read_group(
            [("move_id", "in", moves.ids)], ["move_id", "state"], ["__count"]
        )
        open_ids = {move.id for move, state, _count in groups if state == "open"}
        any_ids = {move.id for move, _state, _count in groups}
        # flags, not accounting: no need to resynchronise the invoice lines
        moves = moves.with_context(skip_invoice_sync=True)
        to_open = moves.filtered(lambda m: m.id in open_ids)
        to_close = moves.filtered(
            lambda m: m.id not in open_ids and m.dispute_state == "open"
        )
        if to_open:
            to_open.filtered(lambda m: m.dispute_state != "open").write(
                {"dispute_state": "open"}
            )
            to_open._relance_receivable_lines().filtered(
                lambda line: not line.no_followup
            ).write({"no_followup": True})
        if to_close:
            resolved = to_close.filtered(lambda m: m.id in any_ids)
            resolved.write({"dispute_state": "resolved"})
            (to_close - resolved).write({"dispute_state": "none"})
            to_close._relance_receivable_lines().write({"no_followup": False})
        moves_none = moves.filtered(
            lambda m: m.id not in any_ids and m.dispute_state == "resolved"
        )
        moves_none.write({"dispute_state": "none"})

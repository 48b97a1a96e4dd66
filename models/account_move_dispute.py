from odoo import api, fields, models


class AccountMove(models.Model):
    """Disputes, promises to pay and credit hold, as seen from an invoice."""

    _inherit = "account.move"

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
            partner = move.partner_id.commercial_partner_id.with_company(
                move.company_id or self.env.company
            )
            if (
                move.move_type in ("out_invoice", "out_receipt")
                and move.state == "draft"
                and partner.credit_hold
            ):
                move.relance_credit_hold_warning = self.env._(
                    "%(partner)s is on credit hold since %(date)s: %(reason)s",
                    partner=partner.display_name,
                    date=partner.credit_hold_date or "",
                    reason=partner.credit_hold_reason or self.env._("no reason given"),
                )
            else:
                move.relance_credit_hold_warning = False

    def _relance_receivable_lines(self):
        return self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def action_relance_open_dispute(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a Dispute"),
            "res_model": "relance.dispute",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_id": self.id},
        }

    def action_relance_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_dispute_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id}
        return action

    def action_relance_new_promise(self):
        return self.env["relance.promise"]._action_new(
            self.commercial_partner_id[:1], invoices=self
        )

    def action_relance_view_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_promise_action"
        )
        action["domain"] = [("move_ids", "in", self.ids)]
        return action

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

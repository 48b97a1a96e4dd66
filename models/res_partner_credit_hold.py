import logging

from odoo import fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

CREDIT_HOLD_FIELDS = (
    "credit_hold",
    "credit_hold_reason",
    "credit_hold_date",
    "credit_hold_user_id",
    "credit_hold_auto",
)


class ResPartner(models.Model):
    """Credit hold: a customer who no longer gets credit in a company.

    The flag is per company (company-dependent).  It warns on new invoices
    and, when the ``sale`` module is installed, blocks the confirmation of
    sales orders (see ``_register_hook``).
    """

    _inherit = "res.partner"

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

    def write(self, vals):
        if (
            "credit_hold" in vals
            and not self.env.context.get("relance_credit_hold")
            and not self.env.su
            and not self.env.user.has_group("account_relance.group_relance_manager")
        ):
            raise AccessError(
                self.env._("Only a reminder administrator can change a credit hold.")
            )
        return super().write(vals)

    # Actions

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

    def _check_relance_manager(self):
        if not self.env.user.has_group("account_relance.group_relance_manager"):
            raise AccessError(
                self.env._("Only a reminder administrator can change a credit hold.")
            )

    # Business

    def _relance_set_credit_hold(self, reason, auto=False):
        """Put these (commercial) partners on credit hold in the current
        company and log it in their chatter."""
        to_hold = self.filtered(lambda p: not p.credit_hold)
        if not to_hold:
            return to_hold
        to_hold.with_context(relance_credit_hold=True).write(
            {
                "credit_hold": True,
                "credit_hold_reason": reason,
                "credit_hold_date": fields.Date.context_today(self),
                "credit_hold_user_id": self.env.user.id,
                "credit_hold_auto": auto,
            }
        )
        for partner in to_hold:
            partner.message_post(
                body=self.env._(
                    "Put on credit hold in %(company)s: %(reason)s",
                    company=self.env.company.name,
                    reason=reason,
                )
            )
        return to_hold

    def _relance_release_credit_hold(self, reason):
        to_release = self.filtered("credit_hold")
        if not to_release:
            return to_release
        to_release.with_context(relance_credit_hold=True).write(
            {
                "credit_hold": False,
                "credit_hold_reason": False,
                "credit_hold_date": False,
                "credit_hold_user_id": False,
                "credit_hold_auto": False,
            }
        )
        for partner in to_release:
            partner.message_post(
                body=self.env._(
                    "Credit hold in %(company)s lifted: %(reason)s",
                    company=self.env.company.name,
                    reason=reason,
                )
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

    # Sales orders (without depending on ``sale``)

    def _register_hook(self):
        """Block the confirmation of sales orders of customers on credit hold.

        ``sale`` is not a dependency of this addon, so ``sale.order`` cannot
        be extended by a Python class here.  Once the registry is loaded,
        and only when ``sale`` is installed, wrap the registry class's
        ``_confirmation_error_message`` (the check ``action_confirm`` runs
        on each order), as ``base_automation`` patches models.  The registry
        rebuilds its classes (dropping the patch) and calls this hook again
        whenever modules are loaded or removed.
        """
        super()._register_hook()
        sale_order = self.env.registry.get("sale.order")
        if sale_order is None or "_relance_credit_hold_patched" in vars(sale_order):
            return
        origin = sale_order._confirmation_error_message

        def _confirmation_error_message(order):
            message = origin(order)
            if message:
                return message
            return order.partner_id._relance_credit_hold_sale_message(order.company_id)

        sale_order._confirmation_error_message = _confirmation_error_message
        sale_order._relance_credit_hold_patched = True

    def _unregister_hook(self):
        super()._unregister_hook()
        sale_order = self.env.registry.get("sale.order")
        if sale_order is not None and "_relance_credit_hold_patched" in vars(
            sale_order
        ):
            del sale_order._confirmation_error_message
            del sale_order._relance_credit_hold_patched

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

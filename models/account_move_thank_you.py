from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    relance_thanked = fields.Boolean(
        string="Thanked for Payment",
        copy=False,
        readonly=True,
        help="A thank-you email was sent when this reminded invoice was paid.",
    )

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

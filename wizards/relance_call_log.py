from markupsafe import Markup

from odoo import api, fields, models

from ..models.relance_reminder import CALL_OUTCOMES


class RelanceCallLog(models.TransientModel):
    """Record the outcome of a reminder phone call.

    The outcome goes to the chatter of the customer (and of the reminder),
    closes the reminder's call activities, and leads on: a promise opens the
    promise form, a dispute the dispute form, a wrong number a to-do to fix
    the contact.
    """

    _name = "relance.call.log"
    _description = "Log a Reminder Call"

    reminder_id = fields.Many2one(comodel_name="relance.reminder", string="Reminder")
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", required=True
    )
    contact_id = fields.Many2one(
        comodel_name="res.partner",
        string="Person Called",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', partner_id)]",
    )
    phone = fields.Char(related="contact_id.phone")
    outcome = fields.Selection(
        selection=CALL_OUTCOMES,
        required=True,
        default="reached",
    )
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Disputed Invoice",
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('dispute_state', '!=', 'open')]",
    )
    note = fields.Text(string="Summary")

    @api.depends("partner_id")
    def _compute_contact_id(self):
        for log in self:
            log.contact_id = (
                log.partner_id._relance_get_payment_contact()
                if log.partner_id
                else False
            )

    def _get_message(self):
        self.ensure_one()
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome
        ]
        body = self.env._(
            "Phone call with %(contact)s: %(outcome)s",
            contact=self.contact_id.display_name or self.partner_id.display_name,
            outcome=outcome,
        )
        if self.note:
            body = Markup("%s<br/>%s") % (body, self.note)
        return body

    def action_confirm(self):
        self.ensure_one()
        body = self._get_message()
        # typed as a call: the cockpit's timeline lists it with its outcome
        self.partner_id.commercial_partner_id.message_post(
            body=body,
            mail_activity_type_id=self.env.ref("mail.mail_activity_data_call").id,
        )
        reminder = self.reminder_id
        if reminder:
            reminder.message_post(body=body)
            reminder.activity_ids.filtered(
                lambda a: a.activity_type_id.category == "phonecall"
            ).action_feedback(feedback=body)
            reminder._log_call(self.outcome)
        if self.outcome == "promise":
            action = self.env["relance.promise"]._action_new(
                self.partner_id, reminder=reminder or None
            )
            action["context"]["default_note"] = self.note
            return action
        if self.outcome == "dispute":
            invoice = self.move_id or reminder._get_undisputed_invoices()[:1]
            return self.env["relance.dispute"]._action_new(invoice, self.note)
        if self.outcome == "wrong_number":
            self.partner_id.commercial_partner_id.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.env.user.id,
                summary=self.env._("Fix the payment contact's phone number"),
                note=body,
            )
        return {"type": "ir.actions.act_window_close"}

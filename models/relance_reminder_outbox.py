"""What a reminder will send, before it goes: the recipients of its email
(with the copy), the email itself, the SMS and its number, the letter's
address, each as the channels of ``relance.reminder.send`` would make them
today.  Read-only: nothing is rendered into the chatter or queued."""

from odoo import api, models
from odoo.exceptions import UserError


class RelanceReminderOutbox(models.AbstractModel):
    _name = "relance.reminder.outbox"
    _description = "Payment Reminder Preview"

    @api.model
    def _render(self, reminder):
        """The preview of ``reminder`` as HTML (the reminder form's Preview)."""
        return self.env["ir.qweb"]._render(
            "account_relance.relance_reminder_outbox",
            self._get_values(reminder),
        )

    @api.model
    def _get_values(self, reminder):
        channels = reminder.level_id._get_channels() if reminder.level_id else []
        return {
            "reminder": reminder,
            "email": self._get_email(reminder) if "email" in channels else None,
            "sms": self._get_sms(reminder) if "sms" in channels else None,
            "letter": self._get_letter(reminder) if "letter" in channels else None,
            "phone": "phone" in channels,
        }

    @api.model
    def _get_email(self, reminder):
        send = self.env["relance.reminder.send"]
        recipients = send._get_email_recipients(reminder)
        values = {
            "to": recipients.mapped("email_formatted"),
            "cc": send._get_email_cc(reminder),
            "subject": "",
            "body": "",
            "problem": "",
        }
        if not recipients:
            values["problem"] = self.env._(
                "%(customer)s has no email address: the reminder will go by "
                "letter instead.",
                customer=reminder.partner_id.display_name,
            )
            return values
        try:
            template = send._get_mail_template(reminder)
        except UserError as error:
            values["problem"] = error.args[0]
            return values
        values["subject"] = template._render_field(
            "subject", reminder.ids, compute_lang=True
        )[reminder.id]
        values["body"] = template._render_field(
            "body_html", reminder.ids, compute_lang=True
        )[reminder.id]
        return values

    @api.model
    def _get_sms(self, reminder):
        send = self.env["relance.reminder.send"]
        number, reason = send._get_sms_number(reminder)
        template = send._get_sms_template(reminder)
        body = ""
        if number and template:
            body = template._render_field("body", reminder.ids, compute_lang=True)[
                reminder.id
            ]
        return {"number": number, "problem": reason or "", "body": body}

    @api.model
    def _get_letter(self, reminder):
        partner = reminder.partner_id
        missing = partner._relance_missing_address()
        return {
            "address": partner._display_address(without_company=False).strip(),
            "registered": reminder.letter_registered
            or reminder.level_id.channel_registered,
            "problem": self.env._(
                "No complete postal address (missing: %(missing)s): the letter "
                "cannot be printed.",
                missing=", ".join(missing),
            )
            if missing
            else "",
        }

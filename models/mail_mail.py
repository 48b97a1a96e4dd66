from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """Once a reminder's email has left (or failed), record it on the
        reminder: "sent" only for an email that actually left."""
        res = super()._postprocess_sent_message(
            success_pids,
            success_emails,
            failure_reason=failure_reason,
            failure_type=failure_type,
        )
        reminder_mails = self.filtered(
            lambda m: m.model == "relance.reminder" and m.mail_message_id
        )
        if reminder_mails:
            # sudo: the mail queue runs as any user; the reminder only records
            # the outcome of its own email.
            reminders = (
                self.env["relance.reminder"]
                .sudo()
                .search(
                    [
                        ("email_message_id", "in", reminder_mails.mail_message_id.ids),
                        ("email_state", "=", "queued"),
                    ]
                )
            )
            # success_pids holds res.partner records (ids in older callers)
            success_ids = {getattr(p, "id", p) for p in success_pids}
            for reminder in reminders:
                mails = reminder_mails.filtered(
                    lambda m, r=reminder: m.mail_message_id == r.email_message_id
                    and m.recipient_ids & r.email_partner_ids
                )
                if not mails:
                    continue
                if success_ids & set(reminder.email_partner_ids.ids):
                    reminder.email_state = "sent"
                elif failure_type:
                    reminder._email_failed(failure_reason)
            reminders._update_state_from_channels()
        return res

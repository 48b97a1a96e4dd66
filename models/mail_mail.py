from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """Once a reminder's email has left (or failed), record it on the
        reminder: "sent" only for an email that actually left.

        What the reminders need is read before ``super()``: it deletes the
        mails marked ``auto_delete`` (Odoo's notifications), and reading them
        afterwards raises a MissingError that stops the whole mail queue.
        """
        reminder_mails = [
            (mail.mail_message_id.id, set(mail.recipient_ids.ids))
            for mail in self
            if mail.model == "relance.reminder" and mail.mail_message_id
        ]
        # a refused connection gives its reason on the mails only
        reason = failure_reason or (reminder_mails and self[:1].failure_reason)
        res = super()._postprocess_sent_message(
            success_pids,
            success_emails,
            failure_reason=failure_reason,
            failure_type=failure_type,
        )
        if reminder_mails:
            # success_pids holds res.partner records (ids in older callers)
            success_ids = {getattr(p, "id", p) for p in success_pids}
            self.env["relance.reminder.send"]._on_emails_processed(
                reminder_mails, success_ids, failure_type, reason
            )
        return res

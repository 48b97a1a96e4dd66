from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _handle_call_result_hook(self, results):
        """The queue sent these SMS (or the provider refused them): the
        reminders whose SMS they are record the outcome."""
        res = super()._handle_call_result_hook(results)
        messages = self.mail_message_id.filtered(
            lambda message: message.model == "relance.reminder"
        )
        if messages:
            self.env["relance.reminder.send"]._on_sms_processed(messages)
        return res

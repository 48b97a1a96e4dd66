"""Odoo's real SMS queue in the tests: reminders queue their SMS in
``sms.sms``; the queue's scheduled action sends them after the commit.  Only
the SMS provider (outside this machine) is mocked, by Odoo's MockSMS."""


class SmsQueueMixin:
    def _run_sms_queue(self):
        """Run "SMS: SMS Queue Manager" as the scheduler would, after the
        commit of what queued the SMS (inside ``mockSMSGateway()``)."""
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action")
        with self.enter_registry_test_mode():
            self.assertIs(cron.method_direct_trigger(), True)

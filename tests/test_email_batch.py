"""Reminder emails and SMS in batches (#15): a batch of reminders costs a
fixed number of queries plus at most 3 per email (and per SMS); a batch of
reminder emails through Odoo's real mail queue and a real SMTP server on
127.0.0.1 arrives once each, with the content, recipients and author of a
reminder sent alone."""

from collections import Counter
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .real_smtp import RealSmtpMixin
from .sms_queue import SmsQueueMixin

MAIL_LOGGER = "odoo.addons.mail.models.mail_mail"


@tagged("post_install", "-at_install")
class TestEmailBatch(SmsQueueMixin, RealSmtpMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.email = "credit@company.example.com"
        cls.company.country_id = cls.env.ref("base.fr")
        cls.controller = cls.env["res.users"].create(
            {
                "name": "Claire Controller",
                "login": "claire",
                "email": "claire@company.example.com",
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("account.group_account_invoice").id,
                            cls.env.ref("account_relance.group_relance_user").id,
                        ]
                    )
                ],
            }
        )
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Batch plan",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Friendly email",
                            "sequence": 1,
                            "tone": "friendly",
                            "auto_send": True,
                            "channel_email": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "SMS",
                            "sequence": 2,
                            "tone": "firm",
                            "auto_send": True,
                            "channel_email": False,
                            "channel_sms": True,
                        }
                    ),
                ],
            }
        )
        cls.email_level, cls.sms_level = cls.plan.level_ids.sorted("sequence")
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": f"Client {index}",
                    "email": f"client{index}@example.com",
                    "phone": f"06 12 34 56 {index:02d}",
                    "country_id": cls.env.ref("base.fr").id,
                }
                for index in range(40)
            ]
        )
        cls.invoices = cls.env["account.move"]
        for customer in cls.customers:
            cls.invoices |= cls._create_invoice_one_line(
                price_unit=500.0,
                tax_ids=cls.env["account.tax"],
                partner_id=customer,
                invoice_date=date(2026, 1, 2),
                invoice_date_due=date(2026, 1, 2),
                post=True,
            )
        cls.env["mail.mail"].sudo().search([]).unlink()

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-02-04 09:00:00")  # a Wednesday
        freezer.start()
        self.addCleanup(freezer.stop)

    def _reminders(self, count, level=None, offset=0):
        level = level or self.email_level
        vals_list = []
        for invoice in self.invoices[offset : offset + count]:
            items = invoice.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            vals_list.append(
                {
                    "partner_id": invoice.partner_id.id,
                    "level_id": level.id,
                    "user_id": self.controller.id,
                    "date": date(2026, 2, 4),
                    "state": "to_send",
                    "currency_id": self.company.currency_id.id,
                    "amount_due": invoice.amount_residual,
                    "move_line_ids": [Command.set(items.ids)],
                }
            )
        reminders = self.env["relance.reminder"].create(vals_list)
        # the daily job's reminders: their controller follows them
        reminders.message_subscribe(partner_ids=self.controller.partner_id.ids)
        return reminders

    def _queries(self, reminders):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        reminders.with_context(mail_notify_force_send=False)._send_reminders()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_queries_per_email(self):
        """20 reminders more cost at most 3 queries per email, whatever the
        size of the batch (a fixed part for the batch, then 3 per email)."""
        small = self._queries(self._reminders(10))
        large = self._queries(self._reminders(30, offset=10))
        per_email = (large - small) / 20
        self.assertLessEqual(per_email, 3, f"10: {small}, 30: {large} queries")
        Mail = self.env["mail.mail"].sudo()
        for customer in self.customers:
            self.assertEqual(
                Mail.search_count([("recipient_ids", "=", customer.id)]), 1
            )

    def _email_of(self, reminder):
        """What a reminder's email is made of, its own names and links left
        out, to compare two reminders."""
        message = reminder.email_message_id
        mails = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        own = {
            reminder.name: "NAME",
            reminder.name.replace("/", "-"): "NAME",
            reminder.partner_id.name: "PARTNER",
            reminder.partner_id.email: "EMAIL",
            reminder.move_line_ids.move_id.name: "INVOICE",
            reminder.move_line_ids.move_id.name.replace("/", "_"): "INVOICE",
            f"reminder-{reminder.id}": "reminder-ID",
            f"res_id={reminder.id}": "res_id=ID",
            f"/my/invoices/{reminder.move_line_ids.move_id.id}": "/my/invoices/ID",
            reminder.move_line_ids.move_id.access_token: "TOKEN",
        }

        def clean(text):
            text = str(text or "")
            for value, placeholder in own.items():
                text = text.replace(value, placeholder)
            return text

        return {
            "subject": clean(message.subject),
            "author": message.author_id,
            "email_from": message.email_from,
            "reply_to": message.reply_to,
            "recipients": [clean(partner.name) for partner in message.partner_ids],
            "type": (message.message_type, message.subtype_id),
            "attachments": [clean(a.name) for a in message.attachment_ids],
            "followers": reminder.message_follower_ids.partner_id,
            "notifications": sorted(
                (
                    clean(n.res_partner_id.name),
                    n.notification_type,
                    n.notification_status,
                )
                for n in message.notification_ids
            ),
            "mails": sorted(
                (
                    clean(mail.recipient_ids.name),
                    mail.email_cc,
                    clean(mail.subject),
                    clean(mail.headers),
                    len((mail.references or "").split()),
                    mail.auto_delete,
                    clean(mail.body_html),
                )
                for mail in mails
            ),
        }

    def test_batch_email_same_as_one_by_one(self):
        """An email of a batch is the email the reminder sends alone: same
        subject, body and layout, author, sender, reply-to, recipients and
        CC, notifications, followers, invoice PDF attached."""
        self.email_level.attach_invoices = True
        self.customers[:3].write({"accountant_email": "expert@cabinet.example.com"})
        alone = self._reminders(1)
        self.env["relance.reminder.send"]._send_email(alone)
        batch = self._reminders(2, offset=1)
        batch.with_context(mail_notify_force_send=False)._send_reminders()
        self.assertEqual(batch.mapped("email_state"), ["queued", "queued"])
        expected = self._email_of(alone)
        self.assertTrue(expected["attachments"])
        self.assertEqual(len(expected["mails"]), 2, "the customer and the follower")
        for reminder in batch:
            self.assertEqual(self._email_of(reminder), expected)

    def test_queries_per_sms(self):
        small = self._queries(self._reminders(10, level=self.sms_level))
        large = self._queries(self._reminders(30, level=self.sms_level, offset=10))
        per_sms = (large - small) / 20
        self.assertLessEqual(per_sms, 3, f"10: {small}, 30: {large} queries")
        self.assertEqual(
            self.env["sms.sms"].search_count([("state", "=", "outgoing")]), 40
        )

    def test_batch_delivered_once_each(self):
        """40 reminder emails queued in one batch: one run of Odoo's mail
        queue delivers each once, to its customer, from its controller,
        with its invoice; every reminder ends "sent"."""
        smtp = self._start_smtp()
        reminders = self._reminders(40)
        reminders.with_context(mail_notify_force_send=False)._send_reminders()
        self.assertEqual(set(reminders.mapped("email_state")), {"queued"})
        with self.assertNoLogs(MAIL_LOGGER, level="ERROR"):
            self.env["mail.mail"].process_email_queue()
        recipients = Counter(rcpt for m in smtp.messages for rcpt in m["to"])
        for customer in self.customers:
            self.assertEqual(recipients[customer.email], 1, customer.email)
        for reminder in reminders:
            (message,) = [
                m for m in smtp.messages if m["to"] == [reminder.partner_id.email]
            ]
            self.assertIn(reminder.name, message["subject"])
            self.assertIn("claire@company.example.com", message["message"]["from"])
            body = message["message"].get_body(("html",)).get_content()
            self.assertIn(reminder.move_line_ids.move_id.name, body)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(set(reminders.mapped("email_state")), {"sent"})

    def test_daily_job_calls_its_helper(self):
        """More than one batch due: the daily job triggers its helper, so that
        a second cron worker shares the sending; the helper only sends."""
        helper = self.env.ref("account_relance.ir_cron_relance_send_reminders_helper")
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "=", helper.id)]).unlink()
        reminders = self._reminders(3)
        send = self.env["relance.reminder.send"].with_context(
            mail_notify_force_send=False
        )
        self.assertEqual(send._get_helper_crons(), helper)
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            send.with_env(send.env(cr=cr))._cron_send_reminders(batch_size=2)
        self.assertTrue(Trigger.search([("cron_id", "=", helper.id)]))
        reminders.invalidate_recordset()
        self.assertEqual(set(reminders.mapped("email_state")), {"queued"})

        Trigger.search([("cron_id", "=", helper.id)]).unlink()
        more = self._reminders(1, offset=3)
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            send.with_env(send.env(cr=cr))._cron_send_reminders(batch_size=2)
        self.assertFalse(Trigger.search([("cron_id", "=", helper.id)]), "one batch")
        more.invalidate_recordset()
        self.assertEqual(more.email_state, "queued")

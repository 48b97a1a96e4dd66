import base64
import html
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import format_amount, format_date

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MailCase
from odoo.addons.sms.tests.common import SMSCase

from .sms_queue import SmsQueueMixin

HOSTILE_NAME = '<b>x</b> {{ 1+1 }} <t t-out="1"/>'

BOUNCE_TEMPLATE = """Return-Path: <>
From: MAILER-DAEMON <mailer-daemon@example.com>
To: bounce@example.com
Subject: Undelivered Mail Returned to Sender
Date: Mon, 12 Jan 2026 10:00:00 +0000
Message-Id: <bounce-{token}@example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

The mail system could not deliver your message to {email}.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1

--BOUNDARY
Content-Type: text/rfc822-headers

Message-Id: {message_id}
From: company@example.com
To: {email}
Subject: Payment reminder

--BOUNDARY--
"""


REPLY_TEMPLATE = """From: {email_from}
To: catchall@example.com
Subject: Re: payment reminder
Date: Wed, 4 Feb 2026 10:00:00 +0000
Message-Id: <reply-{token}@dupont.example.com>
In-Reply-To: {message_id}
References: {message_id}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
class TestReminderChannels(
    SmsQueueMixin, AccountTestInvoicingCommon, MailCase, SMSCase
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.email = "credit@company.example.com"
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Dupont SARL",
                "email": "compta@dupont.example.com",
                "phone": "06 12 34 56 78",
                "country_id": cls.env.ref("base.fr").id,
                "lang": "en_US",
            }
        )
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Channels plan",
                "company_id": cls.company.id,
                "thank_you": True,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Friendly email",
                            "sequence": 1,
                            "tone": "friendly",
                            "auto_send": True,
                            "channel_email": True,
                        }
                    )
                ],
            }
        )
        cls.level = cls.plan.level_ids
        cls.invoice = cls._make_invoice(cls.customer, date(2026, 1, 15), 1000.0)

    def setUp(self):
        super().setUp()
        # a Wednesday, a working day: automatic sending goes out
        freezer = freeze_time("2026-02-04 09:00:00")
        freezer.start()
        self.addCleanup(freezer.stop)

    @classmethod
    def _make_invoice(cls, partner, invoice_date, amount):
        return cls._create_invoice(
            invoice_date=invoice_date,
            partner_id=partner.id,
            invoice_payment_term_id=False,
            invoice_date_due=invoice_date,
            invoice_line_ids=[
                Command.create(
                    {"name": "Consulting", "price_unit": amount, "tax_ids": []}
                )
            ],
            post=True,
        )

    def _reminder(self, invoices=None, level=None, partner=None):
        invoices = invoices or self.invoice
        lines = invoices.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        return self.env["relance.reminder"].create(
            {
                "partner_id": (partner or self.customer).id,
                "level_id": (level or self.level).id,
                "date": date(2026, 2, 4),
                "state": "to_send",
                "currency_id": self.company.currency_id.id,
                "amount_due": sum(lines.mapped("amount_residual")),
                "move_line_ids": [Command.set(lines.ids)],
            }
        )

    def _sent_to(self, email):
        """The emails that left for ``email`` (To or CC)."""
        return [
            mail
            for mail in self._mails
            if any(
                email in to for to in mail["email_to"] + (mail.get("email_cc") or [])
            )
        ]

    def _add_holiday(self, day):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.company.resource_calendar_id.id,
                "company_id": self.company.id,
                "date_from": datetime.combine(day, datetime.min.time()),
                "date_to": datetime.combine(day, datetime.max.time()).replace(
                    microsecond=0
                ),
            }
        )

    def _level(self, **vals):
        return self.env["relance.level"].create(
            {
                "plan_id": self.plan.id,
                "name": "Level",
                "tone": "friendly",
                "channel_email": False,
                **vals,
            }
        )

    # ------------------------------------------------------------------
    # Email
    # ------------------------------------------------------------------

    def test_email_sent_only_once_it_left(self):
        """The email lists each invoice with its figures and the link to pay;
        the reminder is sent once the email left, not before."""
        reminder = self._reminder()
        # without an outgoing mail server call, the email waits in the queue
        reminder._send_reminders()
        self.assertEqual(reminder.email_state, "queued")
        self.assertEqual(reminder.state, "to_send")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.email_message_id.id)]
        )
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(self.customer, mail.recipient_ids)

        with self.mock_mail_gateway():
            mail.send()
        self.assertEqual(reminder.email_state, "sent", reminder.error_message)
        self.assertEqual(reminder.state, "sent")
        body = self._sent_to(self.customer.email)[0]["body"]
        self.assertIn(self.invoice.name, body)
        self.assertIn(f"/my/invoices/{self.invoice.id}", body)
        self.assertIn("Dupont SARL", body)
        invoice_date = format_date(self.env, date(2026, 1, 15))
        self.assertIn(f">{invoice_date}<", body)  # invoice date and due date
        self.assertIn(">20<", body)  # days late on 4 February
        self.assertIn(
            format_amount(self.env, 1000, self.company.currency_id),
            html.unescape(body),
        )
        self.assertIn("reply to this email", body)
        # a trace in the customer's chatter
        self.assertIn(
            reminder.name, self.customer.message_ids[:1].body, "logged on customer"
        )

    def test_email_tone_template(self):
        """Each tone has its own template; a level's own template wins."""
        formal = self._level(tone="formal", channel_email=True)
        reminder = self._reminder(level=formal)
        self.assertEqual(
            self.env["relance.reminder.send"]._get_mail_template(reminder),
            self.env.ref("account_relance.mail_template_relance_formal"),
        )
        formal.mail_template_id = self.env.ref(
            "account_relance.mail_template_relance_notice"
        )
        self.assertEqual(
            self.env["relance.reminder.send"]._get_mail_template(reminder),
            self.env.ref("account_relance.mail_template_relance_notice"),
        )
        with self.mock_mail_gateway():
            reminder._send_reminders()
        self.assertIn("invoices coming due", reminder.email_message_id.subject)

    def test_email_reuses_invoice_pdf(self):
        """Invoice PDFs join the email: the invoice's stored PDF as it is, a
        PDF rendered only for the invoice that has none."""
        self.level.attach_invoices = True
        second = self._make_invoice(self.customer, date(2026, 1, 20), 500.0)
        self.invoice.invoice_pdf_report_file = base64.b64encode(b"%PDF-1.4 stored")
        stored = self.invoice.invoice_pdf_report_id
        self.assertTrue(stored)
        reminder = self._reminder(invoices=self.invoice | second)
        with self.mock_mail_gateway():
            reminder._send_reminders()
        attachments = reminder.email_message_id.attachment_ids
        self.assertIn(stored, attachments)
        self.assertEqual(len(attachments), 2)
        # the stored PDF still belongs to the invoice
        self.assertEqual(
            (stored.res_model, stored.res_id), ("account.move", self.invoice.id)
        )
        rendered = attachments - stored
        self.assertEqual(rendered.res_model, "relance.reminder")
        self.assertIn(second._get_report_base_filename(), rendered.name)

    def test_payment_contact_and_accountant(self):
        """The email goes to the customer's payment contact, the accountant
        in copy (fields of the contacts feature, when installed alongside)."""
        partner_fields = self.env["res.partner"]._fields
        reminder = self._reminder()
        if "relance_payment_contact_id" not in partner_fields:
            self.assertEqual(
                self.env["relance.reminder.send"]._get_email_recipients(reminder),
                self.customer,
            )
            self.assertFalse(self.env["relance.reminder.send"]._get_email_cc(reminder))
            return
        contact = self.env["res.partner"].create(
            {
                "name": "Claire Paie",
                "email": "claire@dupont.example.com",
                "parent_id": self.customer.id,
            }
        )
        self.customer.is_company = True
        self.customer.write(
            {
                "relance_payment_contact_id": contact.id,
                "accountant_email": "expert@cabinet.example.com",
            }
        )
        with self.mock_mail_gateway():
            reminder._send_reminders()
        self.assertEqual(reminder.email_partner_ids, contact)
        self.assertEqual(reminder.email_cc, "expert@cabinet.example.com")
        self.assertTrue(self._sent_to("claire@dupont.example.com"))
        self.assertTrue(self._sent_to("expert@cabinet.example.com"))
        self.assertEqual(reminder.state, "sent")

    def test_no_email_falls_back_to_letter(self):
        """A customer without email gets a letter, and the user sees why."""
        self.customer.email = False
        reminder = self._reminder()
        reminder._send_reminders()
        self.assertEqual(reminder.email_state, "fallback")
        self.assertEqual(reminder.letter_state, "to_print")
        self.assertEqual(reminder.state, "to_send")
        self.assertIn("has no email address", reminder.channel_fallback_reason)
        self.assertFalse(reminder.email_message_id)
        Reminder = self.env["relance.reminder"]
        self.assertIn(
            reminder, Reminder.search(Reminder._get_letters_to_print_domain())
        )
        # once the letter is printed, the reminder is printed
        reminder.letter_state = "printed"
        reminder._update_state_from_channels()
        self.assertEqual(reminder.state, "printed")

    def test_bounce_error_retry_sent(self):
        """A bounce puts the reminder in error with the reason; once the
        address is fixed, retrying sends it again."""
        reminder = self._reminder()
        with self.mock_mail_gateway():
            reminder._send_reminders()
        self.assertEqual(reminder.state, "sent")

        bounce = BOUNCE_TEMPLATE.format(
            token="1",
            email=self.customer.email,
            message_id=reminder.email_message_id.message_id,
        )
        self.env["mail.thread"].sudo().message_process(False, bounce)
        self.assertEqual(reminder.state, "error")
        self.assertEqual(reminder.email_state, "error")
        self.assertIn("bounced", reminder.error_message)
        self.assertIn(self.customer.email, reminder.error_message)

        self.customer.email = "paiement@dupont.example.com"
        with self.mock_mail_gateway():
            reminder.action_retry()
        self.assertEqual(reminder.state, "sent")
        self.assertFalse(reminder.error_message)
        self.assertTrue(self._sent_to(self.customer.email))

    def test_reply_lands_in_reminder_and_customer_chatter(self):
        reminder = self._reminder()
        with self.mock_mail_gateway():
            reminder._send_reminders()
        reply = REPLY_TEMPLATE.format(
            email_from=self.customer.email_formatted,
            token="1",
            message_id=reminder.email_message_id.message_id,
            body="We pay on Friday, sorry for the delay.",
        )
        self.env["mail.thread"].sudo().message_process(False, reply)
        self.assertIn("We pay on Friday", reminder.message_ids[:1].body)
        self.assertIn("We pay on Friday", self.customer.message_ids[:1].body)

    def test_credit_controller_sends_all_channels(self):
        """A credit controller (invoicing user) sends through every channel
        with no extra access right."""
        user = new_test_user(
            self.env,
            login="controller",
            groups="account.group_account_invoice",
            email="controller@company.example.com",
            company_id=self.company.id,
        )
        self.level.write(
            {
                "channel_sms": True,
                "channel_phone": True,
                "channel_letter": True,
                "attach_invoices": True,
            }
        )
        reminder = self._reminder().with_user(user)
        reminder.user_id = user
        with self.mock_mail_gateway(), self.mockSMSGateway():
            reminder.action_send()
            self._run_sms_queue()
        self.assertEqual(
            (reminder.email_state, reminder.sms_state, reminder.phone_state),
            ("sent", "sent", "planned"),
        )
        self.assertEqual(reminder.letter_state, "to_print")
        self.assertEqual(reminder.state, "to_send", "the letter waits for printing")
        self.assertTrue(reminder.email_message_id.attachment_ids)

    def test_smtp_failure_is_an_error(self):
        """An email the mail server refuses never counts as sent."""
        reminder = self._reminder()
        reminder._send_reminders()
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.email_message_id.id)]
        )
        with self.mock_mail_gateway():
            self.send_email_mocked.side_effect = ConnectionRefusedError(
                "Connection refused by smtp.example.com"
            )
            mail.send(raise_exception=False)
        self.assertEqual(mail.state, "exception")
        self.assertEqual(reminder.state, "error")
        self.assertIn("Connection refused", reminder.error_message)

    def test_template_language(self):
        """The email is rendered in the customer's language: a French
        customer gets the French text of the template."""
        self.env["res.lang"]._activate_lang("fr_FR")
        template = self.env.ref("account_relance.mail_template_relance_friendly")
        # what the module's fr.po provides: the French body of the template
        template.update_field_translations(
            "body_html",
            {
                "fr_FR": str(template.body_html).replace(
                    "Pay online<", "Payer en ligne<"
                )
            },
        )
        french = self.customer.copy({"name": "Martin SA", "lang": "fr_FR"})
        reminder_fr = self._reminder(
            self._make_invoice(french, date(2026, 1, 15), 1000.0), partner=french
        )
        reminder_en = self._reminder()
        self.assertEqual(
            template._render_lang(reminder_fr.ids)[reminder_fr.id], "fr_FR"
        )
        with self.mock_mail_gateway():
            (reminder_fr | reminder_en)._send_reminders()
        self.assertIn("Payer en ligne", reminder_fr.email_message_id.body)
        self.assertNotIn(">Pay online<", reminder_fr.email_message_id.body)
        self.assertIn("Pay online", reminder_en.email_message_id.body)

    def test_hostile_name_is_escaped(self):
        """HTML and template syntax in a customer's name come out as text."""
        self.customer.name = HOSTILE_NAME
        self.level.channel_sms = True
        reminder = self._reminder()
        with self.mock_mail_gateway(), self.mockSMSGateway():
            reminder._send_reminders()
            self._run_sms_queue()
        body = reminder.email_message_id.body
        self.assertNotIn("<b>x</b>", body)
        self.assertIn("&lt;b&gt;x&lt;/b&gt;", body)
        self.assertIn("{{ 1+1 }}", body)
        self.assertNotIn('<t t-out="1"/>', body)
        self.assertIn("&lt;t t-out=", body)
        self.assertEqual(len(self._sms), 1)
        self.assertIn(HOSTILE_NAME, self._sms[0]["body"])

    def test_send_now_opens_composer(self):
        """ "Send by Email" opens the composer with the level's template and
        the customer; sending from it marks the email done."""
        reminder = self._reminder()
        action = reminder.action_send_now()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer_form = Form(
            self.env["mail.compose.message"].with_context(**action["context"])
        )
        self.assertEqual(
            composer_form.template_id,
            self.env.ref("account_relance.mail_template_relance_friendly"),
        )
        self.assertIn(self.customer, composer_form.partner_ids)
        self.assertIn(self.invoice.name, composer_form.body)
        composer = composer_form.save()
        with self.mock_mail_gateway():
            composer.action_send_mail()
        self.assertEqual(reminder.email_state, "sent")
        self.assertEqual(reminder.state, "sent")
        self.assertTrue(self._sent_to(self.customer.email))

    # ------------------------------------------------------------------
    # SMS, phone, letter
    # ------------------------------------------------------------------

    def test_sms_sent_to_normalised_number(self):
        level = self._level(channel_sms=True, tone="firm")
        reminder = self._reminder(level=level)
        with self.mockSMSGateway():
            reminder._send_reminders()
            self._run_sms_queue()
        self.assertEqual(reminder.sms_number, "+33612345678")
        self.assertSMSIapSent(["+33612345678"])
        self.assertIn("overdue despite our reminders", self._sms[0]["body"])
        self.assertEqual(reminder.sms_state, "sent")
        self.assertEqual(reminder.state, "sent")

    def test_formal_email_and_sms_give_the_company_deadline(self):
        """The formal notice's email and SMS give the deadline of the
        company's setting (15 days here), as the letter does."""
        self.company.relance_formal_deadline_days = 15
        formal = self._level(tone="formal", channel_email=True, channel_sms=True)
        reminder = self._reminder(level=formal)
        self.assertEqual(reminder.formal_deadline_date, date(2026, 2, 19))
        with self.mock_mail_gateway(), self.mockSMSGateway():
            reminder._send_reminders()
            self._run_sms_queue()
        deadline = format_date(self.env, date(2026, 2, 19))
        email = str(reminder.email_message_id.body)
        self.assertIn(deadline, email)
        self.assertNotIn("eight days", email)
        self.assertIn(deadline, self._sms[0]["body"])
        self.assertNotIn("8 days", self._sms[0]["body"])

    def test_sms_missing_or_invalid_number_is_an_error(self):
        """A level whose SMS is required: no valid number, no reminder."""
        level = self._level(channel_sms=True, sms_required=True)
        self.customer.phone = False
        reminder = self._reminder(level=level)
        with self.mockSMSGateway():
            reminder._send_reminders()
        self.assertEqual(reminder.state, "error")
        self.assertIn("has no mobile number", reminder.error_message)
        self.assertFalse(self._sms)

        self.customer.phone = "12"
        with self.mockSMSGateway():
            reminder.action_retry()
        self.assertEqual(reminder.state, "error")
        self.assertIn("12 of Dupont SARL is not a valid", reminder.error_message)

        self.customer.phone = "+33 6 12 34 56 78"
        with self.mockSMSGateway():
            reminder.action_retry()
            self._run_sms_queue()
        self.assertEqual(reminder.state, "sent")
        self.assertSMSIapSent(["+33612345678"])

    def test_sms_refused_by_provider_is_an_error(self):
        level = self._level(channel_sms=True)
        reminder = self._reminder(level=level)
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            reminder._send_reminders()
            self._run_sms_queue()
        self.assertEqual(reminder.sms_state, "error")
        self.assertEqual(reminder.state, "error")
        self.assertTrue(reminder.sms_failure_reason)

    def test_phone_call_activity(self):
        level = self._level(channel_phone=True)
        reminder = self._reminder(level=level)
        reminder.user_id = self.env.user
        reminder._send_reminders()
        activity = reminder.phone_activity_id
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(activity.user_id, self.env.user)
        self.assertIn(self.invoice.name, str(activity.note))
        self.assertEqual(reminder.phone_state, "planned")
        self.assertEqual(reminder.state, "to_send", "a planned call is not a call")
        # the call, logged with its outcome, counts
        log = (
            self.env["relance.call.log"]
            .with_context(
                default_reminder_id=reminder.id, default_partner_id=self.customer.id
            )
            .create({"outcome": "reached", "note": "Pays on Friday"})
        )
        log.action_confirm()
        self.assertEqual(
            (reminder.phone_state, reminder.phone_outcome), ("done", "reached")
        )
        self.assertEqual(reminder.state, "sent")
        self.assertFalse(reminder.phone_activity_id.active, "the call is done")

    def test_letter_and_registered_letter(self):
        level = self._level(channel_registered=True)
        reminder = self._reminder(level=level)
        reminder._send_reminders()
        self.assertEqual(reminder.letter_state, "to_print")
        self.assertTrue(reminder.letter_registered)
        self.assertEqual(reminder.state, "to_send", "waits for the printing")
        with self.assertRaisesRegex(UserError, "registered letter number"):
            reminder.action_mark_letter_sent()
        reminder.registered_tracking_ref = "1A 234 567 8901 2"
        with freeze_time("2026-02-05"):
            reminder.action_mark_letter_sent()
        self.assertEqual(reminder.registered_sent_date, date(2026, 2, 5))

    def test_failing_channel_does_not_stop_the_others(self):
        """A deleted email template puts the email in error; the SMS of the
        same level still goes."""
        self.env.ref("account_relance.mail_template_relance_firm").unlink()
        level = self._level(tone="firm", channel_email=True, channel_sms=True)
        reminder = self._reminder(level=level)
        with self.mockSMSGateway():
            reminder._send_reminders()
            self._run_sms_queue()
        self.assertEqual(reminder.state, "error")
        self.assertIn("No email template", reminder.error_message)
        self.assertEqual(reminder.sms_state, "sent")
        self.assertFalse(reminder.email_message_id)

    def test_level_without_channel_is_an_error(self):
        level = self._level()
        reminder = self._reminder(level=level)
        reminder._send_reminders()
        self.assertEqual(reminder.state, "error")
        self.assertIn("has no channel", reminder.error_message)

    # ------------------------------------------------------------------
    # Thank-you, quiet days, daily job
    # ------------------------------------------------------------------

    def test_thank_you_once_per_paid_invoice(self):
        """The customer is thanked once when the reminded invoice is paid."""
        reminder = self._reminder()
        with self.mock_mail_gateway():
            reminder._send_reminders()
        self.assertEqual(reminder.state, "sent")
        with self.mock_mail_gateway():
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=self.invoice.ids
            ).create({})._create_payments()
            # the daily job looks again: no second thank-you
            self.env["account.move"]._relance_send_thank_you_pending()
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        thanks = self.invoice.message_ids.filtered(
            lambda m: "thank you for your payment" in (m.subject or "")
        )
        self.assertEqual(len(thanks), 1)
        self.assertTrue(self.invoice.relance_thanked)
        self.assertTrue(self._sent_to(self.customer.email))

    def test_thank_you_for_payment_in_progress(self):
        """The daily job thanks for paid invoices the payment hook missed
        (e.g. a payment "In Payment", matched but not reconciled)."""
        reminder = self._reminder()
        with self.mock_mail_gateway():
            reminder._send_reminders()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        self.invoice.relance_thanked = False
        self.invoice.message_ids.filtered(
            lambda m: "thank you for your payment" in (m.subject or "")
        ).unlink()
        with self.mock_mail_gateway():
            self.env["account.move"]._relance_send_thank_you_pending()
        self.assertTrue(self.invoice.relance_thanked)
        self.assertTrue(self._sent_to(self.customer.email))

    def test_no_thank_you_when_plan_says_no(self):
        self.plan.thank_you = False
        reminder = self._reminder()
        with self.mock_mail_gateway():
            reminder._send_reminders()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        self.env["account.move"]._relance_send_thank_you_pending()
        self.assertFalse(self.invoice.relance_thanked)

    def test_thank_you_on_reconciliation(self):
        """A payment reconciled with the invoice triggers the thank-you."""
        reminder = self._reminder()
        with self.mock_mail_gateway():
            reminder._send_reminders()
        receivable = self.invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        payment_move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2026, 2, 10),
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.account_id.id,
                            "partner_id": self.customer.id,
                            "credit": 1000.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.company_data[
                                "default_account_revenue"
                            ].id,
                            "debit": 1000.0,
                        }
                    ),
                ],
            }
        )
        payment_move.action_post()
        with self.mock_mail_gateway():
            (
                receivable
                + payment_move.line_ids.filtered(
                    lambda line: line.account_id == receivable.account_id
                )
            ).reconcile()
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertTrue(self.invoice.relance_thanked)

    def test_quiet_days(self):
        """Automatic sending waits for the next working day: no email on a
        Sunday nor on a public holiday."""
        self._add_holiday(date(2026, 11, 11))
        Send = self.env["relance.reminder.send"]
        self.assertTrue(Send._is_quiet_day(self.company, date(2026, 11, 8)))
        self.assertTrue(Send._is_quiet_day(self.company, date(2026, 11, 11)))
        self.assertFalse(Send._is_quiet_day(self.company, date(2026, 11, 12)))
        self.assertEqual(
            Send._next_working_day(self.company, date(2026, 11, 11)),
            date(2026, 11, 12),
        )
        reminder = self._reminder()
        automatic = reminder.with_context(relance_automatic_send=True)
        with freeze_time("2026-11-11 10:00:00"), self.mock_mail_gateway():
            automatic._send_reminders()
        self.assertEqual(reminder.state, "to_send")
        self.assertFalse(reminder.email_state)
        # a manual send goes whatever the day
        with freeze_time("2026-11-11 10:00:00"), self.mock_mail_gateway():
            reminder.action_send()
        self.assertEqual(reminder.state, "sent")

    def test_cron_sends_on_working_day_and_retries(self):
        self._add_holiday(date(2026, 11, 11))
        ok = self._reminder()
        failing = self._reminder(level=self._level(channel_sms=True, auto_send=True))
        self.customer.phone = False
        cron = self.env.ref("account_relance.ir_cron_relance_send_reminders")
        with (
            freeze_time("2026-11-11 08:00:00"),
            self.mock_mail_gateway(),
            self.enter_registry_test_mode(),
        ):
            self.assertIs(cron.method_direct_trigger(), True)
        self.assertEqual(ok.state, "to_send", "public holiday")
        with (
            freeze_time("2026-11-12 08:00:00"),
            self.mock_mail_gateway(),
            self.enter_registry_test_mode(),
        ):
            self.assertIs(cron.method_direct_trigger(), True)
        self.assertEqual(ok.email_state, "queued")
        self.assertEqual(ok.state, "to_send", "not sent before the email left")
        self.assertEqual(failing.state, "error")
        # the mail queue sends the email
        with self.mock_mail_gateway():
            self.env["mail.mail"].search([("state", "=", "outgoing")]).send()
        self.assertEqual(ok.state, "sent")
        # the next day, with a number, the job retries it
        self.customer.phone = "0612345678"
        with (
            freeze_time("2026-11-13 08:00:00"),
            self.mockSMSGateway(),
        ):
            with self.enter_registry_test_mode():
                cron.method_direct_trigger()
            self._run_sms_queue()
        self.assertEqual(failing.state, "sent")

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import email_normalize

# Status of one channel of a reminder.  "queued": handed over to Odoo's mail
# or SMS queue, not yet left; "sent": left; "error": failed (reason kept);
# "fallback": replaced by a letter.
CHANNEL_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("error", "Failed"),
    ("fallback", "Replaced by a Letter"),
]


class RelanceReminder(models.Model):
    _inherit = "relance.reminder"

    # --- email -----------------------------------------------------------
    email_state = fields.Selection(
        selection=CHANNEL_STATES,
        string="Email",
        readonly=True,
        copy=False,
        tracking=True,
    )
    email_message_id = fields.Many2one(
        comodel_name="mail.message",
        string="Email Message",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    email_partner_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="relance_reminder_email_partner_rel",
        column1="reminder_id",
        column2="partner_id",
        string="Email Recipients",
        readonly=True,
        copy=False,
    )
    email_cc = fields.Char(string="Email CC", readonly=True, copy=False)
    email_failure_reason = fields.Char(readonly=True, copy=False)
    # --- SMS -------------------------------------------------------------
    sms_state = fields.Selection(
        selection=CHANNEL_STATES[:3],
        string="SMS",
        readonly=True,
        copy=False,
        tracking=True,
    )
    sms_number = fields.Char(
        string="SMS Number",
        readonly=True,
        copy=False,
        help="The number the SMS went to, in international (E.164) format.",
    )
    sms_message_id = fields.Many2one(
        comodel_name="mail.message",
        string="SMS Message",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    sms_failure_reason = fields.Char(readonly=True, copy=False)
    # --- phone -----------------------------------------------------------
    phone_state = fields.Selection(
        selection=[("planned", "Call Planned"), ("done", "Called")],
        string="Phone Call",
        readonly=True,
        copy=False,
        tracking=True,
    )
    phone_activity_id = fields.Many2one(
        comodel_name="mail.activity",
        string="Call Activity",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    # --- letter ----------------------------------------------------------
    letter_state = fields.Selection(
        selection=[("to_print", "To Print"), ("printed", "Printed")],
        string="Letter",
        copy=False,
        tracking=True,
        index="btree_not_null",
    )
    letter_registered = fields.Boolean(
        string="Registered Letter",
        copy=False,
        help="The letter goes by registered post (lettre recommandée): keep "
        "its tracking number and date of sending as proof.",
    )
    registered_tracking_ref = fields.Char(
        string="Registered Letter Number",
        copy=False,
        tracking=True,
        help="Tracking number of the registered letter, as printed on the "
        "postal receipt.",
    )
    registered_sent_date = fields.Date(
        string="Registered Letter Sent On",
        copy=False,
        tracking=True,
    )
    channel_failure_reason = fields.Char(
        readonly=True,
        copy=False,
        help="Why the phone call or the letter could not be prepared.",
    )
    channel_fallback_reason = fields.Char(
        string="Channel Change",
        readonly=True,
        copy=False,
        help="Why a channel of the level was replaced by another one.",
    )
    last_send_attempt = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the reminder was last handed to its channels.",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        # a reminder printed (by the letters' batch printing) has its letter
        # printed: the channel outcome follows the state.
        if vals.get("state") == "printed" and "letter_state" not in vals:
            vals = dict(vals, letter_state="printed")
        done = self.browse()
        if vals.get("state") in ("sent", "printed"):
            done = self.filtered(lambda r: r.state not in ("sent", "printed"))
        res = super().write(vals)
        if done:
            done._on_reminders_sent()
        return res

    def _on_reminders_sent(self):
        """Hook: these reminders just reached the customer (their email left,
        their letter was printed).  Actions that must follow an actual
        sending (e.g. a credit hold) belong here rather than after
        ``_send_reminders()``, which may leave emails in the mail queue."""

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def action_send(self):
        """Send now through the channels of the level (working day or not).

        The engine defines the "Send Now" button; this is its fallback."""
        parent = getattr(super(), "action_send", None)
        if parent:
            return parent()
        todo = self.filtered(lambda r: r.state in ("draft", "to_send"))
        if not todo:
            raise UserError(self.env._("There is nothing to send."))
        todo._send_reminders()

    def action_retry(self):
        """Send again the channels that failed."""
        failed = self.filtered(lambda r: r.state == "error")
        if not failed:
            raise UserError(self.env._("Only reminders in error can be retried."))
        failed._send_reminders()

    def action_send_now(self):
        """Open the email composer prefilled with the level's template."""
        self.ensure_one()
        template = self._get_mail_template()
        recipients = self._get_email_recipients()
        ctx = {
            "default_model": self._name,
            "default_res_ids": self.ids,
            "default_template_id": template.id,
            "default_composition_mode": "comment",
            "default_message_type": "comment",
            "default_email_layout_xmlid": "mail.mail_notification_light",
            "default_partner_ids": recipients.ids,
            "default_attachment_ids": self._get_invoice_attachments().ids,
            "mark_so_as_sent": False,
            "relance_composer_send": True,
            "relance_email_cc": self._get_email_cc(),
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Reminder"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": ctx,
        }

    def action_mark_letter_sent(self):
        """A registered letter was posted: tracking number and date given."""
        for reminder in self:
            if not reminder.registered_tracking_ref:
                raise UserError(
                    self.env._(
                        "Enter the registered letter number of %(name)s first.",
                        name=reminder.name,
                    )
                )
        self.filtered(
            lambda r: not r.registered_sent_date
        ).registered_sent_date = fields.Date.context_today(self)

    # ------------------------------------------------------------------
    # SENDING
    # ------------------------------------------------------------------

    def _is_automatic_send(self):
        """Sending by a scheduled job (the daily jobs) rather than by a user:
        only automatic sending waits for the next working day."""
        ctx = self.env.context
        return bool(ctx.get("cron_id") or ctx.get("relance_automatic_send"))

    def _send_channels(self):
        """Hand the reminder to each channel of its level not done yet.  A
        channel that fails records its error and does not stop the others."""
        self.ensure_one()
        level = self.level_id
        channels = []
        if level.channel_email and self.email_state in (False, "error"):
            channels.append(("email", self._send_email))
        if level.channel_sms and self.sms_state in (False, "error"):
            channels.append(("sms", self._send_sms))
        if level.channel_phone and not self.phone_state:
            channels.append(("phone", self._send_phone))
        if (level.channel_letter or level.channel_registered) and not self.letter_state:
            channels.append(
                ("letter", lambda: self._queue_letter(level.channel_registered))
            )
        for channel, send in channels:
            try:
                with self.env.cr.savepoint():
                    send()
            except UserError as error:
                self._channel_failed(channel, error.args[0])

    def _channel_failed(self, channel, reason):
        if channel == "email":
            self._email_failed(reason)
        elif channel == "sms":
            self.write({"sms_state": "error", "sms_failure_reason": reason})
        else:
            self.channel_failure_reason = reason

    def _update_state_from_channels(self):
        """Derive the reminder's state from the outcome of its channels."""
        outcomes = defaultdict(self.browse)
        for reminder in self:
            if reminder.state == "cancel":
                continue
            level = reminder.level_id
            errors = []
            if reminder.email_state == "error":
                errors.append(
                    self.env._(
                        "Email: %(reason)s", reason=reminder.email_failure_reason
                    )
                )
            if reminder.sms_state == "error":
                errors.append(
                    self.env._("SMS: %(reason)s", reason=reminder.sms_failure_reason)
                )
            if reminder.channel_failure_reason:
                errors.append(reminder.channel_failure_reason)
            used = (
                reminder.email_state
                or reminder.sms_state
                or reminder.phone_state
                or reminder.letter_state
            )
            if not used and not (
                level.channel_email
                or level.channel_sms
                or level.channel_phone
                or level.channel_letter
                or level.channel_registered
            ):
                errors.append(
                    self.env._(
                        "The level %(level)s has no channel to send it through.",
                        level=level.display_name,
                    )
                )
            if errors:
                state = "error"
            elif "queued" in (reminder.email_state, reminder.sms_state):
                state = "to_send"
            elif reminder.letter_state == "to_print":
                state = "to_send"
            elif reminder.letter_state == "printed":
                state = "printed"
            elif used:
                state = "sent"
            else:
                state = "to_send"
            message = "\n".join(errors) or False
            if (reminder.state, reminder.error_message) != (state, message):
                outcomes[state, message] |= reminder
        # one write per outcome, not per reminder
        for (state, message), reminders in outcomes.items():
            reminders.write({"state": state, "error_message": message})

    # --- email -----------------------------------------------------------

    def _get_mail_template(self):
        """The level's template, else the template of the level's tone."""
        self.ensure_one()
        template = self.level_id.mail_template_id
        if not template:
            template = self.env.ref(
                f"account_relance.mail_template_relance_{self.level_id.tone}",
                raise_if_not_found=False,
            )
        if not template:
            raise UserError(
                self.env._(
                    "No email template for the level %(level)s.",
                    level=self.level_id.display_name,
                )
            )
        return template

    def _get_payment_contact(self):
        """The customer's payment contact when one is set, with the field
        another part of the addon defines on res.partner."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        for fname in ("relance_payment_contact_id", "payment_contact_id"):
            if fname in commercial._fields and commercial[fname]:
                return commercial[fname]
        return self.env["res.partner"]

    def _get_email_recipients(self):
        """Who receives the email: the payment contact, else the contacts of
        the invoices, else the customer; only those with a valid address."""
        self.ensure_one()
        candidates = [
            self._get_payment_contact(),
            self.move_line_ids.move_id.partner_id,
            self.partner_id,
            self.partner_id.commercial_partner_id,
        ]
        for partners in candidates:
            with_email = partners.filtered(lambda p: email_normalize(p.email or ""))
            if with_email:
                return with_email
        return self.env["res.partner"]

    def _get_email_cc(self):
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        if "accountant_email" in commercial._fields:
            return email_normalize(commercial.accountant_email or "") or False
        return False

    def _get_invoice_attachments(self):
        """The PDF of each reminded invoice: the invoice's own stored PDF,
        rendered (once, onto the reminder) only when the invoice has none."""
        self.ensure_one()
        if not self.level_id.attach_invoices:
            return self.env["ir.attachment"]
        attachments = self.env["ir.attachment"]
        invoices = self.move_line_ids.move_id.filtered(lambda m: m.is_invoice())
        for move in invoices:
            existing = move.invoice_pdf_report_id or (
                move.message_main_attachment_id
                if move.message_main_attachment_id.mimetype == "application/pdf"
                else False
            )
            if existing:
                attachments |= existing
                continue
            attachments |= self._render_invoice_pdf(move)
        return attachments

    def _render_invoice_pdf(self, move):
        name = f"{move._get_report_base_filename()}.pdf"
        existing = self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("name", "=", name),
            ],
            limit=1,
        )
        if existing:
            return existing
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", move.ids
        )
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _send_email(self):
        """Post the level's email on the reminder, to the customer's contact,
        the accountant in CC.  Without any address, fall back on a letter."""
        self.ensure_one()
        recipients = self._get_email_recipients()
        if not recipients:
            self.write(
                {
                    "email_state": "fallback",
                    "channel_fallback_reason": self.env._(
                        "%(customer)s has no email address: the reminder goes "
                        "by letter instead.",
                        customer=self.partner_id.display_name,
                    ),
                }
            )
            if not self.letter_state:
                self._queue_letter(registered=self.level_id.channel_registered)
            return
        template = self._get_mail_template()
        cc = self._get_email_cc()
        self.write(
            {
                "email_state": "queued",
                "email_failure_reason": False,
                "email_partner_ids": [fields.Command.set(recipients.ids)],
                "email_cc": cc,
            }
        )
        messages = self.with_context(relance_email_cc=cc).message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipients.ids,
            attachment_ids=self._get_invoice_attachments().ids,
            email_layout_xmlid="mail.mail_notification_light",
        )
        self.email_message_id = messages[:1]
        self._log_on_partner(messages[:1])
        self._sync_email_state()

    def _log_on_partner(self, message):
        """A trace of the email in the customer's chatter."""
        if not message:
            return
        # sudo: credit controllers may not edit customers; only this note,
        # authored by them, is posted in the customer's chatter.
        self.partner_id.commercial_partner_id.sudo().message_post(
            author_id=self.env.user.partner_id.id,
            body=self.env._(
                "Payment reminder %(name)s sent by email: %(subject)s",
                name=self.name,
                subject=message.subject or "",
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _sync_email_state(self):
        """Read the outcome of the reminders' emails from their notifications:
        the email counts as sent once it left for one of its recipients."""
        queued = self.filtered(
            lambda r: r.email_state == "queued" and r.email_message_id
        )
        if not queued:
            return
        by_message = queued._channel_notifications("email_message_id", "email")
        for reminder in queued:
            notifs = by_message[reminder.email_message_id.id].filtered(
                lambda n, r=reminder: n.res_partner_id in r.email_partner_ids
            )
            if not notifs:
                continue
            if any(n.notification_status == "sent" for n in notifs):
                reminder.email_state = "sent"
            elif all(n.notification_status in ("exception", "bounce") for n in notifs):
                reason = notifs[:1].failure_reason or dict(
                    notifs._fields["failure_type"]._description_selection(self.env)
                ).get(notifs[:1].failure_type)
                reminder._email_failed(reason)
            elif all(n.notification_status == "canceled" for n in notifs):
                reminder._email_failed(self.env._("The email was cancelled."))

    def _channel_notifications(self, message_field, notification_type):
        """{message id: its notifications of that type} for the messages the
        reminders sent through one channel, in one search."""
        messages = self[message_field]
        # sudo: the notifications of the reminders' own messages only; a credit
        # controller may not read other users' notifications.
        notifications = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", messages.ids),
                    ("notification_type", "=", notification_type),
                ]
            )
        )
        by_message = {message.id: notifications.browse() for message in messages}
        for notification in notifications:
            by_message[notification.mail_message_id.id] |= notification
        return by_message

    @api.model
    def _on_emails_processed(
        self, mails, success_partner_ids, failure_type, failure_reason
    ):
        """The mail queue processed reminder emails: record the outcome.

        :param mails: ``(mail.message id, recipient partner ids)`` pairs, read
            before the mails were deleted
        """
        # sudo: the mail queue runs as any user; the reminder only records
        # the outcome of its own email.
        reminders = self.sudo().search(
            [
                ("email_message_id", "in", [message_id for message_id, __ in mails]),
                ("email_state", "=", "queued"),
            ]
        )
        for reminder in reminders:
            recipients = set(reminder.email_partner_ids.ids)
            if not any(
                message_id == reminder.email_message_id.id and partner_ids & recipients
                for message_id, partner_ids in mails
            ):
                continue
            if success_partner_ids & recipients:
                reminder.email_state = "sent"
            elif failure_type:
                reminder._email_failed(failure_reason)
        reminders._update_state_from_channels()

    def _email_failed(self, reason):
        self.write(
            {
                "email_state": "error",
                "email_failure_reason": reason
                or self.env._("The email could not be delivered."),
            }
        )

    def _message_receive_bounce(self, email, partner):
        """A bounce of the reminder's email puts the reminder in error."""
        res = super()._message_receive_bounce(email, partner)
        if self.email_state in ("queued", "sent"):
            self._email_failed(
                self.env._(
                    "The email to %(email)s bounced: the address does not "
                    "receive mail.",
                    email=email,
                )
            )
            self._update_state_from_channels()
        return res

    def _notify_by_email_get_final_mail_values(
        self, recipient_ids, mail_values, additional_values=None
    ):
        values = super()._notify_by_email_get_final_mail_values(
            recipient_ids, mail_values, additional_values=additional_values
        )
        cc = self.env.context.get("relance_email_cc")
        if cc and set(recipient_ids) & set(self.email_partner_ids.ids):
            values["email_cc"] = cc
        return values

    def _message_post_after_hook(self, message, msg_vals):
        """Sending from the composer ("Send now") marks the email done, and a
        customer's reply is copied to the customer's chatter."""
        res = super()._message_post_after_hook(message, msg_vals)
        message_type = msg_vals.get("message_type", message.message_type)
        if (
            self.env.context.get("relance_composer_send")
            and message_type == "comment"
            and len(self) == 1
        ):
            self.write(
                {
                    "email_state": "queued",
                    "email_failure_reason": False,
                    "email_partner_ids": [fields.Command.set(message.partner_ids.ids)],
                    "email_message_id": message.id,
                    "last_send_attempt": fields.Datetime.now(),
                }
            )
            self._log_on_partner(message)
            self._sync_email_state()
            self._update_state_from_channels()
        elif message_type == "email" and len(self) == 1:
            # sudo: the reply is copied whoever processes the incoming mail
            self.partner_id.commercial_partner_id.sudo().message_post(
                body=message.body,
                subject=message.subject,
                author_id=message.author_id.id,
                email_from=message.email_from,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachment_ids=message.attachment_ids.ids,
            )
        return res

    # --- SMS -------------------------------------------------------------

    def _get_sms_template(self):
        self.ensure_one()
        template = self.level_id.sms_template_id
        if not template:
            template = self.env.ref(
                f"account_relance.sms_template_relance_{self.level_id.tone}",
                raise_if_not_found=False,
            )
        return template

    def _get_sms_number(self):
        """(E.164 number, None) or (False, reason)."""
        self.ensure_one()
        contact = self._get_payment_contact()
        partners = [contact, self.partner_id, self.partner_id.commercial_partner_id]
        raw, owner = False, self.partner_id
        for partner in partners:
            for fname in ("mobile", "phone"):
                if partner and fname in partner._fields and partner[fname]:
                    raw, owner = partner[fname], partner
                    break
            if raw:
                break
        if not raw:
            return False, self.env._(
                "%(customer)s has no mobile number.",
                customer=self.partner_id.display_name,
            )
        country = (
            owner.country_id
            or self.partner_id.commercial_partner_id.country_id
            or self.company_id.country_id
        )
        number = owner._phone_format(number=raw, country=country, force_format="E164")
        if not number:
            return False, self.env._(
                "The number %(number)s of %(customer)s is not a valid phone number.",
                number=raw,
                customer=owner.display_name,
            )
        return number, None

    def _send_sms(self):
        """Send the level's SMS through Odoo's SMS service."""
        self.ensure_one()
        number, reason = self._get_sms_number()
        template = self._get_sms_template()
        if number and not template:
            reason = self.env._(
                "No SMS template for the level %(level)s.",
                level=self.level_id.display_name,
            )
        if reason:
            self.write({"sms_state": "error", "sms_failure_reason": reason})
            return
        body = template._render_field("body", self.ids, compute_lang=True)[self.id]
        self.write(
            {"sms_state": "queued", "sms_failure_reason": False, "sms_number": number}
        )
        message = self._message_sms(
            body,
            partner_ids=self.partner_id.ids,
            sms_pid_to_number={self.partner_id.id: number},
        )
        self.sms_message_id = message
        self._sync_sms_state()

    def _sync_sms_state(self):
        """Read the SMS outcome from its notification: "pending" (accepted by
        the SMS provider) and "sent" (delivered) count as sent."""
        queued = self.filtered(lambda r: r.sms_state == "queued" and r.sms_message_id)
        if not queued:
            return
        by_message = queued._channel_notifications("sms_message_id", "sms")
        failure_labels = dict(
            self.env["mail.notification"]
            ._fields["failure_type"]
            ._description_selection(self.env)
        )
        sent = self.browse()
        for reminder in queued:
            notifs = by_message[reminder.sms_message_id.id]
            if any(n.notification_status in ("pending", "sent") for n in notifs):
                sent |= reminder
            elif notifs and all(
                n.notification_status in ("exception", "bounce", "canceled")
                for n in notifs
            ):
                failure = notifs[:1]
                reminder.write(
                    {
                        "sms_state": "error",
                        "sms_failure_reason": failure.failure_reason
                        or failure_labels.get(failure.failure_type)
                        or self.env._("The SMS could not be sent."),
                    }
                )
        sent.sms_state = "sent"

    # --- phone -----------------------------------------------------------

    def _send_phone(self):
        """Plan a call activity for the responsible with the call script."""
        self.ensure_one()
        activity = self.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self),
            summary=self.env._(
                "Call %(customer)s about the overdue invoices",
                customer=self.partner_id.display_name,
            ),
            note=self._get_call_script(),
            user_id=(self.user_id or self.env.user).id,
        )
        self.write({"phone_state": "planned", "phone_activity_id": activity.id})

    # --- letter ----------------------------------------------------------

    def _queue_letter(self, registered=False):
        """Queue the reminder for batch printing (a letter or a registered
        letter); the printing marks it printed."""
        self.ensure_one()
        self.write(
            {
                "letter_state": "to_print",
                "letter_registered": registered or self.letter_registered,
            }
        )

    # ------------------------------------------------------------------
    # QUIET DAYS
    # ------------------------------------------------------------------

    @api.model
    def _is_quiet_day(self, company, day=None):
        """Whether ``day`` (default: today) is not a working day of the
        company: outside its working schedule or a public holiday."""
        calendar = company.resource_calendar_id
        if not calendar:
            return False
        day = day or fields.Date.context_today(self)
        start = datetime.combine(day, time.min)
        end = datetime.combine(day, time.max)
        unusual = calendar._get_unusual_days(start, end, company_id=company)
        return unusual.get(fields.Date.to_string(day), False)

    @api.model
    def _next_working_day(self, company, day=None):
        day = day or fields.Date.context_today(self)
        for offset in range(60):
            candidate = day + timedelta(days=offset)
            if not self._is_quiet_day(company, candidate):
                return candidate
        return day

    # ------------------------------------------------------------------
    # TEMPLATE HELPERS
    # ------------------------------------------------------------------

    def _get_email_lines(self):
        """One dict per reminded invoice, for the email and SMS templates."""
        self.ensure_one()
        today = self.date or fields.Date.context_today(self)
        lines = []
        for aml in self.move_line_ids.sorted(
            lambda line: (line.date_maturity or today)
        ):
            move = aml.move_id
            due = aml.date_maturity or move.invoice_date_due or move.date
            pay_url = False
            if move.is_invoice() and move.access_url and move.access_url != "#":
                pay_url = move.get_base_url() + move.get_portal_url()
            lines.append(
                {
                    "name": move.name,
                    "date": move.invoice_date or move.date,
                    "date_due": due,
                    "residual": abs(aml.amount_residual_currency),
                    "currency": aml.currency_id or self.currency_id,
                    "days_late": max((today - due).days, 0) if due else 0,
                    "pay_url": pay_url,
                }
            )
        return lines

    # ------------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------------

    def _get_due_reminder_domain(self):
        """Reminders the daily job sends or retries: automatic levels, to send
        or in error, not yet tried today, of companies at work today."""
        today_start = datetime.combine(fields.Date.context_today(self), time.min)
        domain = Domain(
            [
                ("state", "in", ("to_send", "error")),
                ("level_id.auto_send", "=", True),
                "|",
                ("last_send_attempt", "=", False),
                ("last_send_attempt", "<", today_start),
            ]
        )
        groups = self._read_group(domain, ["company_id"])
        quiet = [company.id for (company,) in groups if self._is_quiet_day(company)]
        if quiet:
            domain &= Domain("company_id", "not in", quiet)
        return domain

    @api.model
    def _cron_send_reminders(self, batch_size=100):
        """Daily: send the reminders of automatic levels, retry errors, read
        the outcome of queued emails and SMS, send thank-you emails."""
        waiting = self.search(
            [
                ("state", "=", "to_send"),
                "|",
                ("email_state", "=", "queued"),
                ("sms_state", "=", "queued"),
            ]
        )
        waiting._sync_email_state()
        waiting._sync_sms_state()
        waiting._update_state_from_channels()
        self.env["account.move"]._relance_send_thank_you_pending()

        domain = self._get_due_reminder_domain()
        cron = self.env["ir.cron"]
        while True:
            batch = self.search(domain, limit=batch_size)
            if not batch:
                break
            remaining = (
                len(batch) if len(batch) < batch_size else self.search_count(domain)
            )
            cron._commit_progress(remaining=remaining)
            batch._send_reminders()
            # a reminder skipped by _send_reminders must still leave the domain
            batch.filtered(
                lambda r: not r.last_send_attempt
            ).last_send_attempt = fields.Datetime.now()
            if not cron._commit_progress(len(batch)):
                break

"""Sending reminders, as ``account.move.send`` sends invoices: one service
hands each reminder to the channels of its level (email, SMS, phone call,
letter), each channel does its one job and records its outcome on the
reminder, and the reminder derives its state from those outcomes
(``relance.reminder._update_state_from_channels``).  A new channel changes
neither the decision nor the other channels."""

import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import (
    SQL,
    email_normalize,
    split_every,
)

_logger = logging.getLogger(__name__)

LETTER_REPORT = "account_relance.report_relance_reminder"
# A reminder in error is retried by the daily job 1, 2, then 4 days after
# each failed attempt; after the fourth attempt (or once the customer's
# address refused the email) only a Retry by hand sends it again.
RETRY_DELAYS_DAYS = (1, 2, 4)
MAX_SEND_ATTEMPTS = len(RETRY_DELAYS_DAYS) + 1
# failures of the customer's address: retrying the same address is useless
ADDRESS_FAILURES = ("mail_email_invalid", "mail_email_missing", "mail_bounce")


class RelanceReminderSend(models.AbstractModel):
    _name = "relance.reminder.send"
    _description = "Payment Reminder Sending"

    # ------------------------------------------------------------------
    # ENTRY POINTS
    # ------------------------------------------------------------------

    @api.model
    def _send_reminders(self, reminders):
        """Send each reminder through the channels of its level.

        The one entry point of sending: the daily job calls it for the levels
        sent automatically, the "Send Now" and "Retry" buttons for the others.
        Channels already done are not sent twice, so calling it again retries
        only what failed.  A reminder is "sent" only once what it sends has
        left; automatic sending waits for the company's next working day.
        """
        reminders = self._claim(
            reminders.filtered(lambda r: r.state in ("draft", "to_send", "error"))
        )
        # what was paid, cancelled, disputed or promised since is not chased
        reminders = self._recheck_items(reminders)
        if self._is_automatic_send():
            auto = reminders.filtered(lambda r: r.level_id.auto_send)
            quiet_companies = auto.company_id.filtered(self._is_quiet_day)
            quiet = auto.filtered(lambda r: r.company_id in quiet_companies)
            quiet.filtered(lambda r: r.state == "draft").state = "to_send"
            reminders -= quiet
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        for count, group in reminders.grouped("send_attempt_count").items():
            delay = RETRY_DELAYS_DAYS[min(count, len(RETRY_DELAYS_DAYS) - 1)]
            group.write(
                {
                    "last_send_attempt": now,
                    "send_attempt_count": count + 1,
                    "next_retry_date": today + timedelta(days=delay),
                    "error_message": False,
                    "channel_failure_reason": False,
                }
            )
        # emails and SMS in batches, the other channels reminder by reminder
        channels = {
            reminder: self._get_channels_to_send(reminder) for reminder in reminders
        }
        for channel in ("email", "sms"):
            batch = reminders.filtered(lambda r, c=channel: c in channels[r])
            if batch:
                self._send_channel_batch(channel, batch)
        for reminder in reminders:
            self._send_channels(
                reminder,
                [c for c in channels[reminder] if c not in ("email", "sms")],
            )
        reminders._update_state_from_channels()
        return reminders

    @api.model
    def _recheck_items(self, reminders):
        """Read the reminders' items again, as they are now, and leave out
        those that must no longer be chased: paid (or in payment),
        cancelled, disputed, paused by a promise to pay, or flagged *No
        Follow-Up* since the reminder was made.  One query for the batch.

        A line left out stays on the reminder with its reason (``left_out``)
        and gives its item no level; the amount due follows the items still
        chased, at their residual of now.  A reminder left with nothing to
        chase cancels itself and says why (``cancel_reason``, and its
        chatter).  Called when a reminder goes out, is confirmed or is
        retried.

        :return: the reminders that still chase something
        """
        reminders = reminders.filtered(
            lambda r: r.state in ("draft", "to_send", "error")
        )
        if not reminders:
            return reminders
        Line = self.env["relance.reminder.line"]
        Line.flush_model(["reminder_id", "move_line_id", "left_out"])
        self.env["account.move.line"].flush_model(
            ["parent_state", "reconciled", "amount_residual_currency", "no_followup"]
        )
        self.env["account.move"].flush_model(
            ["payment_state", "dispute_state", "relance_paused_until"]
        )
        self.env["account.payment"].flush_model(
            ["move_id", "state", "amount", "currency_id", "invoice_ids"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.id, line.amount_residual::float,
                       (aml.amount_residual_currency
                        - COALESCE(registered.covered, 0))::float,
                       CASE
                           WHEN aml.parent_state != 'posted' THEN 'cancelled'
                           WHEN aml.reconciled OR aml.amount_residual_currency = 0
                                -- a payment registered without journal entry
                                -- leaves out only what it covers
                                OR (move.payment_state IN ('in_payment', 'paid')
                                    AND (registered.covered IS NULL
                                         OR registered.covered
                                            >= aml.amount_residual_currency))
                               THEN 'paid'
                           WHEN move.dispute_state = 'open' THEN 'disputed'
                           WHEN move.relance_paused_until >= %(today)s
                               THEN 'promised'
                           WHEN aml.no_followup THEN 'no_followup'
                       END
                  FROM relance_reminder_line line
                  JOIN account_move_line aml ON aml.id = line.move_line_id
                  JOIN account_move move ON move.id = aml.move_id
             LEFT JOIN (%(registered)s) AS registered
                    ON registered.move_line_id = aml.id
                 WHERE line.reminder_id = ANY(%(ids)s)
                   AND line.left_out IS NULL
                """,
                ids=reminders.ids,
                registered=self.env["account.move.line"]._relance_registered_sql(
                    SQL(
                        "SELECT move_line_id FROM relance_reminder_line"
                        " WHERE reminder_id = ANY(%s)",
                        reminders.ids,
                    )
                ),
                today=fields.Date.context_today(self),
            )
        )
        left_out = defaultdict(list)
        changed = {}
        for line_id, listed, residual, reason in rows:
            if reason:
                left_out[reason].append(line_id)
            elif abs(listed - residual) > 1e-9:
                changed[line_id] = residual
        if not left_out and not changed:
            return reminders
        # sudo: what a reminder chases is the sending service's to update:
        # its lines are read only for every group, and the amount of a
        # reviewed reminder is frozen for users (relance.reminder._check_frozen);
        # these are reminders this transaction claimed
        Line = Line.sudo()
        for reason, line_ids in left_out.items():
            Line.browse(line_ids).write({"left_out": reason, "level_id": False})
        for line_id, residual in changed.items():
            Line.browse(line_id).amount_residual = residual
        new_left = {line_id for ids in left_out.values() for line_id in ids}
        touched = Line.browse(list(new_left) + list(changed)).reminder_id
        labels = dict(Line._fields["left_out"]._description_selection(self.env))
        nothing_left = touched.browse()
        for reminder in touched.with_env(self.env):
            kept = reminder.line_ids.filtered(lambda line: not line.left_out)
            reminder.sudo().amount_due = reminder.currency_id.round(
                sum(kept.mapped("amount_residual"))
            )
            dropped = reminder.line_ids.filtered(lambda line: line.id in new_left)
            why = ", ".join(
                f"{line.move_line_id.move_name} ({labels[line.left_out].lower()})"
                for line in dropped
            )
            if not kept.filtered(lambda line: line.amount_residual > 0):
                nothing_left |= reminder
                reason = self.env._(
                    "Nothing left to chase: %(items)s. The reminder was "
                    "cancelled before it went out.",
                    items=why,
                )
                reminder.write({"state": "cancel", "cancel_reason": reason})
                reminder.message_post(body=reason, subtype_xmlid="mail.mt_note")
            elif dropped:
                reminder.message_post(
                    body=self.env._(
                        "Left out of the reminder before it went out: %(items)s.",
                        items=why,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return reminders - nothing_left

    @api.model
    def _claim(self, reminders, raise_if_busy=False, limit=None):
        """The reminders this transaction may send or update, each locked
        until the commit (``FOR NO KEY UPDATE SKIP LOCKED``): two senders
        (two workers of the daily job, a user's button and the job) never
        send the same reminder.  A reminder another transaction is sending
        is left out (or, with ``raise_if_busy``, refused with a clear
        message); with ``limit``, the first ones that are free.  One that
        another transaction changed and committed since this one started
        raises PostgreSQL's serialization failure, which is not caught: Odoo
        retries the request, the job runs again, on fresh data."""
        claimed = reminders.try_lock_for_update(allow_referencing=True, limit=limit)
        # what another sender committed before the lock: read it again
        claimed.invalidate_recordset()
        busy = reminders - claimed if limit is None else reminders.browse()
        if busy and raise_if_busy:
            raise UserError(
                self.env._(
                    "%(reminders)s: being sent by another user or by the "
                    "daily job right now. Try again in a moment.",
                    reminders=", ".join(busy.mapped("name")),
                )
            )
        return claimed

    @api.model
    def _cron_send_reminders(self, batch_size=100, helper=False):
        """Daily: send the reminders of automatic levels, retry errors, read
        the outcome of queued emails and SMS, send thank-you emails.  Each
        batch is claimed (``_claim``): two workers running the job at once
        share the reminders, never send one twice.

        Odoo runs one job in one cron worker at a time: with more than one
        batch to send, this job triggers the helper jobs (``helper=True``,
        the *second worker* scheduled action and its copies), which only
        send, so that the other cron workers share the day's sending."""
        Reminder = self.env["relance.reminder"]
        if helper:
            self._send_due_reminders(batch_size)
            return
        waiting = self._claim(
            Reminder.search(
                [
                    ("state", "=", "to_send"),
                    "|",
                    ("email_state", "=", "queued"),
                    ("sms_state", "=", "queued"),
                ]
            )
        )
        self._sync_email_state(waiting)
        self._sync_sms_state(waiting)
        waiting._update_state_from_channels()
        self.env["account.move"]._relance_send_thank_you_pending()

        if Reminder.search_count(self._get_due_reminder_domain()) > batch_size:
            self._get_helper_crons()._trigger()
        self._send_due_reminders(batch_size)

    @api.model
    def _get_helper_crons(self):
        """The scheduled actions that help this job send (``helper=True``)."""
        # sudo: the daily job's own scheduled actions, whoever runs it
        return (
            self.env["ir.cron"]
            .sudo()
            .search([("code", "=like", "%_cron_send_reminders(helper=True)%")])
        )

    @api.model
    def _send_due_reminders(self, batch_size):
        """Send the due reminders batch by batch, each batch claimed and
        committed: several workers running this at once each take the
        first reminders no other holds."""
        Reminder = self.env["relance.reminder"]
        domain = self._get_due_reminder_domain()
        cron = self.env["ir.cron"]
        while True:
            due = Reminder.search(domain)
            if not due:
                break
            # the commit gives the claim a fresh snapshot
            cron._commit_progress(remaining=len(due))
            # the first reminders no other worker holds
            try:
                with self.env.cr.savepoint():
                    batch = self._claim(due, limit=batch_size)
            except psycopg2.errors.SerializationFailure:
                # another worker sent some of them since the search: read
                # the due reminders again, on a fresh snapshot
                cron._commit_progress()
                continue
            if not batch:
                break
            self._send_reminders(batch)
            # a reminder skipped by _send_reminders must still leave the domain
            batch.filtered(
                lambda r: not r.last_send_attempt
            ).last_send_attempt = fields.Datetime.now()
            if not cron._commit_progress(len(batch)):
                break

    # ------------------------------------------------------------------
    # CHANNELS
    # ------------------------------------------------------------------

    @api.model
    def _get_channels_to_send(self, reminder):
        """The channels of the reminder's level that are not done yet: never
        tried, failed, or skipped (a retry may find the number fixed)."""
        channels = []
        for channel in reminder.level_id._get_channels():
            if channel == "email" and reminder.email_state in (False, "error"):
                channels.append("email")
            elif channel == "sms" and reminder.sms_state in (False, "error", "skipped"):
                channels.append("sms")
            elif channel == "phone" and not reminder.phone_state:
                channels.append("phone")
            elif channel == "letter" and not reminder.letter_state:
                channels.append("letter")
        return channels

    @api.model
    def _send_channel_batch(self, channel, reminders):
        """Hand a batch of reminders to one channel (``_send_emails``,
        ``_send_sms_batch``) at once.  A failure of the batch (a template
        that does not render for one customer) is retried reminder by
        reminder, so that it fails only the reminders it concerns."""
        try:
            with self.env.cr.savepoint():
                getattr(self, f"_send_{channel}_batch")(reminders)
        except UserError:
            for reminder in reminders:
                self._send_channels(reminder, [channel])

    @api.model
    def _send_channels(self, reminder, channels=None):
        """Hand the reminder to each channel of its level not done yet.  A
        channel that fails records its error and does not stop the others."""
        if channels is None:
            channels = self._get_channels_to_send(reminder)
        for channel in channels:
            try:
                with self.env.cr.savepoint():
                    getattr(self, f"_send_{channel}")(reminder)
            except UserError as error:
                self._channel_failed(reminder, channel, error.args[0])

    @api.model
    def _channel_failed(self, reminder, channel, reason):
        if channel == "email":
            reminder._email_failed(reason)
        elif channel == "sms":
            reminder.write({"sms_state": "error", "sms_failure_reason": reason})
        else:
            reminder.channel_failure_reason = reason

    @api.model
    def _is_automatic_send(self):
        """Sending by a scheduled job (the daily jobs) rather than by a user:
        only automatic sending waits for the next working day."""
        ctx = self.env.context
        return bool(ctx.get("cron_id") or ctx.get("relance_automatic_send"))

    # --- email -----------------------------------------------------------

    @api.model
    def _send_email(self, reminder):
        """Post the level's email on the reminder, to the customer's contact,
        the accountant in CC.  Without any address, fall back on a letter."""
        recipients = self._get_email_recipients(reminder)
        if not recipients:
            reminder.write(
                {
                    "email_state": "fallback",
                    "channel_fallback_reason": self.env._(
                        "%(customer)s has no email address: the reminder goes "
                        "by letter instead.",
                        customer=reminder.partner_id.display_name,
                    ),
                }
            )
            if not reminder.letter_state:
                self._send_letter(
                    reminder, registered=reminder.level_id.channel_registered
                )
            return
        template = self._get_mail_template(reminder)
        cc = self._get_email_cc(reminder)
        reminder.write(
            {
                "email_state": "queued",
                "email_failure_reason": False,
                "email_partner_ids": [fields.Command.set(recipients.ids)],
                "email_cc": cc,
            }
        )
        author = self._get_author(reminder)
        # the template's sender, said explicitly: given the author alone, the
        # composer would not render it
        email_from = (
            template.email_from
            and template._render_field("email_from", reminder.ids)[reminder.id]
        ) or author.email_formatted
        messages = reminder.with_context(relance_email_cc=cc).message_post_with_source(
            template,
            author_id=author.id,
            email_from=email_from,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=recipients.ids,
            attachment_ids=self._get_invoice_attachments(reminder).ids,
            email_layout_xmlid="mail.mail_notification_light",
        )
        reminder.email_message_id = messages[:1]
        self._log_on_partner(reminder, messages[:1])
        self._sync_email_state(reminder)

    @api.model
    def _send_email_batch(self, reminders):
        """Post the emails of a batch of reminders at once: the same emails
        as ``_send_email`` sends one by one (template, recipients, author,
        CC, attachments, layout, followers), rendered and created for the
        whole batch (one rendering of the template per language, one
        creation of the messages, of the emails and of their
        notifications).  Reminders without an address, and templates that
        add recipients or attachments of their own, go one by one."""
        # what the recipients and the template read of each reminder's
        # items, read at once
        reminders.line_ids.move_line_id.move_id.mapped("partner_id")
        post = self.env["relance.reminder.post"]
        one_by_one = reminders.browse()
        by_template = defaultdict(lambda: reminders.browse())
        recipients = {}
        templates = {}
        for reminder in reminders:
            recipients[reminder] = self._get_email_recipients(reminder)
            if reminder.level_id not in templates:
                templates[reminder.level_id] = self._get_mail_template(reminder)
            template = templates[reminder.level_id]
            if not recipients[reminder] or not post._is_batch_template(template):
                one_by_one |= reminder
            else:
                by_template[template] |= reminder
        for reminder in one_by_one:
            self._send_email(reminder)
        for template, batch in by_template.items():
            post._post_emails(template, batch, recipients)

    @api.model
    def _get_author(self, reminder):
        """Who a reminder's messages come from: its credit controller, else
        the company (never OdooBot, who runs the daily job)."""
        return reminder.user_id.partner_id or reminder.company_id.partner_id

    @api.model
    def _get_caller(self):
        """The user a call without a credit controller goes to: whoever sends,
        unless it is the daily job (OdooBot), then the company's default."""
        if not self.env.user._is_superuser():
            return self.env.user
        return self.env.company.relance_user_id

    @api.model
    def _get_mail_template(self, reminder):
        """The level's template, else the template of the level's tone."""
        level = reminder.level_id
        template = level.mail_template_id or self.env.ref(
            f"account_relance.mail_template_relance_{level.tone}",
            raise_if_not_found=False,
        )
        if not template:
            raise UserError(
                self.env._(
                    "No email template for the level %(level)s.",
                    level=level.display_name,
                )
            )
        return template

    @api.model
    def _get_email_recipients(self, reminder):
        """Who receives the email: the payment contact, else the contacts of
        the invoices, else the customer; only those with a valid address."""
        commercial = reminder.partner_id.commercial_partner_id
        candidates = [
            commercial.relance_payment_contact_id,
            reminder.move_line_ids.move_id.partner_id,
            reminder.partner_id,
            commercial,
        ]
        for partners in candidates:
            with_email = partners.filtered(lambda p: email_normalize(p.email or ""))
            if with_email:
                return with_email
        return self.env["res.partner"]

    @api.model
    def _get_email_cc(self, reminder):
        commercial = reminder.partner_id.commercial_partner_id
        return email_normalize(commercial.accountant_email or "") or False

    @api.model
    def _get_invoice_attachments(self, reminder):
        """The PDF of each reminded invoice: the invoice's own stored PDF,
        rendered (once, onto the reminder) only when the invoice has none."""
        if not reminder.level_id.attach_invoices:
            return self.env["ir.attachment"]
        attachments = self.env["ir.attachment"]
        invoices = reminder.move_line_ids.move_id.filtered(lambda m: m.is_invoice())
        for move in invoices:
            existing = move.invoice_pdf_report_id or (
                move.message_main_attachment_id
                if move.message_main_attachment_id.mimetype == "application/pdf"
                else False
            )
            attachments |= existing or self._render_invoice_pdf(reminder, move)
        return attachments

    @api.model
    def _render_invoice_pdf(self, reminder, move):
        name = f"{move._get_report_base_filename()}.pdf"
        existing = self.env["ir.attachment"].search(
            [
                ("res_model", "=", reminder._name),
                ("res_id", "=", reminder.id),
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
                "res_model": reminder._name,
                "res_id": reminder.id,
            }
        )

    @api.model
    def _log_on_partner(self, reminder, message):
        """A trace of the email in the customer's chatter, once its outcome
        is known: sent when it left our mail server, not delivered (and
        why) when it failed.  An email still in the queue is not logged:
        the note never says "sent" for an email that may still fail
        (``relance.reminder.write`` calls this again when it leaves)."""
        if not message or reminder.email_state not in ("sent", "error"):
            return
        recipients = ", ".join(
            reminder.email_partner_ids.mapped("email_formatted")
        ) or self.env._("the customer")
        if reminder.email_state == "sent":
            body = self.env._(
                "Payment reminder %(name)s sent by email to %(recipients)s: "
                "%(subject)s",
                name=reminder.name,
                recipients=recipients,
                subject=message.subject or "",
            )
        else:
            body = self.env._(
                "Payment reminder %(name)s: the email to %(recipients)s was not "
                "delivered. %(reason)s",
                name=reminder.name,
                recipients=recipients,
                reason=reminder.email_failure_reason or "",
            )
        # sudo: credit controllers may not edit customers; only this note,
        # authored by them, is posted in the customer's chatter.
        reminder.partner_id.commercial_partner_id.sudo().message_post(
            author_id=self._get_author(reminder).id,
            body=body,
            subtype_xmlid="mail.mt_note",
        )

    @api.model
    def _get_email_failure_reason(self, reminder, failure_type, failure_reason):
        """Why an email failed, saying whose it is: our outgoing mail server
        (connection, sender address, spam filter) or the customer's address
        (invalid, missing, bounced), with Odoo's technical detail."""
        detail = failure_reason or dict(
            self.env["mail.notification"]
            ._fields["failure_type"]
            ._description_selection(self.env)
        ).get(failure_type, "")
        emails = ", ".join(reminder.email_partner_ids.mapped("email")) or "-"
        if failure_type in ADDRESS_FAILURES:
            return self.env._(
                "The customer's address %(emails)s did not accept the email "
                "(%(detail)s): correct the address on the customer, then retry.",
                emails=emails,
                detail=detail,
            )
        if failure_type in (
            "mail_smtp",
            "mail_from_invalid",
            "mail_from_missing",
            "mail_spam",
            "unknown",
        ):
            return self.env._(
                "Our outgoing mail server did not send the email (%(detail)s); "
                "the customer's address %(emails)s is not in question. Check "
                "the outgoing mail server (Settings > Technical > Outgoing "
                "Mail Servers), then retry.",
                emails=emails,
                detail=detail,
            )
        return detail

    @api.model
    def _sync_email_state(self, reminders):
        """Read the outcome of the reminders' emails from their notifications:
        the email counts as sent once it left for one of its recipients."""
        queued = reminders.filtered(
            lambda r: r.email_state == "queued" and r.email_message_id
        )
        if not queued:
            return
        by_message = self._channel_notifications(queued, "email_message_id", "email")
        for reminder in queued:
            notifs = by_message[reminder.email_message_id.id].filtered(
                lambda n, r=reminder: n.res_partner_id in r.email_partner_ids
            )
            if not notifs:
                continue
            if any(n.notification_status == "sent" for n in notifs):
                reminder.email_state = "sent"
            elif all(n.notification_status in ("exception", "bounce") for n in notifs):
                reminder._email_failed(
                    self._get_email_failure_reason(
                        reminder, notifs[:1].failure_type, notifs[:1].failure_reason
                    ),
                    bounced=any(
                        n.notification_status == "bounce"
                        or n.failure_type in ADDRESS_FAILURES
                        for n in notifs
                    ),
                )
            elif all(n.notification_status == "canceled" for n in notifs):
                reminder._email_failed(self.env._("The email was cancelled."))

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
        reminders = (
            self.env["relance.reminder"]
            .sudo()
            .search(
                [
                    (
                        "email_message_id",
                        "in",
                        [message_id for message_id, __ in mails],
                    ),
                    ("email_state", "=", "queued"),
                ]
            )
        )
        reminders = self._claim_outcome(reminders)
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
                reminder._email_failed(
                    self._get_email_failure_reason(
                        reminder, failure_type, failure_reason
                    ),
                    bounced=failure_type in ADDRESS_FAILURES,
                )
        reminders._update_state_from_channels()

    @api.model
    def _channel_notifications(self, reminders, message_field, notification_type):
        """{message id: its notifications of that type} for the messages the
        reminders sent through one channel, in one search."""
        messages = reminders[message_field]
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

    # --- SMS -------------------------------------------------------------

    @api.model
    def _send_sms(self, reminder):
        """Queue the level's SMS in Odoo's SMS queue (``sms.sms``).

        The SMS leaves only once the transaction has committed, when the
        queue's scheduled action sends it (its creation triggers it): a
        transaction rolled back, a batch retried customer by customer or a
        request retried after a serialization failure sends nothing twice.
        The reminder records the outcome when the queue has sent it
        (``models/sms_sms.py``)."""
        number, reason = self._get_sms_number(reminder)
        template = self._get_sms_template(reminder)
        if number and not template:
            reason = self.env._(
                "No SMS template for the level %(level)s.",
                level=reminder.level_id.display_name,
            )
        if reason:
            # an optional SMS is skipped: the other channels carry the reminder
            required = reminder.level_id._is_channel_required("sms")
            reminder.write(
                {
                    "sms_state": "error" if required else "skipped",
                    "sms_failure_reason": reason,
                }
            )
            return
        body = template._render_field("body", reminder.ids, compute_lang=True)[
            reminder.id
        ]
        reminder.write(
            {"sms_state": "queued", "sms_failure_reason": False, "sms_number": number}
        )
        message = reminder._message_sms(
            body,
            author_id=self._get_author(reminder).id,
            partner_ids=reminder.partner_id.ids,
            sms_pid_to_number={reminder.partner_id.id: number},
            put_in_queue=True,
        )
        reminder.sms_message_id = message
        self._sync_sms_state(reminder)

    @api.model
    def _send_sms_batch(self, reminders):
        """Queue the SMS of a batch of reminders at once: the same SMS as
        ``_send_sms`` queues one by one (template, number, author, message
        in the reminder's chatter), rendered per language for the batch,
        messages, ``sms.sms`` and notifications each created at once.  They
        leave after the commit, through Odoo's SMS queue."""
        queued = {}
        by_template = defaultdict(lambda: reminders.browse())
        for reminder in reminders:
            number, reason = self._get_sms_number(reminder)
            template = self._get_sms_template(reminder)
            if number and template:
                queued[reminder] = number
                by_template[template] |= reminder
            else:
                self._send_sms(reminder)  # skipped or failed, with its reason
        post = self.env["relance.reminder.post"]
        for template, batch in by_template.items():
            post._post_sms(template, batch, queued)

    @api.model
    def _on_sms_processed(self, messages):
        """Odoo's SMS queue sent (or failed) the SMS of these messages:
        record the outcome on their reminders."""
        # sudo: the SMS queue runs as OdooBot or as any user; the reminder
        # only records the outcome of its own SMS.
        reminders = (
            self.env["relance.reminder"]
            .sudo()
            .search(
                [("sms_message_id", "in", messages.ids), ("sms_state", "=", "queued")]
            )
        )
        reminders = self._claim_outcome(reminders)
        self._sync_sms_state(reminders)
        reminders._update_state_from_channels()

    @api.model
    def _claim_outcome(self, reminders):
        """The reminders the mail or SMS queue may record an outcome on now.

        The queue has already handed its emails to the SMTP server: failing
        its transaction here would send them again.  A reminder another
        transaction holds or changed meanwhile is left as it is; the daily
        job reads its outcome from the notifications later
        (``_sync_email_state``, ``_sync_sms_state``)."""
        try:
            with self.env.cr.savepoint():
                return self._claim(reminders)
        except psycopg2.errors.SerializationFailure:
            _logger.info(
                "Reminders %s changed meanwhile: their outcome is read later",
                reminders.ids,
            )
            return reminders.browse()

    @api.model
    def _get_sms_template(self, reminder):
        level = reminder.level_id
        return level.sms_template_id or self.env.ref(
            f"account_relance.sms_template_relance_{level.tone}",
            raise_if_not_found=False,
        )

    @api.model
    def _get_sms_number(self, reminder):
        """(E.164 number, None) or (False, reason)."""
        partner = reminder.partner_id
        commercial = partner.commercial_partner_id
        raw, owner = False, partner
        for candidate in (commercial.relance_payment_contact_id, partner, commercial):
            if candidate.phone:
                raw, owner = candidate.phone, candidate
                break
        if not raw:
            return False, self.env._(
                "%(customer)s has no mobile number.", customer=partner.display_name
            )
        country = (
            owner.country_id or commercial.country_id or reminder.company_id.country_id
        )
        number = owner._phone_format(number=raw, country=country, force_format="E164")
        if not number:
            return False, self.env._(
                "The number %(number)s of %(customer)s is not a valid phone number.",
                number=raw,
                customer=owner.display_name,
            )
        return number, None

    @api.model
    def _sync_sms_state(self, reminders):
        """Read the SMS outcome from its notification: "pending" (accepted by
        the SMS provider) and "sent" (delivered) count as sent."""
        queued = reminders.filtered(
            lambda r: r.sms_state == "queued" and r.sms_message_id
        )
        if not queued:
            return
        by_message = self._channel_notifications(queued, "sms_message_id", "sms")
        failure_labels = dict(
            self.env["mail.notification"]
            ._fields["failure_type"]
            ._description_selection(self.env)
        )
        sent = queued.browse()
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

    @api.model
    def _send_phone(self, reminder):
        """Plan a call activity for the responsible with the call script."""
        activity = reminder.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(reminder),
            summary=self.env._(
                "Call %(customer)s about the overdue invoices",
                customer=reminder.partner_id.display_name,
            ),
            note=self._get_call_script(reminder),
            user_id=(reminder.user_id or self._get_caller()).id,
        )
        reminder.write({"phone_state": "planned", "phone_activity_id": activity.id})

    # --- letter ----------------------------------------------------------

    @api.model
    def _send_letter(self, reminder, registered=None):
        """Queue the reminder for batch printing (a letter or a registered
        letter); the printing marks it printed."""
        if registered is None:
            registered = reminder.level_id.channel_registered
        reminder.write(
            {
                "letter_state": "to_print",
                "letter_registered": registered or reminder.letter_registered,
            }
        )

    @api.model
    def _get_print_refusal(self, reminder):
        """Why the letter of ``reminder`` cannot be printed, or ""."""
        if reminder.state == "cancel":
            return self.env._(
                "%(reminder)s is cancelled: its letter is not printed.",
                reminder=reminder.name,
            )
        if reminder.state == "draft":
            return self.env._(
                "%(reminder)s is to review: confirm it before printing its letter.",
                reminder=reminder.name,
            )
        missing = reminder.partner_id._relance_missing_address()
        if missing:
            return self.env._(
                "%(reminder)s: the customer %(partner)s has no complete postal "
                "address (missing: %(missing)s); the letter was not printed.",
                reminder=reminder.name,
                partner=reminder.partner_id.display_name,
                missing=", ".join(missing),
            )
        return ""

    @api.model
    def _print_letters(self, reminders, chunk_size=25):
        """Print the letters of these reminders into one PDF, in their order.

        Letters are rendered by chunks, each chunk one wkhtmltopdf call, one
        call per core at a time (see
        ``ir.actions.report._relance_render_letter_chunks``), and each letter is
        kept as an attachment of its reminder: a reminder printed before
        reprints its stored letter.  Cancelled reminders, reminders still to
        review and customers without a postal address are refused (the
        address is also named in the reminder's error).  A reminder that
        sends a letter has its letter channel done; its state follows its
        channels, so an email that failed is still to retry.

        :return: ``(pdf bytes or False, printed reminders, refused reminders)``
        """
        refused = reminders.browse()
        for reminder in reminders:
            reason = self._get_print_refusal(reminder)
            if reason:
                refused |= reminder
                if reminder.state not in ("draft", "cancel"):
                    reminder.error_message = reason
        printable = reminders - refused
        if not printable:
            return False, printable, refused
        report_model = self.env["ir.actions.report"]
        report = report_model._get_report(LETTER_REPORT)
        # every chunk at once, one wkhtmltopdf process per core; a chunk
        # printed whole goes into the PDF whole (its fonts once, not per letter)
        chunks = [
            reminders.browse(chunk_ids)
            for chunk_ids in split_every(chunk_size, printable.ids)
        ]
        to_render = printable.filtered(lambda r: not r.letter_attachment_id)
        letters, rendered = report_model._relance_render_letter_chunks(
            report,
            [
                chunk.filtered(lambda r: not r.letter_attachment_id).ids
                for chunk in chunks
            ],
            with_chunks=True,
        )
        rendered = iter(rendered)
        if to_render:
            attachments = self.env["ir.attachment"].create(
                [
                    {
                        "name": reminder._get_letter_filename(),
                        "raw": letters[reminder.id],
                        "mimetype": "application/pdf",
                        "res_model": reminder._name,
                        "res_id": reminder.id,
                    }
                    for reminder in to_render
                ]
            )
            for reminder, attachment in zip(to_render, attachments, strict=True):
                reminder.letter_attachment_id = attachment
        pdfs = []
        for chunk in chunks:
            fresh = chunk.filtered(lambda r: r.id in letters)
            whole = next(rendered) if fresh else None
            if fresh == chunk:
                pdfs.append(whole)
            else:
                pdfs += [
                    letters.get(reminder.id) or reminder.letter_attachment_id.raw
                    for reminder in chunk
                ]
        letters_sent = printable.filtered(
            lambda r: r.letter_state == "to_print"
            or (not r.letter_state and "letter" in r.level_id._get_channels())
        )
        letters_sent.write(
            {"letter_state": "printed", "letter_printed_date": fields.Datetime.now()}
        )
        printable._update_state_from_channels()
        return report_model._relance_merge_pdfs(pdfs), printable, refused

    @api.model
    def _get_call_script(self, reminder):
        """The phone call script of a reminder, as HTML: who validates the
        payment, what exactly is owed, when and how the customer was
        reminded, why it is unpaid, and how and when they will pay."""
        return self.env["ir.qweb"]._render(
            "account_relance.relance_call_script",
            self._get_call_script_values(reminder),
        )

    @api.model
    def _get_call_script_values(self, reminder):
        partner = reminder.partner_id.commercial_partner_id
        company = reminder.company_id
        today = fields.Date.context_today(reminder)
        previous = self.env["relance.reminder"].search(
            [
                ("partner_id", "=", reminder.partner_id.id),
                ("company_id", "=", company.id),
                ("state", "in", ("sent", "printed")),
                ("id", "!=", reminder.id or 0),
            ],
            limit=5,
        )
        promises = self.env["relance.promise"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "in", ("open", "broken")),
            ],
            limit=5,
        )
        disputes = self.env["relance.dispute"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "=", "open"),
            ]
        )
        return {
            "reminder": reminder,
            "partner": partner,
            "contact": partner._relance_get_payment_contact(),
            "partner_company": partner.with_company(company),
            "lines": reminder.move_line_ids.sorted(
                lambda line: (line.date_maturity or today)
            ),
            "today": today,
            "previous_reminders": previous,
            "promises": promises,
            "disputes": disputes,
        }

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

    @api.model
    def _get_due_reminder_domain(self):
        """Reminders the daily job sends or retries: automatic levels, not
        yet tried today, of companies at work today; to send, or in error
        once their retry date has come (``RETRY_DELAYS_DAYS``) and while
        retries are not stopped (``retry_stop``: the customer's address
        refused the email, or ``MAX_SEND_ATTEMPTS`` attempts failed)."""
        today = fields.Date.context_today(self)
        today_start = datetime.combine(today, time.min)
        domain = (
            Domain("level_id.auto_send", "=", True)
            & (
                Domain("last_send_attempt", "=", False)
                | Domain("last_send_attempt", "<", today_start)
            )
            & (
                Domain("state", "=", "to_send")
                # errors: after the backoff, until the cap or a refused address
                | (
                    Domain("state", "=", "error")
                    & Domain("retry_stop", "=", False)
                    & (
                        Domain("next_retry_date", "=", False)
                        | Domain("next_retry_date", "<=", today)
                    )
                )
            )
        )
        groups = self.env["relance.reminder"]._read_group(domain, ["company_id"])
        quiet = [company.id for (company,) in groups if self._is_quiet_day(company)]
        if quiet:
            domain &= Domain("company_id", "not in", quiet)
        return domain

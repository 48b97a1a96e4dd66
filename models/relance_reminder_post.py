"""Posting reminders' emails and SMS a batch at a time, as Odoo's
``message_post`` and SMS notifications post them one record at a time: the
template rendered once per batch and language, then the messages, emails,
SMS and notifications each created at once.  The sending service
(``relance.reminder.send``) decides what goes out; this one only posts it,
and the emails and SMS leave through Odoo's own queues."""

from markupsafe import escape

from odoo import Command, api, fields, models
from odoo.tools import SQL, clean_context, html2plaintext


class RelanceReminderPost(models.AbstractModel):
    _name = "relance.reminder.post"
    _description = "Payment Reminder Posting in Batches"

    @api.model
    def _is_batch_template(self, template):
        """A template the batch renders like the composer does: no
        recipients nor attachments of its own."""
        return not (
            template.partner_to
            or template.email_to
            or template.email_cc
            or template.attachment_ids
            or template.report_template_ids
            or template.scheduled_date
        )

    @api.model
    def _post_emails(self, template, reminders, recipients):
        """Post the template's email on each reminder, as ``message_post``
        does, for the whole batch."""
        send = self.env["relance.reminder.send"]
        Reminder = reminders.with_context(
            relance_email_cc_by_id={r.id: send._get_email_cc(r) for r in reminders}
        )
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        self._ensure_portal_tokens(reminders.move_line_ids.move_id)
        subjects = template._render_field("subject", reminders.ids, compute_lang=True)
        # the body compiled once for the batch (see ir.qweb._compile)
        bodies = template.with_context(relance_qweb_cache={})._render_field(
            "body_html", reminders.ids, compute_lang=True
        )
        senders = (
            template._render_field("email_from", reminders.ids)
            if template.email_from
            else {}
        )
        authors = {reminder: send._get_author(reminder) for reminder in reminders}
        companies = reminders._mail_get_companies(default=self.env.company)
        alias_domains = reminders.sudo()._mail_get_alias_domains(
            default_company=self.env.company
        )
        senders = {
            reminder: senders.get(reminder.id) or authors[reminder].email_formatted
            for reminder in reminders
        }
        reply_tos = {}
        for (email_from, author), batch in reminders.grouped(
            lambda r: (senders[r], authors[r])
        ).items():
            reply_tos.update(
                batch._notify_get_reply_to(default=email_from, author_id=author.id)
            )
        vals_list = []
        for reminder in reminders:
            author = authors[reminder]
            email_from = senders[reminder]
            vals_list.append(
                {
                    "author_id": author.id,
                    "email_from": email_from,
                    "model": reminder._name,
                    "res_id": reminder.id,
                    "body": bodies[reminder.id],
                    "message_type": "comment",
                    "subject": subjects[reminder.id] or False,
                    "subtype_id": subtype_id,
                    "partner_ids": recipients[reminder].ids,
                    "email_add_signature": True,
                    "email_layout_xmlid": "mail.mail_notification_light",
                    "record_alias_domain_id": alias_domains[reminder.id].id,
                    "record_company_id": companies[reminder.id].id,
                    "reply_to": reply_tos[reminder.id],
                    # a new message tracks nothing: the layout need not look
                    "tracking_value_ids": [],
                    "attachment_ids": [
                        Command.link(attachment.id)
                        for attachment in send._get_invoice_attachments(reminder)
                    ],
                }
            )
        messages = reminders._message_create(vals_list)
        # the authors follow their reminders, as message_post subscribes them
        for author, batch in reminders.grouped(lambda r: authors[r]).items():
            if author and not author.partner_share:
                batch._message_subscribe(partner_ids=author.ids)
        for reminder, message in zip(reminders, messages, strict=True):
            reminder.email_state = "queued"
            reminder.email_failure_reason = False
            reminder.email_cc = send._get_email_cc(reminder)
            reminder.email_message_id = message
        self._set_email_partners(reminders, recipients)
        self._notify_emails(Reminder, messages, vals_list)
        send._sync_email_state(reminders)

    @api.model
    def _ensure_portal_tokens(self, moves):
        """Give the invoices their portal access token (the emails link each
        invoice to its payment page) in one query, rather than one write
        per invoice while the template renders."""
        moves = moves.filtered(
            lambda move: "access_token" in move._fields and not move.access_token
        )
        if not moves:
            return
        moves.flush_recordset(["access_token"])
        self.env.execute_query(
            SQL(
                "UPDATE account_move SET access_token = gen_random_uuid()::text"
                " WHERE id = ANY(%(ids)s) AND access_token IS NULL",
                ids=moves.ids,
            )
        )
        moves.invalidate_recordset(["access_token"])

    @api.model
    def _set_email_partners(self, reminders, recipients):
        """``email_partner_ids`` of a batch of reminders in two queries."""
        table = reminders._fields["email_partner_ids"].relation
        reminders.flush_recordset(["email_partner_ids"])
        self.env.execute_query(
            SQL(
                "DELETE FROM %(table)s WHERE reminder_id = ANY(%(ids)s)",
                table=SQL.identifier(table),
                ids=reminders.ids,
            )
        )
        pairs = [
            (reminder.id, partner.id)
            for reminder in reminders
            for partner in recipients[reminder]
        ]
        self.env.execute_query(
            SQL(
                "INSERT INTO %(table)s (reminder_id, partner_id)"
                " SELECT * FROM unnest(%(rids)s::int[], %(pids)s::int[])",
                table=SQL.identifier(table),
                rids=[pair[0] for pair in pairs],
                pids=[pair[1] for pair in pairs],
            )
        )
        reminders.invalidate_recordset(["email_partner_ids"])

    @api.model
    def _get_email_references(self, reminders, messages):
        """{message id: its References header}, as
        ``_notify_by_email_get_base_mail_values`` computes it (the three
        most relevant earlier messages of the thread, then the message), for
        the whole batch in one search."""
        # sudo: the earlier messages of the reminders' own threads
        ancestors = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", reminders._name),
                    ("res_id", "in", reminders.ids),
                    ("id", "not in", messages.ids),
                    ("subtype_id", "!=", False),
                    ("message_id", "!=", False),
                ],
                order="id DESC",
            )
        )
        by_record = ancestors.grouped("res_id")
        outgoing_types = ("comment", "auto_comment", "email", "email_outgoing")
        references = {}
        for message in messages.sudo():
            history = by_record.get(message.res_id, ancestors.browse())[:32].sorted(
                lambda m: (
                    not m.is_internal and not m.subtype_id.internal,
                    m.message_type in outgoing_types,
                    m.message_type not in ("user_notification", "out_of_office"),
                ),
                reverse=True,
            )
            references[message.id] = " ".join(
                m.message_id for m in (history[:3].sorted("id") + message)
            )
        return references

    @api.model
    def _notify_emails(self, reminders, messages, vals_list):
        """The notifications of the batch's messages, as ``_notify_thread``
        makes them for one message: the recipients and followers of each
        reminder read in one query, one layout rendered per message and
        group of recipients, then every ``mail.mail`` and
        ``mail.notification`` created at once.  Sent by the mail queue, or
        at once after the commit when the batch is small, as Odoo does."""
        Followers = self.env["mail.followers"]
        all_pids = {pid for vals in vals_list for pid in vals["partner_ids"]}
        subtype_id = vals_list[0]["subtype_id"]
        # the followers of every reminder, then every recipient: two queries
        followers = Followers._get_recipient_data(reminders, "comment", subtype_id)
        partners = Followers._get_recipient_data(
            None, "comment", subtype_id, list(all_pids)
        ).get(0, {})
        mail_values, notif_specs, inbox_values = [], [], []
        references = self._get_email_references(reminders, messages)
        for reminder, message, vals in zip(reminders, messages, vals_list, strict=True):
            reminder = reminder._fallback_lang()
            pids = set(vals["partner_ids"])
            author = reminder._message_compute_real_author(vals["author_id"])
            record_data = {
                pid: pdata
                for pid, pdata in followers.get(reminder.id, {}).items()
                if pid
            }
            for pid in pids:
                if pid not in record_data and pid in partners:
                    record_data[pid] = partners[pid]
            recipients_data = [
                pdata
                for pid, pdata in record_data.items()
                if pid != author.id and pdata["active"] is not False
            ]
            inbox_values += [
                {
                    "author_id": vals["author_id"],
                    "mail_message_id": message.id,
                    "notification_status": "sent",
                    "notification_type": "inbox",
                    "res_partner_id": pdata["id"],
                }
                for pdata in recipients_data
                if pdata["notif"] == "inbox"
            ]
            partners_data = [r for r in recipients_data if r["notif"] == "email"]
            if not partners_data:
                continue
            base_mail_values = reminder.with_context(
                relance_email_references=references[message.id]
            )._notify_by_email_get_base_mail_values(
                message, partners_data, additional_values={"auto_delete": True}
            )
            base_notification_values = (
                reminder._notify_by_email_get_base_notification_values(message)
            )
            for (
                _lang,
                render_values,
                group,
            ) in reminder._notify_get_classified_recipients_iterator(
                message, partners_data, msg_vals=vals
            ):
                body = reminder._notify_by_email_render_layout(
                    message, group, msg_vals=vals, render_values=render_values
                )
                if not group["recipients_ids"]:
                    continue
                mail_values.append(
                    reminder._notify_by_email_get_final_mail_values(
                        group["recipients_ids"],
                        base_mail_values,
                        additional_values={"body_html": body},
                    )
                )
                notif_specs.append((group["recipients_ids"], base_notification_values))
        SafeMail = (
            self.env["mail.mail"].sudo().with_context(clean_context(self.env.context))
        )
        mails = SafeMail.create(mail_values)
        notif_values = [
            {"mail_mail_id": mail.id, "res_partner_id": pid, **base}
            for mail, (pids, base) in zip(mails, notif_specs, strict=True)
            for pid in pids
        ]
        # sudo: creating the notifications of its own messages
        self.env["mail.notification"].sudo().create(notif_values + inbox_values)
        force_send = self.env.context.get("mail_notify_force_send", True)
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("mail.mail.force.send.limit", 100)
        )
        if force_send and len(mails) < limit:
            mails.send_after_commit()
        return mails

    @api.model
    def _get_email_lines(self, reminder):
        """One dict per listed item, for the email and SMS templates: the
        invoices due, then the credit notes and payments that reduce the
        amount due (negative, marked as such, without a payment link)."""
        today = reminder.date or fields.Date.context_today(self)
        kinds = {
            "out_refund": self.env._("Credit note"),
            "entry": self.env._("Payment"),
        }
        lines = []
        for aml in reminder.move_line_ids.sorted(
            lambda line: (
                line.amount_residual_currency < 0,
                line.date_maturity or today,
            )
        ):
            move = aml.move_id
            due = aml.date_maturity or move.invoice_date_due or move.date
            credit = aml.amount_residual_currency < 0
            if credit:
                due = False
            pay_url = False
            if (
                not credit
                and move.move_type in ("out_invoice", "out_receipt")
                and move.access_url
                and move.access_url != "#"
            ):
                pay_url = move.get_base_url() + move.get_portal_url()
            lines.append(
                {
                    "name": move.name,
                    "kind": kinds.get(move.move_type, kinds["entry"])
                    if credit
                    else self.env._("Invoice"),
                    "credit": credit,
                    "date": move.invoice_date or move.date,
                    "date_due": due,
                    "residual": aml.amount_residual_currency,
                    "currency": aml.currency_id or reminder.currency_id,
                    "days_late": max((today - due).days, 0)
                    if due and not credit
                    else 0,
                    "pay_url": pay_url,
                }
            )
        return lines

    @api.model
    def _post_sms(self, template, reminders, numbers):
        """Queue the SMS of ``template`` for ``reminders`` (``numbers``: the
        number of each), as Odoo's SMS notification does for one record:
        the messages in their chatter, the ``sms.sms`` and the notifications
        each created at once."""
        send = self.env["relance.reminder.send"]
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        bodies = template._render_field("body", reminders.ids, compute_lang=True)
        messages = reminders._message_create(
            [
                {
                    "author_id": send._get_author(reminder).id,
                    "email_from": send._get_author(reminder).email_formatted,
                    "model": reminder._name,
                    "res_id": reminder.id,
                    "body": escape(bodies[reminder.id]),
                    "message_type": "sms",
                    "subtype_id": subtype_id,
                    "partner_ids": reminder.partner_id.ids,
                    "email_add_signature": True,
                }
                for reminder in reminders
            ]
        )
        # sudo: the SMS queue's records, as Odoo's SMS notification creates them
        sms_all = (
            self.env["sms.sms"]
            .sudo()
            .create(
                [
                    {
                        "body": html2plaintext(escape(bodies[reminder.id])),
                        "mail_message_id": message.id,
                        "state": "outgoing",
                        "partner_id": reminder.partner_id.id,
                        "number": numbers[reminder],
                    }
                    for reminder, message in zip(reminders, messages, strict=True)
                ]
            )
        )
        self.env["mail.notification"].sudo().create(
            [
                {
                    "author_id": message.author_id.id,
                    "mail_message_id": message.id,
                    "res_partner_id": sms.partner_id.id,
                    "sms_number": sms.number,
                    "notification_type": "sms",
                    "sms_id_int": sms.id,
                    "sms_tracker_ids": [Command.create({"sms_uuid": sms.uuid})],
                    "is_read": True,
                    "notification_status": "ready",
                    "failure_type": "",
                }
                for message, sms in zip(messages, sms_all, strict=True)
            ]
        )
        for reminder, message in zip(reminders, messages, strict=True):
            reminder.sms_state = "queued"
            reminder.sms_failure_reason = False
            reminder.sms_number = numbers[reminder]
            reminder.sms_message_id = message
        send._sync_sms_state(reminders)

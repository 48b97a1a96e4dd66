"""One timeline of a customer's follow-up in a company: its reminders, the
calls logged with their outcome, its promises to pay, disputes, payments and
credit notes, and the emails and SMS written to it, newest first (the
cockpit's follow-up page)."""

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_amount, format_date


class RelanceCockpitTimeline(models.AbstractModel):
    _name = "relance.cockpit.timeline"
    _description = "Customer Follow-up Timeline"

    @api.model
    def _render(self, partner, company, limit=60):
        return self.env["ir.qweb"]._render(
            "account_relance.relance_cockpit_timeline",
            {"events": self._get_events(partner, company, limit=limit)},
        )

    @api.model
    def _get_events(self, partner, company, limit=60):
        """The events as dicts (date, kind, icon, title, detail, state,
        decoration), newest first, at most ``limit``."""
        if not partner or not company:
            return []
        partner = partner.commercial_partner_id
        events = (
            self._reminder_events(partner, company, limit)
            + self._promise_events(partner, company, limit)
            + self._dispute_events(partner, company, limit)
            + self._payment_events(partner, company, limit)
            + self._message_events(partner, limit)
        )
        events.sort(key=lambda event: (event["date"], event["sequence"]), reverse=True)
        return events[:limit]

    @api.model
    def _event(self, date, kind, title, detail="", state="", decoration="", seq=0):
        icons = {
            "reminder": "fa-bell-o",
            "call": "fa-phone",
            "promise": "fa-handshake-o",
            "dispute": "fa-exclamation-triangle",
            "payment": "fa-money",
            "credit_note": "fa-undo",
            "email": "fa-envelope-o",
            "sms": "fa-mobile",
        }
        return {
            "date": fields.Date.to_date(date),
            "kind": kind,
            "icon": icons[kind],
            "title": title,
            "detail": detail,
            "state": state,
            "decoration": decoration,
            "sequence": seq,
        }

    @api.model
    def _labels(self, model, fname):
        return dict(self.env[model]._fields[fname]._description_selection(self.env))

    @api.model
    def _reminder_events(self, partner, company, limit):
        reminders = self.env["relance.reminder"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", company.id),
            ],
            order="date desc, id desc",
            limit=limit,
        )
        states = self._labels("relance.reminder", "state")
        decorations = {
            "error": "danger",
            "sent": "success",
            "printed": "success",
            "cancel": "secondary",
        }
        return [
            self._event(
                reminder.date,
                "reminder",
                self.env._(
                    "Reminder %(name)s: %(level)s",
                    name=reminder.name,
                    level=reminder.level_id.name,
                ),
                detail=reminder.state == "error"
                and reminder.error_message
                or reminder.channel_summary,
                state=states.get(reminder.state),
                decoration=decorations.get(reminder.state, "info"),
                seq=1,
            )
            for reminder in reminders
        ]

    @api.model
    def _promise_events(self, partner, company, limit):
        promises = self.env["relance.promise"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="create_date desc",
            limit=limit,
        )
        states = self._labels("relance.promise", "state")
        decorations = {"kept": "success", "broken": "danger", "cancel": "secondary"}
        return [
            self._event(
                promise.create_date,
                "promise",
                self.env._(
                    "Promise to pay %(amount)s by %(date)s",
                    amount=format_amount(self.env, promise.amount, promise.currency_id),
                    date=self._format_date(promise.date),
                ),
                detail=promise.note or "",
                state=states.get(promise.state),
                decoration=decorations.get(promise.state, "info"),
                seq=2,
            )
            for promise in promises
        ]

    @api.model
    def _dispute_events(self, partner, company, limit):
        disputes = self.env["relance.dispute"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="date_open desc, id desc",
            limit=limit,
        )
        events = []
        for dispute in disputes:
            title = self.env._(
                "Dispute %(name)s on %(invoice)s: %(reason)s, %(amount)s",
                name=dispute.name,
                invoice=dispute.move_id.name,
                reason=dispute.reason_id.name,
                amount=format_amount(self.env, dispute.amount, dispute.currency_id),
            )
            events.append(
                self._event(
                    dispute.date_open,
                    "dispute",
                    title,
                    state=self.env._("Open")
                    if dispute.state == "open"
                    else self.env._("Resolved"),
                    decoration="danger" if dispute.state == "open" else "secondary",
                    seq=3,
                )
            )
            if dispute.date_resolved:
                events.append(
                    self._event(
                        dispute.date_resolved,
                        "dispute",
                        self.env._("Dispute %(name)s resolved", name=dispute.name),
                        detail=dispute.resolution or "",
                        decoration="success",
                        seq=3,
                    )
                )
        return events

    @api.model
    def _payment_events(self, partner, company, limit):
        """Payments, bank lines and credit notes on the customer's receivable
        account."""
        lines = self.env["account.move.line"].search(
            Domain("partner_id", "child_of", partner.id)
            & Domain("company_id", "=", company.id)
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("balance", "<", 0),
            order="date desc, id desc",
            limit=limit,
        )
        events = []
        for line in lines:
            refund = line.move_id.move_type == "out_refund"
            amount = format_amount(self.env, -line.balance, company.currency_id)
            events.append(
                self._event(
                    line.date,
                    "credit_note" if refund else "payment",
                    self.env._(
                        "Credit note %(name)s: %(amount)s",
                        name=line.move_id.name,
                        amount=amount,
                    )
                    if refund
                    else self.env._(
                        "Payment %(name)s: %(amount)s",
                        name=line.move_id.name,
                        amount=amount,
                    ),
                    detail=line.name or "",
                    state=self.env._("Matched")
                    if line.reconciled
                    else self.env._("Not matched yet"),
                    decoration="success" if line.reconciled else "warning",
                    seq=4,
                )
            )
        return events

    @api.model
    def _message_events(self, partner, limit):
        """The calls logged with their outcome, and the emails and SMS
        written to the customer from its form or the cockpit."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        messages = self.env["mail.message"].search(
            Domain("model", "=", "res.partner")
            & Domain("res_id", "=", partner.id)
            & (
                Domain("mail_activity_type_id", "=", call_type.id)
                | Domain("message_type", "=", "sms")
                | (
                    Domain("message_type", "=", "comment")
                    & Domain("subtype_id", "=", self.env.ref("mail.mt_comment").id)
                )
            ),
            order="date desc, id desc",
            limit=limit,
        )
        events = []
        for message in messages:
            if message.mail_activity_type_id == call_type:
                kind, title = "call", self.env._("Call")
            elif message.message_type == "sms":
                kind, title = "sms", self.env._("SMS")
            else:
                kind = "email"
                title = message.subject or self.env._("Email")
            events.append(
                self._event(
                    message.date,
                    kind,
                    title,
                    detail=message.preview or "",
                    seq=5,
                )
            )
        return events

    @api.model
    def _format_date(self, date):
        return format_date(self.env, date) if date else ""

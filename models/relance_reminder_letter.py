import base64
import io

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import split_every
from odoo.tools.image import image_data_uri
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

LETTER_REPORT = "account_relance.report_relance_reminder"


class RelanceReminder(models.Model):
    _inherit = "relance.reminder"

    tone = fields.Selection(related="level_id.tone")
    registered_tracking_ref = fields.Char(
        string="Registered Letter Number",
        tracking=True,
        copy=False,
        help="Tracking number of the registered letter (lettre recommandée); "
        "printed on the formal notice once known.",
    )
    registered_sent_date = fields.Date(
        string="Registered Letter Sent On", tracking=True, copy=False
    )
    letter_attachment_id = fields.Many2one(
        comodel_name="ir.attachment",
        string="Printed Letter",
        readonly=True,
        copy=False,
        help="The letter exactly as it was printed; a reprint gives this file.",
    )
    letter_printed_date = fields.Datetime(readonly=True, copy=False)
    charges_applicable = fields.Boolean(
        compute="_compute_charges", store=True, string="Charges Claimed"
    )
    charge_interest_amount = fields.Monetary(
        string="Late-Payment Interest",
        compute="_compute_charges",
        store=True,
        currency_field="currency_id",
    )
    charge_indemnity_amount = fields.Monetary(
        string="Recovery Indemnity",
        compute="_compute_charges",
        store=True,
        currency_field="currency_id",
    )
    charge_amount_total = fields.Monetary(
        string="Late-Payment Charges",
        compute="_compute_charges",
        store=True,
        currency_field="currency_id",
    )
    charges_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Charges Invoice",
        readonly=True,
        copy=False,
        check_company=True,
    )
    formal_deadline_date = fields.Date(
        string="Payment Deadline",
        compute="_compute_formal_deadline_date",
        store=True,
        readonly=False,
        help="The date by which a formal notice asks to be paid.",
    )

    # ------------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------------

    @api.depends(
        "date",
        "currency_id",
        "move_line_ids.amount_residual",
        "level_id.apply_charges",
        "partner_id.commercial_partner_id.relance_is_consumer",
        "partner_id.commercial_partner_id.relance_no_charges",
        "partner_id.commercial_partner_id.is_company",
        "company_id.relance_charges_enabled",
        "company_id.relance_charges_b2b_only",
    )
    def _compute_charges(self):
        for reminder in self:
            charges = reminder._get_late_charges()
            reminder.charges_applicable = bool(charges["lines"])
            reminder.charge_interest_amount = charges["interest"]
            reminder.charge_indemnity_amount = charges["indemnity"]
            reminder.charge_amount_total = charges["total"]

    @api.depends("date", "company_id.relance_formal_deadline_days")
    def _compute_formal_deadline_date(self):
        for reminder in self:
            reminder.formal_deadline_date = reminder.date and fields.Date.add(
                reminder.date, days=reminder.company_id.relance_formal_deadline_days
            )

    @api.model
    def _prepare_reminders_values(self, decisions, date):
        """The daily job gives the charges and the deadline at creation: only
        the reminders of levels that claim charges compute them."""
        vals_list = super()._prepare_reminders_values(decisions, date)
        company = self.env.company
        deadline = fields.Date.add(date, days=company.relance_formal_deadline_days)
        levels = {
            level.id: level
            for level in self.env["relance.level"].browse(
                {decision.level_id for decision in decisions}
            )
        }
        charged = [d for d in decisions if levels[d.level_id].apply_charges]
        partners = {
            partner.id: partner
            for partner in self.env["res.partner"].browse(
                {decision.partner_id for decision in charged}
            )
        }
        items = self.env["account.move.line"].browse(
            {line["move_line_id"] for d in charged for line in d.lines}
        )
        for vals, decision in zip(vals_list, decisions, strict=True):
            charges = {"lines": [], "interest": 0.0, "indemnity": 0.0, "total": 0.0}
            if levels[decision.level_id].apply_charges and partners[
                decision.partner_id
            ]._relance_charges_allowed(company):
                charges = self.env["relance.late.charge"]._get_charges(
                    items.browse(
                        line["move_line_id"] for line in decision.lines
                    ).with_prefetch(items._prefetch_ids),
                    date,
                    currency=self.env["res.currency"].browse(decision.currency_id),
                )
            vals.update(
                {
                    "formal_deadline_date": deadline,
                    "charges_applicable": bool(charges["lines"]),
                    "charge_interest_amount": charges["interest"],
                    "charge_indemnity_amount": charges["indemnity"],
                    "charge_amount_total": charges["total"],
                }
            )
        return vals_list

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def action_print_letters(self):
        """Print the letters of the selected reminders into one PDF, in order.

        Reminders whose customer has no postal address are refused (named in
        a notification and in their error message); the others print.
        """
        if not self:
            raise UserError(self.env._("Select the reminders to print."))
        pdf, printed, refused = self._print_letters()
        if not printed:
            raise UserError("\n".join(refused.mapped("error_message")))
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Reminder letters %(date)s.pdf", date=fields.Date.today()
                ),
                "raw": pdf,
                "mimetype": "application/pdf",
            }
        )
        download = {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
        if not refused:
            return download
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._(
                    "%(count)s letters printed, %(refused)s refused",
                    count=len(printed),
                    refused=len(refused),
                ),
                "message": "\n".join(refused.mapped("error_message")),
                "type": "warning",
                "sticky": True,
                "next": download,
            },
        }

    def action_create_charges_invoice(self):
        """Book the reminder's late-payment charges on a draft customer invoice."""
        moves = self.env["account.move"]
        for reminder in self:
            if reminder.charges_move_id:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s already has its charges invoice %(move)s.",
                        name=reminder.name,
                        move=reminder.charges_move_id.display_name,
                    )
                )
            if not reminder.charge_amount_total:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s claims no late-payment charges.",
                        name=reminder.name,
                    )
                )
            moves |= reminder._create_charges_invoice()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(moves) == 1:
            action.update({"views": [(False, "form")], "res_id": moves.id})
        else:
            action["domain"] = [("id", "in", moves.ids)]
        return action

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    def _get_late_charges(self):
        """The charges this reminder claims (an empty result when none)."""
        self.ensure_one()
        empty = {"lines": [], "interest": 0.0, "indemnity": 0.0, "total": 0.0}
        if not (
            self.level_id.apply_charges
            and self.partner_id
            and self.date
            and self.partner_id._relance_charges_allowed(self.company_id)
        ):
            return empty
        return self.env["relance.late.charge"]._get_charges(
            self.move_line_ids, self.date, currency=self.currency_id
        )

    def _create_charges_invoice(self):
        self.ensure_one()
        company = self.company_id
        lines = []
        for product, amount, label in (
            (
                company.relance_interest_product_id
                or self.env.ref("account_relance.product_late_interest"),
                self.charge_interest_amount,
                self.env._("Late-payment interest (reminder %(name)s)", name=self.name),
            ),
            (
                company.relance_indemnity_product_id
                or self.env.ref("account_relance.product_recovery_indemnity"),
                self.charge_indemnity_amount,
                self.env._(
                    "Fixed recovery indemnity (reminder %(name)s)", name=self.name
                ),
            ),
        ):
            if self.currency_id.is_zero(amount):
                continue
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": label,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": self.partner_id.id,
                "currency_id": self.currency_id.id,
                "invoice_date": self.date,
                "invoice_origin": self.name,
                "invoice_line_ids": lines,
            }
        )
        self.charges_move_id = move
        self.message_post(
            body=self.env._(
                "Late-payment charges booked on the draft invoice %(move)s.",
                move=move._get_html_link(),
            )
        )
        return move

    def _get_company_bank_account(self):
        """The company bank account customers pay to (first bank journal's)."""
        self.ensure_one()
        journal = self.env["account.journal"].search(
            Domain("type", "=", "bank")
            & Domain("company_id", "=", self.company_id.id)
            & Domain("bank_account_id", "!=", False),
            order="sequence, id",
            limit=1,
        )
        return journal.bank_account_id

    def _get_payment_qr_code(self, bank, amount):
        """An EPC (SEPA credit transfer) QR code as a PNG data URI, or False.

        The payload is Odoo's own "sct_qr" one (account_qr_code_sepa); the
        image is drawn with ``qrcode`` (an Odoo requirement), which does not
        depend on reportlab's optional PNG backend.
        """
        self.ensure_one()
        currency = self.currency_id
        if not bank or currency.compare_amounts(amount, 0) <= 0:
            return False
        methods = dict(bank.get_available_qr_methods_in_sequence())
        if "sct_qr" not in methods or bank._get_error_messages_for_qr(
            "sct_qr", self.partner_id, currency
        ):
            return False
        payload = bank._get_qr_vals(
            "sct_qr", currency.round(amount), currency, self.partner_id, self.name, None
        )
        image = qrcode.make("\n".join(payload), border=1)
        stream = io.BytesIO()
        image.save(stream, format="PNG")
        return image_data_uri(base64.b64encode(stream.getvalue()))

    def _get_previous_reminders(self):
        """The customer's earlier reminders that went out, oldest first."""
        self.ensure_one()
        return self.search(
            Domain("partner_id", "=", self.partner_id.id)
            & Domain("company_id", "=", self.company_id.id)
            & Domain("state", "in", ["sent", "printed"])
            & Domain("date", "<=", self.date)
            & Domain("id", "!=", self.id),
            order="date, id",
        )

    def _get_letter_values(self):
        """Everything a letter prints, so that the QWeb templates compute nothing."""
        self.ensure_one()
        currency = self.currency_id
        company = self.company_id
        charges = self._get_late_charges()
        items = []
        for line in self.move_line_ids.sorted(
            lambda ln: (ln.date_maturity or ln.date, ln.id)
        ):
            due = line.date_maturity or line.date
            items.append(
                {
                    "name": line.move_id.name or line.name,
                    "ref": line.move_id.ref or "",
                    "date": line.move_id.invoice_date or line.date,
                    "due_date": due,
                    "days_late": max((self.date - due).days, 0),
                    "amount": line.amount_currency,
                    "residual": line.amount_residual_currency,
                }
            )
        total_due = self.amount_due or sum(i["residual"] for i in items)
        total = total_due + charges["total"]
        bank = self._get_company_bank_account()
        return {
            "company": company,
            "partner": self.partner_id,
            "tone": self.level_id.tone,
            "place": company.relance_letter_place or company.city or "",
            "date": self.date,
            "reference": self.name,
            "items": items,
            "currency": currency,
            "total_due": total_due,
            "charges": charges,
            "total": total,
            "bank": bank,
            "iban": bank.acc_number if bank else "",
            "bic": bank.bank_bic if bank else "",
            "qr_code": self._get_payment_qr_code(bank, total),
            "previous_reminders": self._get_previous_reminders(),
            "deadline": self.formal_deadline_date,
            "deadline_days": company.relance_formal_deadline_days,
            "tracking_ref": self.registered_tracking_ref,
            "user": self.user_id,
            "signature": self.user_id.signature,
            "window": company.relance_letter_window,
        }

    def _get_letters_to_print_domain(self):
        """Reminders with a letter to print (plain or registered): of a level
        that sends one, or queued by a channel (an email that fell back on a
        letter), not printed yet; in error too, when only the email failed.
        The "Letters to Print" filter says the same."""
        return (
            Domain("state", "in", ["draft", "to_send", "error"])
            & Domain("letter_state", "!=", "printed")
            & (
                Domain("letter_state", "=", "to_print")
                | Domain("level_id.channel_letter", "=", True)
                | Domain("level_id.channel_registered", "=", True)
            )
        )

    def _print_letters(self, chunk_size=25):
        """Print the letters of these reminders into one PDF, in their order.

        Letters are rendered by chunks (each chunk one wkhtmltopdf call, see
        ``ir.actions.report._relance_render_letter_chunks``), each letter is
        kept as an attachment of its reminder and the reminder becomes
        "printed" once its PDF exists.  A reminder printed before reprints its
        stored letter.

        :return: ``(pdf bytes or False, printed reminders, refused reminders)``
        """
        refused = self.browse()
        for reminder in self:
            missing = reminder.partner_id._relance_missing_address()
            if missing:
                refused |= reminder
                reminder.error_message = self.env._(
                    "%(reminder)s: the customer %(partner)s has no complete postal "
                    "address (missing: %(missing)s); the letter was not printed.",
                    reminder=reminder.name,
                    partner=reminder.partner_id.display_name,
                    missing=", ".join(missing),
                )
        printable = self - refused
        writer = PdfFileWriter()
        report_model = self.env["ir.actions.report"]
        report = report_model._get_report(LETTER_REPORT)
        for chunk_ids in split_every(chunk_size, printable.ids):
            chunk = self.browse(chunk_ids)
            stored = chunk.filtered("letter_attachment_id")
            to_render = chunk - stored
            letters = {}
            if to_render:
                letters = report_model._relance_render_letters(report, to_render.ids)
                now = fields.Datetime.now()
                attachments = self.env["ir.attachment"].create(
                    [
                        {
                            "name": reminder._get_letter_filename(),
                            "raw": letters[reminder.id],
                            "mimetype": "application/pdf",
                            "res_model": self._name,
                            "res_id": reminder.id,
                        }
                        for reminder in to_render
                    ]
                )
                to_render.write(
                    {
                        "letter_printed_date": now,
                        "state": "printed",
                        "error_message": False,
                    }
                )
                for reminder, attachment in zip(to_render, attachments, strict=True):
                    reminder.letter_attachment_id = attachment
            for reminder in chunk:
                raw = letters.get(reminder.id) or reminder.letter_attachment_id.raw
                reader = PdfFileReader(io.BytesIO(raw))
                writer.appendPagesFromReader(reader)
        if not printable:
            return False, printable, refused
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), printable, refused

    def _get_letter_filename(self):
        self.ensure_one()
        return self.env._(
            "Letter %(name)s.pdf", name=(self.name or "").replace("/", "-")
        )

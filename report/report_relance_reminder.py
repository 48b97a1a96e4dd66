import base64
import io

import qrcode

from odoo import api, models
from odoo.fields import Domain
from odoo.tools.image import image_data_uri


class ReportRelanceReminder(models.AbstractModel):
    """What a reminder letter prints, so that the QWeb templates compute
    nothing: ``letters[reminder.id]`` holds the values of each letter."""

    _name = "report.account_relance.report_relance_reminder"
    _description = "Payment Reminder Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        reminders = self.env["relance.reminder"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "relance.reminder",
            "docs": reminders,
            "letters": {
                reminder.id: self._get_letter_values(reminder) for reminder in reminders
            },
        }

    @api.model
    def _get_letter_values(self, reminder):
        currency = reminder.currency_id
        company = reminder.company_id
        charges = reminder._get_late_charges()
        items = []
        for line in reminder.move_line_ids.sorted(
            lambda ln: (ln.date_maturity or ln.date, ln.id)
        ):
            due = line.date_maturity or line.date
            items.append(
                {
                    "name": line.move_id.name or line.name,
                    "ref": line.move_id.ref or "",
                    "date": line.move_id.invoice_date or line.date,
                    "due_date": due,
                    "days_late": max((reminder.date - due).days, 0),
                    "amount": line.amount_currency,
                    "residual": line.amount_residual_currency,
                }
            )
        total_due = reminder.amount_due or sum(i["residual"] for i in items)
        total = total_due + charges["total"]
        bank = self._get_company_bank_account(company)
        return {
            "company": company,
            "partner": reminder.partner_id,
            "tone": reminder.level_id.tone,
            "place": company.relance_letter_place or company.city or "",
            "date": reminder.date,
            "reference": reminder.name,
            "items": items,
            "currency": currency,
            "total_due": total_due,
            "charges": charges,
            "total": total,
            "bank": bank,
            "iban": bank.acc_number if bank else "",
            "bic": bank.bank_bic if bank else "",
            "qr_code": self._get_payment_qr_code(reminder, bank, total),
            "previous_reminders": reminder._get_previous_reminders(),
            "professional": reminder.partner_id._relance_is_professional(company),
            "deadline": reminder.formal_deadline_date,
            # the days of the reminder's own deadline, frozen with it
            "deadline_days": (reminder.formal_deadline_date - reminder.date).days
            if reminder.formal_deadline_date and reminder.date
            else company.relance_formal_deadline_days,
            "tracking_ref": reminder.registered_tracking_ref,
            "user": reminder.user_id,
            "signature": reminder.user_id.signature,
            "signatory": reminder.user_id.name or company.name,
            "window": company.relance_letter_window,
        }

    @api.model
    def _get_company_bank_account(self, company):
        """The company bank account customers pay to (first bank journal's)."""
        journal = self.env["account.journal"].search(
            Domain("type", "=", "bank")
            & Domain("company_id", "=", company.id)
            & Domain("bank_account_id", "!=", False),
            order="sequence, id",
            limit=1,
        )
        return journal.bank_account_id

    @api.model
    def _get_payment_qr_code(self, reminder, bank, amount):
        """An EPC (SEPA credit transfer) QR code as a PNG data URI, or False.

        The payload is Odoo's own "sct_qr" one (account_qr_code_sepa); the
        image is drawn with ``qrcode`` (an Odoo requirement), which does not
        depend on reportlab's optional PNG backend.
        """
        currency = reminder.currency_id
        if not bank or currency.compare_amounts(amount, 0) <= 0:
            return False
        methods = dict(bank.get_available_qr_methods_in_sequence())
        if "sct_qr" not in methods or bank._get_error_messages_for_qr(
            "sct_qr", reminder.partner_id, currency
        ):
            return False
        payload = bank._get_qr_vals(
            "sct_qr",
            currency.round(amount),
            currency,
            reminder.partner_id,
            reminder.name,
            None,
        )
        image = qrcode.make("\n".join(payload), border=1)
        stream = io.BytesIO()
        image.save(stream, format="PNG")
        return image_data_uri(base64.b64encode(stream.getvalue()))

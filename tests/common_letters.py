import subprocess
import tempfile

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class RelanceLetterCommon(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.write(
            {
                "relance_charges_enabled": True,
                "street": "1 rue de la Paix",
                "zip": "75002",
                "city": "Paris",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:1"
        )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.company_bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR7630006000011234567890189",
                "bank_id": cls.env["res.bank"]
                .create({"name": "Crédit Agricole", "bic": "AGRIFRPP"})
                .id,
                "partner_id": cls.company.partner_id.id,
                "allow_out_payment": True,
            }
        )
        cls.company_data["default_journal_bank"].bank_account_id = cls.company_bank
        cls.env["res.lang"]._activate_lang("en_US")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Dupont Industries",
                "is_company": True,
                "street": "12 avenue des Champs",
                "zip": "69001",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
                "lang": "en_US",
            }
        )
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Letters plan",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": name,
                            "sequence": seq,
                            "tone": tone,
                            "offset_days": offset,
                            "channel_email": False,
                            "channel_letter": True,
                            "apply_charges": tone in ("firm", "formal"),
                        }
                    )
                    for seq, (name, tone, offset) in enumerate(
                        [
                            ("Notice", "notice", -5),
                            ("Reminder 1", "friendly", 5),
                            ("Reminder 2", "firm", 20),
                            ("Formal notice", "formal", 40),
                        ]
                    )
                ],
            }
        )
        cls.levels = {level.tone: level for level in cls.plan.level_ids}

    @classmethod
    def _invoice(cls, partner, amount, due_date, invoice_date=None):
        """A posted customer invoice of ``amount`` (no tax), due on ``due_date``."""
        invoice = cls._create_invoice_one_line(
            price_unit=amount,
            partner_id=partner,
            invoice_date=invoice_date or due_date,
            invoice_date_due=due_date,
            invoice_payment_term_id=False,
            tax_ids=[],
            currency_id=cls.eur,
            post=True,
        )
        return invoice

    @classmethod
    def _receivable(cls, invoices):
        return invoices.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    @classmethod
    def _reminder(cls, partner, tone, invoices, date, **vals):
        lines = cls._receivable(invoices)
        return cls.env["relance.reminder"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "level_id": cls.levels[tone].id,
                "date": fields.Date.to_date(date),
                "state": "to_send",
                "currency_id": cls.eur.id,
                "amount_due": sum(lines.mapped("amount_residual_currency")),
                "move_line_ids": [Command.set(lines.ids)],
                **vals,
            }
        )

    def _pdf_text(self, pdf):
        """The text of a PDF, as ``pdftotext -layout`` extracts it."""
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            return subprocess.run(
                ["pdftotext", "-layout", f.name, "-"],
                capture_output=True,
                check=True,
                text=True,
            ).stdout

from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import groupby


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_is_consumer = fields.Boolean(
        string="Consumer",
        help="A consumer is never charged late-payment interest nor the "
        "recovery indemnity.",
    )
    relance_no_charges = fields.Boolean(
        string="No Late-Payment Charges",
        help="Never claim late-payment charges from this customer.",
    )

    def _relance_charges_allowed(self, company):
        """Whether late-payment charges may be claimed from this customer."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if not company.relance_charges_enabled:
            return False
        if partner.relance_is_consumer or partner.relance_no_charges:
            return False
        return not company.relance_charges_b2b_only or partner.is_company

    def _relance_missing_address(self):
        """The address lines missing for a postal letter, empty when complete."""
        self.ensure_one()
        missing = []
        if not self.street:
            missing.append(self.env._("street"))
        if not self.zip:
            missing.append(self.env._("postal code"))
        if not self.city:
            missing.append(self.env._("city"))
        if not self.country_id:
            missing.append(self.env._("country"))
        return missing

    def _get_relance_statement_values(self, company=None):
        """The customer statement (relevé de compte): every open receivable
        item (invoices, credit notes, payments) and the balance per currency."""
        self.ensure_one()
        company = company or self.env.company
        partner = self.commercial_partner_id
        lines = self.env["account.move.line"].search(
            Domain("partner_id", "child_of", partner.id)
            & Domain("company_id", "=", company.id)
            & Domain("account_type", "=", "asset_receivable")
            & Domain("parent_state", "=", "posted")
            & Domain("reconciled", "=", False),
            order="date, id",
        )
        today = fields.Date.context_today(self)
        kinds = {
            "out_invoice": self.env._("Invoice"),
            "out_refund": self.env._("Credit note"),
        }
        currencies = []
        for currency, currency_lines in groupby(lines, key=lambda ln: ln.currency_id):
            rows = []
            for line in currency_lines:
                if currency.is_zero(line.amount_residual_currency):
                    continue
                move = line.move_id
                if move.move_type in kinds:
                    kind = kinds[move.move_type]
                elif move.origin_payment_id or line.amount_residual_currency < 0:
                    kind = self.env._("Payment")
                else:
                    kind = self.env._("Entry")
                due = line.date_maturity or line.date
                rows.append(
                    {
                        "date": line.date,
                        "name": move.name,
                        "ref": move.ref or line.name or "",
                        "kind": kind,
                        "due_date": due,
                        "overdue": line.amount_residual_currency > 0 and due < today,
                        "amount": line.amount_currency,
                        "residual": line.amount_residual_currency,
                    }
                )
            if rows:
                currencies.append(
                    {
                        "currency": currency,
                        "rows": rows,
                        "balance": currency.round(sum(r["residual"] for r in rows)),
                        "overdue": currency.round(
                            sum(r["residual"] for r in rows if r["overdue"])
                        ),
                    }
                )
        return {
            "company": company,
            "partner": partner,
            "date": today,
            "currencies": currencies,
        }

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import groupby


class ReportRelanceStatement(models.AbstractModel):
    """The customer statement (relevé de compte): every open receivable item
    of the customer (invoices, credit notes, payments) and the balance per
    currency; ``statements[partner.id]`` holds the values of each."""

    _name = "report.account_relance.report_relance_statement"
    _description = "Customer Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {
                partner.id: self._get_statement_values(partner) for partner in partners
            },
        }

    @api.model
    def _get_statement_values(self, partner, company=None):
        """The customer statement (relevé de compte): every open receivable
        item (invoices, credit notes, payments) and the balance per currency."""
        company = company or self.env.company
        partner = partner.commercial_partner_id
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

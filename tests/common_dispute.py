from datetime import date

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class RelanceDisputeCommon(AccountTestInvoicingCommon):
    """A French customer with overdue invoices in the main test company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr = cls.env.ref("base.fr")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Martin",
                "is_company": True,
                "country_id": cls.fr.id,
                "email": "compta@boulangerie-martin.fr",
            }
        )
        cls.reason_price = cls.env.ref("account_relance.dispute_reason_price")
        cls.credit_controller = cls._new_user(
            "controller", "account.group_account_invoice"
        )

    @classmethod
    def _new_user(cls, login, groups, company=None):
        company = company or cls.env.company
        return cls.env["res.users"].create(
            {
                "name": login.title(),
                "login": login,
                "email": f"{login}@example.com",
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "group_ids": [(6, 0, [cls.env.ref(g).id for g in groups.split(",")])],
            }
        )

    @classmethod
    def _invoice(cls, amount=1000.0, due=date(2026, 1, 31), partner=None, **kwargs):
        return cls._create_invoice(
            partner_id=partner or cls.customer,
            invoice_date=date(2026, 1, 1),
            invoice_payment_term_id=False,
            invoice_date_due=due,
            invoice_line_ids=[cls._prepare_invoice_line(price_unit=amount, tax_ids=[])],
            post=True,
            **kwargs,
        )

    @staticmethod
    def _receivable(invoice):
        return invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

from datetime import date, timedelta

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

D = date(2026, 3, 2)  # the due date of the scenarios


def days(n):
    return D + timedelta(days=n)


class ReminderEngineCommon(AccountTestInvoicingCommon):
    """A plan with known offsets as the company default, customers, and
    helpers to post invoices due on a given date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.Reminder = cls.env["relance.reminder"]
        cls.env["relance.plan"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        ).is_default = False
        cls.env.flush_all()
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Test plan",
                "company_id": cls.company.id,
                "is_default": True,
                "adaptive_timing": True,
                "adaptive_max_days": 30,
                "adaptive_min_sample": 3,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Notice",
                            "sequence": 1,
                            "offset_days": -5,
                            "min_days_since_last": 0,
                            "tone": "notice",
                            "auto_send": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Reminder 1",
                            "sequence": 2,
                            "offset_days": 5,
                            "min_days_since_last": 3,
                            "auto_send": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Reminder 2",
                            "sequence": 3,
                            "offset_days": 15,
                            "min_days_since_last": 5,
                            "tone": "firm",
                            "auto_send": True,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Formal notice",
                            "sequence": 4,
                            "offset_days": 30,
                            "min_days_since_last": 5,
                            "tone": "formal",
                            "auto_send": False,
                            "channel_registered": True,
                        }
                    ),
                ],
            }
        )
        cls.notice, cls.level1, cls.level2, cls.formal = cls.plan.level_ids.sorted(
            "offset_days"
        )
        cls.customer = cls._customer("Dupont SA")
        cls.customer_b = cls._customer("Martin SARL")

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "email": "compta@example.com", **values}
        )

    @classmethod
    def _invoice(cls, partner, due, amount=1000.0, move_type="out_invoice", **values):
        values.setdefault("invoice_date", min(due, D) - timedelta(days=30))
        if move_type == "out_invoice" and "invoice_payment_term_id" not in values:
            values["invoice_date_due"] = due
        return cls._create_invoice_one_line(
            move_type=move_type,
            price_unit=amount,
            tax_ids=cls.env["account.tax"],
            partner_id=partner,
            post=True,
            **values,
        )

    @classmethod
    def _habit(cls, partner, delay, count, company=None):
        return cls.env["relance.partner.behaviour"].create(
            {
                "partner_id": partner.id,
                "company_id": (company or cls.company).id,
                "payment_delay_avg": delay,
                "payment_count": count,
                "payment_behaviour": "late" if delay > 0 else "on_time",
            }
        )

    def _run(self, on, **kwargs):
        return self.Reminder.generate_reminders(
            date=on, company_ids=kwargs.pop("company_ids", self.company.ids), **kwargs
        )

    def _reminders(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.Reminder.search(domain, order="date, id")

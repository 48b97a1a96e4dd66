"""The demo's disputes and promises to pay (tools/demo.py), on customers
named as the demo's, with overdue invoices."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..tools.demo import DISPUTES, PROMISES, generate_follow_up


@tagged("post_install", "-at_install")
class TestDemoFollowUp(AccountTestInvoicingCommon):
    def test_open_disputes_and_promises(self):
        today = fields.Date.context_today(self.env.user)
        for name in {row[0] for row in DISPUTES + PROMISES}:
            partner = self.env["res.partner"].create({"name": name, "is_company": True})
            for days in (60, 30):
                self._create_invoice(
                    partner_id=partner.id,
                    invoice_date=today - timedelta(days=days + 30),
                    invoice_date_due=today - timedelta(days=days),
                    invoice_payment_term_id=False,
                    invoice_line_ids=[
                        Command.create(
                            {"name": "Service", "price_unit": 400.0, "tax_ids": []}
                        )
                    ],
                    post=True,
                )
        made = generate_follow_up(self.env, today=today)
        disputes, promises = made["disputes"], made["promises"]
        self.assertEqual(len(disputes), 3)
        self.assertEqual(set(disputes.mapped("state")), {"open"})
        # on the oldest overdue invoice, which reminders now leave alone
        self.assertEqual(set(disputes.move_id.mapped("dispute_state")), {"open"})
        self.assertEqual(
            disputes.move_id.mapped("invoice_date_due"),
            [today - timedelta(days=60)] * 3,
        )
        self.assertEqual(len(promises), 3)
        states = {promise.partner_id.name: promise.state for promise in promises}
        self.assertEqual(
            states,
            {
                "Électricité Fournier SAS": "open",
                "Brasserie du Port": "open",
                "Quincaillerie Leroy": "broken",
            },
        )
        # the disputes kanban and the cockpit have something to show
        cockpit = self.env["relance.cockpit"].search(
            [("partner_id", "in", disputes.partner_id.ids)]
        )
        self.assertEqual(set(cockpit.mapped("dispute_count")), {1})
        promised = self.env["relance.cockpit"].search([("promise_count", ">", 0)])
        self.assertEqual(
            set(promised.partner_id.mapped("name")),
            {"Électricité Fournier SAS", "Brasserie du Port"},
        )

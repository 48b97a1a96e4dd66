"""Who can do what (#12): each model of the addon, for each kind of user
(credit controller, reminder administrator, accounting auditor without a
reminder group, portal user) on a record of their own company and on one of
another company, whether Odoo lets them read, create, write and delete it
(access rights and record rules, as ``check_access`` applies them).

The expected answers are the table of the README's section "Who can do
what", parsed here: the README and the rights cannot drift.  When they
differ, the failure prints the table the rights give."""

from datetime import timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common_engine import ReminderEngineCommon

README = Path(__file__).parent.parent / "README.md"
OPERATIONS = (("r", "read"), ("c", "create"), ("w", "write"), ("d", "unlink"))
USERS = (
    ("Credit controller", "account.group_account_invoice"),
    (
        "Reminder administrator",
        "account.group_account_invoice,account_relance.group_relance_manager",
    ),
    ("Accounting auditor (no reminder group)", "account.group_account_readonly"),
    ("Portal user", "base.group_portal"),
)
MARKER = "<!-- access-matrix: generated from tests/test_access_matrix.py -->"


def render_table(matrix):
    """The README's table for ``matrix`` ({model: {user: (own, other)}})."""
    lines = [
        "| Model | " + " | ".join(label for label, _groups in USERS) + " |",
        "|---|" + "---|" * len(USERS),
    ]
    for model in sorted(matrix):
        cells = [" / ".join(matrix[model][label]) for label, _groups in USERS]
        lines.append(f"| `{model}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_readme_table():
    text = README.read_text()
    assert MARKER in text, "the README has no access matrix"
    table = text.split(MARKER, 1)[1].strip().split("\n\n", 1)[0]
    rows = table.splitlines()
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[1:] == [label for label, _groups in USERS], header
    matrix = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        model = cells[0].strip("`")
        matrix[model] = {
            label: tuple(part.strip() for part in cell.split("/"))
            for (label, _groups), cell in zip(USERS, cells[1:], strict=True)
        }
    return matrix


@tagged("post_install", "-at_install")
class TestAccessMatrix(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Relance Co 2")["company"]
        cls.env.user.company_ids |= cls.company_2
        cls.today = fields.Date.context_today(cls.env["relance.reminder"])
        cls.users = {
            label: new_test_user(
                cls.env,
                login=f"matrix_{index}",
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
            for index, (label, groups) in enumerate(USERS)
        }
        cls.records = {
            "own": cls._records(cls.company, cls.plan),
            "other": cls._records(
                cls.company_2,
                cls.env["relance.plan"].search(
                    [("company_id", "=", cls.company_2.id), ("is_default", "=", True)]
                ),
            ),
        }

    @classmethod
    def _records(cls, company, plan):
        """One record of each model of the addon in ``company``."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        invoice = cls._invoice(
            cls.customer, cls.today - timedelta(days=20), company_id=company.id
        )
        items = invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        reminder = env["relance.reminder"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": company.id,
                "level_id": plan.level_ids[0].id,
                "currency_id": company.currency_id.id,
                "amount_due": 1000.0,
                "move_line_ids": [Command.set(items.ids)],
            }
        )
        # a reminder that went out, for the effectiveness report
        reminder.write({"state": "sent", "email_state": "sent"})
        reason = env["relance.dispute.reason"].create(
            {"name": f"Reason {company.name}", "company_id": company.id}
        )
        records = {
            "relance.plan": plan,
            "relance.level": plan.level_ids[0],
            "relance.reminder": reminder,
            "relance.reminder.line": reminder.line_ids[0],
            "relance.partner.behaviour": cls._habit(cls.customer, 3.0, 5, company),
            "relance.dispute.reason": reason,
            "relance.dispute": env["relance.dispute"].create(
                {"move_id": invoice.id, "reason_id": reason.id}
            ),
            "relance.promise": env["relance.promise"].create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": company.id,
                    "move_ids": [Command.set(invoice.ids)],
                }
            ),
            "relance.interest.rate": env["relance.interest.rate"].create(
                {"date_from": cls.today, "rate": 4.0, "company_id": company.id}
            ),
            "relance.kpi.snapshot": env["relance.kpi.snapshot"].create(
                {"company_id": company.id, "date": cls.today}
            ),
            **cls._wizards(env, company),
        }
        env.flush_all()
        for model in ("relance.cockpit", "relance.effectiveness"):
            records[model] = env[model].search(
                [("company_id", "=", company.id)], limit=1
            )
        return records

    @classmethod
    def _wizards(cls, env, company):
        """The wizards' records, made by ``env``'s user."""
        preview = env["relance.reminder.preview"].create(
            {"date": cls.today, "company_ids": [Command.set(company.ids)]}
        )
        return {
            "relance.reminder.preview": preview,
            "relance.reminder.preview.line": env[
                "relance.reminder.preview.line"
            ].create({"preview_id": preview.id, "partner_id": cls.customer.id}),
            "relance.call.log": env["relance.call.log"].create(
                {"partner_id": cls.customer.id, "outcome": "reached"}
            ),
        }

    def _record(self, where, model, user):
        """The record to try: of the user's company or another one; for a
        wizard, the user's own (made as them) or another user's."""
        if where == "own" and self.env[model]._transient:
            own = self.env(user=user, su=True)
            return self._wizards(own, self.company)[model]
        return self.records[where][model]

    def _rights(self, user, record):
        record = self.env(user=user)[record._name].browse(record.ids)
        return "".join(
            letter if record.has_access(operation) else "-"
            for letter, operation in OPERATIONS
        )

    def test_who_can_do_what(self):
        models = {
            name
            for name, model in self.env.registry.items()
            if name.startswith("relance.") and not model._abstract
        }
        self.assertEqual(models, set(self.records["own"]), "a model without a row")
        for where in ("own", "other"):
            for model, record in self.records[where].items():
                self.assertEqual(len(record), 1, f"no {where} {model} to try")
        matrix = {
            model: {
                label: tuple(
                    self._rights(user, self._record(where, model, user))
                    for where in ("own", "other")
                )
                for label, user in self.users.items()
            }
            for model in models
        }
        self.assertEqual(
            parse_readme_table(),
            matrix,
            "README.md, Who can do what: the rights give this table\n"
            + render_table(matrix),
        )

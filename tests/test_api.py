"""The README's API examples, run as they are over HTTP on the test server
(#12 item 9): JSON-2 with a real API key, and XML-RPC.  The examples are read
from the README's code blocks, so that the two cannot drift; only their
placeholders (server, database, key, ids) are given the test's values."""

import re
import xmlrpc.client
from datetime import datetime, timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged

from .common_engine import ReminderEngineCommon

README = Path(__file__).parent.parent / "README.md"
XMLRPC_LOGGER = "odoo.addons.rpc.controllers.xmlrpc"


def readme_example(name):
    """The code block of the README that follows ``<!-- api-example: name -->``."""
    match = re.search(
        rf"<!-- api-example: {name} -->\n```python\n(.*?)```", README.read_text(), re.S
    )
    assert match, f"no api-example {name} in the README"
    return match.group(1)


@tagged("post_install", "-at_install")
class TestApi(ReminderEngineCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["relance.reminder"])
        cls.controller = new_test_user(
            cls.env,
            login="api@example.com",
            email="api@example.com",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            context={"lang": "en_US"},
        )
        cls.key = cls._api_key(cls.controller)
        # a formal notice, reviewed first, for the customer; a first
        # reminder, sent at once, for the other
        cls.invoice = cls._invoice(cls.customer, cls.today - timedelta(days=40))
        cls._invoice(cls.customer_b, cls.today - timedelta(days=6))

    @classmethod
    def _api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc", name="API", expiration_date=datetime.now() + timedelta(1)
            )
        )

    def _run_example(self, name, user="api@example.com", key=None):
        """Run the README's example ``name`` against the test server, and
        return its variables."""
        code = readme_example(name)
        values = {
            "URL": repr(self.base_url()),
            "DB": repr(get_db_name()),
            "USER": repr(user),
            "KEY": repr(key or self.key),
            "COMPANY_ID": str(self.company.id),
            "CUSTOMER_ID": str(self.customer.id),
        }

        def given(match):
            names = [name.strip() for name in match.group(1).split(",")]
            return f"{match.group(1)} = {', '.join(values[name] for name in names)}"

        code, count = re.subn(
            r"^((?:URL|DB|USER|KEY|COMPANY_ID|CUSTOMER_ID)(?:, \w+)*) = .*$",
            given,
            code,
            flags=re.M,
        )
        self.assertEqual(count, 2, "the placeholders of the example")
        variables = {}
        # a client of its own, not the test's browser: every request allowed
        with self.allow_requests(all_requests=True):
            exec(compile(code, f"README.md:{name}", "exec"), variables)  # noqa: S102
        self.env.invalidate_all()
        return variables

    def _assert_what_a_user_sees(self, result):
        # the preview a week ahead: the two customers, nothing written
        previewed = {row["partner_id"]: row for row in result["preview"]}
        self.assertEqual(set(previewed), {self.customer.id, self.customer_b.id})
        self.assertEqual(previewed[self.customer.id]["level_id"], self.formal.id)
        self.assertEqual(previewed[self.customer.id]["amount_due"], 1000.0)
        # the day's run: both reminders; the first reminder went out at once
        created = self.Reminder.browse(result["created_ids"])
        self.assertEqual(created, self._reminders())
        self.assertEqual(created.partner_id, self.customer | self.customer_b)
        self.assertEqual(
            created.filtered(lambda r: r.partner_id == self.customer_b).level_id,
            self.level1,
        )
        # the customer's reminders, as the list shows them
        [row] = result["reminders"]
        reminder = self.Reminder.browse(row["id"])
        self.assertEqual(row["level_id"], [self.formal.id, self.formal.display_name])
        self.assertEqual(row["amount_due"], 1000.0)
        self.assertEqual(row["date"], fields.Date.to_string(self.today))
        # sent: True (it used to be None, a Fault over XML-RPC); the email is
        # queued, the registered letter waits for the printer
        self.assertIs(result["sent"], True)
        self.assertEqual(reminder.state, "to_send")
        self.assertEqual(reminder.email_state, "queued")
        self.assertEqual(reminder.letter_state, "to_print")
        # the promise: on the reminder's invoice, which it pauses
        promise = self.env["relance.promise"].browse(result["promise_ids"])
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.move_ids, self.invoice)
        self.assertEqual(promise.reminder_id, reminder)
        self.assertEqual(promise.amount, 1000.0)
        self.assertEqual(promise.user_id, self.controller)
        self.assertEqual(self.invoice.relance_paused_until, promise.date_deadline)
        self.assertIn("Promise to pay recorded", reminder.message_ids[0].body)

    def test_json2_examples(self):
        result = self._run_example("json2")
        self._assert_what_a_user_sees(result)
        # a refusal reads as the error, with its HTTP status
        call = result["call"]
        week_ahead = result["week_ahead"]
        with (
            self.allow_requests(all_requests=True),
            self.assertRaisesRegex(RuntimeError, "Only a reminder administrator"),
        ):
            call(
                "relance.reminder",
                "generate_reminders",
                date=week_ahead,
                company_ids=[self.company.id],
            )
        response = self.url_open(
            "/json/2/relance.reminder/action_confirm",
            json={"ids": [result["to_review"][0]["id"]]},  # sent already
            headers={
                "Authorization": f"bearer {self.key}",
                "X-Odoo-Database": get_db_name(),
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            response.json()["message"], "Only reminders to review can be confirmed."
        )
        self.assertEqual(len(self._reminders()), 2)

    def test_xmlrpc_examples(self):
        with self.assertLogs(XMLRPC_LOGGER, "WARNING") as logs:
            result = self._run_example("xmlrpc")
        self.assertIn("deprecated in Odoo 19", logs.output[0])
        self._assert_what_a_user_sees(result)
        with (
            self.allow_requests(all_requests=True),
            self.assertLogs(XMLRPC_LOGGER, "WARNING"),
            self.assertRaises(xmlrpc.client.Fault) as fault,
        ):
            result["call"](
                "relance.reminder",
                "generate_reminders",
                date=result["week_ahead"],
                company_ids=[self.company.id],
            )
        self.assertIn("Only a reminder administrator", fault.exception.faultString)

    def test_buttons_that_returned_none(self):
        """Making a plan the default, posting a customer payment: their
        methods returned None, a Fault over XML-RPC although the action ran."""
        # the accountant of the test company (an accounting administrator)
        admin = self.env.user
        plan = self.plan.copy({"name": "Other plan", "is_default": False})
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 100.0,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        key = self._api_key(admin)
        self.env.flush_all()  # the server reads the database
        models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object")

        def call(model, method, ids):
            context = {"allowed_company_ids": self.company.ids}
            return models.execute_kw(
                get_db_name(), admin.id, key, model, method, [ids], {"context": context}
            )

        with (
            self.allow_requests(all_requests=True),
            self.assertLogs(XMLRPC_LOGGER, "WARNING"),
        ):
            self.assertIs(call("relance.plan", "action_set_default", plan.ids), True)
            self.assertIs(call("account.payment", "action_post", payment.ids), True)
        self.env.invalidate_all()
        self.assertTrue(plan.is_default)
        self.assertFalse(self.plan.is_default)
        self.assertIn(payment.state, ("in_process", "paid"))

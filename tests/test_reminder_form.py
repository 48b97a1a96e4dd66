"""The reminder form: one primary action per state and few buttons beside
it, the rest in the Actions menu; what goes out (recipients, email, SMS,
letter) shown before sending; the letter previewed without printing."""

from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common_engine import ReminderEngineCommon


@tagged("post_install", "-at_install")
class TestReminderForm(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.customer.write(
            {
                "email": "compta@dupont.example.com",
                "accountant_email": "expert@cabinet.example.com",
                "phone": "06 12 34 56 78",
                "street": "3 rue des Lilas",
                "zip": "69003",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.level2.write({"channel_sms": True, "channel_letter": True})
        invoice = cls._invoice(cls.customer, cls.today - timedelta(days=20))
        items = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        cls.reminder = cls.Reminder.create(
            {
                "partner_id": cls.customer.id,
                "level_id": cls.level2.id,
                "move_line_ids": [Command.set(items.ids)],
            }
        )

    def _visible_buttons(self, reminder):
        """The header buttons the form shows for ``reminder``, as
        (name, primary), evaluating their ``invisible`` as the web client."""
        arch = etree.fromstring(self.Reminder.get_view(view_type="form")["arch"])
        names = {
            node.get("name")
            for node in arch.iter("field")
            if node.get("name") in self.Reminder._fields
        }
        values = {name: reminder[name] for name in names}
        for name, value in values.items():
            field = self.Reminder._fields[name]
            if field.type in ("many2one",):
                values[name] = value.id
            elif field.type in ("one2many", "many2many"):
                values[name] = value.ids
        values["id"] = reminder.id
        buttons = []
        for button in arch.find("header").iter("button"):
            if not safe_eval(button.get("invisible") or "False", values):
                buttons.append(
                    (button.get("name"), "btn-primary" in (button.get("class") or ""))
                )
        return buttons

    def test_one_primary_action_per_state(self):
        reminder = self.reminder
        for state, primary in (
            ("draft", "action_confirm"),
            ("to_send", "action_send"),
            ("error", "action_retry"),
        ):
            reminder.state = state
            buttons = self._visible_buttons(reminder)
            self.assertEqual(
                [name for name, is_primary in buttons if is_primary], [primary], state
            )
            self.assertLessEqual(len(buttons), 4, (state, buttons))
        reminder.state = "draft"
        self.assertEqual(
            [name for name, _primary in self._visible_buttons(reminder)],
            ["action_confirm", "action_cancel"],
            "Confirm alone, no Send Now nor Send by Email beside it",
        )
        # the others are in the Actions menu
        bound = self.env["ir.actions.server"].search(
            [
                ("binding_model_id.model", "=", "relance.reminder"),
                ("binding_view_types", "ilike", "form"),
            ]
        )
        self.assertEqual(
            set(bound.mapped("code")),
            {
                "action = record.action_send_now()",
                "action = record.action_relance_log_call()",
                "action = record.action_relance_new_promise()",
                "action = record.action_relance_open_dispute()",
            },
        )
        # one "Items" tab, no second one named like it
        arch = self.Reminder.get_view(view_type="form")["arch"]
        self.assertNotIn('string="Items"', arch)

    def test_what_goes_out_before_sending(self):
        outbox = self.reminder.outbox
        # the email: recipient and the accountant in copy, subject and body
        self.assertIn("compta@dupont.example.com", outbox)
        self.assertIn("expert@cabinet.example.com", outbox)
        self.assertIn(self.reminder.name, outbox, "the rendered subject")
        self.assertIn(self.customer.name, outbox, "the rendered body")
        # the SMS: the number in international format, and its text
        self.assertIn("+33612345678", outbox)
        # the letter: the postal address
        self.assertIn("69003", outbox)
        self.assertIn("Lyon", outbox)
        # nothing was sent to render it
        self.assertFalse(self.reminder.email_state)
        self.assertFalse(
            self.reminder.message_ids.filtered(lambda m: m.message_type == "comment")
        )

    def test_what_goes_out_says_what_is_missing(self):
        self.customer.write({"email": False, "phone": False, "city": False})
        outbox = self.reminder.outbox
        self.assertIn("has no email address", outbox)
        self.assertIn("has no mobile number", outbox)
        self.assertIn("missing: city", outbox)

    def test_preview_the_letter_without_printing(self):
        action = self.reminder.action_preview_letter()
        self.assertEqual(action["report_type"], "qweb-html")
        self.assertEqual(action["context"]["active_ids"], self.reminder.ids)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            action["report_name"], self.reminder.ids
        )
        self.assertIn(self.customer.name.encode(), html)
        self.assertFalse(self.reminder.letter_state, "not printed")
        self.assertFalse(self.reminder.letter_attachment_id)

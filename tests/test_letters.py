import io
import os

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common_letters import RelanceLetterCommon


@tagged("post_install", "-at_install")
class TestLetters(RelanceLetterCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 12000.0, "2025-05-15")

    def _pages(self, pdf):
        return len(PdfFileReader(io.BytesIO(pdf)).pages)

    def _print_one(self, reminder):
        pdf, printed, refused = self.env["relance.reminder.send"]._print_letters(
            reminder
        )
        self.assertEqual(printed, reminder)
        self.assertFalse(refused)
        self.assertEqual(reminder.state, "printed")
        self.assertEqual(reminder.letter_attachment_id.raw, pdf)
        return self._pdf_text(pdf)

    def _assert_common(self, reminder, text):
        self.assertIn(reminder.name, text)
        self.assertIn("Dupont Industries", text)
        self.assertIn("12 avenue des Champs", text)
        self.assertIn(self.invoice.name, text)
        self.assertIn("FR76 3000 6000 0112 3456 7890 189", text)
        self.assertIn("AGRIFRPP", text)
        self.assertIn("12,000.00", text)
        # The letterhead comes with the letter: the company's name and town.
        self.assertIn(self.company.name, text)
        self.assertIn("Paris", text)

    def test_notice_letter(self):
        invoice = self._invoice(self.customer, 500.0, "2025-08-20")
        reminder = self._reminder(self.customer, "notice", invoice, "2025-08-14")
        text = self._print_one(reminder)
        self.assertIn("invoices falling due soon", text)
        self.assertIn("courteous notice", text)
        self.assertNotIn("Late-payment interest", text)

    def test_friendly_letter(self):
        reminder = self._reminder(self.customer, "friendly", self.invoice, "2025-08-14")
        text = self._print_one(reminder)
        self._assert_common(reminder, text)
        self.assertIn("Subject: payment reminder", text)
        self.assertIn("Unless we are mistaken", text)
        self.assertNotIn("Late-payment interest", text)

    def test_firm_letter_with_charges(self):
        reminder = self._reminder(self.customer, "firm", self.invoice, "2025-08-14")
        text = self._print_one(reminder)
        self._assert_common(reminder, text)
        self.assertIn("second payment reminder", text)
        self.assertIn("Late-payment interest", text)
        self.assertIn("378.62", text)
        self.assertIn("40.00", text)
        self.assertIn("12,418.62", text)
        self.assertIn("13.15 %", text)
        self.assertIn("12.15 %", text)
        self.assertIn("Scan to pay", text)

    def test_formal_notice(self):
        """The mise en demeure lists the previous reminders, gives a deadline
        (8 days), the legal consequences and the registered-letter number."""
        first = self._reminder(self.customer, "friendly", self.invoice, "2025-06-01")
        first.state = "sent"
        second = self._reminder(self.customer, "firm", self.invoice, "2025-06-20")
        second.state = "printed"
        reminder = self._reminder(
            self.customer,
            "formal",
            self.invoice,
            "2025-08-14",
            registered_tracking_ref="1A 234 567 8901 2",
        )
        self.assertEqual(str(reminder.formal_deadline_date), "2025-08-22")
        text = self._print_one(reminder)
        self._assert_common(reminder, text)
        self.assertIn("FORMAL NOTICE TO PAY", text)
        self.assertIn("1A 234 567 8901 2", text)
        self.assertIn(first.name, text)
        self.assertIn(second.name, text)
        self.assertIn("within 8 days", text)
        self.assertIn("08/22/2025", text)
        self.assertIn("injonction de payer", text)
        self.assertIn("L441-10", text)
        self.assertIn("378.62", text)

    def test_formal_notice_follows_the_history_sent(self):
        """A formal notice that follows no reminder does not say "despite our
        reminders"; its firm letter neither."""
        reminder = self._reminder(self.customer, "formal", self.invoice, "2025-08-14")
        text = self._print_one(reminder)
        self.assertNotIn("Despite our reminders", text)
        self.assertNotIn("Our previous reminders", text)
        self.assertIn("remain unpaid although their due date", text)
        other = self.customer.copy({"name": "Autre SARL"})
        invoice = self._invoice(other, 500.0, "2025-05-15")
        firm = self._reminder(other, "firm", invoice, "2025-08-14")
        self.assertNotIn("Despite our previous reminder", self._print_one(firm))

    def test_formal_notice_to_a_consumer(self):
        """A consumer's formal notice cites the civil code's legal interest,
        not the commercial code's charges."""
        consumer = self.customer.copy(
            {"name": "Jean Martin", "relance_is_consumer": True}
        )
        invoice = self._invoice(consumer, 800.0, "2025-05-15")
        reminder = self._reminder(consumer, "formal", invoice, "2025-08-14")
        text = self._print_one(reminder)
        self.assertIn("1231-6", text)
        self.assertNotIn("L441-10", text)
        self.assertNotIn("D441-5", text)
        self.assertNotIn("recovery indemnity", text)

    def test_french_formal_notice_deadline(self):
        """The French formal notice gives its deadline once: "soit le ... au
        plus tard"."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        reminder = self._reminder(self.customer, "formal", self.invoice, "2025-08-14")
        text = " ".join(self._print_one(reminder).split())
        self.assertIn("soit le 22/08/2025 au plus tard", text)
        self.assertEqual(text.count("au plus tard"), 1)

    def test_letter_in_the_customer_language(self):
        """A French customer gets the letter in French formats."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        reminder = self._reminder(self.customer, "firm", self.invoice, "2025-08-14")
        text = self._print_one(reminder)
        self.assertIn("14/08/2025", text)
        self.assertIn("378,62", text)

    def test_reprint_gives_the_printed_letter(self):
        reminder = self._reminder(self.customer, "firm", self.invoice, "2025-08-14")
        pdf, __, __ = self.env["relance.reminder.send"]._print_letters(reminder)
        self.customer.street = "99 rue Nouvelle"
        again, __, __ = self.env["relance.reminder.send"]._print_letters(reminder)
        self.assertEqual(again, pdf)
        report_pdf, __ = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account_relance.report_relance_reminder", reminder.ids)
        )
        self.assertEqual(report_pdf, pdf)

    def test_letters_to_print_include_registered_and_in_error(self):
        """The "Letters to Print" list holds plain and registered letters not
        printed yet, also of reminders whose email failed."""
        formal = self.levels["formal"]
        formal.write({"channel_letter": False, "channel_registered": True})
        registered = self._reminder(self.customer, "formal", self.invoice, "2025-08-14")
        failed = self._reminder(
            self.customer, "firm", self.invoice, "2025-08-14", state="error"
        )
        printed = self._reminder(
            self.customer, "friendly", self.invoice, "2025-08-14", state="printed"
        )
        Reminder = self.env["relance.reminder"]
        to_print = Reminder.search(Reminder._get_letters_to_print_domain())
        self.assertIn(registered, to_print)
        self.assertIn(failed, to_print)
        self.assertNotIn(printed, to_print)

    def test_batch_of_50_into_one_pdf(self):
        """50 reminders give one PDF of 50 one-page letters in their order;
        all are printed and each keeps its own letter."""
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Client {i:02d}",
                    "is_company": True,
                    "street": f"{i} rue du Commerce",
                    "zip": "75015",
                    "city": "Paris",
                    "country_id": self.env.ref("base.fr").id,
                }
                for i in range(50)
            ]
        )
        reminders = self.env["relance.reminder"]
        for partner in partners:
            invoice = self._invoice(partner, 100.0, "2025-07-01")
            reminders |= self._reminder(partner, "friendly", invoice, "2025-08-14")
        pdf, printed, refused = self.env["relance.reminder.send"]._print_letters(
            reminders, chunk_size=20
        )
        self.assertEqual(printed, reminders)
        self.assertFalse(refused)
        self.assertEqual(self._pages(pdf), 50)
        self.assertEqual(set(reminders.mapped("state")), {"printed"})
        self.assertEqual(len(reminders.letter_attachment_id), 50)
        reader = PdfFileReader(io.BytesIO(pdf))
        self.assertIn(reminders[0].name, reader.pages[0].extract_text())
        self.assertIn(reminders[37].name, reader.pages[37].extract_text())
        self.assertIn(
            "Client 37", self._pdf_text(reminders[37].letter_attachment_id.raw)
        )

    def test_missing_address_is_refused_others_print(self):
        nowhere = self.env["res.partner"].create(
            {"name": "Sans Adresse SARL", "is_company": True}
        )
        invoice = self._invoice(nowhere, 100.0, "2025-07-01")
        refused_one = self._reminder(nowhere, "friendly", invoice, "2025-08-14")
        good = self._reminder(self.customer, "friendly", self.invoice, "2025-08-14")
        action = (refused_one | good).action_print_letters()
        self.assertEqual(good.state, "printed")
        self.assertEqual(refused_one.state, "to_send")
        self.assertIn("Sans Adresse SARL", refused_one.error_message)
        self.assertIn(refused_one.name, refused_one.error_message)
        self.assertIn("Sans Adresse SARL", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["type"], "ir.actions.act_url")

    def test_customer_statement(self):
        """The statement lists open invoices, credit notes and payments, with
        the balance."""
        refund = self._create_invoice_one_line(
            move_type="out_refund",
            price_unit=200.0,
            partner_id=self.customer,
            invoice_date="2025-07-01",
            tax_ids=[],
            currency_id=self.eur,
            post=True,
        )
        pdf, __ = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "account_relance.report_relance_statement", self.customer.ids
            )
        )
        text = self._pdf_text(pdf)
        self.assertIn("Statement of account", text)
        self.assertIn(self.invoice.name, text)
        self.assertIn(refund.name, text)
        self.assertIn("Credit note", text)
        self.assertIn("11,800.00", text)

    def test_parallel_chunks_same_pages_same_order(self):
        """Chunks printed by 2 wkhtmltopdf processes at once give the same
        pages, in the same order, as printed one after the other."""
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Client Parallèle {i:02d}",
                    "is_company": True,
                    "street": f"{i} rue du Commerce",
                    "zip": "75015",
                    "city": "Paris",
                    "country_id": self.env.ref("base.fr").id,
                }
                for i in range(9)
            ]
        )
        reminders = self.env["relance.reminder"]
        for partner in partners:
            invoice = self._invoice(partner, 100.0, "2025-07-01")
            reminders |= self._reminder(partner, "friendly", invoice, "2025-08-14")
        Param = self.env["ir.config_parameter"]
        Report = self.env["ir.actions.report"]

        def print_with(processes):
            Param.set_param("account_relance.letter_processes", str(processes))
            self.assertEqual(Report._relance_letter_processes(), processes)
            reminders.letter_attachment_id.unlink()
            pdf, printed, refused = self.env["relance.reminder.send"]._print_letters(
                reminders, chunk_size=2
            )
            self.assertEqual(printed, reminders)
            self.assertFalse(refused)
            pages = PdfFileReader(io.BytesIO(pdf)).pages
            return [" ".join(page.extract_text().split()) for page in pages]

        one = print_with(1)
        two = print_with(2)
        self.assertEqual(len(one), 9)
        self.assertEqual(two, one)
        for index, reminder in enumerate(reminders):
            self.assertIn(reminder.name, two[index])
            self.assertIn(f"Client Parallèle {index:02d}", two[index])
        # a reprint mixing stored letters and a new one: the same pages again
        reminders[4].letter_attachment_id.unlink()
        pdf, printed, __ = self.env["relance.reminder.send"]._print_letters(
            reminders, chunk_size=2
        )
        self.assertEqual(printed, reminders)
        self.assertTrue(reminders[4].letter_attachment_id)
        pages = PdfFileReader(io.BytesIO(pdf)).pages
        self.assertEqual([" ".join(page.extract_text().split()) for page in pages], one)
        # by default, one process per core
        Param.set_param("account_relance.letter_processes", "")
        self.assertEqual(
            Report._relance_letter_processes(), len(os.sched_getaffinity(0))
        )

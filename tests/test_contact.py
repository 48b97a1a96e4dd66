from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestContact(BaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fr = cls.env.ref("base.fr")
        cls.customer = cls.env["res.partner"].create(
            {"name": "SARL Dupont", "is_company": True, "country_id": cls.fr.id}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Claire Dupont", "parent_id": cls.customer.id}
        )

    def test_normalize_phone(self):
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner._relance_normalize_phone("06 12 34 56 78", self.fr), "+33612345678"
        )
        self.assertEqual(
            Partner._relance_normalize_phone("+32 470 12 34 56", self.fr),
            "+32470123456",
        )
        with self.assertRaisesRegex(ValidationError, "not a valid phone number"):
            Partner._relance_normalize_phone("06 12 34", self.fr)
        with self.assertRaisesRegex(ValidationError, "international format"):
            Partner._relance_normalize_phone("0612345678", None)
        with self.assertRaisesRegex(ValidationError, "not a phone number"):
            Partner._relance_normalize_phone("call me", self.fr)

    def test_payment_contact_on_customer_form(self):
        with Form(self.customer) as form:
            form.relance_payment_contact_id = self.contact
            form.relance_payment_contact_role = "Comptable fournisseurs"
            form.relance_payment_contact_phone = "06 12 34 56 78"
            form.relance_payment_contact_email = "claire@dupont.fr"
            form.accountant_email = "compta@dupont.fr"
        self.assertEqual(self.contact.phone, "+33612345678")
        self.assertEqual(self.contact.email, "claire@dupont.fr")
        self.assertEqual(self.customer._relance_get_payment_contact(), self.contact)
        self.assertEqual(self.contact._relance_get_payment_contact(), self.contact)

    def test_invalid_phone_refused(self):
        self.customer.relance_payment_contact_id = self.contact
        with self.assertRaisesRegex(ValidationError, "12 34"):
            self.customer.relance_payment_contact_phone = "12 34"
        self.assertFalse(self.contact.phone)
        self.contact.phone = "not a phone"
        with self.assertRaises(ValidationError):
            self.customer.relance_payment_contact_id = self.contact

    def test_invalid_emails_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a valid email"):
            self.customer.accountant_email = "compta@"
        self.customer.relance_payment_contact_id = self.contact
        with self.assertRaises(ValidationError):
            self.customer.relance_payment_contact_email = "claire at dupont"

    def test_payment_contact_belongs_to_customer(self):
        stranger = self.env["res.partner"].create({"name": "Someone Else"})
        with self.assertRaisesRegex(ValidationError, "one of its contacts"):
            self.customer.relance_payment_contact_id = stranger

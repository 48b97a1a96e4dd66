import phonenumbers

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.mail import email_normalize


class ResPartner(models.Model):
    """Who validates the customer's payments, and where the accounting
    department is reached: the recipients of the reminders."""

    _inherit = "res.partner"

    relance_payment_contact_id = fields.Many2one(
        comodel_name="res.partner",
        string="Payment Contact",
        index="btree_not_null",
        domain="[('id', '!=', id), ('is_company', '=', False),"
        " ('commercial_partner_id', '=', commercial_partner_id)]",
        help="The person who validates the payments at this customer: "
        "reminders are addressed to them.",
    )
    relance_payment_contact_role = fields.Char(
        string="Payment Contact Role",
        help="e.g. Accounts payable, Chief financial officer.",
    )
    relance_payment_contact_phone = fields.Char(
        string="Payment Contact Phone",
        compute="_compute_relance_payment_contact_info",
        inverse="_inverse_relance_payment_contact_phone",
        help="Saved in international format (E.164); the country of the "
        "contact (or of the customer) completes national numbers.",
    )
    relance_payment_contact_email = fields.Char(
        string="Payment Contact Email",
        compute="_compute_relance_payment_contact_info",
        inverse="_inverse_relance_payment_contact_email",
    )
    accountant_email = fields.Char(
        string="Accounting Email",
        help="The accounting department's address: copied on every reminder.",
    )

    @api.depends("relance_payment_contact_id.phone", "relance_payment_contact_id.email")
    def _compute_relance_payment_contact_info(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            partner.relance_payment_contact_phone = contact.phone
            partner.relance_payment_contact_email = contact.email

    def _inverse_relance_payment_contact_phone(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            if not contact:
                continue
            country = contact.country_id or partner.country_id
            contact.phone = self._relance_normalize_phone(
                partner.relance_payment_contact_phone, country
            )

    def _inverse_relance_payment_contact_email(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            email = partner.relance_payment_contact_email
            if not contact:
                continue
            if email and not email_normalize(email):
                raise ValidationError(
                    self.env._("%(email)s is not a valid email address.", email=email)
                )
            contact.email = email

    @api.constrains("accountant_email")
    def _check_accountant_email(self):
        for partner in self:
            email = partner.accountant_email
            if email and not email_normalize(email):
                raise ValidationError(
                    self.env._(
                        "The accounting email of %(partner)s, %(email)s, is not "
                        "a valid email address.",
                        partner=partner.display_name,
                        email=email,
                    )
                )

    @api.constrains("relance_payment_contact_id")
    def _check_relance_payment_contact(self):
        for partner in self:
            contact = partner.relance_payment_contact_id
            if not contact:
                continue
            if contact.commercial_partner_id != partner.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The payment contact of %(partner)s must be one of its "
                        "contacts.",
                        partner=partner.display_name,
                    )
                )
            if contact.phone:
                self._relance_normalize_phone(
                    contact.phone, contact.country_id or partner.country_id
                )

    @api.model
    def _relance_normalize_phone(self, number, country=None):
        """Return ``number`` in E.164 (``+33612345678``), reading national
        numbers in ``country`` (a ``res.country``); raise a ValidationError
        that says why when the number is not a valid phone number."""
        if not number:
            return number
        region = country.code if country else None
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException as error:
            if region:
                message = self.env._(
                    "%(number)s is not a phone number (%(error)s). Type it "
                    "as in %(country)s or in international format, e.g. "
                    "+33 6 12 34 56 78.",
                    number=number,
                    error=error,
                    country=country.name,
                )
            else:
                message = self.env._(
                    "%(number)s is not a phone number (%(error)s). Without "
                    "a country, type it in international format, e.g. "
                    "+33 6 12 34 56 78.",
                    number=number,
                    error=error,
                )
            raise ValidationError(message) from error
        if not phonenumbers.is_valid_number(parsed):
            raise ValidationError(
                self.env._(
                    "%(number)s is not a valid phone number: check the number "
                    "of digits and the country code (%(country)s).",
                    number=number,
                    country=country.name if region else self.env._("none"),
                )
            )
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def _relance_get_payment_contact(self):
        """The person to address a reminder to: the payment contact of the
        customer, else the customer itself."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.relance_payment_contact_id or commercial

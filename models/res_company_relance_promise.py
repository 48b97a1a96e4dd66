from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    relance_promise_grace_days = fields.Integer(
        string="Promise Grace Period (days)",
        default=3,
        help="Reminders of the invoices covered by a promise to pay stay paused "
        "until the promised date plus this many days; the promise is broken "
        "when this period has passed unpaid.",
    )
    relance_escalate_broken_promise = fields.Boolean(
        string="Escalate on Broken Promise",
        default=True,
        help="When a promise to pay is broken, the customer's next reminder "
        "moves up one level.",
    )

    _relance_promise_grace_positive = models.Constraint(
        "CHECK(relance_promise_grace_days >= 0)",
        "The grace period of promises to pay cannot be negative.",
    )

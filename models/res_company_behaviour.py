from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    relance_behaviour_window = fields.Integer(
        string="Behaviour Window (months)",
        default=12,
        help="Customers' payment behaviour is measured on the items settled, "
        "and the sales invoiced, during this many months.",
    )
    relance_behaviour_early_days = fields.Integer(
        string="Early Tolerance (days)",
        default=0,
        help="A customer pays early when his average delay is more than this "
        "many days before the due date.",
    )
    relance_behaviour_on_time_days = fields.Integer(
        string="On-time Tolerance (days)",
        default=3,
        help="A customer pays on time when his average delay is at most this "
        "many days after the due date.",
    )
    relance_behaviour_late_days = fields.Integer(
        string="Late Threshold (days)",
        default=30,
        help="A customer pays late up to this many days after the due date on "
        "average, and very late beyond.",
    )
    relance_behaviour_min_sample = fields.Integer(
        string="Minimum Sample",
        default=3,
        help="A customer's own average delay predicts his payment dates once "
        "this many items were settled in the window; below, the company's "
        "average is used.",
    )

    _relance_behaviour_window_positive = models.Constraint(
        "CHECK(relance_behaviour_window > 0)",
        "The payment behaviour window must last at least one month.",
    )
    _relance_behaviour_thresholds = models.Constraint(
        "CHECK(relance_behaviour_early_days >= 0"
        " AND relance_behaviour_on_time_days >= 0"
        " AND relance_behaviour_late_days >= relance_behaviour_on_time_days)",
        "Payment behaviour thresholds must be positive, and the late threshold "
        "at least the on-time tolerance.",
    )

    def write(self, vals):
        result = super().write(vals)
        if vals.keys() & {
            "relance_behaviour_window",
            "relance_behaviour_early_days",
            "relance_behaviour_on_time_days",
            "relance_behaviour_late_days",
        }:
            # A new window or new thresholds change every figure: refresh
            # now rather than at the next nightly run.
            # sudo: derived figures of the whole company
            self.env["relance.partner.behaviour"].sudo()._refresh(self.sudo())
        return result

    @api.private
    def _get_relance_behaviour_date_from(self, today=None):
        """First day of the behaviour window."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        return today - relativedelta(months=self.relance_behaviour_window or 12)

"""The collections cockpit: one row per company and commercial customer with
open receivables, the most worrying first.

A reporting model (``_auto = False``, like ``account.invoice.report``): its
rows are one SQL query over the open receivable items, the reminders, the
promises, the disputes, the call activities and the payment behaviour, read
whenever the list is.  Nothing is stored; the query count of the list does
not depend on the number of customers (tests/test_cockpit.py).
"""

import json

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from .relance_partner_behaviour import PAYMENT_BEHAVIOUR_SELECTION, severity_orderby

# The risk score weights the exposure (amount x days late) by the habit.
RISK_WEIGHTS = {
    "never_paid": 2.0,
    "very_late": 1.5,
    "late": 1.25,
    "no_history": 1.0,
    "on_time": 0.75,
    "early": 0.5,
}
# What to do next for a customer, in the order of priority when two fall on
# the same day.
NEXT_ACTIONS = [
    ("error", "Fix a delivery error"),
    ("review", "Review a reminder"),
    ("call", "Call"),
    ("letter", "Print a letter"),
    ("promise", "Check a promise to pay"),
    ("level", "Next reminder level"),
]
REMINDER_STATES = [
    ("draft", "To Review"),
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("printed", "Printed"),
    ("error", "In Error"),
    ("cancel", "Cancelled"),
]
# Rows are keyed by (partner, company) in one integer.
ID_FACTOR = 65536


class RelanceCockpit(models.Model):
    _name = "relance.cockpit"
    _description = "Collections Cockpit"
    _auto = False
    _rec_name = "partner_id"
    _order = "risk_score desc, amount_overdue desc, id"

    # what the query reads: flushed before it runs
    _depends = {
        "account.move.line": [
            "account_id",
            "company_id",
            "partner_id",
            "amount_residual",
            "amount_residual_currency",
            "date",
            "date_maturity",
            "reconciled",
            "parent_state",
            "no_followup",
            "move_id",
        ],
        "account.move": ["payment_state", "dispute_state", "relance_paused_until"],
        "res.partner": [
            "commercial_partner_id",
            "relance_excluded",
            "relance_plan_id",
            "relance_user_id",
            "user_id",
        ],
        "res.company": ["currency_id", "relance_user_id"],
        "res.users": ["active", "share", "company_ids"],
        "relance.reminder": [
            "partner_id",
            "company_id",
            "level_id",
            "date",
            "state",
            "letter_state",
        ],
        "relance.reminder.line": ["move_line_id", "reminder_id", "level_id"],
        "relance.level": [
            "plan_id",
            "sequence",
            "offset_days",
            "min_days_since_last",
            "requires_previous_delivered",
            "channel_email",
            "channel_sms",
            "channel_phone",
            "channel_letter",
            "channel_registered",
        ],
        "relance.plan": [
            "active",
            "is_default",
            "company_id",
            "adaptive_timing",
            "adaptive_max_days",
            "adaptive_min_sample",
        ],
        "relance.partner.behaviour": [
            "company_id",
            "partner_id",
            "payment_behaviour",
            "payment_count",
            "payment_delay_avg",
        ],
        "relance.promise": ["company_id", "partner_id", "state", "date", "date_closed"],
        "relance.dispute": ["company_id", "partner_id", "state", "amount_company"],
        "mail.activity": [
            "res_model",
            "res_id",
            "active",
            "activity_type_id",
            "date_deadline",
        ],
    }

    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", readonly=True
    )
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(
        comodel_name="res.currency", string="Currency", readonly=True
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        readonly=True,
        help="The customer's credit controller in the company, else its "
        "salesperson, else the company's default credit controller.",
    )
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    amount_over_90 = fields.Monetary(string="Over 90 Days", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_credit = fields.Monetary(
        string="Credits",
        readonly=True,
        help="Open credit notes and payments not yet matched (negative).",
    )
    amount_total = fields.Monetary(
        string="Balance", readonly=True, help="Everything open: due, overdue, credits."
    )
    oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)", readonly=True, aggregator="max"
    )
    risk_score = fields.Float(
        digits=(16, 0),
        readonly=True,
        help="Amount x days late of the overdue items (in thousands), weighted "
        "by the customer's habit: x2 never paid, x1.5 very late, x1.25 late, "
        "x1 no history, x0.75 on time, x0.5 early. Items in dispute or paused "
        "by a promise to pay do not count.",
    )
    payment_behaviour = fields.Selection(
        selection=PAYMENT_BEHAVIOUR_SELECTION, readonly=True
    )
    last_reminder_id = fields.Many2one(
        comodel_name="relance.reminder", string="Last Reminder", readonly=True
    )
    last_level_id = fields.Many2one(
        comodel_name="relance.level", string="Last Level", readonly=True
    )
    last_reminder_date = fields.Date(string="Last Reminded On", readonly=True)
    last_reminder_state = fields.Selection(
        selection=REMINDER_STATES, string="Last Outcome", readonly=True
    )
    next_action = fields.Selection(selection=NEXT_ACTIONS, readonly=True)
    next_action_date = fields.Date(readonly=True)
    next_level_id = fields.Many2one(
        comodel_name="relance.level",
        string="Next Level",
        readonly=True,
        help="The next level the customer's items reach, by the plan and the "
        "customer's habit (a forecast of the daily job).",
    )
    next_level_date = fields.Date(string="Next Level On", readonly=True)
    promise_count = fields.Integer(string="Open Promises", readonly=True)
    promise_date = fields.Date(string="Promised For", readonly=True)
    promise_broken = fields.Boolean(
        string="Broken Promise",
        readonly=True,
        help="A promise to pay broken in the last 90 days.",
    )
    promise_due = fields.Boolean(
        readonly=True,
        help="An open promise to pay whose date has come.",
    )
    dispute_count = fields.Integer(string="Open Disputes", readonly=True)
    dispute_amount = fields.Monetary(string="Disputed", readonly=True)
    to_review_count = fields.Integer(string="To Review", readonly=True)
    error_count = fields.Integer(string="In Error", readonly=True)
    letter_count = fields.Integer(string="Letters to Print", readonly=True)
    call_count = fields.Integer(string="Calls Planned", readonly=True)
    call_today = fields.Boolean(
        string="To Call Today",
        readonly=True,
        help="A call of a reminder is planned for today or before.",
    )

    # --- the customer's follow-up page (computed, not in the query) ---
    invoice_ids = fields.Many2many(
        comodel_name="account.move",
        string="Open Invoices",
        compute="_compute_invoice_ids",
    )
    timeline = fields.Html(compute="_compute_timeline", sanitize=False)

    # ------------------------------------------------------------------
    # THE QUERY
    # ------------------------------------------------------------------

    @property
    def _table_query(self):
        return self._get_cockpit_query(fields.Date.context_today(self))

    @api.model
    def _get_cockpit_query(self, today):
        """One row per (company, commercial customer) with open receivables
        on ``today``."""
        return SQL(
            """
WITH item AS MATERIALIZED (
    SELECT aml.id, aml.company_id, p.commercial_partner_id AS partner_id,
           aml.amount_residual AS residual,
           COALESCE(aml.date_maturity, aml.date) AS date_due,
           %(today)s::date - COALESCE(aml.date_maturity, aml.date) AS age,
           aml.no_followup OR move.dispute_state = 'open' AS disputed,
           COALESCE(move.relance_paused_until >= %(today)s, FALSE) AS paused,
           move.relance_paused_until AS paused_until
      FROM account_move_line aml
      JOIN res_partner p ON p.id = aml.partner_id
      JOIN account_move move ON move.id = aml.move_id
     WHERE %(open)s
       -- paid by a registered payment that waits for its bank line
       AND COALESCE(move.payment_state, 'not_paid') NOT IN ('in_payment', 'paid')
),
agg AS (
    SELECT company_id, partner_id,
           SUM(residual) FILTER (WHERE residual > 0 AND age <= 0) AS amount_not_due,
           SUM(residual) FILTER (WHERE residual > 0 AND age BETWEEN 1 AND 30)
               AS amount_1_30,
           SUM(residual) FILTER (WHERE residual > 0 AND age BETWEEN 31 AND 60)
               AS amount_31_60,
           SUM(residual) FILTER (WHERE residual > 0 AND age BETWEEN 61 AND 90)
               AS amount_61_90,
           SUM(residual) FILTER (WHERE residual > 0 AND age > 90) AS amount_over_90,
           SUM(residual) FILTER (WHERE residual > 0 AND age > 0) AS amount_overdue,
           SUM(residual) FILTER (WHERE residual < 0) AS amount_credit,
           SUM(residual) AS amount_total,
           MAX(age) FILTER (WHERE residual > 0 AND age > 0) AS oldest_overdue_days,
           SUM(residual * age) FILTER (
               WHERE residual > 0 AND age > 0 AND NOT disputed AND NOT paused
           ) AS exposure
      FROM item
     GROUP BY company_id, partner_id
),
reminder AS (
    SELECT r.id, r.company_id, rp.commercial_partner_id AS partner_id, r.level_id,
           r.date, r.state, r.letter_state,
           lv.channel_letter OR lv.channel_registered AS level_letter
      FROM relance_reminder r
      JOIN res_partner rp ON rp.id = r.partner_id
      JOIN relance_level lv ON lv.id = r.level_id
     WHERE r.state != 'cancel'
       AND (r.company_id, rp.commercial_partner_id) IN (
               SELECT company_id, partner_id FROM agg)
),
delivered AS (
    -- the strongest level of each plan that reached the customer: joined
    -- once, not probed per item and level (every item compared with every
    -- reminder: 66 s at 200,000 invoices after one day of reminders)
    SELECT reminder.company_id, reminder.partner_id, lv.plan_id,
           MAX(lv.offset_days) AS offset_days
      FROM reminder
      JOIN relance_level lv ON lv.id = reminder.level_id
     WHERE reminder.state IN ('sent', 'printed')
     GROUP BY reminder.company_id, reminder.partner_id, lv.plan_id
),
last_reminder AS (
    SELECT DISTINCT ON (company_id, partner_id)
           company_id, partner_id, id, level_id, date, state
      FROM reminder
     ORDER BY company_id, partner_id, date DESC, id DESC
),
work AS (
    SELECT company_id, partner_id,
           COUNT(*) FILTER (WHERE state = 'draft') AS to_review_count,
           MIN(date) FILTER (WHERE state = 'draft') AS review_date,
           COUNT(*) FILTER (WHERE state = 'error') AS error_count,
           COUNT(*) FILTER (
               WHERE state IN ('to_send', 'error')
                 AND (letter_state = 'to_print'
                      OR (letter_state IS NULL AND level_letter))
           ) AS letter_count,
           MIN(date) FILTER (
               WHERE state IN ('to_send', 'error')
                 AND (letter_state = 'to_print'
                      OR (letter_state IS NULL AND level_letter))
           ) AS letter_date
      FROM reminder
     WHERE state IN ('draft', 'to_send', 'error')
     GROUP BY company_id, partner_id
),
calls AS (
    SELECT r.company_id, r.partner_id, COUNT(*) AS call_count,
           MIN(a.date_deadline) AS call_date
      FROM mail_activity a
      JOIN mail_activity_type t ON t.id = a.activity_type_id
      JOIN reminder r ON r.id = a.res_id
     WHERE a.res_model = 'relance.reminder'
       AND a.active
       AND t.category = 'phonecall'
     GROUP BY r.company_id, r.partner_id
),
promise AS (
    SELECT company_id, partner_id,
           COUNT(*) FILTER (WHERE state = 'open') AS promise_count,
           MIN(date) FILTER (WHERE state = 'open') AS promise_date,
           bool_or(state = 'broken' AND date_closed >= %(today)s::date - 90)
               AS promise_broken
      FROM relance_promise
     WHERE state IN ('open', 'broken')
     GROUP BY company_id, partner_id
),
dispute AS (
    SELECT company_id, partner_id, COUNT(*) AS dispute_count,
           SUM(amount_company) AS dispute_amount
      FROM relance_dispute
     WHERE state = 'open'
     GROUP BY company_id, partner_id
),
customer AS (
    -- the customer's plan, habit and responsible in the company
    SELECT agg.company_id, agg.partner_id,
           COALESCE(b.payment_behaviour, 'no_history') AS payment_behaviour,
           CASE WHEN p.relance_excluded THEN NULL
                ELSE COALESCE(own_plan.id, default_plan.id) END AS plan_id,
           COALESCE(controller.id, salesperson.id, fallback.id) AS user_id,
           b.payment_count, b.payment_delay_avg,
           -- read here once per customer, not joined to each of its items
           last_reminder.date AS last_reminder_date
      FROM agg
      JOIN res_partner p ON p.id = agg.partner_id
      JOIN res_company c ON c.id = agg.company_id
 LEFT JOIN relance_partner_behaviour b
        ON b.company_id = agg.company_id AND b.partner_id = agg.partner_id
 LEFT JOIN relance_plan own_plan
        ON own_plan.id = (p.relance_plan_id ->> agg.company_id::text)::int
       AND own_plan.active
 LEFT JOIN relance_plan default_plan
        ON default_plan.company_id = agg.company_id
       AND default_plan.is_default AND default_plan.active
 LEFT JOIN res_users controller
        ON controller.id = (p.relance_user_id ->> agg.company_id::text)::int
       AND %(qualifies_controller)s
 LEFT JOIN res_users salesperson
        ON salesperson.id = p.user_id AND %(qualifies_salesperson)s
 LEFT JOIN res_users fallback
        ON fallback.id = c.relance_user_id AND %(qualifies_fallback)s
 LEFT JOIN last_reminder
        ON last_reminder.company_id = agg.company_id
       AND last_reminder.partner_id = agg.partner_id
),
item_level AS (%(item_state)s),
forecast AS (
    -- the day each open item reaches its next level, by the plan's offsets
    -- shifted by the habit (engine/decision.py), after the pause of a
    -- promise and the plan's minimum days since the last reminder
    SELECT DISTINCT ON (item.company_id, item.partner_id)
           item.company_id, item.partner_id, nxt.id AS level_id,
           GREATEST(
               item.date_due + nxt.offset_days
                   + CASE WHEN nxt.offset_days >= 0 THEN shift.days ELSE 0 END,
               %(today)s::date,
               item.paused_until + 1,
               customer.last_reminder_date + nxt.min_days_since_last
           ) AS date
      FROM item
      JOIN customer
        ON customer.company_id = item.company_id
       AND customer.partner_id = item.partner_id
      JOIN relance_plan plan ON plan.id = customer.plan_id
 LEFT JOIN item_level ON item_level.move_line_id = item.id
 LEFT JOIN relance_level current_level ON current_level.id = item_level.level_id
 LEFT JOIN delivered
        ON delivered.company_id = item.company_id
       AND delivered.partner_id = item.partner_id
       AND delivered.plan_id = plan.id
     CROSS JOIN LATERAL (
        SELECT CASE WHEN plan.adaptive_timing
                         AND customer.payment_count > 0
                         AND customer.payment_count >= plan.adaptive_min_sample
                    THEN LEAST(GREATEST(ROUND(customer.payment_delay_avg), 0),
                               plan.adaptive_max_days)::int
                    ELSE 0 END AS days
     ) shift
     CROSS JOIN LATERAL (
        -- the strongest level already reached (an item late on its first
        -- reminder starts at the level of its age), else the next one
        SELECT lv.id, lv.offset_days, lv.min_days_since_last
          FROM relance_level lv
         CROSS JOIN LATERAL (
            SELECT item.date_due + lv.offset_days
                   + CASE WHEN lv.offset_days >= 0 THEN shift.days ELSE 0 END
                   <= %(today)s::date AS reached
         ) threshold
         WHERE lv.plan_id = plan.id
           AND (lv.channel_email OR lv.channel_sms OR lv.channel_phone
                OR lv.channel_letter OR lv.channel_registered)
           AND (current_level.id IS NULL
                OR lv.offset_days > current_level.offset_days)
           -- a pre-due notice is for items not due yet
           AND (lv.offset_days >= 0 OR item.age < 0)
           -- a level that requires the previous one to have reached the
           -- customer waits for it (engine/decision.py, _cap_to_delivered)
           AND (NOT lv.requires_previous_delivered
                OR delivered.offset_days >= (
                       SELECT MAX(previous.offset_days) FROM relance_level previous
                        WHERE previous.plan_id = plan.id
                          AND previous.offset_days < lv.offset_days))
         ORDER BY threshold.reached DESC,
                  CASE WHEN threshold.reached THEN -lv.offset_days
                       ELSE lv.offset_days END,
                  lv.sequence, lv.id
         LIMIT 1
     ) nxt
     WHERE item.residual > 0 AND NOT item.disputed
     ORDER BY item.company_id, item.partner_id, 4, nxt.offset_days DESC
),
base AS (
    SELECT agg.partner_id::bigint * %(id_factor)s + agg.company_id AS id,
           agg.partner_id, agg.company_id, c.currency_id, customer.user_id,
           COALESCE(agg.amount_not_due, 0) AS amount_not_due,
           COALESCE(agg.amount_1_30, 0) AS amount_1_30,
           COALESCE(agg.amount_31_60, 0) AS amount_31_60,
           COALESCE(agg.amount_61_90, 0) AS amount_61_90,
           COALESCE(agg.amount_over_90, 0) AS amount_over_90,
           COALESCE(agg.amount_overdue, 0) AS amount_overdue,
           COALESCE(agg.amount_credit, 0) AS amount_credit,
           COALESCE(agg.amount_total, 0) AS amount_total,
           COALESCE(agg.oldest_overdue_days, 0) AS oldest_overdue_days,
           ROUND(COALESCE(agg.exposure, 0) / 1000.0
                 * (%(weights)s::jsonb ->> customer.payment_behaviour)::numeric
           ) AS risk_score,
           customer.payment_behaviour,
           last_reminder.id AS last_reminder_id,
           last_reminder.level_id AS last_level_id,
           last_reminder.date AS last_reminder_date,
           last_reminder.state AS last_reminder_state,
           forecast.level_id AS next_level_id,
           forecast.date AS next_level_date,
           COALESCE(promise.promise_count, 0) AS promise_count,
           promise.promise_date,
           COALESCE(promise.promise_broken, FALSE) AS promise_broken,
           COALESCE(promise.promise_date <= %(today)s, FALSE) AS promise_due,
           COALESCE(dispute.dispute_count, 0) AS dispute_count,
           COALESCE(dispute.dispute_amount, 0) AS dispute_amount,
           COALESCE(work.to_review_count, 0) AS to_review_count,
           COALESCE(work.error_count, 0) AS error_count,
           COALESCE(work.letter_count, 0) AS letter_count,
           COALESCE(calls.call_count, 0) AS call_count,
           COALESCE(calls.call_date <= %(today)s, FALSE) AS call_today,
           CASE WHEN work.error_count > 0 THEN %(today)s::date END AS error_date,
           work.review_date, calls.call_date, work.letter_date
      FROM agg
      JOIN res_company c ON c.id = agg.company_id
      JOIN customer
        ON customer.company_id = agg.company_id
       AND customer.partner_id = agg.partner_id
 LEFT JOIN last_reminder
        ON last_reminder.company_id = agg.company_id
       AND last_reminder.partner_id = agg.partner_id
 LEFT JOIN work ON work.company_id = agg.company_id AND work.partner_id = agg.partner_id
 LEFT JOIN calls
        ON calls.company_id = agg.company_id AND calls.partner_id = agg.partner_id
 LEFT JOIN promise
        ON promise.company_id = agg.company_id AND promise.partner_id = agg.partner_id
 LEFT JOIN dispute
        ON dispute.company_id = agg.company_id AND dispute.partner_id = agg.partner_id
 LEFT JOIN forecast
        ON forecast.company_id = agg.company_id
       AND forecast.partner_id = agg.partner_id
)
SELECT base.*,
       LEAST(error_date, review_date, call_date, letter_date, promise_date,
             next_level_date) AS next_action_date,
       CASE LEAST(error_date, review_date, call_date, letter_date, promise_date,
                  next_level_date)
            WHEN error_date THEN 'error'
            WHEN review_date THEN 'review'
            WHEN call_date THEN 'call'
            WHEN letter_date THEN 'letter'
            WHEN promise_date THEN 'promise'
            WHEN next_level_date THEN 'level'
       END AS next_action
  FROM base
            """,
            today=today,
            open=self.env["account.move.line"]._relance_open_sql(),
            id_factor=ID_FACTOR,
            weights=json.dumps(RISK_WEIGHTS),
            qualifies_controller=self._qualifies_sql("controller"),
            qualifies_salesperson=self._qualifies_sql("salesperson"),
            qualifies_fallback=self._qualifies_sql("fallback"),
            item_state=self.env["account.move.line"]._relance_state_sql(
                SQL("SELECT id FROM item")
            ),
        )

    @api.model
    def _qualifies_sql(self, alias):
        """The user ``alias`` may own the reminders of the company of ``agg``:
        active, internal, a member of the company (as
        ``relance.engine._get_responsibles``)."""
        user = SQL.identifier(alias)
        return SQL(
            "%s.active AND NOT %s.share AND EXISTS (SELECT 1"
            " FROM res_company_users_rel rel"
            " WHERE rel.user_id = %s.id AND rel.cid = agg.company_id)",
            user,
            user,
            user,
        )

    # The list, its count, the graph and the pivot read the view without
    # nested-loop joins (relance.engine._without_jit): two more queries each,
    # a page several times faster on large books.
    def _fetch_query(self, query, fields):
        with self.env["relance.engine"]._without_jit(nested_loops=False):
            return super()._fetch_query(query, fields)

    @api.model
    def search_count(self, domain, limit=None):
        with self.env["relance.engine"]._without_jit(nested_loops=False):
            return super().search_count(domain, limit=limit)

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        with self.env["relance.engine"]._without_jit(nested_loops=False):
            return super()._read_group(
                domain, groupby, aggregates, having, offset, limit, order
            )

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        return severity_orderby(
            super()._read_group_orderby, order, groupby_terms, query
        )

    # ------------------------------------------------------------------
    # COMPUTE (the follow-up page)
    # ------------------------------------------------------------------

    def _compute_invoice_ids(self):
        for row in self:
            row.invoice_ids = self.env["account.move"].search(
                row._get_open_invoice_domain(), order="invoice_date_due, id"
            )

    def _get_open_invoice_domain(self):
        self.ensure_one()
        return Domain(
            [
                ("commercial_partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )

    def _compute_timeline(self):
        timeline = self.env["relance.cockpit.timeline"]
        for row in self:
            row.timeline = timeline._render(row.partner_id, row.company_id)

    # ------------------------------------------------------------------
    # ACTIONS (the follow-up page's buttons)
    # ------------------------------------------------------------------

    def _partner(self):
        self.ensure_one()
        return self.partner_id.with_company(self.company_id)

    def action_open_customer(self):
        """The customer's form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }

    def action_email(self):
        """Write to the customer: Odoo's email composer, with the statement
        of its open items (template "Overdue invoices")."""
        self.ensure_one()
        partner = self._partner()
        template = self.env.ref("account_relance.mail_template_relance_statement")
        contact = partner._relance_get_payment_contact()
        recipients = contact if contact.email else partner
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Email %(customer)s", customer=partner.display_name),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": partner.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_partner_ids": recipients.ids,
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "allowed_company_ids": self.company_id.ids,
                "force_company": self.company_id.id,
            },
        }

    def action_sms(self):
        """Text the customer: Odoo's SMS composer, with what is overdue."""
        self.ensure_one()
        partner = self._partner()
        template = self.env.ref("account_relance.sms_template_relance_statement")
        contact = partner._relance_get_payment_contact()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SMS to %(customer)s", customer=partner.display_name),
            "res_model": "sms.composer",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_res_model": "res.partner",
                "default_res_id": partner.id,
                "default_composition_mode": "comment",
                "default_template_id": template.id,
                "default_recipient_single_number_itf": contact.phone or partner.phone,
                "allowed_company_ids": self.company_id.ids,
            },
        }

    def action_letter(self):
        """Print the customer's letters waiting to be printed."""
        self.ensure_one()
        reminders = self.env["relance.reminder"].search(
            self.env["relance.reminder"]._get_letters_to_print_domain()
            & Domain("partner_id", "child_of", self.partner_id.id)
            & Domain("company_id", "=", self.company_id.id)
            & Domain("state", "!=", "draft"),
            order="date, id",
        )
        if not reminders:
            raise UserError(
                self.env._(
                    "No letter of %(customer)s waits to be printed: run the next "
                    "level now, or print the customer statement.",
                    customer=self.partner_id.display_name,
                )
            )
        return reminders.action_print_letters()

    def action_call(self):
        """Log a call with the customer (its reminder with a call planned,
        when there is one)."""
        self.ensure_one()
        reminder = self.env["relance.reminder"].search(
            [
                ("partner_id", "child_of", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("phone_state", "=", "planned"),
            ],
            order="date desc, id desc",
            limit=1,
        )
        if reminder:
            return reminder.action_relance_log_call()
        return self._partner().action_relance_log_call()

    def action_promise(self):
        self.ensure_one()
        return self._partner().action_relance_new_promise()

    def action_dispute(self):
        """Open a dispute on the customer's oldest overdue invoice not yet in
        dispute."""
        self.ensure_one()
        invoice = self.env["account.move"].search(
            self._get_open_invoice_domain()
            & Domain("move_type", "=", "out_invoice")
            & Domain("dispute_state", "!=", "open"),
            order="invoice_date_due, id",
            limit=1,
        )
        if not invoice:
            raise UserError(
                self.env._(
                    "%(customer)s has no open invoice to dispute.",
                    customer=self.partner_id.display_name,
                )
            )
        return self.env["relance.dispute"]._action_new(invoice)

    def action_statement(self):
        """The customer statement (relevé de compte) as a PDF."""
        self.ensure_one()
        return self.env.ref(
            "account_relance.action_report_relance_statement"
        ).report_action(self._partner())

    def action_run_next_level(self):
        """Make the customer's reminder of its next level now, to review: its
        overdue items reach that level, even before the day the daily job
        would have made it."""
        self.ensure_one()
        reminder = self._run_next_level()
        return {
            "type": "ir.actions.act_window",
            "res_model": "relance.reminder",
            "res_id": reminder.id,
            "views": [(False, "form")],
        }

    def action_view_reminders(self):
        self.ensure_one()
        action = self._partner().action_open_relance_reminders()
        action["domain"] = [
            ("partner_id", "child_of", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        return action

    def action_view_kpis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_kpi_snapshot_action"
        )
        action["domain"] = [
            ("partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        action["context"] = {"search_default_customer": 1}
        return action

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    @api.model
    def _browse_key(self, partner, company):
        """The cockpit row of ``partner`` (commercial) in ``company``."""
        return self.browse(partner.commercial_partner_id.id * ID_FACTOR + company.id)

    def _get_run_now_level(self):
        """The level to run now: the one after the customer's last reminder
        (or the first after the due date), or the forecast's when stronger.
        A level that requires the previous one to have reached the customer
        is refused until it has (the engine's rule)."""
        self.ensure_one()
        plan = (
            self.env["relance.plan"]
            ._get_partner_plans(self.company_id, self.partner_id)
            .get(self.partner_id.id)
        )
        levels = (
            plan._get_ordered_levels().filtered(lambda lv: lv._get_channels())
            if plan
            else self.env["relance.level"]
        )
        rank = {level.id: index for index, level in enumerate(levels)}
        if self.last_level_id.id in rank:
            after = levels[rank[self.last_level_id.id] + 1 :][:1]
        else:
            after = levels.filtered(lambda lv: lv.offset_days >= 0)[:1]
        candidates = [lv for lv in (after, self.next_level_id) if lv.id in rank]
        if not candidates:
            raise UserError(
                self.env._(
                    "%(customer)s has no next reminder level: no plan, or its "
                    "items already reached the last level.",
                    customer=self.partner_id.display_name,
                )
            )
        level = max(candidates, key=lambda lv: rank[lv.id])
        previous = levels[: rank[level.id]]
        if level.requires_previous_delivered and previous:
            delivered = self.env["relance.reminder"].search_count(
                [
                    ("partner_id", "child_of", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "in", ("sent", "printed")),
                    ("level_id", "in", (levels - previous[:-1]).ids),
                ],
                limit=1,
            )
            if not delivered:
                raise UserError(
                    self.env._(
                        "%(level)s requires %(previous)s to have reached "
                        "%(customer)s first: send or print it, then run the "
                        "next level.",
                        level=level.name,
                        previous=previous[-1].name,
                        customer=self.partner_id.display_name,
                    )
                )
        return level

    def _run_next_level(self):
        """The reminder of the customer's next level, made now to review,
        for its overdue items (those in dispute, paused or excluded left
        out) and the credits of their currency."""
        self.ensure_one()
        level = self._get_run_now_level()
        today = fields.Date.context_today(self)
        rows = self.env["relance.engine"]._get_open_items(self.company_id, today)
        rows = [
            row
            for row in rows
            if row["partner_id"] == self.partner_id.id and not row["exclusion"]
        ]
        overdue = [r for r in rows if r["residual"] > 0 and r["date_maturity"] < today]
        if not overdue:
            raise UserError(
                self.env._(
                    "%(customer)s has nothing overdue to remind.",
                    customer=self.partner_id.display_name,
                )
            )
        currency_id = overdue[0]["currency_id"]
        items = [
            row
            for row in rows
            if row["currency_id"] == currency_id
            and (row["residual"] < 0 or row in overdue)
        ]
        reminder = self.env["relance.reminder"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "level_id": level.id,
                "date": today,
                "state": "draft",
                "currency_id": currency_id,
                "amount_due": sum(row["residual"] for row in items),
                "user_id": (self.user_id or self.env.user).id,
                "move_line_ids": [Command.set([row["id"] for row in items])],
                "reason": self.env._(
                    "Made from the cockpit by %(user)s: %(level)s now, ahead of "
                    "the daily job (due on %(date)s).",
                    user=self.env.user.name,
                    level=level.name,
                    date=format_date(self.env, self.next_level_date) or "-",
                ),
            }
        )
        # its overdue items reach the level (the engine reads it from here)
        # sudo: reminder lines are read only for every group; these are the
        # lines just made for this reminder
        reminder.line_ids.sudo().filtered(
            lambda line: line.amount_residual > 0
        ).level_id = level
        return reminder

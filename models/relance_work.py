"""The day's work of each credit controller, as Odoo activities: the
reminders to review, the letters to print and the promises to pay due
today land in their owner's activities (the calls to make already do: the
phone channel plans them).  A nightly job plans what is new; an activity
whose work is done goes away at once."""

from odoo import api, fields, models
from odoo.fields import Domain

REVIEW_TYPE = "account_relance.mail_activity_type_relance_review"
LETTER_TYPE = "account_relance.mail_activity_type_relance_letter"
PROMISE_TYPE = "account_relance.mail_activity_type_relance_promise"


class RelanceWork(models.AbstractModel):
    _name = "relance.work"
    _description = "Credit Controllers' Day's Work"

    @api.model
    def _cron_day_work(self):
        self._sync_activities()

    @api.model
    def _get_work(self):
        """{activity type xml id: (records that need it, their owners)}."""
        today = fields.Date.context_today(self)
        Reminder = self.env["relance.reminder"]
        to_review = Reminder.search([("state", "=", "draft")])
        to_print = Reminder.search(
            Reminder._get_letters_to_print_domain() & Domain("state", "!=", "draft")
        )
        promises = self.env["relance.promise"].search(
            [("state", "=", "open"), ("date", "<=", today)]
        )
        return {
            REVIEW_TYPE: (to_review, self._reminder_owners(to_review)),
            LETTER_TYPE: (to_print, self._reminder_owners(to_print)),
            PROMISE_TYPE: (promises, self._promise_owners(promises)),
        }

    @api.model
    def _reminder_owners(self, reminders):
        return {
            reminder.id: reminder.user_id or reminder.company_id.relance_user_id
            for reminder in reminders
        }

    @api.model
    def _promise_owners(self, promises):
        """The customer's credit controller, else who recorded the promise."""
        owners = {}
        engine = self.env["relance.engine"]
        for company, company_promises in promises.grouped("company_id").items():
            responsibles = engine.with_company(company)._get_responsibles(
                company, company_promises.partner_id
            )
            for promise in company_promises:
                owner = self.env["res.users"].browse(
                    responsibles.get(promise.partner_id.id)
                )
                owners[promise.id] = owner or promise.user_id
        return owners

    @api.model
    def _sync_activities(self):
        """Plan an activity for each piece of work that has none, due today,
        for its owner; remove the activities whose work is done.  A few
        queries per kind of work, whatever their number."""
        # sudo: the job plans the work of every credit controller
        Activity = self.env["mail.activity"].sudo()
        today = fields.Date.context_today(self)
        created = Activity
        for xmlid, (records, owners) in self._get_work().items():
            activity_type = self.env.ref(xmlid)
            existing = Activity.search(
                [
                    ("activity_type_id", "=", activity_type.id),
                    ("res_model", "=", records._name),
                ]
            )
            planned = set(existing.mapped("res_id"))
            existing.filtered(
                lambda a, ids=set(records.ids): a.res_id not in ids
            ).unlink()
            model_id = self.env["ir.model"]._get_id(records._name)
            vals_list = [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": activity_type.id,
                    "summary": activity_type.summary,
                    "user_id": owners[record.id].id,
                    "date_deadline": today,
                }
                for record in records
                if record.id not in planned and owners.get(record.id)
            ]
            if vals_list:
                created |= Activity.with_context(
                    mail_activity_quick_update=True
                ).create(vals_list)
        return created

    @api.model
    def _close_done_activities(self, records):
        """The activities of ``records`` (reminders or promises) whose work
        is done: a reminder reviewed, a letter printed, a promise closed."""
        work = {
            xmlid: needed
            for xmlid, (needed, _owners) in self._get_work_of(records).items()
        }
        types = {self.env.ref(xmlid).id: needed for xmlid, needed in work.items()}
        # sudo: the activities may belong to another credit controller
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("activity_type_id", "in", list(types)),
                ]
            )
        )
        activities.filtered(
            lambda a: a.res_id not in types[a.activity_type_id.id].ids
        ).unlink()

    @api.model
    def _get_work_of(self, records):
        """``_get_work`` restricted to ``records``."""
        today = fields.Date.context_today(self)
        if records._name == "relance.promise":
            due = records.filtered(lambda p: p.state == "open" and p.date <= today)
            return {PROMISE_TYPE: (due, {})}
        letters = records.filtered_domain(
            list(
                records._get_letters_to_print_domain() & Domain("state", "!=", "draft")
            )
        )
        return {
            REVIEW_TYPE: (records.filtered(lambda r: r.state == "draft"), {}),
            LETTER_TYPE: (letters, {}),
        }

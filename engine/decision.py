"""The reminder decision: who gets a reminder, at which level, for which
items and why.

Plain Python: no database, no ``odoo`` import.  ``decide()`` is a function of
the open items, the customers' plans and habits, their reminder history and
the date; it neither sends nor writes.  The daily job, the "Run reminders"
preview and the tests call it through ``relance.engine``, which reads its
inputs in a few set-based queries and turns its decisions into reminders.
Unit tests build the inputs by hand (tests/test_decision.py).

Words come translated, and dates, numbers and quantities formatted, from
outside (``Wording``): the decision explains itself in the user's language
(decimal comma, singular and plural) without knowing about it.
"""

import bisect
from dataclasses import dataclass, field
from datetime import date as Date  # noqa: N812 - the type, beside date values


@dataclass(frozen=True)
class Level:
    """The fields of a reminder level the decision reads."""

    id: int
    name: str
    offset_days: int
    min_days_since_last: int = 0
    auto_send: bool = False
    # the previous level of the plan must have reached the customer first
    requires_previous: bool = False


@dataclass(frozen=True)
class Plan:
    """A follow-up plan: its adaptive timing, and its levels from the
    mildest to the strongest (by offset, then sequence)."""

    id: int
    levels: tuple
    adaptive_timing: bool = True
    adaptive_max_days: int = 30
    adaptive_min_sample: int = 3


@dataclass(frozen=True)
class Item:
    """An open receivable item.  ``residual`` is in the item's currency,
    negative for credit notes and payments; ``level_id`` is the level its
    latest reminder gave it (``level_offset`` that level's offset, for a
    level of another plan); ``exclusion`` says why it must not be reminded
    (a key of ``Wording.exclusions``), or is empty."""

    id: int
    partner_id: int
    currency_id: int
    move_id: int
    move_name: str
    date_maturity: Date
    residual: float
    level_id: int = 0
    level_offset: int = 0
    exclusion: str = ""


@dataclass(frozen=True)
class Customer:
    """What the decision knows of one customer (commercial partner)."""

    plan: Plan
    # (average payment delay in days, settled items it rests on), or None
    habit: tuple = None
    # date of the customer's last reminder before the run date, or None
    last_date: Date = None
    # levels of the customer's reminders that reached him (sent or printed)
    delivered_level_ids: frozenset = frozenset()
    # a broken promise: the next reminder goes one level higher
    escalating: bool = False
    # (currency id, level id) of the customer's live reminders made by a run
    # on the run date itself: one reminder per level a day
    reminded_today: frozenset = frozenset()


@dataclass(frozen=True)
class Currency:
    id: int
    decimal_places: int = 2

    def round(self, amount):
        return round(amount, self.decimal_places)


def _english_days(value, digits=0):
    text = f"{value:.{digits}f}"
    return f"{text} day" if text in ("1", "-1") else f"{text} days"


def _english_invoices(count):
    return "1 settled invoice" if count == 1 else f"{count} settled invoices"


@dataclass
class Wording:
    """The decision's sentences, translated, with ``%(name)s`` placeholders
    that receive formatted text only, and how dates, amounts, numbers and
    quantities are written in the user's language: ``format_days(value,
    digits=0)`` gives "1 day" or "9.3 days" ("9,3 jours"),
    ``format_invoices(count)`` "1 settled invoice" or "6 settled invoices",
    ``format_number(value, digits=0)`` the bare number."""

    format_date: object = Date.isoformat
    format_amount: object = "{:.2f}".format  # (amount, currency_id) -> str
    format_number: object = "{:.{}f}".format  # (value, digits) -> str
    format_days: object = _english_days
    format_invoices: object = _english_invoices
    level: str = "Level %(level)s (%(offset)s from the due date) on %(date)s."
    item: str = (
        "%(document)s, due %(due)s: %(days)s past due, reaches %(level)s "
        "(from day %(threshold)s)."
    )
    escalated: str = (
        "One level higher than the items alone give: the customer did not keep "
        "a promise to pay."
    )
    no_history: str = "No payment history: plain schedule."
    small_sample: str = (
        "Payment habit ignored: %(count)s, fewer than the %(minimum)s required."
    )
    on_time: str = "Pays on time (%(delay)s on average over %(count)s): plain schedule."
    shifted: str = (
        "Pays %(delay)s late on average over %(count)s: levels after the due "
        "date are shifted by %(shift)s (plan maximum %(maximum)s)."
    )
    previous_required: str = (
        "%(level)s requires %(previous)s to have reached the customer first: "
        "%(previous)s is sent instead."
    )
    previous_pending: str = (
        "%(level)s waits until %(previous)s has reached the customer (sent or printed)."
    )
    too_soon: str = (
        "Last reminder on %(last)s: %(level)s waits %(days)s between reminders."
    )
    covered: str = "Credit notes and payments cover the amount due."
    under_minimum: str = (
        "%(amount)s due is under the minimum of %(minimum)s for %(level)s."
    )
    not_reminded: str = "Not reminded: %(items)s."
    reminded_today: str = (
        "Already reminded at %(level)s on %(date)s: one reminder per level a day."
    )
    exclusions: dict = field(
        default_factory=lambda: {
            "partner": "customer excluded from reminders",
            "archived": "customer archived",
            "no_followup": "no follow-up",
            "in_payment": "in payment",
            "dispute": "in dispute",
            "paused": "promise to pay or pause",
            "undelivered": "its last reminder did not reach the customer: "
            "retry or cancel it",
        }
    )


@dataclass
class Line:
    """One item as a reminder lists it."""

    move_line_id: int
    move_id: int
    move_name: str
    date_maturity: Date
    amount_residual: float
    days_overdue: int
    level_id: int  # the level the item reaches (0: none, a credit)
    previous_level_id: int


@dataclass
class Decision:
    """What the engine decided for one customer, company and currency."""

    company_id: int
    partner_id: int
    currency_id: int
    plan_id: int
    level_id: int = 0
    auto_send: bool = False
    amount_due: float = 0.0
    lines: list = field(default_factory=list)
    reason: str = ""
    skip_reason: str = ""
    escalated: bool = False

    @property
    def to_create(self):
        return bool(self.level_id) and not self.skip_reason

    @property
    def key(self):
        return (self.company_id, self.partner_id, self.currency_id)

    def to_dict(self):
        return {
            "company_id": self.company_id,
            "partner_id": self.partner_id,
            "currency_id": self.currency_id,
            "plan_id": self.plan_id,
            "level_id": self.level_id,
            "auto_send": self.auto_send,
            "amount_due": self.amount_due,
            "move_line_ids": [line.move_line_id for line in self.lines],
            "lines": [
                {
                    "move_line_id": line.move_line_id,
                    "move_id": line.move_id,
                    "date_maturity": line.date_maturity,
                    "amount_residual": line.amount_residual,
                    "days_overdue": line.days_overdue,
                    "level_id": line.level_id,
                    "previous_level_id": line.previous_level_id,
                }
                for line in self.lines
            ],
            "reason": self.reason,
            "skip_reason": self.skip_reason,
            "escalated": self.escalated,
        }


def decide(company_id, items, customers, currencies, minimums, on, wording=None):
    """Decide the reminders of one company on the date ``on``.

    :param items: the company's open receivable items (``Item``), in any order
    :param customers: {commercial partner id: ``Customer``}; items of a
        partner without an entry (no plan) are left alone
    :param currencies: {currency id: ``Currency``}
    :param minimums: {(level id, currency id): minimum amount due in that
        currency}, the levels' minimums converted by the caller
    :param wording: ``Wording`` (English by default)
    :return: a list of ``Decision``, to create or skipped with a reason, in
        the order of the customers' first items
    """
    wording = wording or Wording()
    groups = {}
    for item in sorted(items, key=lambda i: (i.partner_id, i.currency_id)):
        groups.setdefault((item.partner_id, item.currency_id), []).append(item)
    decisions = []
    for (partner_id, currency_id), group in groups.items():
        customer = customers.get(partner_id)
        if not customer or not customer.plan.levels:
            continue
        decision = _decide_group(
            company_id,
            partner_id,
            currencies[currency_id],
            group,
            customer,
            minimums,
            on,
            wording,
        )
        if decision:
            decisions.append(decision)
    return decisions


def adaptive_shift(plan, habit, wording):
    """(shift in days, explanation) for a customer's habit under ``plan``."""
    if not plan.adaptive_timing:
        return 0, ""
    if not habit:
        return 0, wording.no_history
    delay, count = habit
    if count < plan.adaptive_min_sample:
        return 0, wording.small_sample % {
            "count": wording.format_invoices(count),
            "minimum": wording.format_number(plan.adaptive_min_sample, 0),
        }
    shift = min(max(0, round(delay)), plan.adaptive_max_days)
    if not shift:
        return 0, wording.on_time % {
            "delay": wording.format_days(delay, 1),
            "count": wording.format_invoices(count),
        }
    return shift, wording.shifted % {
        "delay": wording.format_days(delay, 1),
        "count": wording.format_invoices(count),
        "shift": wording.format_days(shift),
        "maximum": wording.format_days(plan.adaptive_max_days),
    }


def _decide_group(
    company_id, partner_id, currency, items, customer, minimums, on, wording
):
    """The decision for one customer and currency; None if nothing to say."""
    plan = customer.plan
    levels = plan.levels
    shift, shift_note = adaptive_shift(plan, customer.habit, wording)
    offsets = [level.offset_days for level in levels]
    thresholds = [offset + shift if offset >= 0 else offset for offset in offsets]
    in_scope, credits, blocked, progressing = _classify_items(
        items, levels, offsets, thresholds, on
    )
    decision = Decision(
        company_id=company_id,
        partner_id=partner_id,
        currency_id=currency.id,
        plan_id=plan.id,
    )
    escalate = customer.escalating and bool(in_scope)
    if not progressing and not escalate:
        if not blocked:
            return None
        decision.skip_reason = wording.not_reminded % {
            "items": ", ".join(
                f"{item.move_name} ({wording.exclusions[item.exclusion]})"
                for item in blocked
            )
        }
        return decision

    target = max((entry[2] for entry in progressing), default=-1)
    if escalate:
        base = max(max(entry[2], entry[3]) for entry in in_scope)
        target = min(max(base, target) + 1, len(levels) - 1)
        decision.escalated = True
    notes = []
    wanted = target
    target, capped_note = _cap_to_delivered(levels, target, customer, wording)
    if target < wanted and target <= max(entry[3] for entry in in_scope):
        # the level it may send, the items already have: wait for it to go
        decision.skip_reason = wording.previous_pending % {
            "level": levels[wanted].name,
            "previous": levels[target].name,
        }
        return decision
    level = levels[target]
    decision.level_id = level.id
    decision.auto_send = level.auto_send
    for item, days, reached, current in in_scope + credits:
        # capped to the level sent, never below the level the item has
        new_rank = max(min(reached, target), current)
        decision.lines.append(
            Line(
                move_line_id=item.id,
                move_id=item.move_id,
                move_name=item.move_name,
                date_maturity=item.date_maturity,
                amount_residual=item.residual,
                days_overdue=days,
                level_id=levels[new_rank].id if new_rank >= 0 else 0,
                previous_level_id=item.level_id or 0,
            )
        )
    decision.amount_due = currency.round(
        sum(line.amount_residual for line in decision.lines)
    )
    notes.append(
        wording.level
        % {
            "level": level.name,
            "offset": wording.format_days(level.offset_days),
            "date": wording.format_date(on),
        }
    )
    if shift_note:
        notes.append(shift_note)
    for item, days, reached, _current in progressing:
        notes.append(
            wording.item
            % {
                "document": item.move_name,
                "due": wording.format_date(item.date_maturity),
                "days": wording.format_days(days),
                "level": levels[reached].name,
                "threshold": wording.format_number(thresholds[reached], 0),
            }
        )
    if decision.escalated:
        notes.append(wording.escalated)
    if capped_note:
        notes.append(capped_note)
    decision.reason = "\n".join(notes)
    decision.skip_reason = _skip_reason(
        decision, level, currency, customer, minimums, on, wording
    )
    return decision


def _cap_to_delivered(levels, target, customer, wording):
    """A level that requires the previous one to have reached the customer
    falls back to that previous level until it has (a court asks for the
    reminders a formal notice cites)."""
    note = ""
    while target > 0 and levels[target].requires_previous:
        previous = levels[target - 1]
        delivered = customer.delivered_level_ids
        if any(level.id in delivered for level in levels[target - 1 :]):
            break
        if not note:
            note = wording.previous_required % {
                "level": levels[target].name,
                "previous": previous.name,
            }
        target -= 1
    return target, note


def _classify_items(items, levels, offsets, thresholds, on):
    """Split a customer's items into (in scope, credits, blocked by an
    exclusion, progressing); entries are (item, days past due, reached rank,
    current rank)."""
    rank = {level.id: index for index, level in enumerate(levels)}
    in_scope, credits, blocked, progressing = [], [], [], []
    for item in sorted(items, key=lambda i: (i.date_maturity, i.id)):
        days = (on - item.date_maturity).days
        if item.residual < 0:
            credits.append((item, days, -1, -1))
            continue
        reached = bisect.bisect_right(thresholds, days) - 1
        if reached >= 0 and days >= 0 and offsets[reached] < 0:
            # a pre-due notice is for items not due yet
            reached = -1
        if not item.level_id:
            current = -1
        elif item.level_id in rank:
            current = rank[item.level_id]
        else:
            # a level of another plan: the strongest level of this plan that
            # is not beyond it
            current = bisect.bisect_right(offsets, item.level_offset or 0) - 1
        if item.exclusion:
            if reached > current:
                blocked.append(item)
            continue
        if reached < 0 and current < 0:
            continue
        entry = (item, days, reached, current)
        in_scope.append(entry)
        if reached > current:
            progressing.append(entry)
    return in_scope, credits, blocked, progressing


def _skip_reason(decision, level, currency, customer, minimums, on, wording):
    """Why a customer who reached ``level`` gets no reminder; "" if he does."""
    if (currency.id, level.id) in customer.reminded_today:
        return wording.reminded_today % {
            "level": level.name,
            "date": wording.format_date(on),
        }
    last = customer.last_date
    if last and not decision.escalated and (on - last).days < level.min_days_since_last:
        return wording.too_soon % {
            "last": wording.format_date(last),
            "level": level.name,
            "days": wording.format_days(level.min_days_since_last),
        }
    if decision.amount_due <= 0:
        return wording.covered
    minimum = minimums.get((level.id, currency.id))
    if minimum and currency.round(decision.amount_due - minimum) < 0:
        return wording.under_minimum % {
            "amount": wording.format_amount(decision.amount_due, currency.id),
            "minimum": wording.format_amount(minimum, currency.id),
            "level": level.name,
        }
    return ""

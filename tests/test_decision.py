"""The reminder decision without a database: hand-made items, plans and
customers in, decisions out (engine/decision.py).  Each case is a rule a
credit controller relies on."""

import unittest
from datetime import date, timedelta

from ..engine.decision import (
    Currency,
    Customer,
    Item,
    Level,
    Plan,
    Wording,
    adaptive_shift,
    decide,
)
from ..engine.wording import is_one

DUE = date(2026, 3, 2)
EUR = 1
USD = 2
CURRENCIES = {EUR: Currency(EUR, 2), USD: Currency(USD, 2)}
NOTICE = Level(1, "Notice", -5, auto_send=True)
FIRST = Level(2, "Reminder 1", 5, min_days_since_last=3, auto_send=True)
SECOND = Level(3, "Reminder 2", 15, min_days_since_last=5, auto_send=True)
FORMAL = Level(4, "Formal notice", 30, min_days_since_last=5)
PLAN = Plan(id=1, levels=(NOTICE, FIRST, SECOND, FORMAL))


def day(offset):
    return DUE + timedelta(days=offset)


def item(item_id, due=DUE, residual=1000.0, partner=10, currency=EUR, **kwargs):
    return Item(
        id=item_id,
        partner_id=partner,
        currency_id=currency,
        move_id=item_id,
        move_name=f"INV/{item_id}",
        date_maturity=due,
        residual=residual,
        **kwargs,
    )


def run(items, on, customer=None, minimums=None):
    """The decisions for customer 10 (default: the plan, no history)."""
    customers = {10: customer or Customer(plan=PLAN)}
    return decide(1, items, customers, CURRENCIES, minimums or {}, on)


class TestDecision(unittest.TestCase):
    def test_levels_follow_the_days_past_due(self):
        cases = [(-5, NOTICE), (-1, NOTICE), (0, None), (5, FIRST), (15, SECOND)]
        for offset, level in cases:
            with self.subTest(offset=offset):
                decisions = run([item(1)], day(offset))
                got = decisions[0].level_id if decisions else None
                self.assertEqual(got, level and level.id)

    def test_habit_shifts_the_levels_after_the_due_date(self):
        """A customer who pays 10 days late is reminded past his own habit."""
        late = Customer(plan=PLAN, habit=(10.0, 6))
        self.assertFalse(run([item(1)], day(6), late))
        decision = run([item(1)], day(15), late)[0]
        self.assertEqual(decision.level_id, FIRST.id)
        self.assertIn("shifted by 10 days", decision.reason)
        # the pre-due notice is not shifted
        self.assertEqual(run([item(1)], day(-5), late)[0].level_id, NOTICE.id)

    def test_small_samples_and_the_maximum_shift(self):
        few = Customer(plan=PLAN, habit=(10.0, 2))
        self.assertEqual(run([item(1)], day(6), few)[0].level_id, FIRST.id)
        very_late = Customer(plan=PLAN, habit=(90.0, 9))
        # capped at the plan's 30 days: Reminder 1 from day 35
        self.assertFalse(run([item(1)], day(34), very_late))
        self.assertEqual(run([item(1)], day(35), very_late)[0].level_id, FIRST.id)

    def test_items_already_at_their_level_are_not_reminded_again(self):
        at_first = item(1, level_id=FIRST.id, level_offset=5)
        self.assertFalse(run([at_first], day(10)))
        self.assertEqual(run([at_first], day(15))[0].level_id, SECOND.id)

    def test_waiting_time_between_reminders(self):
        recent = Customer(plan=PLAN, last_date=day(13))
        decision = run([item(1, level_id=FIRST.id)], day(15), recent)[0]
        self.assertFalse(decision.to_create)
        self.assertIn("waits 5 days", decision.skip_reason)

    def test_credits_are_netted_and_can_cover_the_debt(self):
        decision = run([item(1), item(2, day(-10), -300.0)], day(6))[0]
        self.assertAlmostEqual(decision.amount_due, 700.0)
        levels = {line.move_line_id: line.level_id for line in decision.lines}
        self.assertEqual(levels, {1: FIRST.id, 2: 0}, "a credit reaches no level")
        covered = run([item(1), item(2, day(-10), -1000.0)], day(6))[0]
        self.assertFalse(covered.to_create)
        self.assertIn("cover the amount due", covered.skip_reason)

    def test_one_decision_per_customer_and_currency(self):
        decisions = decide(
            1,
            [item(1), item(2, currency=USD), item(3, partner=11)],
            {10: Customer(plan=PLAN), 11: Customer(plan=PLAN)},
            CURRENCIES,
            {},
            day(6),
        )
        keys = sorted((d.partner_id, d.currency_id) for d in decisions)
        self.assertEqual(keys, [(10, EUR), (10, USD), (11, EUR)])

    def test_customer_without_plan_is_left_alone(self):
        self.assertFalse(decide(1, [item(1)], {}, CURRENCIES, {}, day(6)))

    def test_exclusions_are_explained(self):
        decision = run([item(1, exclusion="dispute")], day(20))[0]
        self.assertFalse(decision.to_create)
        self.assertIn("INV/1 (in dispute)", decision.skip_reason)
        others = run([item(1, exclusion="dispute"), item(2)], day(20))[0]
        self.assertEqual([line.move_line_id for line in others.lines], [2])

    def test_minimum_amount(self):
        minimums = {(FIRST.id, EUR): 100.0}
        decision = run([item(1, residual=50.0)], day(6), minimums=minimums)[0]
        self.assertFalse(decision.to_create)
        self.assertIn("under the minimum", decision.skip_reason)

    def test_broken_promise_escalates_one_level(self):
        escalating = Customer(plan=PLAN, escalating=True)
        decision = run([item(1, level_id=FIRST.id)], day(6), escalating)[0]
        self.assertTrue(decision.escalated)
        self.assertEqual(decision.level_id, SECOND.id)

    def test_formal_notice_waits_for_a_delivered_reminder(self):
        """A level that requires the previous one sent falls back to it."""
        strict = Plan(
            id=2,
            levels=(
                FIRST,
                Level(5, "Formal notice", 30, requires_previous=True),
            ),
        )
        never_reminded = Customer(plan=strict)
        decision = run([item(1)], day(40), never_reminded)[0]
        self.assertEqual(decision.level_id, FIRST.id)
        self.assertIn("requires Reminder 1", decision.reason)
        self.assertEqual(decision.lines[0].level_id, FIRST.id)
        # already at Reminder 1, not delivered yet: it waits, nothing new
        at_first = item(1, level_id=FIRST.id)
        waiting = run([at_first], day(41), never_reminded)[0]
        self.assertFalse(waiting.to_create)
        self.assertIn("waits until Reminder 1", waiting.skip_reason)
        reminded = Customer(plan=strict, delivered_level_ids=frozenset({FIRST.id}))
        self.assertEqual(run([at_first], day(41), reminded)[0].level_id, 5)


class TestWording(unittest.TestCase):
    """Numbers and plurals of the decision's sentences come from outside."""

    def test_singular_and_plural_by_the_language_rules(self):
        cases = [
            ("fr_FR", 1, 0, True),
            ("fr_FR", 0, 0, True),
            ("fr_FR", 1.5, 1, True),  # "1,5 jour"
            ("fr_FR", 2, 0, False),
            ("fr_FR", -1, 0, True),  # "-1 jour"
            ("en_US", 1, 0, True),
            ("en_US", 1.0, 1, False),  # "1.0 days"
            ("en_US", 0, 0, False),
        ]
        for locale, value, digits, one in cases:
            with self.subTest(locale=locale, value=value, digits=digits):
                self.assertEqual(is_one(locale, value, digits), one)

    def test_shift_of_one_day_is_singular(self):
        plan = Plan(id=1, levels=PLAN.levels, adaptive_max_days=30)
        _shift, note = adaptive_shift(plan, (1.3, 1), Wording())
        self.assertIn("Payment habit ignored: 1 settled invoice,", note)
        _shift, note = adaptive_shift(
            Plan(id=1, levels=PLAN.levels, adaptive_min_sample=1), (1.3, 1), Wording()
        )
        self.assertEqual(
            note,
            "Pays 1.3 days late on average over 1 settled invoice: levels after "
            "the due date are shifted by 1 day (plan maximum 30 days).",
        )

    def test_numbers_come_formatted_from_outside(self):
        """A French caller gives a decimal comma; the decision never writes
        a number itself."""
        wording = Wording(
            format_number=lambda value, digits=0: f"{value:.{digits}f}".replace(
                ".", ","
            ),
            format_days=lambda value, digits=0: f"{value:.{digits}f} jours".replace(
                ".", ","
            ),
        )
        _shift, note = adaptive_shift(PLAN, (9.3, 6), wording)
        self.assertIn("9,3 jours", note)
        self.assertNotIn("9.3", note)

"""Collection KPIs of one customer or one company at a date, from its
receivables and its monthly sales.  Plain Python: ``relance.kpi.snapshot``
reads the figures in a few set-based queries and stores what these
functions return; tests/test_kpi_formulas.py checks each on a case computed
by hand.  Sources of the formulas: README, "KPIs with history".
"""

from dataclasses import dataclass, field


@dataclass
class Figures:
    """What the KPIs of one customer (or company) at a date rest on.

    ``months`` lists the sales of the months that end at the date, the most
    recent first, as ``(days, sales)``: the month of the date counts its
    days up to the date; credit notes are netted (negative sales)."""

    receivable: float = 0.0  # everything open at the date, credits included
    current: float = 0.0  # open and not yet due at the date
    overdue: float = 0.0  # open and past due at the date
    overdue_60: float = 0.0  # past due by more than 60 days
    receivable_start: float = 0.0  # everything open at the previous month end
    months: list = field(default_factory=list)


def countback_days(amount, months):
    """Days of sales that ``amount`` represents, by the countback method:
    walk back month by month, taking each month's sales whole while the
    amount exceeds them, then the share of the month that covers the rest.

    What is left beyond the months given counts at their average daily
    sales; 0 when there were no sales at all (as the payment behaviour's
    DSO over the window)."""
    if amount <= 0:
        return 0.0
    remaining, days_total = amount, 0.0
    for days, sales in months:
        if sales > 0 and remaining <= sales:
            return days_total + days * remaining / sales
        remaining -= sales
        days_total += days
    total_sales = sum(sales for _days, sales in months)
    total_days = sum(days for days, _sales in months)
    if total_sales <= 0 or total_days <= 0:
        return 0.0
    return days_total + remaining / (total_sales / total_days)


def dso(figures):
    """Days sales outstanding, countback method: the days of the latest
    sales that the receivables represent."""
    return countback_days(figures.receivable, figures.months)


def best_possible_dso(figures):
    """The DSO if every customer paid on its due date: the receivables not
    yet due, counted back the same way."""
    return countback_days(figures.current, figures.months)


def average_days_delinquent(figures):
    """ADD = DSO - best possible DSO: the days of sales that sit in overdue
    receivables (never negative, both being counted back the same way)."""
    return max(dso(figures) - best_possible_dso(figures), 0.0)


def collection_effectiveness(figures):
    """CEI, in %: what was collected over the month of the date out of
    what could have been: (receivables at the start + sales of the month
    - receivables at the end) / (receivables at the start + sales of the
    month - current receivables at the end) x 100.  None when nothing was
    collectable."""
    sales = figures.months[0][1] if figures.months else 0.0
    collectable = figures.receivable_start + sales - figures.current
    if collectable <= 0:
        return None
    collected = figures.receivable_start + sales - figures.receivable
    return 100.0 * collected / collectable


def overdue_60_share(figures):
    """Share of the overdue amount past due by more than 60 days, in %."""
    if figures.overdue <= 0:
        return 0.0
    return 100.0 * figures.overdue_60 / figures.overdue


def compute(figures):
    """Every KPI of ``figures`` as a dict (the snapshot's field names)."""
    return {
        "dso": dso(figures),
        "best_possible_dso": best_possible_dso(figures),
        "add": average_days_delinquent(figures),
        "cei": collection_effectiveness(figures),
        "overdue_60_share": overdue_60_share(figures),
    }

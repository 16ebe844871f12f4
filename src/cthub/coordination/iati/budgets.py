"""An activity's budget: one integer amount in minor units of one currency.

IATI activities carry one ``budget`` per period, of type 1 (original) or 2 (revised). For each
period (start, end) the revised budgets replace the original ones, then all are added up in
``Decimal`` and converted once to minor units (``money.to_minor``). A budget's currency is its
``value/@currency``, else the activity's ``default-currency``.

When the budgets are in several currencies they cannot be added up; cthub keeps the currency
with the most budget lines (ties: the default currency, then the first in alphabetical
order) and the caller records a warning naming the others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from cthub.coordination.iati.elements import decimal_of
from cthub.core.money import to_minor

REVISED = "2"


@dataclass(frozen=True)
class BudgetTotal:
    """``minor`` units of ``currency``; ``dropped``: the other currencies left out."""

    minor: int | None
    currency: str | None
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Line:
    period: tuple[str, str]
    type: str
    currency: str
    value: Decimal


def _lines(act: etree._Element, default_currency: str) -> list[_Line]:
    lines = []
    for budget in act.iterfind("budget"):
        value = budget.find("value")
        amount = decimal_of(value.text if value is not None else None)
        if value is None or amount is None:
            continue
        period = (_date(budget, "period-start"), _date(budget, "period-end"))
        currency = (value.get("currency") or default_currency).strip()
        lines.append(_Line(period, (budget.get("type") or "1").strip(), currency, amount))
    return lines


def _date(budget: etree._Element, tag: str) -> str:
    elem = budget.find(tag)
    return "" if elem is None else (elem.get("iso-date") or "").strip()


def _current(lines: list[_Line]) -> list[_Line]:
    """Per period, the revised budgets if there are any, else the original ones."""
    revised = {line.period for line in lines if line.type == REVISED}
    return [line for line in lines if line.type == REVISED or line.period not in revised]


def budget_total(act: etree._Element) -> BudgetTotal:
    """The activity's budget (``BudgetTotal(None, default currency)`` when it has none)."""
    default_currency = (act.get("default-currency") or "").strip()
    groups: dict[str, list[Decimal]] = defaultdict(list)
    for line in _current(_lines(act, default_currency)):
        groups[line.currency].append(line.value)
    if not groups:
        return BudgetTotal(None, default_currency or None)
    ranked = sorted(groups, key=lambda c: (-len(groups[c]), c != default_currency, c))
    currency = ranked[0]
    total = sum(groups[currency], Decimal(0))
    return BudgetTotal(to_minor(total, currency), currency, tuple(ranked[1:]))


__all__ = ["BudgetTotal", "budget_total"]

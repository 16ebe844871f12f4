"""Donor concentration: the Herfindahl-Hirschman index of donor shares per recipient or area.

For each group (a recipient, or an area) the donors' shares of its projects that are not
cancelled give ``HHI = sum((100 * share) ** 2)`` on the 0-10,000 scale: 10,000 when one donor
does everything, ``10,000 / n`` when n donors share equally. By area, a project counts
``1 / len(areas)`` in each of its areas, so multi-area projects are not counted twice.

Two variants: by project count (always) and by budget, only when every project of the group
has a budget in one and the same currency (budgets in different currencies cannot be added
without exchange rates, so the variant is ``None`` there). Arithmetic is exact
(``fractions.Fraction``) and rounded to 2 decimals at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from cthub.coordination.records import ProjectRecord
from cthub.core.errors import InvalidInput

GROUPINGS = ("recipient", "area")


@dataclass(frozen=True)
class Concentration:
    """One group's donor concentration."""

    group: str
    donors: int
    projects: float
    hhi: float
    hhi_budget: float | None
    currency: str | None
    top_donor: str
    top_share: float


def herfindahl(projects: Iterable[ProjectRecord], by: str) -> dict[str, float]:
    """HHI by project count per group (``by`` is ``"recipient"`` or ``"area"``)."""
    return {group: c.hhi for group, c in concentration(projects, by).items()}


def concentration(projects: Iterable[ProjectRecord], by: str) -> dict[str, Concentration]:
    """Count and budget HHI, number of donors and the largest donor's share, per group."""
    if by not in GROUPINGS:
        raise InvalidInput("Group concentration by recipient or area, not {value!r}.",
                           field="by", value=by)  # fmt: skip
    counts: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    budgets: dict[str, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    currencies: dict[str, set[str | None]] = defaultdict(set)
    for p in projects:
        if p.status == "cancelled":
            continue
        groups = [p.recipient] if by == "recipient" else list(dict.fromkeys(p.areas))
        for group in groups:
            part = Fraction(1, len(groups))
            counts[group][p.donor] += part
            currencies[group].add(p.currency if p.budget_minor is not None else None)
            budgets[group][p.donor] += part * (p.budget_minor or 0)
    return {group: _group(group, counts[group], budgets[group], currencies[group])
            for group in sorted(counts)}  # fmt: skip


def _group(
    group: str,
    counts: Mapping[str, Fraction],
    budgets: Mapping[str, Fraction],
    currencies: set[str | None],
) -> Concentration:
    top = max(sorted(counts), key=lambda d: counts[d])
    total = sum(counts.values(), Fraction(0))
    one_currency = len(currencies) == 1 and None not in currencies
    hhi_budget = _hhi(budgets) if one_currency and sum(budgets.values()) > 0 else None
    return Concentration(
        group=group,
        donors=len(counts),
        projects=float(round(total, 2)),
        hhi=_hhi(counts),
        hhi_budget=hhi_budget,
        currency=next(iter(currencies)) if one_currency else None,
        top_donor=top,
        top_share=float(round(counts[top] / total, 4)),
    )


def _hhi(amounts: Mapping[str, Fraction]) -> float:
    """``sum((100 * share) ** 2)`` of the amounts' shares, exact then rounded to 2 decimals."""
    total = sum(amounts.values(), Fraction(0))
    if total == 0:
        return 0.0
    return float(round(sum((100 * a / total) ** 2 for a in amounts.values()), 2))


__all__ = ["GROUPINGS", "Concentration", "concentration", "herfindahl"]

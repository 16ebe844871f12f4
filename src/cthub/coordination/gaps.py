"""Gap analysis: priority-weighted need against assistance, for every recipient and area.

For each recipient (any country with a need or a project) and each of the eight CTC areas:

* ``need_weight`` = the sum of the priorities (1-5) of the cell's **open** needs;
* each project that is not cancelled counts as one *share*, split evenly over its areas
  (a two-area project adds 0.5 to each); ``committed`` sums the shares of projects in
  ``pipeline`` or ``implementation``, ``delivered`` those ``completed``;
* ``assistance = committed + DELIVERED_WEIGHT * delivered`` (assistance already delivered
  answers today's need less than assistance under way);
* ``coverage = PROJECT_CAPACITY * assistance / need_weight``: one project share is taken to
  answer one need of medium priority (3);
* ``gap = max(0, 1 - coverage)`` when there is need, else 0. So a gap of 1 is need with no
  assistance at all, 0 is need covered (or no open need).

``GapCell.figures()`` returns these numbers; ``GapCell.explain()`` says them in a sentence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cthub.coordination.records import Register
from cthub.coordination.taxonomy import AREA_KEYS
from cthub.core.i18n import N_

DELIVERED_WEIGHT = 0.5
PROJECT_CAPACITY = 3.0
_COMMITTED = frozenset({"pipeline", "implementation"})

EXPLANATION = N_(
    "need {need} from {needs} open needs; assistance {committed} committed + "
    "{delivered_weight} x {delivered} delivered = {assistance} project shares; "
    "coverage {capacity} x {assistance} / {need} = {coverage}; gap {gap}"
)
NO_NEED = N_(
    "no open need; assistance {committed} committed and {delivered} delivered project shares"
)


@dataclass(frozen=True)
class GapCell:
    """One recipient and area: need, assistance and the gap between them (see module doc)."""

    recipient: str
    area: str
    need_weight: int
    open_needs: int
    committed: float
    delivered: float
    gap: float

    @property
    def assistance(self) -> float:
        return self.committed + DELIVERED_WEIGHT * self.delivered

    @property
    def coverage(self) -> float:
        """Share of the need answered (may exceed 1); 0 when there is no need."""
        if self.need_weight == 0:
            return 0.0
        return PROJECT_CAPACITY * self.assistance / self.need_weight

    def figures(self) -> dict[str, float | int | str]:
        """The numbers behind the gap, rounded for display."""
        return {
            "recipient": self.recipient,
            "area": self.area,
            "need_weight": self.need_weight,
            "open_needs": self.open_needs,
            "committed": round(self.committed, 2),
            "delivered": round(self.delivered, 2),
            "delivered_weight": DELIVERED_WEIGHT,
            "assistance": round(self.assistance, 2),
            "project_capacity": PROJECT_CAPACITY,
            "coverage": round(self.coverage, 3),
            "gap": round(self.gap, 3),
        }

    def explain(self, gettext: Callable[[str], str] | None = None) -> str:
        """The formula with this cell's figures, translated when ``gettext`` is given."""
        f = self.figures()
        template = EXPLANATION if self.need_weight else NO_NEED
        return (gettext(template) if gettext else template).format(
            need=f["need_weight"], needs=f["open_needs"], committed=f["committed"],
            delivered=f["delivered"], delivered_weight=f["delivered_weight"],
            assistance=f["assistance"], capacity=f["project_capacity"],
            coverage=f["coverage"], gap=f["gap"],
        )  # fmt: skip


def compute_gaps(register: Register) -> list[GapCell]:
    """Every recipient x area cell, largest gap first (then larger need, recipient, area)."""
    need: dict[tuple[str, str], int] = defaultdict(int)
    needs: dict[tuple[str, str], int] = defaultdict(int)
    for n in register.needs:
        if n.status == "open" and n.area in AREA_KEYS:
            need[(n.recipient, n.area)] += n.priority
            needs[(n.recipient, n.area)] += 1
    committed: dict[tuple[str, str], float] = defaultdict(float)
    delivered: dict[tuple[str, str], float] = defaultdict(float)
    for p in register.projects:
        areas = [a for a in dict.fromkeys(p.areas) if a in AREA_KEYS]
        if p.status in _COMMITTED:
            target = committed
        elif p.status == "completed":
            target = delivered
        else:  # cancelled (or unknown): no assistance
            continue
        for a in areas:
            target[(p.recipient, a)] += 1.0 / len(areas)
    recipients = {n.recipient for n in register.needs} | {
        p.recipient for p in register.projects if p.status != "cancelled"
    }
    cells = [
        _cell(r, a, need[(r, a)], needs[(r, a)], committed[(r, a)], delivered[(r, a)])
        for r in sorted(recipients)
        for a in AREA_KEYS
    ]
    order = {a: i for i, a in enumerate(AREA_KEYS)}
    return sorted(cells, key=lambda c: (-c.gap, -c.need_weight, c.recipient, order[c.area]))


def _cell(
    recipient: str, area: str, need: int, needs: int, committed: float, delivered: float
) -> GapCell:
    assistance = committed + DELIVERED_WEIGHT * delivered
    gap = max(0.0, 1.0 - PROJECT_CAPACITY * assistance / need) if need else 0.0
    return GapCell(recipient, area, need, needs, committed, delivered, gap)


def heatmap(cells: Sequence[GapCell]) -> tuple[list[str], list[str], list[list[float]]]:
    """(recipients, areas, matrix) for a chart: ``matrix[i][j]`` is the gap of recipient i in
    area j (0 where no cell). Recipients by total need, largest first; areas in CTC order."""
    total: dict[str, int] = defaultdict(int)
    gap: dict[tuple[str, str], float] = {}
    for c in cells:
        total[c.recipient] += c.need_weight
        gap[(c.recipient, c.area)] = round(c.gap, 3)
    recipients = sorted(total, key=lambda r: (-total[r], r))
    present = {c.area for c in cells}
    areas = [a for a in AREA_KEYS if a in present]
    return recipients, areas, [[gap.get((r, a), 0.0) for a in areas] for r in recipients]


__all__ = [
    "DELIVERED_WEIGHT",
    "EXPLANATION",
    "NO_NEED",
    "PROJECT_CAPACITY",
    "GapCell",
    "compute_gaps",
    "heatmap",
]

"""What one call reads from the database, in one query: the dataset of the actor's
organisation by name, the count and last id of its partitions (the version of the stored
history a scorer was loaded for) and the count and last change of the organisation's rule
settings (the version of its rule set). Built once with bound parameters, so a call pays for
one small indexed read, not for building and compiling a statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from cthub.core.errors import NotFound
from cthub.core.hub import Unit
from cthub.finance.datasets import _dataset
from cthub.finance.models import FinanceDataset, FinancePartition, FinanceRuleSetting


@dataclass(frozen=True)
class Found:
    dataset_id: int
    partitions: tuple[int, int]  # how many, the last id
    settings: tuple[int, str]  # how many, the last change


def _query(own_org: bool) -> Select[Any]:
    d, p, s = FinanceDataset, FinancePartition, FinanceRuleSetting
    d_org = d.org_id == bindparam("org") if own_org else d.org_id.is_(None)
    s_org = s.org_id == bindparam("org") if own_org else s.org_id.is_(None)
    return select(
        d.id,
        select(func.count(p.id)).where(p.dataset_id == d.id).scalar_subquery(),
        select(func.max(p.id)).where(p.dataset_id == d.id).scalar_subquery(),
        select(func.count(s.id)).where(s_org).scalar_subquery(),
        select(func.max(s.updated_at)).where(s_org).scalar_subquery(),
    ).where(d.name == bindparam("name"), d_org)


_QUERIES = {True: _query(True), False: _query(False)}


def find(u: Unit, name: str) -> Found:
    """The dataset ``name`` of the unit's actor's organisation and the versions; refused as
    every finance call refuses an unknown or malformed name."""
    org = u.actor.org_id
    params: dict[str, object] = {"name": name} if org is None else {"name": name, "org": org}
    row = u.s.execute(_QUERIES[org is not None], params).first()
    if row is None:
        _dataset(u, name)  # raises InvalidInput (the name) or NotFound
        raise NotFound("No dataset named {name}.", name=name)  # pragma: no cover
    dataset_id, parts, last, settings, changed = tuple(row)
    return Found(int(dataset_id), (int(parts), int(last or 0)), (int(settings), str(changed)))


__all__ = ["Found", "find"]

"""The rules a real-time call runs: a caller's own, or the organisation's rule set, cached.

An organisation's rule set (``cthub.finance.rule_settings``) is the shipped library with its
settings rows applied. Building it parses the library's YAML and checks every changed
parameter, which is far too slow for every transaction, so it is built once per distinct set
of settings rows, and the rows are read again only when their count or last change (read
with the dataset, ``lookup``) differ from what was seen last. ``fingerprint`` says when two
rule sets need the same state, which is what the scorer registry keys on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache

from sqlalchemy import select

from cthub.core.hub import Unit
from cthub.finance.models import FinanceRuleSetting
from cthub.finance.rule_settings import _apply
from cthub.finance.rules.loader import library
from cthub.finance.rules.model import Rule

MAX_SETS = 64
RuleSet = tuple[tuple[Rule, ...], str]  # the rules and their fingerprint

_lock = threading.Lock()
_sets: OrderedDict[str, RuleSet] = OrderedDict()
#: per database and organisation: the version of its settings last seen, and its rule set
_orgs: dict[tuple[str, int | None], tuple[object, RuleSet]] = {}


def fingerprint(rules: Sequence[Rule]) -> str:
    """What makes two rule sets score alike (the scorer's state depends on it)."""
    return repr([(r.name, r.kind, r.weight, r.enabled, sorted(r.params.plain().items()))
                 for r in rules])  # fmt: skip


@cache
def _library() -> tuple[Rule, ...]:
    return tuple(library())


def given(rules: Sequence[Rule]) -> RuleSet:
    chosen = tuple(rules)
    return chosen, fingerprint(chosen)


def of_organisation(u: Unit, database: str, version: object = None) -> RuleSet:
    """The rule set of the unit's actor's organisation; read again only when ``version`` (the
    count and last change of its settings rows) is not the one seen last."""
    org = (database, u.actor.org_id)
    seen = _orgs.get(org)
    if version is not None and seen is not None and seen[0] == version:
        return seen[1]
    built = _built(u)
    if version is not None:
        _orgs[org] = (version, built)
    return built


def _built(u: Unit) -> RuleSet:
    q = select(FinanceRuleSetting)
    q = q.where(FinanceRuleSetting.org_id.is_(None) if u.actor.org_id is None
                else FinanceRuleSetting.org_id == u.actor.org_id)  # fmt: skip
    rows = {row.rule: row for row in u.s.scalars(q)}
    key = repr(sorted((n, r.enabled, sorted((r.params or {}).items())) for n, r in rows.items()))
    with _lock:
        found = _sets.get(key)
        if found is not None:
            _sets.move_to_end(key)
            return found
    built = given([_apply(rule, rows.get(rule.name)) for rule in _library()])
    with _lock:
        _sets[key] = built
        while len(_sets) > MAX_SETS:
            _sets.popitem(last=False)
    return built


def screens(rules: Sequence[Rule]) -> bool:
    """Whether the rules include an enabled sanctioned-counterparty rule (names to screen)."""
    return any(r.enabled and r.kind == "sanctioned_counterparty" for r in rules)


def clear() -> None:
    with _lock:
        _sets.clear()
        _orgs.clear()


__all__ = ["RuleSet", "clear", "fingerprint", "given", "of_organisation", "screens"]

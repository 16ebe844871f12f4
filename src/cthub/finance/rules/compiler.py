"""A rule becomes one SQL text that DuckDB and Spark SQL both run over the view ``tx``.

The kind writes the body (``RuleKind.sql``); the compiler adds the rule's name and keeps one
row per account and transaction (the smallest detail text, the same on both engines), so the
hits of every rule share the columns ``rule, account, tx_id, ts, detail``.
"""

from __future__ import annotations

from cthub.finance.rules.kinds import registry
from cthub.finance.rules.kinds.base import quote
from cthub.finance.rules.model import Rule


def compile_rule(rule: Rule) -> str:
    """The SQL of ``rule``: rows ``rule, account, tx_id, ts, detail`` over ``tx`` (and
    ``listed`` for kinds that screen names), one per account and transaction."""
    body = registry.get(rule.kind).sql(rule.params)
    return (
        f"SELECT {quote(rule.name)} AS rule, account, tx_id, ts, MIN(detail) AS detail\n"
        f"FROM ({body}\n) AS hits\nGROUP BY account, tx_id, ts"
    )


def uses_listed(rule: Rule) -> bool:
    """Whether the rule's SQL reads the ``listed`` table."""
    return registry.get(rule.kind).uses_listed


__all__ = ["compile_rule", "uses_listed"]

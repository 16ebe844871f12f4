"""Rule kinds: the ``RuleKind`` extension point and its registry (see ``base``)."""

from __future__ import annotations

from cthub.finance.rules.kinds.base import ENTRY_POINT_GROUP, Example, RuleKind, registry

__all__ = ["ENTRY_POINT_GROUP", "Example", "RuleKind", "registry"]

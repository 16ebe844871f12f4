"""A rule: one configured instance of a rule kind, as the YAML library or a caller defines it.

``Rule`` carries what an analyst reads (title, description, references), what scoring needs
(``weight`` in (0, 1]), whether it runs (``enabled``) and its checked, typed ``params``. The
kind (``cthub.finance.rules.kinds``) turns the parameters into SQL; the rule itself holds no
logic, so two rules of one kind (say structuring in EUR and in USD) differ only in data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from cthub.finance.rules.params import Duration, Value

V = TypeVar("V")


@dataclass(frozen=True)
class Params:
    """Checked parameter values by name; the typed getters fail loudly on a kind's own bug."""

    values: Mapping[str, Value] = field(default_factory=dict)

    def _get(self, name: str, kind: type[V]) -> V:
        value = self.values[name]
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
        raise TypeError(f"parameter {name} is {type(value).__name__}, not {kind.__name__}")

    def count(self, name: str) -> int:
        return self._get(name, int)

    def amount(self, name: str) -> int:
        """Whole minor units."""
        return self._get(name, int)

    def percent(self, name: str) -> Decimal:
        return self._get(name, Decimal)

    def ratio(self, name: str) -> str:
        """The percentage as a SQL decimal literal of its fraction: 90 -> ``0.9000``."""
        return f"{self._get(name, Decimal) / 100:.4f}"

    def duration(self, name: str) -> Duration:
        return self._get(name, Duration)

    def codes(self, name: str) -> tuple[str, ...]:
        return self._get(name, tuple)

    def plain(self) -> dict[str, object]:
        """The values as YAML would write them (durations as text, percents as str)."""
        out: dict[str, object] = {}
        for name, value in self.values.items():
            if isinstance(value, Duration):
                out[name] = value.text
            elif isinstance(value, Decimal):
                out[name] = str(value)
            elif isinstance(value, tuple):
                out[name] = list(value)
            else:
                out[name] = value
        return out


@dataclass(frozen=True)
class Rule:
    """One rule. ``name`` is unique in a rule set and appears on every hit; ``source`` is the
    file it was read from (``<code>`` when built in Python), for error messages."""

    name: str
    kind: str
    title: str
    description: str
    references: tuple[str, ...]
    weight: float
    enabled: bool
    params: Params
    source: str = "<code>"


__all__ = ["Params", "Rule"]

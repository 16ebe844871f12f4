"""The one extension point for package formats: ``ExchangeFormat``, its inputs and results.

A format turns the bytes a partner sends into STIX 2.1 objects (plain dicts, the internal
form every other part of ``exchange`` works on) and turns such objects back into bytes for a
partner. The TLP of a package travels in the objects themselves, as ``object_marking_refs``
to the official TLP 2.0 marking definitions (``cthub.exchange.tlp``); ``Parsed.tlp`` is the
strictest label found. The official TLP marking-definition objects are not returned among
the objects (every reader knows them by id); ``render`` writes them back where the format
needs them.

Input is untrusted: ``parse`` raises only ``InvalidInput`` (the whole package is refused; the
message names the object, line or field and the hint says what to do) or returns a
``Parsed`` whose ``problems`` list the records it skipped. ``Limits`` bound the work done
before anything is refused.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from cthub.core.errors import InvalidInput
from cthub.exchange.tlp import Tlp, strictest, tlp_of_marking_id

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one package may hold; over a limit the package is refused, not truncated."""

    max_bytes: int = 50 * MB
    max_objects: int = 1_000_000
    max_depth: int = 32
    #: skipped records beyond this many mean the input is not what it claims to be
    max_problems: int = 1000


@dataclass(frozen=True)
class Problem:
    """One record that was skipped: where it was (``index``, ``id``), and why (a msgid)."""

    index: int
    id: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        return InvalidInput(self.message, **self.params).render()


@dataclass
class Parsed:
    """What ``parse`` found: STIX 2.1 dicts, the strictest TLP they carry, skipped records.

    ``tlp`` is ``None`` when the package states no TLP at all; the caller decides what that
    means (the exchange service applies its configured default, never CLEAR silently).
    """

    objects: list[dict[str, Any]]
    tlp: Tlp | None
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class FormatExamples:
    """What the contract test checks for one format.

    ``objects``: internal objects this format keeps exactly: ``parse(render(objects, tlp))``
    gives them back (apart from TLP marking refs) with ``tlp``. ``samples``: inputs as a
    partner sends them, each with the TLP ``parse`` must find. ``invalid``: inputs ``parse``
    must refuse with ``InvalidInput``.
    """

    objects: list[dict[str, Any]]
    tlp: Tlp
    samples: tuple[tuple[bytes, Tlp | None], ...]
    invalid: tuple[bytes, ...]


class ExchangeFormat(ABC):
    """A package format. ``name`` is stable: it is stored with every package and exported."""

    name: ClassVar[str]
    title: ClassVar[str]
    media_type: ClassVar[str]
    suffix: ClassVar[str]

    @abstractmethod
    def parse(self, data: bytes, *, source: str, limits: Limits | None = None) -> Parsed:
        """The objects in ``data`` (from partner ``source``, named in messages).

        Raises ``InvalidInput`` for a package that must be refused as a whole.
        """

    @abstractmethod
    def render(self, objects: list[dict[str, Any]], *, tlp: Tlp, producer: str) -> bytes:
        """``objects`` as this format's bytes, every object marked at least ``tlp``.

        An object already marked stricter keeps its stricter label; weaker TLP marks are
        replaced. ``producer`` names the sending organisation where the format has a place
        for it. Objects the format cannot carry raise ``InvalidInput``.
        """

    @abstractmethod
    def examples(self) -> FormatExamples:
        """Sample objects and inputs for the contract tests run over every format."""


def check_size(data: bytes, limits: Limits, source: str) -> None:
    """Refuse ``data`` over ``limits.max_bytes`` before any parsing work is done."""
    if len(data) > limits.max_bytes:
        raise InvalidInput(
            "The package from {source} is {size} bytes, over the limit of {limit} bytes.",
            hint="Split it into smaller packages.",
            source=source,
            size=len(data),
            limit=limits.max_bytes,
        )


def load_json(data: bytes | str, source: str, where: str = "package") -> Any:
    """``data`` decoded as JSON (orjson; nesting over 1024 levels is refused by it)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            "The {where} from {source} is not valid JSON: {reason}.",
            hint="Send UTF-8 JSON in the format you chose.",
            where=where,
            source=source,
            reason=str(exc),
        ) from None


def json_depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests lists and dicts, counting stops once past ``limit``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return deepest


def tlp_refs(obj: dict[str, Any]) -> list[Tlp]:
    """The TLP labels an object's ``object_marking_refs`` point at (official ids only)."""
    refs = obj.get("object_marking_refs")
    if not isinstance(refs, list):
        return []
    return [t for t in (tlp_of_marking_id(r) for r in refs if isinstance(r, str)) if t]


def with_tlp(obj: dict[str, Any], tlp: Tlp) -> dict[str, Any]:
    """A copy of ``obj`` marked with the stricter of ``tlp`` and its own TLP, only once.

    Other (non-TLP) marking refs are kept in their order; TLP refs are replaced by the one
    binding label, so a package never downgrades an object that came in stricter.
    """
    label = strictest([tlp, *tlp_refs(obj)])
    refs = [r for r in obj.get("object_marking_refs", []) if tlp_of_marking_id(r) is None]
    return {**obj, "object_marking_refs": [*refs, label.marking_id]}


def without_tlp(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` without TLP marking refs (``object_marking_refs`` dropped if empty)."""
    refs = [r for r in obj.get("object_marking_refs", []) if tlp_of_marking_id(r) is None]
    rest = {k: v for k, v in obj.items() if k != "object_marking_refs"}
    return {**rest, "object_marking_refs": refs} if refs else rest


__all__ = [
    "MB",
    "ExchangeFormat",
    "FormatExamples",
    "Limits",
    "Parsed",
    "Problem",
    "check_size",
    "json_depth",
    "load_json",
    "tlp_refs",
    "with_tlp",
    "without_tlp",
]

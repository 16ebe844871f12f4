"""The matcher's value types: list entries in, queries in, explained hits out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Entry:
    """One list entry as the matcher sees it (the lists capability builds these).

    ``schema`` is ``person``, ``organization`` or ``vessel``; ``birth_dates`` are ``YYYY`` or
    ``YYYY-MM-DD``; ``countries`` are ISO 3166 alpha-2 codes; ``names[0]`` is the primary name.
    """

    id: str
    list: str
    ref: str
    schema: str
    names: tuple[str, ...]
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    gender: str | None = None
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """One subject to screen; every field but ``name`` is optional evidence."""

    name: str
    type: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    id_number: str | None = None


@dataclass(frozen=True, slots=True)
class Feature:
    """One line of a score: ``contribution = value * weight``, negative when it contradicts."""

    name: str
    value: float
    weight: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored entry: the alias that matched best and how the score was made."""

    entry: Entry
    score: float
    matched_name: str
    features: list[Feature] = field(default_factory=list)
    explanation: str = ""

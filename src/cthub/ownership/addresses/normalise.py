"""``normalise``: one address checked against every format and against the chain it is said to be.

It returns the comparison key (what the index and lookups compare), the formats the text is
valid in, the chains those formats belong to, and the problems found. Problems never stop
anything: an address with a bad checksum is still looked up by its key (a list can publish the
same typo), and a caller decides what to report.

Problem kinds (``PROBLEMS``): ``empty``, ``too_long`` (over 128 characters: not decoded at
all), ``bad_characters`` (control characters, NUL, inner spaces, non-ASCII), ``unknown_chain``
(the declared chain is not one cthub knows), ``invalid`` (no known format, or the shape of
one with a wrong length, version or padding), ``bad_checksum`` (the shape of a format and a
wrong checksum), ``eip55`` (mixed-case EVM hex
that fails its EIP-55 checksum; all-lower and all-upper carry none) and ``label_mismatch``
(valid, but not in a format of the declared chain: a TRON ``T...`` address labelled XBT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cthub.core.i18n import N_
from cthub.ownership.addresses.chains import CHAINS, NATIVE, chain_code, chains_for, known_codes
from cthub.ownership.addresses.formats import FORMATS, STRIP, comparison_key, detect, eip55

MAX_LENGTH = 128
PROBLEMS = (
    "empty",
    "too_long",
    "bad_characters",
    "unknown_chain",
    "invalid",
    "bad_checksum",
    "eip55",
    "label_mismatch",
)
_HEX64 = re.compile(r"(0x)?[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an address: ``kind`` (one of ``PROBLEMS``) and a message.

    ``template`` is an English msgid (translated where the language is known) filled with
    ``params``; ``message`` is the English text.
    """

    kind: str
    template: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


@dataclass(frozen=True)
class Normalised:
    """What one address is: key, formats, chains (by format), declared chain, problems."""

    address: str  # as given, surrounding whitespace removed
    key: str
    formats: tuple[str, ...]
    chains: tuple[str, ...]
    declared: str | None  # the declared chain's code, when known
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def chain(self) -> str | None:
        """The chain to report: the declared one unless the format contradicts it."""
        if self.declared and (self.declared in self.chains or not self.formats):
            return self.declared
        return NATIVE[self.formats[0]] if self.formats else None


def shown(text: str, limit: int = 64) -> str:
    """``text`` safe for one line of a report: escaped, and cut at ``limit`` characters."""
    cut = text[:limit].encode("unicode_escape").decode("ascii")
    return cut + ("..." if len(text) > limit else "")


def _characters(s: str) -> Problem | None:
    for ch in s:
        if not 33 <= ord(ch) <= 126:
            return Problem(
                "bad_characters",
                N_("contains the character U+{code}; an address is printable ASCII"),
                {"code": f"{ord(ch):04X}"},
            )
    return None


def _invalid(s: str, misses: list[tuple[str, str]]) -> Problem:
    if misses:
        name, reason = misses[0]
        if reason == "checksum":
            return Problem(
                "bad_checksum",
                N_("has a bad checksum for the format {format}"),
                {"format": FORMATS[name]},
            )
        return Problem(
            "invalid",
            N_("does not fit the format {format}: {reason}"),
            {"reason": reason, "format": FORMATS[name]},
        )
    if _HEX64.fullmatch(s):
        return Problem(
            "invalid", N_("is 64 hex digits: a transaction hash or a key, not an address")
        )
    return Problem("invalid", N_("is not an address in any known format"))


def _mismatch(declared: str, formats: tuple[str, ...]) -> Problem:
    return Problem(
        "label_mismatch",
        N_("is declared {chain} ({title}), but its format is {format}"),
        {"chain": declared, "title": CHAINS[declared].title, "format": FORMATS[formats[0]]},
    )


def _eip55(s: str) -> Problem | None:
    body = s[2:]
    if body.lower() == body or body.upper() == body or eip55(s) == s:
        return None
    return Problem(
        "eip55",
        N_("fails its EIP-55 mixed-case checksum (expected {expected})"),
        {"expected": eip55(s)},
    )


def _shape(s: str) -> Problem | None:
    if not s:
        return Problem("empty", N_("is empty"))
    if len(s) > MAX_LENGTH:
        return Problem(
            "too_long",
            N_("is {length} characters long; an address has at most {limit}"),
            {"length": len(s), "limit": MAX_LENGTH},
        )
    return _characters(s)


def normalise(address: str, chain_hint: str | None = None) -> Normalised:
    """Check ``address`` (and ``chain_hint``, an OFAC code such as XBT or an alias such as BTC)."""
    s = address.strip(STRIP)
    declared = chain_code(chain_hint)
    problems: list[Problem] = []
    if chain_hint and chain_hint.strip() and declared is None:
        problems.append(
            Problem(
                "unknown_chain",
                N_("is declared on an unknown chain {chain}; known chains: {known}"),
                {"chain": shown(chain_hint.strip(), 20), "known": known_codes()},
            )
        )
    key = comparison_key(s)
    bad = _shape(s)
    if bad is not None:
        return Normalised(s, key, (), (), declared, (*problems, bad))
    valid, misses = detect(s)
    formats = tuple(valid)
    chains = chains_for(formats)
    if not formats:
        problems.append(_invalid(s, misses))
    elif "evm" in formats and (checksum := _eip55(s)) is not None:
        problems.append(checksum)
    if declared and formats and declared not in chains:
        problems.append(_mismatch(declared, formats))
    return Normalised(s, key, formats, chains, declared, tuple(problems))


__all__ = ["MAX_LENGTH", "PROBLEMS", "Normalised", "Problem", "normalise", "shown"]

"""STIX pattern validation at bundle speed: ``stix2-patterns`` once per pattern *shape*.

Validating an indicator's pattern with the ANTLR grammar (what ``stix2`` does for every
indicator) costs about a millisecond, most of an import's time. Real bundles repeat a few
shapes (``[ipv4-addr:value = '...']``, ``[file:hashes.MD5 = '...']``) with different string
literals. The grammar treats every string literal as one token, so two patterns that differ
only inside string literals parse to the same tree; the only check that reads a literal's
content is the hash check (``file:hashes.MD5 = '<32 hex digits>'``). So the first pattern of
each shape gets the full ``stix2patterns.validator.run_validator``; later ones of the same
shape only re-run that hash check, with the library's own table of hash regexes.

Literals after ``:`` or ``.`` are path components (``hashes.'SHA-256'``) and ``t'...'``,
``b'...'``, ``h'...'`` are other tokens: those stay in the shape verbatim. A pattern whose
quoting the literal regex does not follow exactly gets a different shape, hence the full
validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stix2patterns.exceptions import ParseException
from stix2patterns.inspector import INDEX_STAR
from stix2patterns.v21.object_validator import HASHES_REGEX
from stix2patterns.v21.pattern import Pattern
from stix2patterns.validator import run_validator

# The grammar's StringLiteral: QUOTE ( ~['\\] | '\\\'' | '\\\\' )* QUOTE
_LITERAL = re.compile(r"'(?:[^'\\]|\\['\\])*'")
_PLACEHOLDER = re.compile(r"'__lit(\d+)__'")
_MAX_SHAPES = 10_000
_VALIDATOR_FAULTS = (AttributeError, TypeError, ValueError, IndexError, KeyError, RecursionError)


@dataclass(frozen=True)
class _Shape:
    """A validated shape: which literal positions hold hashes, with the regex for each."""

    hash_checks: tuple[tuple[int, re.Pattern[str], str], ...]


def _split(pattern: str) -> tuple[str, list[str]]:
    """The shape of ``pattern`` (value literals numbered) and those literals in order."""
    parts: list[str] = []
    values: list[str] = []
    last = 0
    for match in _LITERAL.finditer(pattern):
        start = match.start()
        before = pattern[:start].rstrip()
        adjacent = start > 0 and (pattern[start - 1].isalnum() or pattern[start - 1] in "_-")
        if adjacent or (before and before[-1] in ":."):
            continue  # a prefixed literal (t'..') or a path component: part of the shape
        parts.append(pattern[last:start])
        parts.append(f"'__lit{len(values)}__'")
        values.append(match.group())
        last = match.end()
    parts.append(pattern[last:])
    return "".join(parts), values


def _hash_checks(shape: str) -> tuple[tuple[int, re.Pattern[str], str], ...] | None:
    """Literal positions compared with a hash, read from the shape's own parse tree.

    ``None`` when a hash is compared with anything but one plain literal (a set, ``h'..'``):
    such shapes are not cached, the library checks each pattern in full.
    """
    checks = []
    data = Pattern(shape).inspect()
    for comparisons in data.comparisons.values():
        for path, _op, value in comparisons:
            if "hashes" not in path or path[-1] is INDEX_STAR:
                continue
            hash_type = str(path[-1]).upper().replace("-", "").replace("'", "")
            found = _PLACEHOLDER.fullmatch(str(value))
            if hash_type not in HASHES_REGEX:
                continue
            if not found:
                return None
            regex, name = HASHES_REGEX[hash_type]
            checks.append((int(found.group(1)), re.compile(regex), name))
    return tuple(checks)


class PatternChecker:
    """Validates STIX patterns; one instance per import keeps its cache of shapes."""

    def __init__(self) -> None:
        self._shapes: dict[tuple[str, str], _Shape] = {}
        self.full_runs = 0

    def error(self, pattern: str, version: str = "2.1") -> str | None:
        """The first validation error of ``pattern``, or ``None`` when it is valid."""
        shape, values = _split(pattern)
        known = self._shapes.get((version, shape))
        if known is None:
            return self._first_sight(pattern, version, shape)
        for index, regex, name in known.hash_checks:
            hash_string = values[index].replace("'", "")
            if not regex.match(hash_string):
                return f"FAIL: '{hash_string}' is not a valid {name} hash"
        return None

    def _first_sight(self, pattern: str, version: str, shape: str) -> str | None:
        self.full_runs += 1
        try:
            errors = run_validator(pattern, version)
        except _VALIDATOR_FAULTS as exc:  # stix2-patterns trips on some odd paths (hashes[0])
            return f"FAIL: the pattern cannot be checked ({type(exc).__name__})"
        if errors:
            return str(errors[0])
        if version == "2.1" and len(self._shapes) < _MAX_SHAPES:
            try:
                checks = _hash_checks(shape)
            except (ParseException, *_VALIDATOR_FAULTS):
                checks = None  # the shape did not parse on its own: keep validating in full
            if checks is not None:
                self._shapes[(version, shape)] = _Shape(checks)
        return None


__all__ = ["PatternChecker"]

"""Validation of single STIX 2.1 objects with the ``stix2`` library, made fast enough for bulk.

``stix2.parse(obj, allow_custom=True)`` looks the class up by type and constructs it, which
validates every property, then we would throw the object away (the original dict is the
internal form; re-serialising it would cost more again). So ``ObjectValidator`` does that
lookup itself, constructs the class once per object and keeps the dict, and validates
indicator patterns through ``PatternChecker`` (the grammar once per pattern shape) instead of
letting ``stix2`` run the grammar for every indicator. Types ``stix2`` does not know (custom
objects such as ``x-ftm-entity``) get the checks the specification makes of every object:
type name, identifier, timestamps, property names, marking references.

Every failure is an ``InvalidInput`` naming the object's index and id, the field, the reason
given by the library, and what to do about it.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import uuid
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from stix2 import registry
from stix2.exceptions import STIXError
from stix2.properties import TimestampProperty

from cthub.core.errors import InvalidInput

from .base import Limits, json_depth
from .patterns import PatternChecker

# The language of stix2's TYPE_21_REGEX, written without its nested quantifiers: that regex
# takes seconds to reject a 24-character near-miss, so no untrusted type reaches it.
_TYPE = re.compile(r"[a-z][a-z0-9-]{2,249}")
_PROPERTY = re.compile(r"[a-z][a-z0-9_]{0,249}")
# keyword names of the stix2 constructors: passed on, they would clash with the call itself
_CONSTRUCTOR_ARGS = frozenset({"allow_custom", "interoperability", "custom_properties"})
_TIMESTAMP = TimestampProperty(precision="millisecond", precision_constraint="min")
_LIBRARY_FAULTS = (STIXError, ValueError, TypeError, KeyError, AttributeError, IndexError)
_FAULTS = (*_LIBRARY_FAULTS, OverflowError, RecursionError)


def refuse(where: str, index: int, obj_id: Any, field: str, reason: str) -> InvalidInput:
    """The error for one object of a package: which one, which field, why, what to do."""
    return InvalidInput(
        "Object {index} ({id}) of the {where} has an invalid {field}: {reason}",
        hint="Correct or remove that object and send the package again.",
        where=where,
        index=index,
        id=str(obj_id)[:120],
        field=field,
        reason=reason[:300],
    )


def is_observable(obj_type: str) -> bool:
    """Whether ``obj_type`` is a STIX Cyber-observable type ``stix2`` knows."""
    return registry.class_for_type(obj_type, "2.1", "observables") is not None


def _fault_field(exc: Exception) -> str:
    name = getattr(exc, "prop_name", None)
    if isinstance(name, str):
        return name
    names = getattr(exc, "properties", None)
    if isinstance(names, list | tuple | set | frozenset) and names:
        return ", ".join(sorted(str(n) for n in names))
    return "content"


def _valid_id(value: Any, obj_type: str) -> bool:
    prefix = obj_type + "--"
    if not isinstance(value, str) or not value.startswith(prefix):
        return False
    try:
        return uuid.UUID(value[len(prefix) :]).variant == uuid.RFC_4122
    except ValueError:
        return False


class ObjectValidator:
    """Checks STIX 2.1 objects one at a time; keeps its pattern cache for one package."""

    def __init__(self, where: str, limits: Limits) -> None:
        self.where, self.limits = where, limits
        self.patterns = PatternChecker()

    def check(self, obj: Any, index: int) -> dict[str, Any]:
        """``obj`` itself when it is a valid STIX 2.1 object; ``InvalidInput`` otherwise."""
        if not isinstance(obj, dict):
            raise refuse(self.where, index, "?", "object", "it is not a JSON object")
        obj_type, obj_id = obj.get("type"), obj.get("id")
        if not isinstance(obj_type, str) or not _TYPE.fullmatch(obj_type):
            raise refuse(self.where, index, obj_id, "type", "not a STIX 2.1 type name")
        if not _valid_id(obj_id, obj_type):
            raise refuse(self.where, index, obj_id, "id", "must be <type>--<RFC 4122 UUID>")
        if json_depth(obj, self.limits.max_depth) > self.limits.max_depth:
            reason = f"nested deeper than {self.limits.max_depth} levels"
            raise refuse(self.where, index, obj_id, "structure", reason)
        self._check_spec_version(obj, index)
        cls = registry.class_for_type(obj_type, "2.1", "objects") or registry.class_for_type(
            obj_type, "2.1", "observables"
        )
        if cls is None:
            self._check_custom(obj, index)
        else:
            self._check_known(cls, obj, index)
        return obj

    def _check_spec_version(self, obj: dict[str, Any], index: int) -> None:
        version = obj.get("spec_version")
        if version == "2.1":
            return
        if version is None and (is_observable(obj["type"]) or _declares_new_sco(obj)):
            return  # observables may leave spec_version out; it defaults to 2.1
        shown = "missing" if version is None else repr(version)[:40]
        reason = f"{shown}; only STIX 2.1 is accepted (spec_version '2.1')"
        raise refuse(self.where, index, obj["id"], "spec_version", reason)

    def _check_known(self, cls: Any, obj: dict[str, Any], index: int) -> None:
        kwargs = {k: v for k, v in obj.items() if k not in _CONSTRUCTOR_ARGS}
        pattern = obj.get("pattern")
        fast_pattern = obj["type"] == "indicator" and obj.get("pattern_type") == "stix"
        if fast_pattern:
            # stix2 would run the grammar on every pattern; PatternChecker runs it per shape
            kwargs["pattern_type"] = "x-cthub-pattern-checked"
        try:
            cls(allow_custom=True, **kwargs)
        except _FAULTS as exc:
            raise refuse(self.where, index, obj["id"], _fault_field(exc), str(exc)) from None
        if fast_pattern and isinstance(pattern, str):
            version = obj.get("pattern_version")
            error = self.patterns.error(pattern, version if isinstance(version, str) else "2.1")
            if error:
                raise refuse(self.where, index, obj["id"], "pattern", error)

    def _check_custom(self, obj: dict[str, Any], index: int) -> None:
        for name in obj:
            if not _PROPERTY.fullmatch(name):
                reason = f"{name[:60]!r} is not a STIX property name"
                raise refuse(self.where, index, obj["id"], "property name", reason)
        for name in ("created", "modified"):
            if name in obj:
                try:
                    _TIMESTAMP.clean(obj[name])
                except _FAULTS as exc:
                    raise refuse(self.where, index, obj["id"], name, str(exc)) from None
        refs = obj.get("object_marking_refs", [])
        if not isinstance(refs, list) or not all(_valid_id(r, "marking-definition") for r in refs):
            reason = "must be a list of marking-definition identifiers"
            raise refuse(self.where, index, obj["id"], "object_marking_refs", reason)


def _declares_new_sco(obj: dict[str, Any]) -> bool:
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return False
    return any(
        isinstance(e, dict) and e.get("extension_type") == "new-sco" for e in extensions.values()
    )


#: Objects from which a bundle is checked on several cores: below it, the round trip to the
#: worker processes costs more than it saves (stix2 takes ~0.3 ms per object on one core).
PARALLEL_FROM = 5_000
MAX_WORKERS = 4
_POOL: list[ProcessPoolExecutor] = []


def _workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def _pool() -> ProcessPoolExecutor:
    """Worker processes, started once through a fork server that has imported this module
    (forking the caller itself is unsafe in a threaded server)."""
    if not _POOL:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        _POOL.append(ProcessPoolExecutor(_workers(), mp_context=context))
    return _POOL[0]


def _chunk_fault(objects: list[Any], offset: int, where: str, limits: Limits) -> int | None:
    validator = ObjectValidator(where, limits)
    for index, obj in enumerate(objects, offset):
        try:
            validator.check(obj, index)
        except Exception:  # noqa: BLE001 - the caller checks this object again and raises
            return index
    return None


def first_fault(objects: list[Any], where: str, limits: Limits) -> int | None:
    """The index of the first object ``ObjectValidator.check`` refuses, or None when all pass.

    From ``PARALLEL_FROM`` objects on a machine with several cores the chunks are checked in
    worker processes; each object's check is independent of the others, so the answer is the
    serial one. The caller checks that object again to raise its error."""
    workers = _workers()
    if len(objects) < PARALLEL_FROM or workers == 1:
        return _chunk_fault(objects, 0, where, limits)
    size = -(-len(objects) // (workers * 2))
    starts = range(0, len(objects), size)
    try:
        pool = _pool()
        futures = [pool.submit(_chunk_fault, objects[i : i + size], i, where, limits)
                   for i in starts]  # fmt: skip
        faults = [f.result() for f in futures]
    except (OSError, RuntimeError):  # no processes here (a sandbox, a broken pool): one core
        _POOL.clear()
        return _chunk_fault(objects, 0, where, limits)
    found = [f for f in faults if f is not None]
    return min(found) if found else None


__all__ = ["PARALLEL_FROM", "ObjectValidator", "first_fault", "is_observable", "refuse"]

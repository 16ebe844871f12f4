"""Records to JSON and back, so stored passengers and PNRs can be re-checked without re-parsing.

Dates become ISO strings, tuples of records become lists of objects; ``load`` rebuilds the same
frozen dataclasses from the stored form, so ``load(T, dump(x)) == x`` for every record type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast

from cthub.travel import records

T = TypeVar("T")


_PLAIN = (str, int, float, bool, type(None))
_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, Any], ...]:
    """Field names with their defaults (``MISSING`` when required), once per record type."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(
            (f.name, f.default) for f in dataclasses.fields(cast(Any, cls))
        )
    return found


def dump(value: Any) -> Any:
    """A record (or tuple of records, date, plain value) as JSON-ready data.

    Fields still at their default (empty strings, ``None``, empty tuples) are left out, so a
    stored passenger holds what the carrier sent and nothing else; ``load`` restores them.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:
        return [dump(v) for v in value]
    if kind is dt.datetime or kind is dt.date:
        return value.isoformat()
    record = _RECORDS.get(kind)
    if record is None:
        if not dataclasses.is_dataclass(kind):
            return value
        record = _RECORDS[kind] = _record_dumper(kind)
    return record(value)


_RECORDS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _record_dumper(kind: type) -> Callable[[Any], dict[str, Any]]:
    """A dumper for one record type, written out field by field (as ``dataclasses`` writes
    ``__init__``): a loop over the fields costs more than the rest of storing a passenger."""
    names = {"_plain": _PLAIN, "_dump": dump, "_missing": dataclasses.MISSING}
    lines = ["def dump_record(v):", "    out = {}"]
    for i, (name, default) in enumerate(_fields_of(kind)):
        names[f"_d{i}"] = default
        keep = "True" if default is dataclasses.MISSING else "y != []"
        lines += [
            f"    x = v.{name}",
            f"    if x != _d{i}:",
            "        if type(x) in _plain:",
            f"            out[{name!r}] = x",
            "        else:",
            "            y = _dump(x)",
            f"            if {keep}:",
            f"                out[{name!r}] = y",
        ]
    lines.append("    return out")
    # Field names come from the record classes in cthub.travel.records, not from data.
    exec("\n".join(lines), names)  # noqa: S102
    return cast(Callable[[Any], dict[str, Any]], names["dump_record"])


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(records))


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value) if args else value
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        return tuple(_convert(inner, v) for v in value)
    if origin is list:
        inner = typing.get_args(tp)[0]
        return [_convert(inner, v) for v in value]
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return load(tp, value)
    return value


def load(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record of type ``cls`` from ``dump`` output; unknown keys are ignored."""
    hints = _hints(cast(type, cls))
    kwargs = {
        f.name: _convert(hints[f.name], data[f.name])
        for f in dataclasses.fields(cast(Any, cls))
        if f.name in data
    }
    return cls(**kwargs)


__all__ = ["dump", "load"]

"""Records to JSON and back, so stored passengers and PNRs can be re-checked without re-parsing.

Dates become ISO strings, tuples of records become lists of objects; ``load`` rebuilds the same
frozen dataclasses from the stored form, so ``load(T, dump(x)) == x`` for every record type.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
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
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for name, default in _fields_of(kind):
            item = getattr(value, name)
            if item == default:
                continue
            if type(item) in _PLAIN:
                out[name] = item
            else:
                dumped = dump(item)
                if dumped != [] or default is dataclasses.MISSING:
                    out[name] = dumped
        return out
    return value


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

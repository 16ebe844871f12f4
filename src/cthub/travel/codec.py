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


def dump(value: Any) -> Any:
    """A record (or tuple of records, date, plain value) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [dump(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
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

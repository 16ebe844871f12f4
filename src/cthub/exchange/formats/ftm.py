"""FollowTheMoney entities as JSON lines, kept whole inside custom ``x-ftm-entity`` objects.

Choice: every entity, of any schema, becomes one ``x-ftm-entity`` STIX object holding the
entity's ``ftm_id``, ``ftm_schema`` and ``ftm_properties`` unchanged, plus ``name`` (its
first name property, for lists). Mapping Person/Organization to STIX ``identity`` was
considered and not taken: ``identity`` has no place for FtM's properties (birth dates,
registration numbers, addresses, sanctions) and none at all for Ownership or Payment, so it
would lose data and make the round trip asymmetric. The STIX id is a uuid5 of the FtM id, so
the same entity from two packages gets the same STIX id.

Each line: ``{"id", "schema", "properties": {name: [str]}}``, optionally ``first_seen`` and
``last_change`` (they become ``created`` and ``modified``) and ``tlp``. FtM has no markings,
so cthub writes the TLP label on every line (``"tlp": "TLP:AMBER"``; FtM tools ignore keys
they do not know). A line that is not an entity is skipped and reported; a line with a TLP
value we cannot read refuses the package; input with no entity at all is refused.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson

from cthub.core.errors import InvalidInput
from cthub.exchange.tlp import Tlp, parse_tlp, strictest

from .base import (
    ExchangeFormat,
    FormatExamples,
    Limits,
    Parsed,
    Problem,
    check_size,
    tlp_refs,
    with_tlp,
)
from .misp_attributes import stix_time, time_of
from .samples import ftm_examples
from .validator import ObjectValidator

#: namespace of the uuid5 STIX ids of FtM entities
FTM_NAMESPACE = uuid.UUID("0c8e7a52-3b5f-4d8e-9a61-7f2b1c4d5e60")
_SCHEMA = re.compile(r"[A-Z][A-Za-z]{1,63}")


def _ftm_time(stix: Any) -> str:
    """A STIX timestamp as FtM writes times: UTC, to the second, without a zone."""
    return time_of(stix).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class _Skip(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message, self.params = message, params


def _entity_time(value: Any, field: str) -> str | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise _Skip("{field} is not an ISO 8601 time.", field=field) from None
    return stix_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _properties(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise _Skip("properties is not an object.")
    for name, values in value.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _Skip("property {name} is not a list of strings.", name=str(name)[:60])
    return value


def entity_object(line: dict[str, Any], source: str) -> dict[str, Any]:
    """The ``x-ftm-entity`` for one parsed line; ``_Skip`` says why a line is not an entity."""
    ftm_id, schema = line.get("id"), line.get("schema")
    if not isinstance(ftm_id, str) or not 0 < len(ftm_id) <= 1024:
        raise _Skip("the entity has no id.")
    if not isinstance(schema, str) or not _SCHEMA.fullmatch(schema):
        raise _Skip("schema is not a FollowTheMoney schema name.")
    properties = _properties(line.get("properties", {}))
    created = _entity_time(line.get("first_seen"), "first_seen") or stix_time(None)
    modified = _entity_time(line.get("last_change"), "last_change") or created
    names = properties.get("name") or [ftm_id]
    obj: dict[str, Any] = {
        "type": "x-ftm-entity",
        "spec_version": "2.1",
        "id": f"x-ftm-entity--{uuid.uuid5(FTM_NAMESPACE, ftm_id)}",
        "created": created,
        "modified": modified,
        "name": names[0],
        "ftm_id": ftm_id,
        "ftm_schema": schema,
        "ftm_properties": properties,
    }
    if "tlp" in line:
        try:
            obj["object_marking_refs"] = [parse_tlp(str(line["tlp"])).marking_id]
        except InvalidInput:
            raise InvalidInput(
                "An entity from {source} carries the TLP value {value}, which is not a TLP label.",
                hint='Write "tlp" as one of TLP:CLEAR, TLP:GREEN, TLP:AMBER, '
                "TLP:AMBER+STRICT, TLP:RED.",
                source=source,
                value=repr(str(line["tlp"])[:80]),
            ) from None
    return obj


class FtmFormat(ExchangeFormat):
    """FollowTheMoney entity streams (JSON lines), as OpenSanctions and aleph publish."""

    name: ClassVar[str] = "ftm"
    title: ClassVar[str] = "FollowTheMoney entities"
    media_type: ClassVar[str] = "application/x-ndjson"
    suffix: ClassVar[str] = ".ftm.json"

    def parse(self, data: bytes, *, source: str, limits: Limits | None = None) -> Parsed:
        limits = limits or Limits()
        check_size(data, limits, source)
        validator = ObjectValidator(f"entities from {source}", limits)
        objects: list[dict[str, Any]] = []
        problems: list[Problem] = []
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) > limits.max_objects:
            raise self._refused(
                source, f"{len(lines)} entities, over the limit of {limits.max_objects}"
            )
        for number, line in enumerate(lines, start=1):
            problem = self._entity(line, number, source, validator, objects)
            if problem is not None:
                problems.append(problem)
            if len(problems) > limits.max_problems:
                raise self._refused(
                    source, f"more than {limits.max_problems} lines are not entities"
                )
        if not objects and lines:
            raise self._refused(source, problems[0].render() if problems else "no entity")
        found = [t for o in objects for t in tlp_refs(o)]
        return Parsed(objects, strictest(found) if found else None, problems)

    @staticmethod
    def _entity(
        line: bytes,
        number: int,
        source: str,
        validator: ObjectValidator,
        objects: list[dict[str, Any]],
    ) -> Problem | None:
        """Appends the entity on ``line`` to ``objects``, or returns why the line is skipped."""
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            return Problem(number, "", "The line is not JSON.")
        if not isinstance(value, dict):
            return Problem(number, "", "The line is not a JSON object.")
        shown = str(value.get("id", ""))[:80]
        try:
            entity = entity_object(value, source)  # an unreadable TLP refuses the package
        except _Skip as skip:
            return Problem(number, shown, skip.message, skip.params)
        try:
            objects.append(validator.check(entity, number))
        except InvalidInput as exc:
            return Problem(number, shown, exc.message, exc.params)
        return None

    @staticmethod
    def _refused(source: str, reason: str) -> InvalidInput:
        return InvalidInput(
            "The package from {source} is not FollowTheMoney JSON lines: {reason}",
            hint='Send one entity per line: {"id": ..., "schema": ..., "properties": {...}}.',
            source=source,
            reason=reason,
        )

    def render(self, objects: list[dict[str, Any]], *, tlp: Tlp, producer: str) -> bytes:
        lines = []
        for obj in objects:
            if obj.get("type") == "marking-definition":
                continue
            if obj.get("type") != "x-ftm-entity":
                raise InvalidInput(
                    "FollowTheMoney packages carry x-ftm-entity objects only; this one has {type}.",
                    hint="Share this package as STIX 2.1 instead.",
                    type=str(obj.get("type"))[:60],
                )
            label = tlp_refs(with_tlp(obj, tlp))[0]
            entity = {
                "id": obj["ftm_id"],
                "schema": obj["ftm_schema"],
                "properties": obj.get("ftm_properties", {}),
                "first_seen": _ftm_time(obj["created"]),
                "last_change": _ftm_time(obj["modified"]),
                "tlp": label.label,
            }
            lines.append(orjson.dumps(entity, option=orjson.OPT_SORT_KEYS))
        return b"".join(line + b"\n" for line in lines)

    def examples(self) -> FormatExamples:
        return ftm_examples()


__all__ = ["FTM_NAMESPACE", "FtmFormat", "entity_object"]

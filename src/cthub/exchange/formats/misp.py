"""MISP events (pymisp's JSON, ``{"Event": {...}}`` or the bare event) to and from STIX objects.

Import: each attribute of a type with a STIX pattern (ip-src/ip-dst, domain, hostname, md5,
sha1, sha256, url, email, email-src/-dst, and stix2-pattern itself), event-level or inside a
MISP object, becomes an ``indicator`` whose id reuses the attribute's UUID; the event becomes
a ``report`` listing them. Other attribute types are skipped and reported as problems, so one
comment attribute does not cost the whole event. The MISP type and category are kept as
``x_misp_type`` and ``x_misp_category`` so an event survives the round trip.

TLP: ``tlp:*`` tags (MISP's ``tlp`` taxonomy, TLP 1.0 ``white`` included) on the event and on
attributes decide; an attribute is marked the stricter of its own tag and the event's. An
unknown ``tlp:`` value refuses the event: a marking we cannot read is never dropped. Only
an event with no TLP tag at all falls back to its distribution: 0 (your organisation) ->
AMBER+STRICT, 4 (sharing group) -> AMBER, 1 and 2 (communities) -> GREEN, 3 (all) -> CLEAR.
Export writes the TLP tag, and distribution 3 for CLEAR, 1 for GREEN, 0 otherwise.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

import orjson
from pymisp import MISPAttribute, MISPEvent
from pymisp.exceptions import PyMISPError

from cthub.core.errors import InvalidInput
from cthub.exchange.tlp import Tlp, parse_tlp, strictest

from .base import (
    ExchangeFormat,
    FormatExamples,
    Limits,
    Parsed,
    Problem,
    check_size,
    load_json,
    tlp_refs,
)
from .misp_attributes import (
    attribute_of,
    indicator_of,
    stix_time,
    time_of,
)
from .samples import misp_examples
from .stix import BUNDLE_NAMESPACE, is_official_tlp
from .validator import ObjectValidator

_PYMISP_FAULTS = (PyMISPError, ValueError, TypeError, KeyError, AttributeError, IndexError)
_FAULTS = (*_PYMISP_FAULTS, OverflowError, OSError, RecursionError)
_BY_DISTRIBUTION = {0: Tlp.AMBER_STRICT, 1: Tlp.GREEN, 2: Tlp.GREEN, 3: Tlp.CLEAR, 4: Tlp.AMBER}
_DISTRIBUTION_OF = {Tlp.CLEAR: 3, Tlp.GREEN: 1}


def _not_an_event(source: str, what: str) -> InvalidInput:
    return InvalidInput(
        "The package from {source} is not a MISP event: {what}.",
        hint="Send the event JSON as MISP exports it, with info and its Attribute list.",
        source=source,
        what=what,
    )


def _event_dict(doc: Any, source: str) -> dict[str, Any]:
    """The event object of ``doc``, checked for the shapes pymisp would trip over."""
    event = doc.get("Event", doc) if isinstance(doc, dict) else None
    if not isinstance(event, dict):
        raise _not_an_event(source, "no event object")
    if not isinstance(event.get("info"), str):
        raise _not_an_event(source, "the info field is missing")
    for key in ("Attribute", "Object", "Tag"):
        items = event.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _not_an_event(source, f"{key} is not a list of objects")
    for obj in event.get("Object", []):
        items = obj.get("Attribute", [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _not_an_event(source, "an Object's Attribute is not a list of objects")
    return event


def _tag_tlp(tags: Any, source: str) -> Tlp | None:
    """The strictest ``tlp:`` tag among ``tags`` (dicts with a name, or pymisp tags)."""
    found = []
    for tag in tags or []:
        name = tag.get("name") if isinstance(tag, dict) else getattr(tag, "name", None)
        if isinstance(name, str) and name.strip().lower().startswith("tlp:"):
            try:
                found.append(parse_tlp(name))
            except InvalidInput:
                raise InvalidInput(
                    "The MISP event from {source} carries the tag {tag}, which is not a TLP label.",
                    hint="Tag the event with one of tlp:clear, tlp:green, tlp:amber, "
                    "tlp:amber+strict, tlp:red.",
                    source=source,
                    tag=repr(name[:80]),
                ) from None
    return strictest(found) if found else None


def _load_event(event: dict[str, Any], source: str) -> MISPEvent:
    """The event's own fields through pymisp (attributes are loaded one by one later)."""
    shell = {k: v for k, v in event.items() if k not in ("Attribute", "Object")}
    loaded = MISPEvent()
    try:
        loaded.from_dict(**shell)
        return loaded
    except _FAULTS as exc:
        raise _not_an_event(source, str(exc)[:200]) from None


def _event_tlp(event: MISPEvent, raw: dict[str, Any], source: str) -> Tlp | None:
    tagged = _tag_tlp(raw.get("Tag"), source)
    if tagged is not None:
        return tagged
    try:
        return _BY_DISTRIBUTION.get(int(getattr(event, "distribution", -1)))
    except (TypeError, ValueError):
        return None


class MispFormat(ExchangeFormat):
    """MISP event JSON, as exported by MISP and read by pymisp."""

    name: ClassVar[str] = "misp"
    title: ClassVar[str] = "MISP event"
    media_type: ClassVar[str] = "application/json"
    suffix: ClassVar[str] = ".misp.json"

    def parse(self, data: bytes, *, source: str, limits: Limits | None = None) -> Parsed:
        limits = limits or Limits()
        check_size(data, limits, source)
        raw = _event_dict(load_json(data, source), source)
        attributes = raw.get("Attribute", []) + [
            a for o in raw.get("Object", []) for a in o.get("Attribute", [])
        ]
        if len(attributes) > limits.max_objects:
            raise _not_an_event(source, f"{len(attributes)} attributes, over the limit")
        event = _load_event(raw, source)
        event_tlp = _event_tlp(event, raw, source)
        validator = ObjectValidator(f"MISP event from {source}", limits)
        objects, problems = self._indicators(attributes, event_tlp, validator, source)
        if len(problems) > limits.max_problems:
            raise _not_an_event(source, f"{len(problems)} attributes could not be read")
        if objects:
            report = self._report(event, [o["id"] for o in objects], event_tlp)
            objects.insert(0, validator.check(report, 0))
        else:
            problems.append(
                Problem(0, str(event.uuid), "The MISP event has no attribute to import.")
            )
        found = [t for t in (event_tlp, *(_tlp_of(o) for o in objects)) if t]
        return Parsed(objects, strictest(found) if found else None, problems)

    def _indicators(
        self,
        attributes: list[dict[str, Any]],
        event_tlp: Tlp | None,
        validator: ObjectValidator,
        source: str,
    ) -> tuple[list[dict[str, Any]], list[Problem]]:
        objects: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for index, raw in enumerate(attributes, start=1):
            attribute = MISPAttribute()
            try:
                attribute.from_dict(**raw)
                own = _tag_tlp(raw.get("Tag"), source)
                label = strictest([t for t in (event_tlp, own) if t], default=event_tlp)
                found = indicator_of(attribute, label)
            except _FAULTS as exc:
                problems.append(
                    Problem(
                        index, str(raw.get("uuid", ""))[:80], "{reason}", {"reason": str(exc)[:200]}
                    )
                )
                continue
            if isinstance(found, Problem):
                problems.append(Problem(index, found.id, found.message, found.params))
                continue
            try:
                objects.append(validator.check(found, index))
            except InvalidInput as exc:
                problems.append(Problem(index, found["id"], exc.message, exc.params))
        return objects, problems

    def _report(self, event: MISPEvent, refs: list[str], tlp: Tlp | None) -> dict[str, Any]:
        when = stix_time(getattr(event, "timestamp", None))
        report: dict[str, Any] = {
            "type": "report",
            "spec_version": "2.1",
            "id": f"report--{event.uuid}",
            "created": when,
            "modified": when,
            "name": event.info,
            "report_types": ["threat-report"],
            "published": stix_time(getattr(event, "date", None)),
            "object_refs": refs,
        }
        if tlp is not None:
            report["object_marking_refs"] = [tlp.marking_id]
        return report

    def render(self, objects: list[dict[str, Any]], *, tlp: Tlp, producer: str) -> bytes:
        carried = [o for o in objects if not is_official_tlp(o)]
        reports = [o for o in carried if o.get("type") in ("report", "grouping")]
        others = {
            str(o.get("type"))
            for o in carried
            if o.get("type") not in ("report", "grouping", "indicator")
        }
        if others or len(reports) > 1:
            raise InvalidInput(
                "A MISP event carries indicators and at most one report; this package has {types}.",
                hint="Share this package as STIX 2.1 instead.",
                types=", ".join(sorted(others)) or "several reports",
            )
        fields = self._event_fields(reports[0] if reports else None, carried, producer)
        fields["distribution"] = _DISTRIBUTION_OF.get(tlp, 0)
        fields["Tag"] = [{"name": tlp.misp_tag}]
        fields["Attribute"] = [
            attribute_of(o, tlp) for o in carried if o.get("type") == "indicator"
        ]
        event = MISPEvent()
        try:
            event.from_dict(**fields)
        except _FAULTS as exc:
            raise InvalidInput(
                "The package cannot be written as a MISP event: {reason}",
                hint="Share this package as STIX 2.1 instead.",
                reason=str(exc)[:200],
            ) from None
        return b'{"Event": ' + event.to_json(sort_keys=True).encode() + b"}"

    @staticmethod
    def _event_fields(
        report: dict[str, Any] | None, carried: list[dict[str, Any]], producer: str
    ) -> dict[str, Any]:
        """The event's own fields: from the report when there is one, else from the producer."""
        fields: dict[str, Any] = {"Orgc": {"name": producer}}
        if report is None:
            digest = hashlib.sha256(orjson.dumps(carried, option=orjson.OPT_SORT_KEYS)).hexdigest()
            fields["uuid"] = str(uuid.uuid5(BUNDLE_NAMESPACE, producer + digest))
            fields["info"] = f"Package from {producer}"
            return fields
        fields["uuid"] = str(report["id"]).split("--", 1)[1]
        fields["info"] = str(report.get("name", ""))
        fields["timestamp"] = int(time_of(report["modified"]).timestamp())
        if report.get("published"):
            fields["date"] = time_of(report["published"]).date().isoformat()
        return fields

    def examples(self) -> FormatExamples:
        return misp_examples()


def _tlp_of(obj: dict[str, Any]) -> Tlp | None:
    found = tlp_refs(obj)
    return strictest(found) if found else None


__all__ = ["MispFormat"]

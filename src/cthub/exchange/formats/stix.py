"""STIX 2.1 bundles: the internal form itself, validated object by object with ``stix2``.

``parse`` refuses, before validating anything, input over the byte limit, input that is not
JSON, a JSON value that is not a bundle, a STIX 2.0 bundle, and a bundle over the object
limit; then each object is checked by ``ObjectValidator`` and every marking reference must be
a TLP marking (2.0 or 1.0) or a marking-definition carried in the same bundle. A bundle is
taken or refused whole: STIX objects refer to each other, so dropping one silently would
leave dangling references.

``render`` writes a bundle whose objects are all marked at least the package TLP, with the
official marking definitions of every TLP label used. Its id is derived from the producer
and the content, so rendering the same package twice gives the same bundle.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

import orjson

from cthub.core.errors import InvalidInput
from cthub.exchange.tlp import Tlp, strictest, tlp_of_marking, tlp_of_marking_id

from .base import (
    ExchangeFormat,
    FormatExamples,
    Limits,
    Parsed,
    check_size,
    load_json,
    tlp_refs,
    with_tlp,
)
from .samples import stix_examples
from .validator import ObjectValidator, first_fault, refuse

#: namespace of the uuid5 bundle ids cthub writes
BUNDLE_NAMESPACE = uuid.UUID("4b7d9e39-6f0b-4c54-9a43-0a3f4c1d2e51")


def _bundle_objects(value: Any, source: str, limits: Limits) -> list[Any]:
    """The ``objects`` list of a STIX 2.1 bundle, or ``InvalidInput`` saying what is wrong."""
    if not isinstance(value, dict) or value.get("type") != "bundle":
        raise InvalidInput(
            "The package from {source} is not a STIX bundle.",
            hint='Send one JSON object with "type": "bundle" and its "objects".',
            source=source,
        )
    if "spec_version" in value:  # bundles carried spec_version only in STIX 2.0
        raise InvalidInput(
            "The bundle from {source} is STIX {version}; only STIX 2.1 is accepted.",
            hint="Convert the bundle to STIX 2.1 (for example with the stix2-elevator).",
            source=source,
            version=str(value["spec_version"])[:20],
        )
    bundle_id = value.get("id")
    if not isinstance(bundle_id, str) or not _is_bundle_id(bundle_id):
        raise InvalidInput(
            "The bundle from {source} has an invalid id.",
            hint="Give the bundle an id of the form bundle--<UUID>.",
            source=source,
        )
    objects = value.get("objects", [])
    if not isinstance(objects, list):
        raise InvalidInput(
            "The objects of the bundle from {source} are not a list.",
            hint='Put the STIX objects in a JSON list under "objects".',
            source=source,
        )
    if len(objects) > limits.max_objects:
        raise InvalidInput(
            "The bundle from {source} holds {count} objects, over the limit of {limit}.",
            hint="Split it into smaller bundles.",
            source=source,
            count=len(objects),
            limit=limits.max_objects,
        )
    return objects


def _is_bundle_id(value: str) -> bool:
    try:
        return value.startswith("bundle--") and bool(uuid.UUID(value[8:]))
    except ValueError:
        return False


def _marking_refs(obj: dict[str, Any]) -> list[tuple[str, Any]]:
    refs: list[tuple[str, Any]] = [
        ("object_marking_refs", r) for r in obj.get("object_marking_refs", [])
    ]
    for granular in obj.get("granular_markings", []):
        if isinstance(granular, dict) and "marking_ref" in granular:
            refs.append(("granular_markings", granular["marking_ref"]))
    return refs


def package_tlp(objects: list[dict[str, Any]], where: str) -> Tlp | None:
    """The strictest TLP the objects are marked with; unknown marking refs are refused.

    A reference must name an official TLP marking definition or a marking-definition among
    ``objects``; a marking definition that states a TLP level (under another id) counts too.
    """
    defined = {o["id"]: o for o in objects if o.get("type") == "marking-definition"}
    found: set[Tlp] = set()
    for index, obj in enumerate(objects):
        for field, ref in _marking_refs(obj):
            label = tlp_of_marking_id(ref) if isinstance(ref, str) else None
            if label is None and ref not in defined:
                raise InvalidInput(
                    "Object {index} ({id}) of the {where} refers in {field} to the marking "
                    "{ref}, which is neither a TLP marking nor defined in the package.",
                    hint="Include that marking-definition in the package, or remove the reference.",
                    index=index,
                    id=str(obj.get("id"))[:120],
                    where=where,
                    field=field,
                    ref=str(ref)[:120],
                )
            if label is None:
                try:
                    label = tlp_of_marking(defined[ref])
                except InvalidInput as exc:
                    raise refuse(where, index, obj["id"], field, exc.render()) from None
            if label is not None:
                found.add(label)
    return strictest(found) if found else None


def is_official_tlp(obj: dict[str, Any]) -> bool:
    """Whether ``obj`` is one of the official TLP marking definitions (by id)."""
    return (
        obj.get("type") == "marking-definition" and tlp_of_marking_id(obj.get("id", "")) is not None
    )


def validate_objects(objects: list[Any], where: str, limits: Limits) -> Parsed:
    """``objects`` checked one by one and for their markings, official TLP definitions dropped.

    A large bundle is checked on several cores (``validator.first_fault``); the first faulty
    object is then checked again here, so the error is the one a serial check would raise."""
    first = first_fault(objects, where, limits)
    if first is not None:
        validator = ObjectValidator(where, limits)
        for index, obj in enumerate(objects[first:], first):
            validator.check(obj, index)  # raises at ``first``
    checked: list[dict[str, Any]] = objects  # every object is a checked dict now
    tlp = package_tlp(checked, where)
    return Parsed([o for o in checked if not is_official_tlp(o)], tlp)


def mark_all(objects: list[dict[str, Any]], tlp: Tlp) -> list[dict[str, Any]]:
    """Objects marked at least ``tlp``, preceded by the TLP definitions they use.

    Marking definitions themselves are not marked; official TLP definitions among the input
    are replaced by fresh copies.
    """
    marked = [
        o if o.get("type") == "marking-definition" else with_tlp(o, tlp)
        for o in objects
        if not is_official_tlp(o)
    ]
    used = {tlp} | {label for o in marked for label in tlp_refs(o)}
    return [t.marking() for t in sorted(used, key=lambda t: t.rank)] + marked


class StixFormat(ExchangeFormat):
    """STIX 2.1 JSON bundles (``application/stix+json;version=2.1``), as TAXII 2.1 serves."""

    name: ClassVar[str] = "stix"
    title: ClassVar[str] = "STIX 2.1 bundle"
    media_type: ClassVar[str] = "application/stix+json;version=2.1"
    suffix: ClassVar[str] = ".stix.json"

    def parse(self, data: bytes, *, source: str, limits: Limits | None = None) -> Parsed:
        limits = limits or Limits()
        check_size(data, limits, source)
        objects = _bundle_objects(load_json(data, source), source, limits)
        return validate_objects(objects, f"bundle from {source}", limits)

    def render(self, objects: list[dict[str, Any]], *, tlp: Tlp, producer: str) -> bytes:
        body = mark_all(objects, tlp)
        digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
        bundle_id = uuid.uuid5(BUNDLE_NAMESPACE, f"{producer}\n{digest}")
        return orjson.dumps({"type": "bundle", "id": f"bundle--{bundle_id}", "objects": body})

    def examples(self) -> FormatExamples:
        return stix_examples()


__all__ = [
    "BUNDLE_NAMESPACE",
    "StixFormat",
    "is_official_tlp",
    "mark_all",
    "package_tlp",
    "validate_objects",
]

"""Sample packages of every built-in format, for ``examples()`` and the contract tests.

Small and hand-written, each realistic for its format: the objects a partner agency would
send, the markings they would use, and the mistakes a package is refused for.
"""

from __future__ import annotations

from typing import Any

import orjson
import stix2

from cthub.exchange.tlp import Tlp

from .base import FormatExamples

T1 = "2024-03-01T09:30:00.000Z"
T2 = "2024-03-02T10:00:00.000Z"
_STATEMENT = "marking-definition--1a2c8f0e-7d4b-4e0a-9c3f-5b6d7e8f9a01"
_ACTOR = "threat-actor--6d1e3c5a-2b4f-4a8e-9d0c-1f2e3a4b5c6d"
_INDICATOR = "indicator--8e2f4a6b-3c5d-4e7f-8a9b-0c1d2e3f4a5b"


def _sdo(kind: str, uid: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uid}",
        "created": T1,
        "modified": T1,
        **fields,
    }


def _bundle(
    *objects: dict[str, Any], bundle_id: str = "5f0e2c1a-9b8d-4c7e-a6f5-e4d3c2b1a090"
) -> bytes:
    return orjson.dumps({"type": "bundle", "id": f"bundle--{bundle_id}", "objects": list(objects)})


def stix_objects() -> list[dict[str, Any]]:
    """A small investigation: who, what they use, and how to detect it."""
    return [
        {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": _STATEMENT,
            "created": T1,
            "definition_type": "statement",
            "definition": {"statement": "Copyright 2024 Partner Agency A"},
        },
        _sdo(
            "identity",
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            name="Partner Agency A",
            identity_class="organization",
        ),
        {
            **_sdo("threat-actor", _ACTOR.split("--")[1], name="Example Cell"),
            "threat_actor_types": ["terrorist"],
            "object_marking_refs": [_STATEMENT],
        },
        _sdo(
            "indicator",
            _INDICATOR.split("--")[1],
            name="Recruitment site",
            indicator_types=["malicious-activity"],
            pattern="[domain-name:value = 'recruit.example.org'] OR [url:value = 'http://recruit.example.org/join']",
            pattern_type="stix",
            valid_from=T1,
        ),
        _sdo(
            "relationship",
            "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
            relationship_type="indicates",
            source_ref=_INDICATOR,
            target_ref=_ACTOR,
        ),
        {
            "type": "ipv4-addr",
            "spec_version": "2.1",
            "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
            "value": "198.51.100.7",
        },
        {
            "type": "file",
            "spec_version": "2.1",
            "id": "file--5e8a2d2c-0a3a-5b1c-8d4e-2f6b7a9c0d1e",
            "name": "flyer.pdf",
            "hashes": {
                "MD5": "9e107d9d372bb6826bd81d3542a419d6",
                "SHA-256": "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
            },
        },
    ]


def stix_examples() -> FormatExamples:
    objects = stix_objects()
    green, red, amber = Tlp.GREEN, Tlp.RED, Tlp.AMBER
    marked = [{**o, "object_marking_refs": [green.marking_id]} for o in objects[1:3]]
    mixed = [
        {**objects[1], "object_marking_refs": [amber.marking_id]},
        {**objects[5], "object_marking_refs": [red.marking_id]},
    ]
    white = [{**objects[1], "object_marking_refs": [str(stix2.TLP_WHITE.id)]}]
    bad_pattern = {**objects[3], "pattern": "[domain-name:value = 'x.example'"}
    return FormatExamples(
        objects=objects,
        tlp=Tlp.AMBER,
        samples=(
            (_bundle(green.marking(), *marked), Tlp.GREEN),
            (_bundle(*mixed), Tlp.RED),
            (_bundle(*white), Tlp.CLEAR),
            (_bundle(*objects), None),
        ),
        invalid=(
            b"this is not JSON",
            b'["bundle"]',
            orjson.dumps({**orjson.loads(_bundle()), "spec_version": "2.0"}),
            _bundle({**objects[1], "id": "identity--not-a-uuid"}),
            _bundle({**objects[1], "created": "yesterday"}),
            _bundle({**objects[1], "spec_version": "2.0"}),
            _bundle(
                {
                    **objects[1],
                    "object_marking_refs": [
                        "marking-definition--0b7f4e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
                    ],
                }
            ),
            _bundle(bad_pattern),
            _bundle({**objects[4], "source_ref": objects[4]["id"]}),
        ),
    )


_EVENT_UUID = "5e1f3a2b-4c6d-4e8f-9a0b-1c2d3e4f5a6b"


def _misp_event(tags: list[str], attributes: list[dict[str, Any]], **fields: Any) -> bytes:
    event = {
        "info": "Recruitment campaign, March 2024",
        "uuid": _EVENT_UUID,
        "date": "2024-03-01",
        "timestamp": "1709285400",
        "threat_level_id": "2",
        "analysis": "1",
        "Tag": [{"name": t} for t in tags],
        "Attribute": attributes,
        **fields,
    }
    return orjson.dumps({"Event": event})


def misp_objects() -> list[dict[str, Any]]:
    """What importing the sample event gives: a report and its indicators."""
    ids = [
        "indicator--" + u
        for u in (
            "6a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "7b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
            "8c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f",
        )
    ]
    common = {
        "type": "indicator",
        "spec_version": "2.1",
        "created": T1,
        "modified": T1,
        "pattern_type": "stix",
        "pattern_version": "2.1",
    }
    return [
        {
            "type": "report",
            "spec_version": "2.1",
            "id": f"report--{_EVENT_UUID}",
            "created": T1,
            "modified": T1,
            "name": "Recruitment campaign, March 2024",
            "report_types": ["threat-report"],
            "published": "2024-03-01T00:00:00.000Z",
            "object_refs": ids,
        },
        {
            **common,
            "id": ids[0],
            "pattern": "[ipv4-addr:value = '198.51.100.7']",
            "valid_from": T1,
            "x_misp_type": "ip-dst",
            "x_misp_category": "Network activity",
            "description": "C2 server",
        },
        {
            **common,
            "id": ids[1],
            "pattern": "[file:hashes.MD5 = '9e107d9d372bb6826bd81d3542a419d6']",
            "valid_from": "2024-02-20T08:00:00.250Z",
            "x_misp_type": "md5",
            "x_misp_category": "Payload delivery",
        },
        {
            **common,
            "id": ids[2],
            "pattern": "[email-addr:value = 'o\\'brien@example.org']",
            "valid_from": T1,
            "x_misp_type": "email-src",
            "x_misp_category": "Payload delivery",
        },
    ]


def misp_examples() -> FormatExamples:
    attribute = {"uuid": "9d5e6f7a-8b9c-4d0e-8f1a-3b4c5d6e7f80", "timestamp": "1709285400"}
    ip = {**attribute, "type": "ip-dst", "value": "198.51.100.7", "category": "Network activity"}
    domain = {
        **attribute,
        "uuid": "0e6f7a8b-9c0d-4e1f-8a2b-4c5d6e7f8091",
        "type": "domain",
        "value": "recruit.example.org",
    }
    comment = {
        **attribute,
        "uuid": "1f7a8b9c-0d1e-4f2a-8b3c-5d6e7f809102",
        "type": "comment",
        "value": "seen in a forum",
    }
    in_object = {
        "name": "file",
        "Attribute": [
            {
                **attribute,
                "uuid": "2a8b9c0d-1e2f-4a3b-8c4d-6e7f80910213",
                "type": "sha256",
                "value": "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
            }
        ],
    }
    red_ip = {**ip, "Tag": [{"name": "tlp:red"}]}
    return FormatExamples(
        objects=misp_objects(),
        tlp=Tlp.AMBER,
        samples=(
            (
                _misp_event(["tlp:amber", "PAP:GREEN"], [ip, domain, comment], Object=[in_object]),
                Tlp.AMBER,
            ),
            (_misp_event([], [ip], distribution="0"), Tlp.AMBER_STRICT),
            (_misp_event(["tlp:white"], [domain]), Tlp.CLEAR),
            (_misp_event(["tlp:green"], [red_ip, domain]), Tlp.RED),
        ),
        invalid=(
            b"<xml/>",
            b"[1, 2]",
            orjson.dumps({"Event": {"Attribute": [ip]}}),
            _misp_event(["tlp:unclear"], [ip]),
            _misp_event(["tlp:amber"], [ip], uuid="not-a-uuid"),
        ),
    )


def _ftm_entity(
    obj_uuid: str, ftm_id: str, schema: str, properties: dict[str, list[str]]
) -> dict[str, Any]:
    return {
        "type": "x-ftm-entity",
        "spec_version": "2.1",
        "id": f"x-ftm-entity--{obj_uuid}",
        "created": T1,
        "modified": T2,
        "name": (properties.get("name") or [ftm_id])[0],
        "ftm_id": ftm_id,
        "ftm_schema": schema,
        "ftm_properties": properties,
    }


def ftm_objects() -> list[dict[str, Any]]:
    """A person who owns a company, as FtM entities (ids are uuid5 of the FtM ids)."""
    import uuid

    from .ftm import FTM_NAMESPACE

    def entity(ftm_id: str, schema: str, properties: dict[str, list[str]]) -> dict[str, Any]:
        return _ftm_entity(str(uuid.uuid5(FTM_NAMESPACE, ftm_id)), ftm_id, schema, properties)

    return [
        entity(
            "person-a1",
            "Person",
            {"name": ["Jane Example"], "birthDate": ["1980-05-01"], "nationality": ["xk"]},
        ),
        entity(
            "company-b2",
            "Company",
            {
                "name": ["Example Trading Ltd"],
                "jurisdiction": ["gb"],
                "registrationNumber": ["01234567"],
            },
        ),
        entity(
            "own-c3",
            "Ownership",
            {"owner": ["person-a1"], "asset": ["company-b2"], "percentage": ["75"]},
        ),
    ]


def ftm_examples() -> FormatExamples:
    lines = [
        {"id": "person-a1", "schema": "Person", "properties": {"name": ["Jane Example"]}},
        {
            "id": "company-b2",
            "schema": "Company",
            "properties": {"name": ["Example Trading Ltd"]},
            "first_seen": "2023-01-01T00:00:00",
        },
    ]
    plain = b"\n".join(orjson.dumps(line) for line in lines) + b"\n"
    amber = b"\n".join(orjson.dumps({**line, "tlp": "amber"}) for line in lines)
    return FormatExamples(
        objects=ftm_objects(),
        tlp=Tlp.GREEN,
        samples=((plain, None), (amber, Tlp.AMBER), (plain + b"not json\n", None)),
        invalid=(
            b"not json at all\n",
            b'{"id": "x"}\n{"schema": "Person"}\n',
            orjson.dumps({**lines[0], "tlp": "TLP:PURPLE"}),
        ),
    )


__all__ = [
    "ftm_examples",
    "ftm_objects",
    "misp_examples",
    "misp_objects",
    "stix_examples",
    "stix_objects",
]

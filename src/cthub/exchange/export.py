"""Export for one partner: exactly what its release rules allow, each disclosure logged.

Every candidate package (see ``sharing``) is decided for the partner under ``export`` (or
``onward`` for received packages) and recorded; what is allowed is written as one STIX 2.1
bundle (objects keep their own TLP marking; the marking definitions used are included) or as
MISP events (one event per package, under its TLP tag; a package MISP cannot carry, such as one
with relationships or identities, is listed as refused by format and not disclosed). Each
exported package is one leaf of the disclosure log, with the SHA-256 of the objects written,
and the log's head is signed after the export commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import orjson

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.exchange import disclosure, sharing, store
from cthub.exchange.formats.registry import registry as formats
from cthub.exchange.scope import acting_org, partner_named
from cthub.exchange.tlp import parse_tlp

EXPORT_FORMATS = ("stix", "misp")


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    format: str
    partner: str
    packages: list[str]
    objects: int
    refused: list[dict[str, str]] = field(default_factory=list)
    disclosures: list[int] = field(default_factory=list)


def _stix(objects_by_package: dict[str, list[bytes]], tlps: set[str]) -> bytes:
    markings = [parse_tlp(label).marking() for label in sorted(tlps)]
    parts = [orjson.dumps(m) for m in markings]
    parts += [body for bodies in objects_by_package.values() for body in bodies]
    head = b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'","objects":['
    return head + b",".join(parts) + b"]}"


def _misp(
    given: list[sharing.Released], objects: dict[str, list[bytes]], producer: str
) -> tuple[bytes, list[sharing.Released], list[dict[str, str]]]:
    """One MISP event per package; a package MISP cannot carry is left out, not half-written."""
    fmt = formats.get("misp")
    events, written, skipped = [], [], []
    for r in given:
        try:
            rendered = fmt.render(
                [orjson.loads(b) for b in objects[r.package.id]],
                tlp=parse_tlp(r.package.tlp),
                producer=producer,
            )
        except InvalidInput as exc:
            skipped.append(
                {
                    "package": r.package.id,
                    "title": r.package.title,
                    "clause": "format",
                    "reason": exc.render() + " " + (exc.render_hint() or ""),
                }
            )
            continue
        events.append(orjson.loads(rendered))
        written.append(r)
    return orjson.dumps({"response": events}, option=orjson.OPT_INDENT_2), written, skipped


def export(
    hub: Hub,
    actor: Actor,
    partner: str,
    *,
    fmt: str = "stix",
    purpose: str | None = None,
    org: str | None = None,
) -> ExportResult:
    """Everything ``partner`` may receive by export now, as one file; refusals are listed."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            "Unknown export format {format}.", hint="Use stix or misp.", format=fmt[:20]
        )
    with hub.unit(actor, "exchange.share") as u:
        owner = acting_org(u, org)
        p = partner_named(u.s, owner.id, partner)
        why = purpose or p.default_purpose
        decided = sharing.release(
            u.s,
            owner.id,
            p,
            sharing.candidates(u.s, owner.id, p),
            operation="export",
            purpose=why,
            actor=actor.name,
        )
        given = [r for r in decided if r.verdict.allowed]
        objects = {r.package.id: store.bodies(u.s, r.package.id) for r in given}
        skipped: list[dict[str, str]] = []
        if fmt == "stix":
            data = _stix(objects, {r.package.tlp for r in given})
        else:
            data, given, skipped = _misp(given, objects, owner.name)
            objects = {r.package.id: objects[r.package.id] for r in given}
        leaves = sharing.disclose(
            u.s, owner.id, p, given, purpose=why, actor=actor.name, bodies=objects
        )
        refused = [
            {
                "package": r.package.id,
                "title": r.package.title,
                "clause": r.verdict.clause,
                "reason": r.verdict.render(),
            }
            for r in decided
            if not r.verdict.allowed
        ] + skipped
        u.audit(
            "exchange_export",
            p.id,
            org_id=owner.id,
            details={
                "partner": p.name,
                "format": fmt,
                "purpose": why,
                "packages": [r.package.id for r in given],
                "refused": len(refused),
                "disclosures": leaves,
            },
        )
        org_id = owner.id
        result = ExportResult(
            data,
            fmt,
            p.name,
            [r.package.id for r in given],
            sum(len(v) for v in objects.values()),
            refused,
            leaves,
        )
    if result.disclosures:
        disclosure.publish_head(hub.settings, hub.db, org_id)
    return result


__all__ = ["EXPORT_FORMATS", "ExportResult", "export"]

"""MISP attributes <-> STIX indicators: the type table, pattern building, times.

A MISP attribute holds one value of one type; a STIX indicator holds a pattern. The types
here have an exact single-comparison pattern (``[ipv4-addr:value = '192.0.2.1']``); any
other pattern is exported as MISP's own ``stix2-pattern`` attribute type and imported back
as it is.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime
from typing import Any

from pymisp import MISPAttribute

from cthub.exchange.tlp import Tlp

from .base import Problem, tlp_refs, with_tlp

#: MISP attribute type -> STIX object path compared in the pattern ("ip": v4 or v6 by value)
PATHS = {
    "ip-dst": "ip",
    "ip-src": "ip",
    "domain": "domain-name:value",
    "hostname": "domain-name:value",
    "md5": "file:hashes.MD5",
    "sha1": "file:hashes.'SHA-1'",
    "sha256": "file:hashes.'SHA-256'",
    "url": "url:value",
    "email": "email-addr:value",
    "email-src": "email-addr:value",
    "email-dst": "email-addr:value",
}
#: the MISP type written for a path when the indicator does not name one
TYPE_OF_PATH = {
    "ipv4-addr:value": "ip-dst",
    "ipv6-addr:value": "ip-dst",
    "domain-name:value": "domain",
    "file:hashes.MD5": "md5",
    "file:hashes.'SHA-1'": "sha1",
    "file:hashes.'SHA-256'": "sha256",
    "url:value": "url",
    "email-addr:value": "email",
}
_SIMPLE = re.compile(r"\[([a-z0-9-]+:[A-Za-z0-9_.'-]+) = '((?:[^'\\]|\\['\\])*)'\]")
_UNESCAPE = re.compile(r"\\(['\\])")


def stix_time(value: Any) -> str:
    """A STIX timestamp (UTC, milliseconds) for a datetime or date; now when there is none."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        moment = datetime.now(UTC)
    moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def time_of(text: Any) -> datetime:
    """The datetime of a STIX timestamp string (raises ``ValueError`` when it is not one)."""
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def pattern_for(misp_type: str, value: str) -> str | None:
    """The STIX pattern for an attribute, or ``None`` when its type has none."""
    if misp_type == "stix2-pattern":
        return value
    path = PATHS.get(misp_type)
    if path is None:
        return None
    if path == "ip":
        address = ipaddress.ip_address(value)  # ValueError: reported as a problem
        path = "ipv6-addr:value" if address.version == 6 else "ipv4-addr:value"
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{path} = '{escaped}']"


def indicator_of(attribute: MISPAttribute, tlp: Tlp | None) -> dict[str, Any] | Problem:
    """The indicator for one loaded attribute, or the ``Problem`` saying why it has none."""
    misp_type, value = str(attribute.type), str(attribute.value)
    pattern = pattern_for(misp_type, value)
    if pattern is None:
        return Problem(
            0,
            str(attribute.uuid),
            "MISP attributes of type {type} are not imported.",
            {"type": misp_type},
        )
    when = stix_time(getattr(attribute, "timestamp", None))
    first_seen = getattr(attribute, "first_seen", None)
    indicator: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{attribute.uuid}",
        "created": when,
        "modified": when,
        "pattern": pattern,
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": stix_time(first_seen) if first_seen else when,
        "x_misp_type": misp_type,
        "x_misp_category": str(attribute.category),
    }
    if getattr(attribute, "comment", ""):
        indicator["description"] = str(attribute.comment)
    if tlp is not None:
        indicator["object_marking_refs"] = [tlp.marking_id]
    return indicator


def type_and_value(indicator: dict[str, Any]) -> tuple[str, str]:
    """The MISP type and value for an indicator's pattern (``stix2-pattern`` if not simple)."""
    pattern = str(indicator.get("pattern", ""))
    simple = _SIMPLE.fullmatch(pattern)
    if simple is None or simple.group(1) not in TYPE_OF_PATH:
        return "stix2-pattern", pattern
    path, value = simple.group(1), _UNESCAPE.sub(r"\1", simple.group(2))
    named = indicator.get("x_misp_type")
    if isinstance(named, str) and named in PATHS:
        expected = PATHS[named]
        if expected == path or (expected == "ip" and path.startswith("ipv")):
            return named, value
    return TYPE_OF_PATH[path], value


def attribute_of(indicator: dict[str, Any], tlp: Tlp) -> dict[str, Any]:
    """The MISP attribute (pymisp's dict form) for an indicator.

    Tagged only when the indicator is marked stricter than the event's ``tlp``.
    """
    misp_type, value = type_and_value(indicator)
    attribute: dict[str, Any] = {
        "type": misp_type,
        "value": value,
        "to_ids": True,
        "uuid": str(indicator["id"]).split("--", 1)[1],
        "timestamp": int(time_of(indicator["modified"]).timestamp()),
    }
    category = indicator.get("x_misp_category")
    if isinstance(category, str) and category:
        attribute["category"] = category
    if indicator.get("valid_from") and indicator["valid_from"] != indicator["modified"]:
        attribute["first_seen"] = time_of(indicator["valid_from"]).isoformat()
    if indicator.get("description"):
        attribute["comment"] = str(indicator["description"])
    own = tlp_refs(with_tlp(indicator, tlp))
    if own and own[0] != tlp:
        attribute["Tag"] = [{"name": own[0].misp_tag}]
    return attribute


__all__ = [
    "PATHS",
    "TYPE_OF_PATH",
    "attribute_of",
    "indicator_of",
    "pattern_for",
    "stix_time",
    "time_of",
    "type_and_value",
]

"""What BODS 0.2/0.3 statements and 0.4 records share: parties, identifiers and interests.

Share semantics differ by version and are taken from each schema's own words:

* 0.2: ``exclusiveMinimum`` / ``exclusiveMaximum`` are booleans; "by default the minimum is
  inclusive and the maximum exclusive (minimum-value <= share < maximum-value)" (0.2
  ``components.json``, Interest.share). ``minimum == maximum`` with no flags is read as an
  exact share, because the same schema says to set both to the exact value.
* 0.3/0.4: ``exclusiveMinimum`` / ``exclusiveMaximum`` are numbers and "the minimum and
  maximum values are inclusive" (0.4 ``relationship-record.json``). Where both an inclusive and
  an exclusive bound are given, the tighter one is used.

An ``exact`` share wins over bounds (a warning when it lies outside them). Interests of an
indirect relationship whose chain is given by component statements/records are stored as
``summary`` edges, so that a path computation does not count the chain twice.
"""

from __future__ import annotations

from typing import Any

from cthub.ownership.ingest.codelists import enums, interest_classes
from cthub.ownership.ingest.records import Batch, EdgeRec
from cthub.ownership.ingest.values import (
    Share,
    clean,
    interval,
    parse_date,
    scheme_of,
    text,
)

#: BODS entity types -> edge-contract kinds.
ENTITY_KINDS = {
    "registeredEntity": "company",
    "legalEntity": "company",
    "state": "company",
    "stateBody": "company",
    "arrangement": "arrangement",
    "anonymousEntity": "unknown",
    "unknownEntity": "unknown",
}


def check_code(batch: Batch, record: str, fld: str, value: Any, codelist: str) -> str | None:
    """``value`` when it is in the shipped codelist; a warning (and ``None``) otherwise."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in enums()[codelist]:
        batch.warn(
            record, fld, "unknown_code", f"{str(value)[:60]!r} is not in the {codelist} codelist"
        )
        return None
    return value


def identifiers(batch: Batch, record: str, fld: str, raw: Any) -> list[tuple[str, str]]:
    """``(scheme, value)`` pairs; ``scheme`` is the org-id code, else the scheme name."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        batch.problem(record, fld, "schema", "must be an array of identifiers")
        return []
    out = []
    for i, item in enumerate(raw):
        where = f"{fld}[{i}]"
        if not isinstance(item, dict):
            batch.problem(record, where, "schema", "an identifier must be an object")
            continue
        value = text(batch, record, f"{where}.id", item.get("id"), 200)
        scheme = item.get("scheme") or item.get("schemeName")
        if not value:
            continue
        if not isinstance(scheme, str) or not scheme.strip():
            batch.warn(
                record,
                where,
                "schema",
                "scheme or schemeName is required; kept as scheme 'unknown'",
            )
            scheme = "unknown"
        out.append((scheme_of(scheme), value))
    return out


def person_name(batch: Batch, record: str, names: Any) -> str:
    """The first ``fullName`` (or given + family name) of a BODS names array."""
    if not isinstance(names, list):
        if names is not None:
            batch.problem(record, "names", "schema", "must be an array of names")
        return ""
    for i, item in enumerate(names):
        if not isinstance(item, dict):
            continue
        full = item.get("fullName") or " ".join(
            str(item[k]) for k in ("givenName", "familyName") if isinstance(item.get(k), str)
        )
        name = text(batch, record, f"names[{i}].fullName", full)
        if name:
            return name
    return ""


def share_of(batch: Batch, record: str, fld: str, raw: Any, version: str) -> Share | None:
    """The share object as an interval; ``None`` when invalid (the error is recorded)."""
    if not isinstance(raw, dict):
        batch.problem(record, fld, "schema", "share must be an object; interest skipped")
        return None
    exact = raw.get("exact")
    if exact is not None:
        point = interval(batch, record, fld, exact, exact, True, True)
        lo, hi = raw.get("minimum"), raw.get("maximum")
        if point is not None and _outside(exact, lo, hi):
            batch.warn(
                record,
                fld,
                "share_inconsistent",
                f"exact {exact} lies outside minimum {lo} / maximum {hi}; exact used",
            )
        return point
    ex_lo, ex_hi = raw.get("exclusiveMinimum"), raw.get("exclusiveMaximum")
    lo, hi = raw.get("minimum"), raw.get("maximum")
    numeric = any(_number(v) for v in (ex_lo, ex_hi))
    if version.startswith("0.2") and not numeric:
        if lo is not None and lo == hi and ex_lo is None and ex_hi is None:
            return interval(batch, record, fld, lo, hi, True, True)
        return interval(
            batch, record, fld, lo, hi, ex_lo is not True, ex_hi is False
        )  # 0.2 default: maximum exclusive
    if isinstance(ex_lo, bool) or isinstance(ex_hi, bool):
        batch.warn(
            record,
            fld,
            "schema",
            "exclusiveMinimum/Maximum are numbers since 0.3; read as 0.2 flags",
        )
        return interval(batch, record, fld, lo, hi, ex_lo is not True, ex_hi is not True)
    low, low_inc = _tighter(lo, ex_lo, lower=True)
    high, high_inc = _tighter(hi, ex_hi, lower=False)
    return interval(batch, record, fld, low, high, low_inc, high_inc)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _outside(exact: Any, lo: Any, hi: Any) -> bool:
    if not _number(exact):
        return False
    return (_number(lo) and exact < lo) or (_number(hi) and exact > hi)


def _tighter(inclusive: Any, exclusive: Any, *, lower: bool) -> tuple[Any, bool]:
    """Of an inclusive and an exclusive bound, the one that excludes more."""
    if exclusive is None:
        return inclusive, True
    if inclusive is None or not (_number(inclusive) and _number(exclusive)):
        return exclusive, False
    if lower:
        return (inclusive, True) if inclusive > exclusive else (exclusive, False)
    return (inclusive, True) if inclusive < exclusive else (exclusive, False)


def interest_edges(
    batch: Batch,
    sid: str,
    owner: str,
    asset: str,
    interests: Any,
    *,
    version: str,
    has_components: bool,
    source: str,
    stored_id: str,
) -> list[EdgeRec]:
    """One edge per valid interest; an empty list of interests gives one unknown-control edge.

    ``sid`` is the statement id as written (for problems), ``stored_id`` its store id.
    """
    if interests is None or interests == []:
        batch.warn(
            sid,
            "interests",
            "no_interests",
            "no interests given: stored as control of unknown nature",
        )
        interests = [{"type": "unknownInterest"}]
    if not isinstance(interests, list):
        batch.problem(sid, "interests", "schema", "must be an array; relationship skipped")
        return []
    edges = []
    for i, raw in enumerate(interests):
        edge = _edge(batch, sid, f"interests[{i}]", raw, version)
        if edge is None:
            continue
        edge.edge_id, edge.statement_id = f"{stored_id}#{i}", stored_id
        edge.owner, edge.asset, edge.source = owner, asset, source
        edge.summary = has_components and edge.direct == "indirect"
        edges.append(edge)
    return edges


def _edge(batch: Batch, sid: str, fld: str, raw: Any, version: str) -> EdgeRec | None:
    if not isinstance(raw, dict):
        batch.problem(sid, fld, "schema", "an interest must be an object; skipped")
        return None
    code = raw.get("type") or "unknownInterest"
    interest = interest_classes().get(code) if isinstance(code, str) else None
    if interest is None:
        batch.warn(
            sid,
            f"{fld}.type",
            "unknown_code",
            f"{str(code)[:60]!r} is not in the interestType codelist; stored as control",
        )
        interest, code = "control", str(code)[:60]
    share = Share()
    if raw.get("share") is not None:
        found = share_of(batch, sid, f"{fld}.share", raw["share"], version)
        if found is None:
            return None
        share = found
    level = raw.get("directOrIndirect", raw.get("interestLevel"))
    beneficial = raw.get("beneficialOwnershipOrControl")
    if beneficial is not None and not isinstance(beneficial, bool):
        batch.warn(sid, f"{fld}.beneficialOwnershipOrControl", "schema", "must be a boolean")
        beneficial = None
    return EdgeRec(
        edge_id="",
        owner="",
        asset="",
        interest=interest,
        interest_type=code,
        statement_id=sid,
        share_min=share.low,
        share_max=share.high,
        min_inclusive=share.low_inclusive,
        max_inclusive=share.high_inclusive,
        direct=check_code(batch, sid, f"{fld}.directOrIndirect", level, "directOrIndirect"),
        beneficial=beneficial,
        start_date=parse_date(batch, sid, f"{fld}.startDate", raw.get("startDate")),
        end_date=parse_date(batch, sid, f"{fld}.endDate", raw.get("endDate")),
    )


def joint_groups(batch: Batch) -> None:
    """Interests held in a plain arrangement (BODS joint ownership) share a ``joint_group``.

    Both BODS versions model joint holdings as an ``arrangement`` entity that owns the shares
    and is owned by the joint holders; a trust or nomination is an arrangement too, but its
    parties do not act jointly, so only arrangements without a subtype count.
    """
    for edge in batch.edges:
        held = batch.entities.get(edge.asset)
        if held is not None and held.kind == "arrangement" and held.subtype in ("", "arrangement"):
            edge.joint_group = edge.asset


def source_label(raw: Any, fallback: str) -> str:
    """A short description of a statement's ``source`` (description, else its types)."""
    label = fallback
    if isinstance(raw, dict):
        desc, kinds = raw.get("description"), raw.get("type")
        if isinstance(desc, str) and desc.strip():
            label = desc
        elif isinstance(kinds, list) and kinds:
            label = ",".join(str(k) for k in kinds)
        elif isinstance(kinds, str):
            label = kinds
    return clean(label, 300)


__all__ = [
    "ENTITY_KINDS",
    "check_code",
    "identifiers",
    "interest_edges",
    "joint_groups",
    "person_name",
    "share_of",
    "source_label",
]

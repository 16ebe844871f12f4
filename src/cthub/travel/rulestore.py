"""Risk rules in the store: versioned per organisation, validated, audited.

The built-in library (``data/rules/*.yaml``, public FATF/Frontex/GTAS-style indicators) is
written once as organisation-less rows; an organisation's own rule of the same name replaces
it for that organisation. Saving a rule always writes a new version; old versions stay, so a
hit names the exact version that fired. Retiring a rule writes an inactive new version.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.travel import rules as rules_mod
from cthub.travel.models import TravelRule
from cthub.travel.rules import Rule, RuleSet

LIBRARY_AUTHOR = "system:library"


@dataclass(frozen=True)
class RuleView:
    name: str
    version: int
    weight: float
    conditions: int
    active: bool
    description: str
    definition: dict[str, Any]
    note: str = ""
    created_by: str = ""
    created_at: dt.datetime | None = None


def parse_text(text: str, source: str) -> dict[str, Any]:
    """A rule definition from YAML or JSON text; the error names the source."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(
            "{file}: the rule is not valid YAML or JSON ({problem}).",
            file=source,
            problem=str(exc).splitlines()[0][:200],
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput(
            "{file}: a rule must be a mapping with name and conditions.", file=source
        )
    return data


def library() -> list[dict[str, Any]]:
    folder = files("cthub.travel") / "data" / "rules"
    out = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith((".yaml", ".yml")):
            out.append(parse_text(item.read_text(encoding="utf-8"), item.name))
    return out


def ensure_library(s: Session) -> None:
    """Write the built-in rules once (organisation-less, version 1)."""
    if s.scalar(select(func.count()).select_from(TravelRule).where(TravelRule.org_id.is_(None))):
        return
    for definition in library():
        rule = rules_mod.parse_rule(definition)
        rules_mod.validate(rule)
        s.add(
            TravelRule(
                org_id=None,
                name=rule.name,
                version=1,
                definition=rule.to_dict(),
                active=True,
                note="built-in library",
                created_by=LIBRARY_AUTHOR,
            )
        )
    s.flush()


def _latest(s: Session, org_id: int | None) -> dict[str, TravelRule]:
    """Newest version of each rule the organisation uses (its own over the library's)."""
    found: dict[str, TravelRule] = {}
    for row in s.scalars(
        select(TravelRule).where(TravelRule.org_id.is_(None)).order_by(TravelRule.version)
    ):
        found[row.name] = row
    if org_id is not None:
        own: dict[str, TravelRule] = {}
        for row in s.scalars(
            select(TravelRule).where(TravelRule.org_id == org_id).order_by(TravelRule.version)
        ):
            own[row.name] = row
        found.update(own)
    return found


def _view(row: TravelRule) -> RuleView:
    d = row.definition
    return RuleView(
        row.name,
        row.version,
        float(d.get("weight", 0.5)),
        len(d.get("conditions", [])),
        row.active,
        str(d.get("description", "")),
        d,
        row.note,
        row.created_by,
        row.created_at,
    )


def _rule_of(row: TravelRule) -> Rule:
    rule = rules_mod.parse_rule(row.definition)
    return rules_mod.with_version(rule, row.version)


def rule_list(hub: Hub, actor: Actor, include_retired: bool = False) -> list[RuleView]:
    with hub.unit(actor, "travel.read") as u:
        ensure_library(u.s)
        rows = sorted(_latest(u.s, actor.org_id).values(), key=lambda r: r.name)
        out = [_view(r) for r in rows if r.active or include_retired]
        u.audit("travel_rule", details={"count": len(out)})
    return out


def rule_history(hub: Hub, actor: Actor, name: str) -> list[RuleView]:
    with hub.unit(actor, "travel.read") as u:
        rows = list(
            u.s.scalars(
                select(TravelRule)
                .where(
                    TravelRule.name == name,
                    (TravelRule.org_id.is_(None)) | (TravelRule.org_id == actor.org_id),
                )
                .order_by(TravelRule.org_id.is_(None).desc(), TravelRule.version)
            )
        )
        if not rows:
            raise NotFound("No rule {name}.", hint="See `cthub travel rules list`.", name=name)
        out = [_view(r) for r in rows]
        u.audit("travel_rule", name)
    return out


def rule_save(
    hub: Hub, actor: Actor, definition: dict[str, Any] | str, note: str = "", source: str = "rule"
) -> RuleView:
    """Validate and store a rule as the next version of its name for the actor's organisation."""
    with hub.unit(actor, "travel.rules") as u:  # a refused rule is audited as failed
        data = parse_text(definition, source) if isinstance(definition, str) else definition
        rule = rules_mod.parse_rule(data)
        rules_mod.validate(rule)
        ensure_library(u.s)
        latest = u.s.scalar(
            select(func.max(TravelRule.version)).where(
                TravelRule.name == rule.name,
                TravelRule.org_id.is_(None)
                if actor.org_id is None
                else TravelRule.org_id == actor.org_id,
            )
        )
        base = _latest(u.s, actor.org_id).get(rule.name)
        version = max(latest or 0, base.version if base else 0) + 1
        row = TravelRule(
            org_id=actor.org_id,
            name=rule.name,
            version=version,
            definition=rule.to_dict(),
            active=True,
            note=note[:2000],
            created_by=actor.name,
        )
        u.s.add(row)
        u.s.flush()
        u.audit(
            "travel_rule",
            f"{rule.name} v{version}",
            details={"note": note[:200], "source": source[:200]},
        )
        view = _view(row)
    return view


def rule_retire(hub: Hub, actor: Actor, name: str, note: str) -> RuleView:
    with hub.unit(actor, "travel.rules") as u:
        ensure_library(u.s)
        current = _latest(u.s, actor.org_id).get(name)
        if current is None:
            raise NotFound("No rule {name}.", name=name)
        row = TravelRule(
            org_id=actor.org_id,
            name=name,
            version=current.version + 1,
            definition=current.definition,
            active=False,
            note=(note or "retired")[:2000],
            created_by=actor.name,
        )
        u.s.add(row)
        u.s.flush()
        u.audit("travel_rule", f"{name} v{row.version}", details={"retired": True})
        view = _view(row)
    return view


def ruleset_for(hub: Hub, org_id: int | None) -> tuple[RuleSet | None, frozenset[str]]:
    """The compiled active rules an organisation's flights are checked with (``None`` when
    there are none), and every rule name it knows, active or retired (whose open hits a run
    may withdraw)."""
    with hub.db.session() as s:
        ensure_library(s)
        latest = _latest(s, org_id)
        active = [_rule_of(r) for r in latest.values() if r.active]
    return (rules_mod.compile_rules(active) if active else None), frozenset(latest)


def active_ruleset(hub: Hub, actor: Actor) -> RuleSet | None:
    """The compiled active rules of the actor's organisation (``None`` when there are none)."""
    return ruleset_for(hub, actor.org_id)[0]


@dataclass(frozen=True)
class RuleTest:
    name: str
    version: int
    rows: int
    hits: int
    samples: list[str]


def rule_test(
    hub: Hub, actor: Actor, rule: str | dict[str, Any], flight_ids: list[int] | None = None
) -> RuleTest:
    """Run one rule (a stored rule's name, or a definition not yet saved) over the stored
    passengers of the chosen flights (all unmasked ones by default); stores nothing."""
    from cthub.travel.checks import _chosen_flights, rule_context, rule_findings, subjects_of

    with hub.unit(actor, "travel.read") as u:
        if isinstance(rule, dict):
            parsed = rules_mod.parse_rule(rule)
            rules_mod.validate(parsed)
        else:
            ensure_library(u.s)
            row = _latest(u.s, actor.org_id).get(rule)
            if row is None:
                raise NotFound("No rule {name}.", hint="See `cthub travel rules list`.", name=rule)
            parsed = _rule_of(row)
        flights = _chosen_flights(u.s, u.visible_orgs(), flight_ids)
        subjects = [p[1] for p in subjects_of(u.s, flights)]
        labels = {f.id: f"{f.carrier}{f.number}/{f.departure_date:%Y-%m-%d}" for f in flights}
        context = rule_context(hub.settings, subjects, set(), set())
        key = f"{hub.db.url}|{actor.org_id}"
        found = rule_findings(rules_mod.compile_rules([parsed]), subjects, context, key)
        samples = [
            f"{labels[subjects[i].flight_id]} {subjects[i].record.name}: {f.explanation}"
            for i, fs in sorted(found.items())
            for f in fs
        ][:50]
        u.audit(
            "travel_rule",
            parsed.name,
            details={"test": True, "hits": len(found), "rows": len(subjects)},
        )
    return RuleTest(parsed.name, parsed.version, len(subjects), len(found), samples)


def rule_json(view: RuleView) -> str:
    return json.dumps(view.definition, ensure_ascii=False, indent=2)


__all__ = [
    "RuleTest",
    "RuleView",
    "active_ruleset",
    "ensure_library",
    "library",
    "parse_text",
    "rule_history",
    "rule_json",
    "rule_list",
    "rule_retire",
    "rule_save",
    "rule_test",
    "ruleset_for",
]

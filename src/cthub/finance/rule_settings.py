"""An organisation's rule set: the shipped library with its own switches and parameters.

Analysts switch a shipped rule on or off and change its parameters from the web page or the
API; the change is a ``finance_rule_settings`` row, checked exactly as a YAML file would be
(``loader.configure``), so a value the rule cannot take is refused with the parameter named
and nothing is stored. ``rules_for`` is what monitoring and real-time scoring run when the
caller gives no rules folder of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core import policy
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.models import FinanceRuleSetting
from cthub.finance.rules import Rule, configure, library, registry

MAX_VALUE = 2000  # characters of one parameter value as text
SOURCE = "rule settings"  # where a refused value comes from, in messages


@dataclass(frozen=True)
class ParamView:
    """One parameter as a form shows it: its value as text, the shipped default, its meaning."""

    name: str
    type: str
    value: str
    default: str
    doc: str
    changed: bool


@dataclass(frozen=True)
class RuleView:
    name: str
    kind: str
    title: str
    description: str
    references: tuple[str, ...]
    weight: float
    enabled: bool
    shipped_enabled: bool
    params: list[ParamView]
    updated_by: str


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _rows(s: Session, actor: Actor) -> dict[str, FinanceRuleSetting]:
    """The actor's organisation's setting rows, by rule name."""
    q = select(FinanceRuleSetting)
    q = q.where(FinanceRuleSetting.org_id.is_(None) if actor.org_id is None
                else FinanceRuleSetting.org_id == actor.org_id)  # fmt: skip
    return {row.rule: row for row in s.scalars(q)}


def _settings(u: Unit) -> dict[str, FinanceRuleSetting]:
    return _rows(u.s, u.actor)


def _apply(rule: Rule, row: FinanceRuleSetting | None) -> Rule:
    if row is None:
        return rule
    return replace(configure(rule, **dict(row.params or {})), enabled=row.enabled)


def rules_for(hub: Hub, actor: Actor) -> list[Rule]:
    """The rules the actor's organisation runs (enabled or not; runners skip disabled ones)."""
    with hub.db.session(readonly=True) as s:
        policy.require(s, actor, "finance.read")
        rows = _rows(s, actor)
        return [_apply(rule, rows.get(rule.name)) for rule in library()]


def _view(shipped: Rule, row: FinanceRuleSetting | None) -> RuleView:
    rule = _apply(shipped, row)
    kind = registry.get(rule.kind)
    now, then = rule.params.plain(), shipped.params.plain()
    params = [ParamView(p.name, p.type, _text(now[p.name]), _text(then[p.name]), p.doc,
                        now[p.name] != then[p.name]) for p in kind.parameters]  # fmt: skip
    return RuleView(rule.name, rule.kind, rule.title, rule.description, rule.references,
                    rule.weight, rule.enabled, shipped.enabled, params,
                    row.updated_by if row is not None else "")  # fmt: skip


def list_rules(hub: Hub, actor: Actor) -> list[RuleView]:
    """Every shipped rule as the organisation runs it."""
    with hub.unit(actor, "finance.read") as u:
        rows = _settings(u)
        return [_view(rule, rows.get(rule.name)) for rule in library()]


def _shipped(name: str) -> Rule:
    for rule in library():
        if rule.name == name:
            return rule
    raise NotFound("No rule {name}.", hint="See the rules page for the shipped rules.",
                   name=name[:64])  # fmt: skip


def _parse(param_type: str, text: str) -> object:
    """A form's text as the value YAML would have given (lists comma-separated)."""
    text = text.strip()
    if param_type in ("countries", "channels", "party_types", "currencies"):
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if param_type in ("count", "amount"):
        try:
            return int(text.replace("_", ""))
        except ValueError:
            return text  # the check names the parameter and the expected form
    return text


def set_rule(
    hub: Hub,
    actor: Actor,
    name: str,
    *,
    enabled: bool | None = None,
    params: Mapping[str, Any] | None = None,
    reset: bool = False,
) -> RuleView:
    """Switch a rule on or off and change parameters (text or typed values), or ``reset`` it
    to the shipped rule. Checked whole before anything is stored; audited."""
    shipped = _shipped(name)
    kind = registry.get(shipped.kind)
    types = {p.name: p.type for p in kind.parameters}
    with hub.unit(actor, "finance.rules") as u:
        rows = _settings(u)
        row = rows.get(shipped.name)
        if reset:
            if row is not None:
                u.s.delete(row)
            u.audit("finance_rule", None, details={"rule": shipped.name, "reset": True})
            return _view(shipped, None)
        changes: dict[str, object] = dict(row.params or {}) if row is not None else {}
        for key, value in (params or {}).items():
            if key not in types:
                raise InvalidInput("Rule {rule} has no parameter {param}.",
                                   hint="Parameters of {rule}: {known}.", rule=shipped.name,
                                   param=str(key)[:64], known=", ".join(types))  # fmt: skip
            if isinstance(value, str):
                if len(value) > MAX_VALUE:
                    raise InvalidInput("Parameter {param} is too long.",
                                       hint="At most {n} characters.", param=key,
                                       n=MAX_VALUE)  # fmt: skip
                value = _parse(types[key], value)
            changes[key] = value
        # errors name the rule and parameter, not the server's path to the shipped file
        configured = configure(replace(shipped, source=SOURCE), **changes)
        plain, defaults = configured.params.plain(), shipped.params.plain()
        diff = {k: v for k, v in plain.items() if v != defaults[k]}
        if enabled is not None:
            on = bool(enabled)
        else:
            on = row.enabled if row is not None else shipped.enabled
        if row is None:
            row = FinanceRuleSetting(org_id=actor.org_id, rule=shipped.name)
            u.s.add(row)
        row.enabled, row.params = on, diff
        row.updated_by, row.updated_at = actor.name, utcnow()
        u.s.flush()
        u.audit("finance_rule", row.id, details={"rule": shipped.name, "enabled": on,
                                                 "params": diff})  # fmt: skip
        return _view(shipped, row)


__all__ = ["ParamView", "RuleView", "list_rules", "rules_for", "set_rule"]

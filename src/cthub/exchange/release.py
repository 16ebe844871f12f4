"""The release-rule engine: may this partner receive this package, now, for this purpose, by
this operation? Pure: no database, so it is property-tested cell by cell.

A package's rule is its TLP 2.0 label, the partners it names, the audiences it names (sharing
groups, resolved to their members), its purposes, its legal basis and its expiry. Clauses are
checked in a fixed order and the first that refuses decides, so every refusal names one clause:

1. ``state``: an erased package is released to nobody;
2. ``partner``: a suspended partner receives nothing;
3. ``expiry``: a grant stops by itself at ``expires_at`` (the instant itself is expired);
4. ``purpose``: the purpose the partner states must be one the package was shared for;
5. ``audience`` by TLP 2.0: CLEAR reaches every partner; GREEN the partners named or in a named
   audience, or the whole community (every partner of the organisation) when the rule names
   none; AMBER and AMBER+STRICT only the partners named or in a named audience; RED only
   partners named individually (an audience is not an individual recipient);
6. ``operation``: TLP:RED is never written to an export file (it is disclosed to the named
   recipient by query, sync or TAXII only); onward sharing (a recipient passing the package to
   a partner of its own) is allowed within the rule for CLEAR and GREEN only. AMBER,
   AMBER+STRICT and RED need the originator's approval: an onward-sharing request, which once
   approved puts the target in ``Rule.onward_approved`` of the recipient's copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cthub.exchange.tlp import Tlp

OPERATIONS = ("query", "export", "sync", "taxii", "onward")
CLAUSES = ("state", "partner", "expiry", "purpose", "audience", "operation", "allowed")


@dataclass(frozen=True)
class Rule:
    """A package's release rule, with audiences already resolved to partner ids."""

    package_id: str
    tlp: Tlp
    partners: frozenset[int] = frozenset()
    audience_partners: frozenset[int] = frozenset()
    purposes: frozenset[str] = frozenset()
    legal_basis: str = ""
    expires_at: dt.datetime | None = None
    state: str = "active"
    #: partners the originator approved as onward recipients of this (received) copy
    onward_approved: frozenset[int] = frozenset()

    def describe(self) -> dict[str, Any]:
        """The rule as it is written into a decision or a disclosure leaf."""
        return {
            "package": self.package_id,
            "tlp": self.tlp.label,
            "partners": sorted(self.partners),
            "audience_partners": sorted(self.audience_partners),
            "purposes": sorted(self.purposes),
            "legal_basis": self.legal_basis,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            **({"onward_approved": sorted(self.onward_approved)} if self.onward_approved else {}),
        }


@dataclass(frozen=True)
class Ask:
    """Who asks for what: the partner, its state, the purpose it states, the operation, when."""

    partner_id: int
    purpose: str
    operation: str
    at: dt.datetime
    partner_active: bool = True


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    clause: str
    #: plain English with ``{placeholders}``; rendered by the caller (translated in the UI)
    reason: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        return self.reason.format(**self.params)


def _refuse(clause: str, reason: str, **params: Any) -> Verdict:
    return Verdict(False, clause, reason, params)


def _in_audience(rule: Rule, partner_id: int) -> Verdict | None:
    named = partner_id in rule.partners
    grouped = partner_id in rule.audience_partners
    if rule.tlp is Tlp.CLEAR:
        return None
    if rule.tlp is Tlp.GREEN and (
        named or grouped or not (rule.partners or rule.audience_partners)
    ):
        return None
    if rule.tlp in (Tlp.AMBER, Tlp.AMBER_STRICT) and (named or grouped):
        return None
    if rule.tlp is Tlp.RED and named:
        return None
    if rule.tlp is Tlp.RED and grouped:
        return _refuse(
            "audience",
            "{tlp} goes to partners named individually; this partner is only in an audience.",
            tlp=rule.tlp.label,
        )
    return _refuse(
        "audience", "{tlp}: this partner is not among the package's recipients.", tlp=rule.tlp.label
    )


def _operation(rule: Rule, ask: Ask) -> Verdict | None:
    if ask.operation == "export" and rule.tlp is Tlp.RED:
        return _refuse(
            "operation",
            "TLP:RED is never written to an export file; it is disclosed to its named recipient "
            "by query, sync or TAXII only.",
        )
    if (
        ask.operation == "onward"
        and rule.tlp not in (Tlp.CLEAR, Tlp.GREEN)
        and ask.partner_id not in rule.onward_approved
    ):
        return _refuse(
            "operation",
            "{tlp} may not be passed on by its recipient; ask the originator "
            "(onward-sharing request).",
            tlp=rule.tlp.label,
        )
    return None


def evaluate(rule: Rule, ask: Ask) -> Verdict:
    """Decide one ask against one rule; the first clause that refuses decides."""
    if ask.operation not in OPERATIONS:
        raise ValueError(f"unknown operation {ask.operation!r}")
    if ask.at.tzinfo is None:
        raise ValueError("naive datetime given to the release engine")
    if rule.state != "active":
        return _refuse("state", "The package was erased by its originator.")
    if not ask.partner_active:
        return _refuse("partner", "The partner is suspended.")
    if rule.expires_at is not None and ask.at >= rule.expires_at:
        return _refuse(
            "expiry", "The grant expired at {expires}.", expires=rule.expires_at.isoformat()
        )
    if rule.purposes and ask.purpose not in rule.purposes:
        return _refuse(
            "purpose",
            "Purpose {purpose} is not one the package was shared for ({allowed}).",
            purpose=ask.purpose,
            allowed=", ".join(sorted(rule.purposes)),
        )
    refused = _in_audience(rule, ask.partner_id) or _operation(rule, ask)
    if refused is not None:
        return refused
    return Verdict(
        True,
        "allowed",
        "Allowed under {tlp} for {purpose}.",
        {"tlp": rule.tlp.label, "purpose": ask.purpose},
    )


__all__ = ["CLAUSES", "OPERATIONS", "Ask", "Rule", "Verdict", "evaluate"]

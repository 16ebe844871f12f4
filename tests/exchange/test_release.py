"""The release-rule engine, cell by cell: TLP x audience x purpose x expiry x operation.

The expected verdict of each cell is written from the TLP 2.0 definitions and the module's
contract as a small table (``EXPECTED_AUDIENCE``, ``OPERATION_REFUSED``), independently of the
engine's code; hypothesis then checks the properties that must hold for any rule.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cthub.exchange.release import OPERATIONS, Ask, Rule, evaluate
from cthub.exchange.tlp import Tlp

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
PARTNER = 7
AUDIENCES = ("named", "in-audience", "not-named", "none-named")
EXPIRIES = ("none", "future", "past", "exactly-now")
PURPOSES = ("matching", "other")

# may a partner in this audience position receive a package of this TLP at all?
EXPECTED_AUDIENCE = {
    Tlp.CLEAR: {"named", "in-audience", "not-named", "none-named"},
    Tlp.GREEN: {"named", "in-audience", "none-named"},
    Tlp.AMBER: {"named", "in-audience"},
    Tlp.AMBER_STRICT: {"named", "in-audience"},
    Tlp.RED: {"named"},
}
# operations a TLP refuses even to an allowed recipient
OPERATION_REFUSED = {
    Tlp.CLEAR: set(),
    Tlp.GREEN: set(),
    Tlp.AMBER: {"onward"},
    Tlp.AMBER_STRICT: {"onward"},
    Tlp.RED: {"onward", "export"},
}


def _rule(tlp: Tlp, audience: str, expiry: str) -> Rule:
    partners = {"named": {PARTNER, 8}, "in-audience": {8}, "not-named": {8}, "none-named": set()}
    grouped = {"in-audience": {PARTNER, 9}, "not-named": {9}}.get(audience, set())
    expires = {
        "none": None,
        "future": NOW + dt.timedelta(days=1),
        "past": NOW - dt.timedelta(seconds=1),
        "exactly-now": NOW,
    }[expiry]
    return Rule(
        "p1",
        tlp,
        frozenset(partners[audience]),
        frozenset(grouped),
        frozenset({"ct-investigation"}),
        "Law 1",
        expires,
    )


CELLS = list(itertools.product(Tlp, AUDIENCES, PURPOSES, EXPIRIES, OPERATIONS))


@pytest.mark.parametrize(("tlp", "audience", "purpose", "expiry", "operation"), CELLS)
def test_every_cell_of_the_release_matrix(
    tlp: Tlp, audience: str, purpose: str, expiry: str, operation: str
) -> None:
    rule = _rule(tlp, audience, expiry)
    asked = "ct-investigation" if purpose == "matching" else "border-screening"
    verdict = evaluate(rule, Ask(PARTNER, asked, operation, NOW))
    if expiry in ("past", "exactly-now"):
        expected = "expiry"
    elif purpose == "other":
        expected = "purpose"
    elif audience not in EXPECTED_AUDIENCE[tlp]:
        expected = "audience"
    elif operation in OPERATION_REFUSED[tlp]:
        expected = "operation"
    else:
        expected = "allowed"
    assert verdict.clause == expected, verdict.render()
    assert verdict.allowed is (expected == "allowed")
    assert verdict.render()  # every verdict explains itself


@pytest.mark.parametrize("tlp", list(Tlp))
def test_onward_sharing_the_originator_approved_is_allowed(tlp: Tlp) -> None:
    from dataclasses import replace

    rule = _rule(tlp, "named", "future")
    ask = Ask(PARTNER, "ct-investigation", "onward", NOW)
    approved = evaluate(replace(rule, onward_approved=frozenset({PARTNER})), ask)
    assert approved.clause == "allowed"
    other = evaluate(replace(rule, onward_approved=frozenset({8})), ask)
    assert other.allowed is (tlp in (Tlp.CLEAR, Tlp.GREEN))
    # approval lifts the onward clause only: expiry and purpose still hold
    late = replace(rule, onward_approved=frozenset({PARTNER}), expires_at=NOW)
    assert evaluate(late, ask).clause == "expiry"


def test_the_matrix_has_every_cell() -> None:
    assert len(CELLS) == 5 * 4 * 2 * 4 * 5


def test_erased_packages_and_suspended_partners_get_nothing() -> None:
    open_rule = Rule("p", Tlp.CLEAR)
    erased = Rule("p", Tlp.CLEAR, state="erased")
    for op in OPERATIONS:
        assert evaluate(erased, Ask(1, "x", op, NOW)).clause == "state"
        assert evaluate(open_rule, Ask(1, "x", op, NOW, partner_active=False)).clause == "partner"


def test_unknown_operations_and_naive_times_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="operation"):
        evaluate(Rule("p", Tlp.CLEAR), Ask(1, "x", "print", NOW))
    with pytest.raises(ValueError, match="naive"):
        evaluate(Rule("p", Tlp.CLEAR), Ask(1, "x", "query", NOW.replace(tzinfo=None)))


ids = st.frozensets(st.integers(1, 12), max_size=5)
rules = st.builds(
    Rule,
    package_id=st.just("p"),
    tlp=st.sampled_from(list(Tlp)),
    partners=ids,
    audience_partners=ids,
    purposes=st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=3),
    expires_at=st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    onward_approved=ids,
)
asks = st.builds(
    Ask,
    partner_id=st.integers(1, 12),
    purpose=st.sampled_from(["a", "b", "c"]),
    operation=st.sampled_from(OPERATIONS),
    at=st.datetimes(timezones=st.just(dt.UTC)),
)


@given(rules, asks)
def test_a_stricter_label_never_allows_more(rule: Rule, ask: Ask) -> None:
    from dataclasses import replace

    ranked = sorted(Tlp, key=lambda t: t.rank)
    allowed = [evaluate(replace(rule, tlp=t), ask).allowed for t in ranked]
    # once refused by a label, every stricter label refuses too
    assert allowed == sorted(allowed, reverse=True)


@given(rules, asks)
def test_expiry_and_purpose_only_ever_take_away(rule: Rule, ask: Ask) -> None:
    from dataclasses import replace

    verdict = evaluate(rule, ask)
    unbounded = evaluate(replace(rule, expires_at=None, purposes=frozenset()), ask)
    assert not verdict.allowed or unbounded.allowed
    if rule.expires_at is not None and ask.at >= rule.expires_at:
        assert not verdict.allowed
        assert verdict.clause == "expiry"


@given(rules, asks)
def test_adding_a_recipient_never_takes_away(rule: Rule, ask: Ask) -> None:
    from dataclasses import replace

    before = evaluate(rule, ask)
    widened = evaluate(replace(rule, partners=rule.partners | {ask.partner_id}), ask)
    assert not before.allowed or widened.allowed
    # naming the partner satisfies the audience clause for every label
    assert widened.clause != "audience"

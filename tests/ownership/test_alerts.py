"""Ownership exposure alerts on both backends: a full evaluation opens alerts with their paths;
a new list version re-evaluates only the descendants of the seeds it changed (the
``ownership-delta`` job a load submits) and closes or opens alerts with the reason; the delta
answers as a full evaluation would; decisions need a reason and keep who and when.

The store extends ``test_analysis``'s: listed C (T-3, by company number) owns 60% of W, and
P (an unlisted person) owns 25% of Z and 30% of Y. List ``test`` v1 holds T-1 (A, by company
number), T-2 (B, by name) and T-3; v2 drops T-3; v3 adds T-4, P's passport.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import cthub.ownership.jobs  # noqa: F401 - registers the ownership-delta job kind
from cthub.core import jobs
from cthub.core.errors import Conflict, Forbidden, InvalidInput
from cthub.core.hub import Hub
from cthub.core.jobs import InProcessRunner
from cthub.lists import load as load_list
from cthub.ownership import load_file
from cthub.ownership.alerts import AlertView, alerts, decide, delta, evaluate
from cthub.ownership.compute import blocked, compile_graph, synthetic_graph
from cthub.ownership.compute.regimes import REGIMES
from cthub.ownership.compute.region import blocked_within, descendants, followed
from tests import factories
from tests.ownership.test_analysis import ENTITIES, OWNERSHIP

OP = factories.OPERATOR
MORE = [
    ("co-c", "Company", {"name": ["Cobalt Shipping SA"], "registrationNumber": ["55667788"]}),
    ("co-w", "Company", {"name": ["Walrus Marine"]}),
]
P_PASSPORT = ("pe-p", "Person", {"name": ["Paula Unlisted"], "passportNumber": ["X9988776"]})
EDGES = [*OWNERSHIP, ("co-c", "co-w", "60")]
HEADER = "name,aliases,type,birth_date,nationality,id_number,ref\n"
T1 = "Alpha Holdings Limited,,organization,,,77123456,T-1\n"
T2 = "Northern Star Trading LLC,,organization,,,,T-2\n"
T3 = "Cobalt Shipping,,organization,,,55667788,T-3\n"
T4 = "Paola Listed,,person,,,X9988776,T-4\n"


def write_list(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture
def store(hub: Hub, tmp_path: Path) -> Hub:
    people = [P_PASSPORT if e[0] == "pe-p" else e for e in ENTITIES] + MORE
    lines = [{"id": i, "schema": s, "properties": p} for i, s, p in people]
    lines += [{"id": f"own-{n}", "schema": "Ownership",
               "properties": {"owner": [o], "asset": [a], "percentage": [share]}}
              for n, (o, a, share) in enumerate(EDGES)]  # fmt: skip
    path = tmp_path / "own.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    load_file(hub, OP, path)
    load_list(hub, OP, "plain-csv", write_list(tmp_path / "v1.csv", T1, T2, T3),
              list_name="test", rescreen=False)  # fmt: skip
    return hub


def live(hub: Hub, regime: str = "ofac") -> dict[str, AlertView]:
    found, _ = alerts(hub, OP, regime=regime, limit=1000)
    return {a.entity_id.split(":")[-1]: a for a in found if a.state != "closed"}


def run_job(hub: Hub, path: Path) -> dict[str, object]:
    """Load ``path`` as the next version of ``test`` and wait for the ownership-delta job."""
    load_list(hub, OP, "plain-csv", path, list_name="test")
    runner = hub.jobs
    assert isinstance(runner, InProcessRunner)
    runner.wait_idle()
    (job,) = [j for j in jobs.recent(hub, OP) if j.kind == "ownership-delta"][:1]
    assert job.state == "succeeded", job.error
    assert job.result is not None
    return job.result


def test_evaluate_opens_alerts_with_paths_once(store: Hub) -> None:
    run = evaluate(store, OP)
    ofac = live(store)
    assert set(ofac) == {"co-a", "co-b", "co-c", "co-x", "co-y", "co-w"}
    assert ofac["co-x"].path.count("25%") == 2  # A and B, aggregated
    assert {s["ref"] for s in ofac["co-x"].seeds} == {"T-1", "T-2"}
    assert "ftm:co-x -[ownership 50%]-> ftm:co-y" in ofac["co-y"].path
    assert ofac["co-a"].path == "listed: test:T-1 (identifier)"
    assert ofac["co-w"].owners_share == "60%"
    assert ofac["co-w"].state == "open"
    assert "co-x" not in live(store, "eu")  # exactly 50% is not more than 50%
    assert run.total("created") == len(ofac) + len(live(store, "eu")) + len(live(store, "uk"))
    again = evaluate(store, OP, ["ofac"])
    assert (again.total("created"), again.total("updated"), again.total("closed")) == (0, 0, 0)
    assert again.total("unchanged") == len(ofac)
    with pytest.raises(InvalidInput):
        evaluate(store, OP, ["mars"])


def test_delisting_closes_only_the_descendants_through_the_job(store: Hub, tmp_path: Path) -> None:
    evaluate(store, OP)
    before = live(store)
    result = run_job(store, write_list(tmp_path / "v2.csv", T1, T2))
    assert (result["removed"], result["changed_seeds"]) == (1, 1)
    by_regime = {r["regime"]: r for r in result["by_regime"]}  # type: ignore[attr-defined]
    assert by_regime["ofac"]["evaluated"] == 2  # C and W: nothing else descends from C
    assert by_regime["ofac"]["closed"] == 2
    after = live(store)
    assert set(after) == {"co-a", "co-b", "co-x", "co-y"}
    assert all(after[k].updated_at == before[k].updated_at for k in after)  # not touched
    closed, _ = alerts(store, OP, state="closed", regime="ofac")
    reasons = {a.entity_id.split(":")[-1]: a.reason for a in closed}
    assert (
        reasons["co-w"] == "no longer blocked under ofac: seed test:T-3 delisted in test version 2"
    )
    assert all(a.closed_at is not None for a in closed)


def test_a_new_listing_opens_alerts_and_the_delta_equals_a_full_evaluation(
    store: Hub, tmp_path: Path
) -> None:
    evaluate(store, OP)
    load_list(store, OP, "plain-csv", write_list(tmp_path / "v2.csv", T1, T2, T3, T4),
              list_name="test", rescreen=False)  # fmt: skip
    run = delta(store, OP, "test", 1, 2)
    ofac = live(store)
    assert {"pe-p", "co-z"} <= set(ofac)  # Z: 25% A + 25% P, aggregated
    assert ofac["co-z"].reason == "blocked under ofac: seed test:T-4 added in test version 2"
    assert ofac["co-y"].owners_share == "80%"  # X's 50% + P's 30%: updated in place
    assert "updated under ofac" in ofac["co-y"].reason
    assert run.total("evaluated") < 3 * 8  # only P and what P holds
    full = evaluate(store, OP)
    assert (full.total("created"), full.total("updated"), full.total("closed")) == (0, 0, 0)
    assert (full.total("reopened"), run.total("reopened")) == (0, 0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_region_answer_equals_the_full_answer_on_random_graphs(seed: int) -> None:
    syn = synthetic_graph(600, seed=seed, seed_rate=0.05, joint_rate=0.2, control_rate=0.1,
                          cycle_rate=0.05, band_rate=0.5)  # fmt: skip
    g = compile_graph(syn.edges, syn.nodes)
    rng = np.random.default_rng(seed)
    old = syn.seeds.column("entity_id").to_pylist()
    removed = set(rng.choice(old, 4, replace=False).tolist())
    added = set(rng.choice(g.id_list, 4, replace=False).tolist()) - set(old)
    new = [s for s in old if s not in removed] + sorted(added)
    columns = ("status", "share_lo", "share_hi", "voting_lo", "voting_hi", "reason", "round")
    for regime in REGIMES:
        full, before = blocked(g, new, regime), blocked(g, old, regime)
        part = blocked_within(g, new, regime, removed | added)
        rows = {r["entity_id"]: r for r in part.result.table.to_pylist()}
        region = descendants(g, g.nodes(sorted(removed | added)), followed(REGIMES[regime]))
        assert len(part.ids) == len(region) < g.n_nodes
        for r in full.table.slice(0, g.n_nodes).to_pylist():
            e = r["entity_id"]
            if e in part.ids and e not in rows:  # no seed reaches it: not read at all
                assert r["status"] == "not_blocked", e
            elif e in part.ids:
                assert {c: rows[e][c] for c in columns} == {c: r[c] for c in columns}, e
                assert part.result.path(e) == full.path(e)
            else:  # outside the region nothing changed
                assert before.status(e) == r["status"], e


def test_decisions_need_a_reason_and_keep_who_and_when(store: Hub) -> None:
    evaluate(store, OP, ["ofac"])
    target = live(store)["co-x"]
    reviewer = factories.member(store, "reviewer")
    with pytest.raises(Forbidden):
        decide(store, factories.member(store, "analyst").actor, target.id, "confirmed", "yes")
    with pytest.raises(InvalidInput):
        decide(store, reviewer.actor, target.id, "confirmed", "  ")
    with pytest.raises(InvalidInput):
        decide(store, reviewer.actor, target.id, "maybe", "unsure")
    done = decide(store, reviewer.actor, target.id, "confirmed", "A and B act together")
    assert (done.state, done.decision, done.decided_by) == ("confirmed", "confirmed",
                                                           reviewer.username)  # fmt: skip
    assert done.decided_at is not None
    assert done.decision_reason == "A and B act together"


def test_a_dismissed_alert_reopens_only_when_its_exposure_changes(
    store: Hub, tmp_path: Path
) -> None:
    evaluate(store, OP, ["ofac"])
    y = live(store)["co-y"]
    decide(store, OP, y.id, "dismissed", "X's stake is held in trust for a third party")
    assert evaluate(store, OP, ["ofac"]).total("reopened") == 0
    assert live(store)["co-y"].state == "dismissed"
    load_list(store, OP, "plain-csv", write_list(tmp_path / "v2.csv", T1, T2, T3, T4),
              list_name="test", rescreen=False)  # fmt: skip
    run = delta(store, OP, "test", 1, 2, regimes=["ofac"])
    assert run.total("reopened") == 1
    now = live(store)["co-y"]
    assert (now.state, now.owners_share) == ("open", "80%")
    assert now.id != y.id
    (old,) = [a for a in alerts(store, OP, state="closed")[0] if a.id == y.id]
    assert old.decision == "dismissed"
    assert "reopened" in old.reason
    with pytest.raises(Conflict):
        decide(store, OP, old.id, "confirmed", "too late")

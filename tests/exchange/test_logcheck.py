"""The partner's verdict on log evidence: honest logs pass, every kind of tampering is named.

``Log`` plays the log operator: it signs heads and serves proofs from whatever entries it holds,
so a tampered log is simply a ``Log`` over tampered entries that still signs with the real key.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from cthub.exchange.logcheck import (
    DisclosureRecord,
    LogReport,
    LogState,
    Problem,
    check_log,
    remember,
)
from cthub.exchange.merkle import MerkleTree, leaf_hash
from cthub.exchange.treehead import TreeHead, key_id, sign_tree_head

KEY = SigningKey(bytes(range(32)))
VK = KEY.verify_key
KID = key_id(VK)


class Log:
    """A log operator over ``entries``, signing with ``key``."""

    def __init__(self, entries: list[bytes], key: SigningKey = KEY) -> None:
        self.entries = entries
        self.tree = MerkleTree(leaf_hash(e) for e in entries)
        self.key = key

    def head(self, size: int | None = None, timestamp: int | None = None) -> TreeHead:
        size = self.tree.size if size is None else size
        stamp = 1_000 * size if timestamp is None else timestamp
        return sign_tree_head(
            self.key, size, self.tree.root(size), stamp, key_id(self.key.verify_key)
        )

    def consistency(self, old: int, new: int) -> list[bytes]:
        return self.tree.consistency_proof(old, new) if old <= new <= self.tree.size else []

    def records(self, disclosed: list[bytes], size: int | None = None) -> list[DisclosureRecord]:
        """The partner's records for ``disclosed`` (entry ``i`` was given index ``i``), with
        this log's proofs against its head of ``size``."""
        size = self.tree.size if size is None else size
        return [
            DisclosureRecord(e, i, self.tree.inclusion_proof(i, size) if i < size else [])
            for i, e in enumerate(disclosed)
        ]


def entries(n: int) -> list[bytes]:
    return [b'{"disclosure": %d, "to": "partner-a"}' % i for i in range(n)]


def kinds(report: LogReport) -> set[str]:
    return {p.kind for p in report.problems}


def run(log: Log, sizes: list[int], disclosed: list[bytes]) -> LogReport:
    heads = [log.head(s) for s in sizes]
    proofs = [log.consistency(a, b) for a, b in itertools.pairwise(sizes)]
    return check_log(heads, proofs, log.records(disclosed, sizes[-1]), VK)


# -- honest logs ----------------------------------------------------------------------------


def test_an_honest_log_passes() -> None:
    d = entries(50)
    report = run(Log(d), [1, 7, 8, 33, 50], d)
    assert report.ok
    assert report.problems == []
    assert (report.heads_checked, report.entries_checked) == (5, 50)
    assert json.loads(json.dumps(report.to_json()))["ok"] is True


def test_repeated_heads_and_an_empty_run_pass() -> None:
    log = Log(entries(10))
    h = log.head()
    assert check_log([h, h], [[]], log.records(entries(10)), VK).ok
    assert check_log([], [], [], VK).ok


# -- each kind of problem ---------------------------------------------------------------------


def test_a_head_signed_by_another_key_is_a_bad_signature() -> None:
    d = entries(8)
    honest, impostor = Log(d), Log(d, SigningKey.generate())
    report = check_log([honest.head(4), impostor.head()], [honest.consistency(4, 8)], [], VK)
    assert kinds(report) == {"bad-signature"}
    assert report.problems[0].size == 8
    assert "not validly signed" in report.problems[0].message


def test_two_roots_for_one_size_is_a_fork() -> None:
    d = entries(20)
    forged = [*d[:19], b"forged"]
    heads = [Log(d).head(20, 1), Log(d).head(20, 2), Log(forged).head(20, 3)]
    report = check_log(heads, [[], []], [], VK)
    assert kinds(report) == {"fork"}
    assert report.problems[0].size == 20


def test_a_head_that_does_not_extend_the_last_is_a_fork() -> None:
    d = entries(20)
    forged = Log([*d[:3], b"rewritten", *d[4:], *entries(5)])
    heads = [Log(d).head(10), forged.head()]
    report = check_log(heads, [forged.consistency(10, 25)], [], VK)
    assert kinds(report) == {"fork"}
    assert "does not extend" in report.problems[0].message


def test_a_smaller_newer_head_is_shrunk() -> None:
    d = entries(20)
    report = check_log([Log(d).head(), Log(d[:12]).head()], [[]], [], VK)
    assert kinds(report) == {"shrunk"}
    assert report.problems[0].message == (
        "The log shrank from 20 to 12 entries: entries were removed."
    )


@pytest.mark.parametrize(
    ("heads", "proofs", "with_records"),
    [
        ([(5, 1), (9, 2)], None, False),  # no proof between them
        ([(5, 2), (9, 1)], "ok", False),  # clock runs backwards
        ([], None, True),  # entries but no head
    ],
)
def test_evidence_that_does_not_hang_together_is_inconsistent(
    heads: list[tuple[int, int]], proofs: str | None, with_records: bool
) -> None:
    log = Log(entries(9))
    signed = [log.head(size, stamp) for size, stamp in heads]
    links = [log.consistency(5, 9)] if proofs else []
    records = log.records(entries(9)) if with_records else []
    assert kinds(check_log(signed, links, records, VK)) == {"inconsistent"}


def test_a_malformed_inclusion_proof_is_a_bad_proof() -> None:
    log = Log(entries(16))
    good = log.records(entries(16))
    short = DisclosureRecord(good[3].leaf, 3, list(good[3].proof[:-1]))
    odd = DisclosureRecord(good[4].leaf, 4, [b"x" * 31, *good[4].proof[1:]])
    report = check_log([log.head()], [], [short, odd, *good[5:]], VK)
    assert kinds(report) == {"bad-proof"}
    assert [p.index for p in report.problems] == [3, 4]


def test_an_edited_entry_is_not_included() -> None:
    d = entries(16)
    edited = Log([*d[:6], b"edited", *d[7:]])
    report = check_log([edited.head()], [], edited.records(d), VK)
    assert kinds(report) == {"not-included"}
    assert [(p.index, p.message) for p in report.problems] == [
        (6, "Entry 6 is not in the log as disclosed: it was edited or removed.")
    ]


def test_swapped_entries_are_reordered() -> None:
    d = entries(16)
    swapped = Log([*d[:2], d[11], *d[3:11], d[2], *d[12:]])
    report = check_log([swapped.head()], [], swapped.records(d), VK)
    assert kinds(report) == {"reordered"}
    assert sorted((p.index, p.params["other"]) for p in report.problems) == [(2, 11), (11, 2)]


def test_problems_render_through_a_translation() -> None:
    problem = Problem("shrunk", "The log shrank from {old} to {new} entries.", {"old": 2, "new": 1})
    assert problem.render(lambda text: "[zh] " + text) == "[zh] The log shrank from 2 to 1 entries."
    assert problem.render(lambda text: "{broken}") == "{broken}"  # a bad catalogue never raises
    assert problem.to_json()["message"] == "The log shrank from 2 to 1 entries."


# -- tampering, as properties ------------------------------------------------------------------

tampering = st.sampled_from(["remove", "edit", "swap"])


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 40), tampering, st.data())
def test_any_removal_edit_or_swap_is_detected(n: int, how: str, data: st.DataObject) -> None:
    d = entries(n)
    i = data.draw(st.integers(0, n - 2))
    j = data.draw(st.integers(i + 1, n - 1))
    if how == "remove":
        tampered, expected = [*d[:i], *d[i + 1 :]], "not-included"
    elif how == "edit":
        tampered, expected = [*d[:i], b"edited", *d[i + 1 :]], "not-included"
    else:
        tampered, expected = [*d[:i], d[j], *d[i + 1 : j], d[i], *d[j + 1 :]], "reordered"
    seen = data.draw(st.integers(1, n))
    honest, bad = Log(d), Log(tampered)
    heads = [honest.head(seen), bad.head()]
    report = check_log(heads, [bad.consistency(seen, bad.tree.size)], bad.records(d), VK)
    assert not report.ok
    assert expected in kinds(report)
    if i < seen:  # the partner had already seen a head covering the changed entry
        assert kinds(report) & {"fork", "shrunk"}


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.data())
def test_a_forked_head_is_reported(n: int, data: st.DataObject) -> None:
    d = entries(n)
    old = data.draw(st.integers(1, n - 1))
    changed = data.draw(st.integers(0, old - 1))
    fork = Log([*d[:changed], b"other history", *d[changed + 1 :]])
    report = check_log([Log(d).head(old), fork.head()], [fork.consistency(old, n)], [], VK)
    assert kinds(report) == {"fork"}


# -- across runs -------------------------------------------------------------------------------


def test_state_catches_a_fork_between_runs_and_survives_json() -> None:
    d = entries(30)
    honest = Log(d)
    state = LogState()
    assert check_log([honest.head(10)], [], honest.records(d[:10], 10), VK, state=state).ok
    assert state.latest is not None
    assert state.latest.size == 10
    state = LogState.from_json(json.loads(json.dumps(state.to_json())))

    fork = Log([*d[:4], b"rewritten", *d[5:]])
    report = check_log(
        [fork.head()], [], [], VK, state=state, proof_from_state=fork.consistency(10, 30)
    )
    assert kinds(report) == {"fork"}
    assert state.latest.size == 10  # the forked head was not taken in

    report = check_log(
        [honest.head()], [], [], VK, state=state, proof_from_state=honest.consistency(10, 30)
    )
    assert report.ok
    assert state.latest.size == 30
    assert set(state.seen) == {10, 30}


def test_state_catches_a_same_size_fork_and_a_shrink_between_runs() -> None:
    d = entries(12)
    state = LogState()
    assert remember(state, Log(d).head(), VK) == []
    other = Log([*d[:11], b"other"])
    assert kinds(check_log([other.head()], [], [], VK, state=state)) == {"fork"}
    assert kinds(check_log([Log(d[:9]).head()], [], [], VK, state=state)) == {"shrunk"}


def test_remember_accepts_known_heads_and_refuses_bad_ones() -> None:
    d = entries(12)
    log = Log(d)
    state = LogState()
    assert remember(state, log.head(12), VK) == []
    assert remember(state, log.head(12), VK) == []
    assert [p.kind for p in remember(state, log.head(5), VK)] == ["shrunk"]
    assert [p.kind for p in remember(state, Log(d, SigningKey.generate()).head(), VK)] == [
        "bad-signature"
    ]
    longer = Log([*d, *entries(3)])
    assert [p.kind for p in remember(state, longer.head(), VK, [])] == ["inconsistent"]
    assert remember(state, longer.head(), VK, longer.consistency(12, 15)) == []
    assert state.latest == longer.head()
    assert remember(state, log.head(12), VK) == []  # an older head it already knows
    assert state.latest == longer.head()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([], "version"),
        ({"version": 2, "latest": None, "seen": {}}, "version"),
        ({"version": 1, "latest": None, "seen": []}, "seen"),
        ({"version": 1, "latest": None, "seen": {"x": "00"}}, "seen"),
        ({"version": 1, "latest": None, "seen": {"3": "00"}}, "seen"),
        ({"version": 1, "latest": {"size": 1}, "seen": {}}, "root"),
    ],
)
def test_state_from_json_names_the_bad_field(data: object, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        LogState.from_json(data)


def test_a_removal_shifting_many_entries_is_reported_quickly() -> None:
    """Past ``PAIRWISE_LIMIT`` failures only near neighbours are compared: still a reordering."""
    d = entries(600)
    shifted = Log([*d[:10], *d[11:]])
    report = check_log([shifted.head()], [], shifted.records(d), VK)
    found = {p.index: p.kind for p in report.problems}
    assert found[10] == "reordered"
    assert found[599] == "not-included"
    assert set(found) == set(range(10, 600))

"""What a partner concludes from the disclosure log evidence it downloaded: pure, no I/O.

The partner holds the tree heads it has been shown (oldest first), a consistency proof between
each consecutive pair, and, for every disclosure made to it, the entry's bytes, the index it
was given at disclosure time and an inclusion proof against the newest head. ``check_log``
turns that into a ``LogReport`` whose problems name what went wrong:

- ``bad-signature``: a head the log's key did not sign; it is then ignored as evidence.
- ``fork``: two signed heads of one size with different roots, or a newer head whose
  consistency proof with the one before fails. Either is proof the log showed two histories.
- ``shrunk``: a newer head has fewer entries than an older one.
- ``inconsistent``: the evidence does not hang together (a missing proof, a clock running
  backwards, entries but no signed head).
- ``bad-proof``: an inclusion proof that is not even the right shape for its index and size.
- ``not-included``: the entry is not at its index under the newest head (edited or removed).
- ``reordered``: the entry's position now holds another of the partner's entries.

``LogState`` carries what a partner remembers between runs (the newest head it accepted and
the root of every size it has seen) as JSON, so a log that later shows a different history is
caught too: ``remember`` checks one head against it, and ``check_log(..., state=...)`` does so
for a whole run and updates the state only when the run found no problem at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nacl.signing import VerifyKey

from cthub.core.i18n import N_, GetText
from cthub.exchange.merkle import (
    HASH_SIZE,
    inclusion_path_length,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from cthub.exchange.treehead import TreeHead, TreeHeadFormatError, verify_tree_head

ProblemKind = Literal[
    "bad-signature", "fork", "inconsistent", "not-included", "bad-proof", "shrunk", "reordered"
]

BAD_SIGNATURE = N_("The tree head of size {size} is not validly signed by the log's key.")
FORK_ROOTS = N_("The log signed two different roots for size {size}: it showed two histories.")
FORK_PROOF = N_(
    "The tree head of size {new} does not extend the earlier head of size {old}: "
    "the log rewrote its history."
)
SHRUNK = N_("The log shrank from {old} to {new} entries: entries were removed.")
MISSING_PROOF = N_("No consistency proof links the tree heads of size {old} and {new}.")
PROOF_COUNT = N_("Expected {expected} consistency proofs between the tree heads, got {got}.")
CLOCK_BACKWARDS = N_("The tree head of size {new} is dated earlier than the head of size {old}.")
NO_HEAD = N_("There is no validly signed tree head to check {count} entries against.")
BEYOND_HEAD = N_("Entry {index} is missing: the newest tree head has only {size} entries.")
BAD_PROOF = N_("The inclusion proof for entry {index} is malformed: it needs {expected} hashes.")
NOT_INCLUDED = N_("Entry {index} is not in the log as disclosed: it was edited or removed.")
REORDERED = N_("Entry {index} now holds the entry disclosed at index {other}: entries moved.")

#: Up to this many failed entries are all compared with each other to tell a reordering from
#: an edit; beyond it only near neighbours are, which still catches the shift a removal causes.
PAIRWISE_LIMIT = 128
NEIGHBOURS = 4
STATE_VERSION = 1
BAD_STATE = N_("The saved log state field {field} is missing or malformed.")
BAD_STATE_HINT = N_("Restore the state file from a backup; starting afresh forgets the history.")


@dataclass(frozen=True)
class Problem:
    """One finding. ``template`` is an English msgid filled with ``params``; ``index`` is the
    entry concerned, ``size`` the tree head concerned, where there is one."""

    kind: ProblemKind
    template: str
    params: Mapping[str, int] = field(default_factory=dict)
    index: int | None = None
    size: int | None = None

    @property
    def message(self) -> str:
        """The plain-English message."""
        return self.render()

    def render(self, gettext: GetText | None = None) -> str:
        """The message, translated with ``gettext`` when given."""
        text = gettext(self.template) if gettext else self.template
        try:
            return text.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return text

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "index": self.index, "size": self.size, "message": self.message}


@dataclass(frozen=True)
class DisclosureRecord:
    """One disclosure as the partner holds it: the entry's bytes, the index it was given, and
    the log's inclusion proof for that index against the newest head."""

    leaf: bytes
    index: int
    proof: Sequence[bytes]


@dataclass(frozen=True)
class LogReport:
    ok: bool
    heads_checked: int
    entries_checked: int
    problems: list[Problem]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "heads_checked": self.heads_checked,
            "entries_checked": self.entries_checked,
            "problems": [p.to_json() for p in self.problems],
        }


@dataclass
class LogState:
    """What a partner remembers between runs: the newest accepted head and, for every size it
    has accepted a head of, that head's root."""

    latest: TreeHead | None = None
    seen: dict[int, bytes] = field(default_factory=dict)

    def accept(self, head: TreeHead) -> None:
        """Record ``head`` as seen, and as the latest when it is at least as large."""
        self.seen[head.size] = head.root
        if self.latest is None or head.size >= self.latest.size:
            self.latest = head

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "latest": self.latest.to_json() if self.latest else None,
            "seen": {str(size): root.hex() for size, root in sorted(self.seen.items())},
        }

    @classmethod
    def from_json(cls, data: Any) -> LogState:
        """Parse ``to_json`` output; raise a ``ValueError`` naming the first bad field."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise _bad_state("version")
        try:
            roots = {int(size): bytes.fromhex(root) for size, root in data["seen"].items()}
        except (AttributeError, KeyError, TypeError, ValueError):
            raise _bad_state("seen") from None
        if any(size < 0 or len(root) != HASH_SIZE for size, root in roots.items()):
            raise _bad_state("seen")
        latest = None if data.get("latest") is None else TreeHead.from_json(data["latest"])
        if latest is not None and roots.setdefault(latest.size, latest.root) != latest.root:
            raise _bad_state("latest")
        return cls(latest, roots)


def _bad_state(field: str) -> TreeHeadFormatError:
    return TreeHeadFormatError(field, BAD_STATE, BAD_STATE_HINT)


def _extends(older: TreeHead, newer: TreeHead, proof: Sequence[bytes]) -> list[Problem]:
    """Problems with ``newer`` following ``older``; equal sizes are left to the root check.
    No proof at all is missing evidence; a proof that fails is a fork."""
    sizes = {"old": older.size, "new": newer.size}
    if newer.size < older.size:
        return [Problem("shrunk", SHRUNK, sizes, size=newer.size)]
    problems: list[Problem] = []
    if newer.size > older.size:
        if not proof and older.size:
            problems.append(Problem("inconsistent", MISSING_PROOF, sizes, size=newer.size))
        elif not verify_consistency(older.size, newer.size, older.root, newer.root, proof):
            problems.append(Problem("fork", FORK_PROOF, sizes, size=newer.size))
    if newer.timestamp < older.timestamp:
        problems.append(Problem("inconsistent", CLOCK_BACKWARDS, sizes, size=newer.size))
    return problems


def _unsigned(head: TreeHead) -> Problem:
    return Problem("bad-signature", BAD_SIGNATURE, {"size": head.size}, size=head.size)


def _same_size(head: TreeHead, roots: Mapping[int, bytes]) -> list[Problem]:
    known = roots.get(head.size)
    if known is None or known == head.root:
        return []
    return [Problem("fork", FORK_ROOTS, {"size": head.size}, size=head.size)]


def remember(
    state: LogState, head: TreeHead, verify_key: VerifyKey, proof: Sequence[bytes] = ()
) -> list[Problem]:
    """Check ``head`` against what ``state`` remembers and accept it into ``state`` when
    there is no problem. ``proof`` is the consistency proof from ``state.latest`` to ``head``.

    A head the state already knows (same size, same root) is accepted without a proof, so a
    partner may be shown older heads again. A problem leaves ``state`` unchanged: a head that
    contradicts the remembered history is never trusted.
    """
    if not verify_tree_head(head, verify_key):
        return [_unsigned(head)]
    problems = _same_size(head, state.seen)
    if not problems and state.latest is not None and head.size not in state.seen:
        problems = _extends(state.latest, head, proof)
    if not problems:
        state.accept(head)
    return problems


def _check_heads(
    heads: Sequence[TreeHead], proofs: Sequence[Sequence[bytes]], verify_key: VerifyKey
) -> tuple[list[TreeHead], list[Problem]]:
    """The validly signed heads, and the problems among all the heads of one run."""
    problems: list[Problem] = []
    valid = [verify_tree_head(head, verify_key) for head in heads]
    problems += [_unsigned(h) for h, good in zip(heads, valid, strict=True) if not good]
    if len(proofs) != max(len(heads) - 1, 0):
        counts = {"expected": max(len(heads) - 1, 0), "got": len(proofs)}
        problems.append(Problem("inconsistent", PROOF_COUNT, counts))
    roots: dict[int, bytes] = {}
    for i, head in enumerate(heads):
        if not valid[i]:
            continue
        problems += _same_size(head, roots)
        roots.setdefault(head.size, head.root)
        if i and valid[i - 1]:
            problems += _extends(heads[i - 1], head, proofs[i - 1] if i <= len(proofs) else ())
    return [h for h, good in zip(heads, valid, strict=True) if good], problems


def _record_problem(record: DisclosureRecord, head: TreeHead) -> Problem | None:
    """The shape problems of one record, before any hashing."""
    index = record.index
    if not 0 <= index < head.size:
        return Problem("not-included", BEYOND_HEAD, {"index": index, "size": head.size}, index)
    expected = inclusion_path_length(index, head.size)
    if len(record.proof) != expected or any(len(p) != HASH_SIZE for p in record.proof):
        return Problem("bad-proof", BAD_PROOF, {"index": index, "expected": expected}, index)
    return None


def _check_records(records: Sequence[DisclosureRecord], head: TreeHead) -> list[Problem]:
    """Every record against ``head``; a failure whose position holds another of the records'
    entries is reported as a reordering, any other as not included."""
    problems: list[Problem] = []
    failed: list[tuple[DisclosureRecord, bytes]] = []
    for record in records:
        shape = _record_problem(record, head)
        hashed = leaf_hash(record.leaf)
        if shape is not None:
            problems.append(shape)
        elif not verify_inclusion(hashed, record.index, head.size, record.proof, head.root):
            failed.append((record, hashed))
    by_index: dict[int, list[tuple[DisclosureRecord, bytes]]] = {}
    for pair in failed:
        by_index.setdefault(pair[0].index, []).append(pair)
    for record, hashed in failed:
        nearby = failed
        if len(failed) > PAIRWISE_LIMIT:
            span = range(record.index - NEIGHBOURS, record.index + NEIGHBOURS + 1)
            nearby = [pair for i in span for pair in by_index.get(i, [])]
        other = next(
            (
                o.index
                for o, o_hash in nearby
                if o_hash != hashed
                and verify_inclusion(o_hash, record.index, head.size, record.proof, head.root)
            ),
            None,
        )
        if other is None:
            params = {"index": record.index}
            problems.append(Problem("not-included", NOT_INCLUDED, params, record.index))
        else:
            params = {"index": record.index, "other": other}
            problems.append(Problem("reordered", REORDERED, params, record.index))
    return problems


def _against_state(
    state: LogState, valid: Sequence[TreeHead], proof: Sequence[bytes]
) -> list[Problem]:
    """Problems of one run's signed heads with the remembered history.

    Every head must agree with the remembered root of its size; the newest must not be
    smaller than the remembered latest; and the first head larger than it must extend it
    (``proof``). The run's own chain then carries that to every later head, and makes every
    smaller head a prefix of the remembered latest.
    """
    problems = [p for head in valid for p in _same_size(head, state.seen)]
    latest = state.latest
    if latest is None:
        return problems
    if valid[-1].size < latest.size:
        sizes = {"old": latest.size, "new": valid[-1].size}
        problems.append(Problem("shrunk", SHRUNK, sizes, size=valid[-1].size))
    larger = next((head for head in valid if head.size > latest.size), None)
    if larger is not None:
        problems += _extends(latest, larger, proof)
    return problems


def check_log(
    heads: Sequence[TreeHead],
    consistency_proofs: Sequence[Sequence[bytes]],
    records: Sequence[DisclosureRecord],
    verify_key: VerifyKey,
    *,
    state: LogState | None = None,
    proof_from_state: Sequence[bytes] = (),
) -> LogReport:
    """Check one run's evidence. ``consistency_proofs[i]`` links ``heads[i]`` to
    ``heads[i + 1]``; records are checked against the newest validly signed head.

    With ``state``, the signed heads are also checked against the remembered history:
    ``proof_from_state`` links ``state.latest`` to the first head larger than it. ``state``
    takes in this run's signed heads only when the report is ok.
    """
    valid, problems = _check_heads(heads, consistency_proofs, verify_key)
    if valid:
        problems += _check_records(records, valid[-1])
    elif records:
        problems.append(Problem("inconsistent", NO_HEAD, {"count": len(records)}))
    if state is not None and valid:
        problems += _against_state(state, valid, proof_from_state)
        if not problems:
            for head in valid:
                state.accept(head)
    return LogReport(not problems, len(heads), len(records), problems)

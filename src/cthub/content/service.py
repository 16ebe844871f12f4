"""Match files or hashes against the hash banks, and record each match for review.

A file is hashed (MD5, SHA-256, PDQ for photos, the frame list for videos) and every hash is
looked up. A PDQ hash of quality below 50 is not matched: the result says so instead of
reporting look-alikes of a flat image. A match in a negative bank (known-benign content)
suppresses the positive matches of the same file, and the result names the bank. Each positive
match becomes a review item, with the bank's action recorded (``remove`` is an automatic action
taken by the bank's rule; a person still confirms or rejects it). A hash that floods the queue is
quarantined, see ``review.flood_check``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from cthub.content import matcher, review
from cthub.content.hashing import FileHashes, hash_file
from cthub.content.models import ContentEntry, ContentMatch
from cthub.content.signals import registry
from cthub.content.signals.pdq import PDQSignal
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import N_
from cthub.core.policy import Actor

THUMB = 160
WHY_PDQ = N_("PDQ distance {distance} <= bank threshold {threshold} (entry {entry}, label {label})")
WHY_VIDEO = N_("Video frames matched entry {entry} (label {label})")
WHY_EXACT = N_("Exact {signal} match with entry {entry} (label {label})")
LOW_QUALITY = N_("PDQ quality {quality} is below 50: the photo is too flat to match by PDQ.")


@dataclass(frozen=True)
class MatchRow:
    """One match of one file: what the CLI writes, with the review item it opened."""

    bank: str
    entry_id: int
    label: str
    signal: str
    distance: int
    threshold: int
    action: str
    review_id: int | None = None

    def why(self) -> tuple[str, dict[str, Any]]:
        """The explanation as a msgid and its parameters (each interface translates it)."""
        label = self.label or "-"
        if self.signal == "pdq":
            return WHY_PDQ, {"distance": self.distance, "threshold": self.threshold,
                             "entry": self.entry_id, "label": label}  # fmt: skip
        if self.signal == "vpdq":
            return WHY_VIDEO, {"entry": self.entry_id, "label": label}
        return WHY_EXACT, {"signal": self.signal.upper(), "entry": self.entry_id, "label": label}

    def explanation(self, gettext: Callable[[str], str] | None = None) -> str:
        msgid, params = self.why()
        return (gettext(msgid) if gettext else msgid).format(**params)


@dataclass
class FileResult:
    path: str
    hashes: FileHashes
    matches: list[MatchRow] = field(default_factory=list)
    suppressed_by: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quarantined: list[int] = field(default_factory=list)
    video: str = ""


def _pdq(hub: Hub) -> PDQSignal:
    return PDQSignal(max_pixels=hub.settings.content_max_pixels)


def hash_paths(hub: Hub, actor: Actor, paths: Sequence[Path]) -> list[FileHashes]:
    """Hash files without storing anything (the ``cthub content hash`` contract)."""
    with hub.unit(actor, "content.hash") as u:
        signal = _pdq(hub)
        out = [_hash(hub, p, signal) for p in paths]
        u.audit(details={"files": len(out), "errors": sum(1 for h in out if h.error)})
        return out


def _hash(hub: Hub, path: Path, signal: PDQSignal) -> FileHashes:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size > hub.settings.content_max_bytes:
        problem = InvalidInput(
            "{path}: the file has {size} bytes, more than the {limit} accepted.",
            hint="Raise CTHUB_CONTENT_MAX_BYTES if such files are expected.",
            path=str(path), size=size, limit=hub.settings.content_max_bytes,
        )  # fmt: skip
        return FileHashes(str(path), error=problem.render(), problem=problem)
    return hash_file(path, pdq=signal)


def match_files(
    hub: Hub,
    actor: Actor,
    paths: Sequence[Path],
    *,
    banks: Sequence[str] | None = None,
    dihedral: bool | None = None,
    record: bool = True,
    refs: Sequence[str] | None = None,
) -> list[FileResult]:
    """Hash and match each file; a file that cannot be read is reported, the batch goes on.

    ``refs`` names each file in results and review items (an upload's original name, a
    platform's content id) where the path is only a temporary copy."""
    turn = hub.settings.content_dihedral if dihedral is None else dihedral
    if refs is not None and len(refs) != len(paths):
        raise InvalidInput("Give one reference per file ({files} files, {refs} references).",
                           files=len(paths), refs=len(refs))  # fmt: skip
    with hub.unit(actor, "content.match") as u:
        signal = _pdq(hub)
        out = []
        for i, path in enumerate(paths):
            hashes = _hash(hub, path, signal)
            ref = refs[i] if refs is not None else str(path)
            result = FileResult(ref, replace(hashes, path=ref))
            queries = _queries(result, path, signal, turn)
            _match(hub, u, result, queries, banks, path if record else None, record)
            out.append(result)
        u.audit(details={
            "files": len(out), "matched": sum(1 for r in out if r.matches),
            "banks": list(banks or []),
        })  # fmt: skip
        return out


def _queries(
    result: FileResult, path: Path, signal: PDQSignal, dihedral: bool
) -> list[tuple[str, str]]:
    h = result.hashes
    queries = [(s, v) for s, v in (("md5", h.md5), ("sha256", h.sha256)) if v]
    if h.pdq and (h.quality or 0) >= signal.min_quality:
        queries.append(("pdq", h.pdq))
        if dihedral:
            turned = signal.hash_dihedral(path)
            if turned is not None:
                queries += [("pdq", v) for v in turned.variants().values() if v != h.pdq]
    elif h.pdq:
        result.notes.append(LOW_QUALITY.format(quality=h.quality))
    elif h.md5 and not h.pdq and h.problem is not None and _not_image(h.problem):
        try:
            video = registry.get("vpdq").hash_file(path)
        except CthubError as exc:
            result.notes.append(exc.render())
            video = None
        if video is not None:
            result.video = video.value
            queries.append(("vpdq", video.value))
            result.hashes = replace(h, error="")
    return queries


def _not_image(problem: CthubError) -> bool:
    return problem.message.endswith("not an image (only exact hashes were computed).")


def match_hashes(
    hub: Hub,
    actor: Actor,
    queries: Sequence[tuple[str, str]],
    *,
    banks: Sequence[str] | None = None,
    ref: str = "hash",
    record: bool = True,
) -> FileResult:
    """Match hashes the caller computed (``(signal, hash)`` pairs), e.g. from an API client."""
    unknown = [sig for sig, _value in queries if sig not in registry.names()]
    if unknown:
        raise InvalidInput("Unknown signal {signal}.", hint="Use one of: {names}.",
                           signal=unknown[0][:40], names=", ".join(registry.names()))  # fmt: skip
    normal = [(sig, registry.get(sig).normalise(value)) for sig, value in queries]
    with hub.unit(actor, "content.match") as u:
        by = dict(normal)
        hashes = FileHashes(ref, md5=by.get("md5", ""), sha256=by.get("sha256", ""),
                            pdq=by.get("pdq", ""))  # fmt: skip
        result = FileResult(ref, hashes)
        _match(hub, u, result, normal, banks, None, record)
        u.audit(details={"hashes": len(normal), "matched": len(result.matches)})
        return result


def _match(
    hub: Hub,
    u: Unit,
    result: FileResult,
    queries: list[tuple[str, str]],
    banks: Sequence[str] | None,
    path: Path | None,
    record: bool,
) -> None:
    found = matcher.candidates(hub, u.s, queries)
    hits = matcher.resolve(u.s, found, u.visible_orgs(), banks)
    negative = [h for h in hits if h.negative]
    if negative:
        result.suppressed_by = sorted({h.bank for h in negative})
        return
    thumb = None  # the photo is decoded again only for a file that matched
    if hits and record and path is not None and result.hashes.pdq:
        thumb = _thumbnail(path)
    for h in hits:
        row = MatchRow(h.bank, h.entry_id, h.label, h.signal, h.distance, h.threshold, h.action)
        if record:
            row = replace(row, review_id=_record(hub, u, result, row, thumb))
        result.matches.append(row)


def _record(hub: Hub, u: Unit, result: FileResult, row: MatchRow, thumb: bytes | None) -> int:
    entry = u.s.get(ContentEntry, row.entry_id)
    h = result.hashes
    m = ContentMatch(
        org_id=u.actor.org_id, bank_id=entry.bank_id if entry else 0, entry_id=row.entry_id,
        content_ref=result.path[:500], content_sha256=h.sha256, content_md5=h.md5,
        content_pdq=h.pdq, signal=row.signal, distance=row.distance, label=row.label,
        action=row.action, explanation=row.explanation(), thumbnail=thumb,
        details={"threshold": row.threshold, "why": list(row.why())}, created_by=u.actor.name,
    )  # fmt: skip
    u.s.add(m)
    u.s.flush()
    if entry is not None and review.flood_check(
        u, entry, hub.settings.content_flood_matches, hub.settings.content_flood_window_s
    ):
        result.quarantined.append(row.entry_id)
    return m.id


def _thumbnail(path: Path) -> bytes | None:
    """A small JPEG for the review queue (shown blurred until the reviewer reveals it)."""
    try:
        with Image.open(path) as im:
            im.draft("RGB", (THUMB * 2, THUMB * 2))
            small = im.convert("RGB")
            small.thumbnail((THUMB, THUMB))
            buf = io.BytesIO()
            small.save(buf, "JPEG", quality=70)
            return buf.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


__all__ = ["FileResult", "MatchRow", "hash_paths", "match_files", "match_hashes"]

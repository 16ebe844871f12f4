"""Content job kinds, listed under the ``cthub.jobs`` entry-point group.

``content-import`` adds a hash list to a bank in the background, so a page can show its
progress bar while a list of millions of hashes is stored. ``start_import`` refuses what can
be refused at once (a bank the actor may not write, a file that is not a hash list at all)
before any job exists; the upload waits under ``<data_dir>/content-imports`` and is deleted
when the job ends, whatever its outcome. Only the organisation that started an import follows
its progress. Progress messages are msgids; pages translate them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cthub.content import banks, hashlists
from cthub.core import jobs
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.i18n import N_
from cthub.core.jobs import JobContext, JobView
from cthub.core.policy import Actor
from cthub.core.tables import Job

IMPORT = "content-import"
FOLDER = "content-imports"
KEPT = 100  # line errors kept in a job's result
HEAD = 64 * 1024  # bytes checked before the job starts
_HEX = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class ImportView:
    """An import job, with the bank and the file it imports."""

    job: JobView
    bank: str
    file: str

    @classmethod
    def of(cls, row: Job, hub: Hub) -> ImportView:
        p = row.params or {}
        return cls(JobView.of(row, hub), str(p.get("bank", "")), str(p.get("file", "")))


def folder(hub: Hub) -> Path:
    path = hub.settings.data_dir / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def _precheck(data: bytes, file: str) -> None:
    """Refuse an empty file, or one that is not a hash list, from its first lines."""
    if not data.strip():
        raise InvalidInput("{file} is empty.", hint="Upload a hash list with one hash per line.",
                           file=file)  # fmt: skip
    head = data[:HEAD]
    if len(data) > HEAD and b"\n" in head:
        head = head[: head.rindex(b"\n") + 1]
    hashlists.read_list(head, file)


def start_import(
    hub: Hub, actor: Actor, bank: str, data: bytes, filename: str, label: str | None = None
) -> ImportView:
    """Start importing ``data`` (a hash list) into ``bank``; returns at once."""
    name = Path(filename or "").name[:200] or "hashes.txt"
    with hub.unit(actor, "content.banks") as u:
        b = banks.bank_for(u, bank, write=True)
        _precheck(data, name)
        u.audit("content_bank", b.id, details={"bank": b.name, "import": name,
                                               "bytes": len(data)})  # fmt: skip
    token = uuid.uuid4().hex
    path = folder(hub) / f"{token}.in"
    path.write_bytes(data)
    params = {"input": token, "bank": bank, "file": name, "label": label or None}
    try:
        view = jobs.submit(hub, actor, IMPORT, params)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ImportView(view, bank, name)


@jobs.job(IMPORT, action="content.banks")
def import_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """Add the uploaded list to its bank (one transaction); line errors are kept, the rest go."""
    p = ctx.params
    token, bank, file = str(p.get("input", "")), str(p.get("bank", "")), str(p.get("file", ""))
    path = folder(hub) / f"{token}.in"
    if not _HEX.match(token) or not path.is_file():
        raise NotFound("The uploaded hash list of this import is gone.", hint="Upload it again.")
    try:
        ctx.progress(0, None, N_("Reading the hash list"))
        data = path.read_bytes()

        def progress(done: int, total: int | None, _message: str) -> None:
            ctx.progress(done, total, N_("Adding hashes"))

        label = p.get("label")
        result = banks.import_list(hub, ctx.actor, bank, data, file,
                                   str(label) if label else None, progress)  # fmt: skip
    finally:
        path.unlink(missing_ok=True)
    stored = result.added + result.present + result.removed
    ctx.progress(stored, stored, N_("Import finished"))
    return {
        "bank": result.bank,
        "file": file,
        "added": result.added,
        "present": result.present,
        "removed": result.removed,
        "error_count": len(result.errors),
        "errors": [[where, why] for where, why in result.errors[:KEPT]],
    }


def status(hub: Hub, actor: Actor, job_id: str) -> ImportView:
    """An import's state, live progress and result (its organisation only)."""
    with hub.unit(actor, "jobs.read") as u:
        row = u.s.get(Job, job_id) if _HEX.match(job_id) else None
        if row is None or row.kind != IMPORT:
            raise NotFound("No job {id}.", id=job_id)
        if not u.actor.is_system and row.org_id != u.actor.org_id:
            raise Forbidden(
                "This {kind} belongs to another organisation.",
                hint="Data is shared between organisations only under an explicit sharing rule.",
                kind="job",
            )
        u.audit("job", job_id)
        return ImportView.of(row, hub)


__all__ = ["IMPORT", "ImportView", "import_job", "start_import", "status"]

"""Service functions over sanctions lists: load a version, show, diff and read active entries.

Lists are global reference data: ``lists.read`` and ``lists.load`` are role gates with no
organisation scope. ``load`` parses the whole input before writing anything, then writes the
version and all its entries and flips ``active`` in one unit of work, so a bad file leaves the
previous version active and untouched. A load that replaces an active version then submits the
``RESCREEN_JOB`` job (watched subjects re-screened against what changed) when a capability has
registered that kind; lists itself knows nothing of screening.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from cthub.core import jobs
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.model import Entity, Model
from cthub.core.policy import Actor
from cthub.lists.models import ListEntry, ListVersion, SanctionList
from cthub.lists.sources.base import ParsedEntry, registry

#: The job kind submitted when a load replaces an active version (registered by screening).
RESCREEN_JOB = "screening-delta"
#: Further jobs a replacing load submits with the same parameters when their capability is
#: installed: ownership exposure re-evaluated from the changed seeds.
FOLLOW_UP_JOBS = ("ownership-delta",)
_CHUNK = 500


@dataclass(frozen=True)
class VersionView:
    list_name: str
    version: int
    entry_count: int
    active: bool
    source: str
    sha256: str
    loaded_at: Any = None
    previous_version: int | None = None  # the active version this load replaced
    rescreen_job: str | None = None  # the RESCREEN_JOB job it submitted


@dataclass(frozen=True)
class ListView:
    name: str
    title: str
    versions: list[VersionView] = field(default_factory=list)

    @property
    def active_version(self) -> int | None:
        return next((v.version for v in self.versions if v.active), None)


@dataclass(frozen=True)
class DiffView:
    list_name: str
    from_version: int
    to_version: int
    added: list[str]
    removed: list[str]
    changed: list[str]


@dataclass(frozen=True)
class EntryView:
    list_name: str
    version: int
    ref: str
    schema: str
    caption: str
    properties: dict[str, list[str]]


def content_hash(schema: str, properties: dict[str, list[str]]) -> str:
    """SHA-256 of the canonical JSON of an entry: equal content, equal hash across versions."""
    canonical = json.dumps(
        {"schema": schema, "properties": properties},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 of a file, or of a directory's files (name and content, sorted by name)."""
    digest = hashlib.sha256()
    for file in sorted(path.iterdir()) if path.is_dir() else [path]:
        if file.is_file():
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def _caption(entry: ParsedEntry, model: Model) -> str:
    return Entity(model.get(entry.schema), properties=entry.properties).caption[:300]


def _rows(entries: Iterable[ParsedEntry], path: Path) -> list[dict[str, Any]]:
    model, rows, seen = Model.default(), [], set()
    for entry in entries:
        if entry.ref in seen:
            raise InvalidInput(
                "{file}: reference {ref} occurs twice.",
                hint="Each entry of a list needs its own reference; correct the source file.",
                file=path.name,
                ref=entry.ref,
            )
        seen.add(entry.ref)
        rows.append(
            {
                "ref": entry.ref[:120],
                "schema": entry.schema,
                "caption": _caption(entry, model),
                "properties": entry.properties,
                "content_hash": content_hash(entry.schema, entry.properties),
            }
        )
    return rows


def load(
    hub: Hub,
    actor: Actor,
    source_name: str,
    path: Path | None = None,
    *,
    list_name: str | None = None,
    source_label: str | None = None,
    rescreen: bool = True,
) -> VersionView:
    """Parse ``path`` (or the source's bundled file) and store it as the list's new version.

    With ``rescreen`` (bulk loaders opt out), replacing an active version submits the
    ``RESCREEN_JOB`` job over the two versions once the new one is committed.
    """
    source = registry.get(source_name)
    name = list_name or source.name
    with hub.unit(actor, "lists.load") as u:
        path = path or source.default_path()
        if path is None:
            raise InvalidInput(
                "The {source} source needs a file or directory to load.", source=source.name
            )
        if not path.exists():
            raise InvalidInput("{file} does not exist.", file=str(path))
        rows = _rows(source.parse(path), path)  # parse everything before writing anything
        if not rows:
            raise InvalidInput(
                "{file} holds no entries; the list was not changed.",
                hint="An empty list would delist everyone; check the file.",
                file=path.name,
            )
        lst = u.s.scalars(
            select(SanctionList).where(SanctionList.name == name).with_for_update()
        ).first()
        if lst is None:
            lst = SanctionList(name=name, title=source.title)
            u.s.add(lst)
            u.s.flush()
        number = (
            u.s.scalar(select(func.max(ListVersion.version)).where(ListVersion.list_id == lst.id))
            or 0
        ) + 1
        previous = u.s.scalar(
            select(ListVersion.version).where(
                ListVersion.list_id == lst.id, ListVersion.active.is_(True)
            )
        )
        u.s.execute(update(ListVersion).where(ListVersion.list_id == lst.id).values(active=False))
        version = ListVersion(
            list_id=lst.id,
            version=number,
            loaded_by=actor.name,
            source=source_label or str(path),
            sha256=file_digest(path),
            entry_count=len(rows),
            active=True,
        )
        u.s.add(version)
        u.s.flush()
        u.s.execute(insert(ListEntry), [{**row, "version_id": version.id} for row in rows])
        view = replace(_version_view(name, version), previous_version=previous)
        u.audit(
            "sanctions_list",
            name,
            details={
                "version": number,
                "entries": len(rows),
                "source": view.source,
                "sha256": view.sha256,
            },
        )
    if rescreen and previous is not None:
        view = replace(view, rescreen_job=_submit_rescreen(hub, actor, view))
    return view


def _submit_rescreen(hub: Hub, actor: Actor, view: VersionView) -> str | None:
    """Queue re-screening of ``view`` against the version it replaced (and the follow-up
    jobs that are installed); the re-screening job's id, ``None`` if it has no handler."""
    handlers = jobs.load_handlers()
    params = {
        "list": view.list_name,
        "from_version": view.previous_version,
        "to_version": view.version,
    }
    for kind in FOLLOW_UP_JOBS:
        if kind in handlers:
            jobs.submit(hub, actor, kind, params)
    if RESCREEN_JOB not in handlers:
        return None
    return jobs.submit(hub, actor, RESCREEN_JOB, params).id


def _version_view(name: str, v: ListVersion) -> VersionView:
    return VersionView(name, v.version, v.entry_count, v.active, v.source, v.sha256, v.loaded_at)


def show(hub: Hub, actor: Actor) -> list[ListView]:
    """Every list with its versions (oldest first) and which one is active."""
    with hub.unit(actor, "lists.read") as u:
        views = []
        for lst in u.s.scalars(select(SanctionList).order_by(SanctionList.name)):
            versions = u.s.scalars(
                select(ListVersion)
                .where(ListVersion.list_id == lst.id)
                .order_by(ListVersion.version)
            )
            views.append(
                ListView(lst.name, lst.title, [_version_view(lst.name, v) for v in versions])
            )
        u.audit("sanctions_list", details={"lists": len(views)})
        return views


def active_versions(hub: Hub, names: Iterable[str] | None = None) -> dict[str, VersionView]:
    """The active version of each list (all lists, or those of ``names``), by list name.

    An internal read for caches, not a service call: it takes no actor, checks no permission and
    writes no audit event. It exists so that a process-level cache (the screening matcher) can
    learn on every request, with one small read in a read-only session (no write lock on
    SQLite), whether another process loaded a new version; the data itself is only ever read
    through the audited ``active_entries``. What it reveals (list names, version numbers and
    digests) is what every role may see through ``show``. Do not use it to serve data to users.
    """
    stmt = (
        select(SanctionList.name, ListVersion)
        .join(ListVersion, ListVersion.list_id == SanctionList.id)
        .where(ListVersion.active.is_(True))
    )
    if names is not None:
        stmt = stmt.where(SanctionList.name.in_(sorted(set(names))))
    with hub.db.session(readonly=True) as s:
        return {name: _version_view(name, v) for name, v in s.execute(stmt)}


def _version(u: Any, name: str, number: int) -> ListVersion:
    version: ListVersion | None = u.s.scalars(
        select(ListVersion)
        .join(SanctionList, SanctionList.id == ListVersion.list_id)
        .where(SanctionList.name == name, ListVersion.version == number)
    ).first()
    if version is None:
        raise NotFound(
            "List {name} has no version {version}.",
            hint="See the versions with: cthub lists show.",
            name=name,
            version=number,
        )
    return version


def _hashes(u: Any, name: str, number: int) -> dict[str, str]:
    version = _version(u, name, number)
    rows = u.s.execute(
        select(ListEntry.ref, ListEntry.content_hash).where(ListEntry.version_id == version.id)
    )
    return {ref: digest for ref, digest in rows}


def diff(hub: Hub, actor: Actor, name: str, from_version: int, to_version: int) -> DiffView:
    """References added, removed and changed (same ref, other content) between two versions."""
    with hub.unit(actor, "lists.read") as u:
        old, new = _hashes(u, name, from_version), _hashes(u, name, to_version)
        view = DiffView(
            name,
            from_version,
            to_version,
            added=sorted(new.keys() - old.keys()),
            removed=sorted(old.keys() - new.keys()),
            changed=sorted(r for r in old.keys() & new.keys() if old[r] != new[r]),
        )
        u.audit(
            "sanctions_list",
            name,
            details={
                "from": from_version,
                "to": to_version,
                "added": len(view.added),
                "removed": len(view.removed),
                "changed": len(view.changed),
            },
        )
        return view


def entries(
    hub: Hub, actor: Actor, name: str, version: int, refs: Iterable[str]
) -> list[EntryView]:
    """The entries ``refs`` of one version of a list, by reference (absent refs are skipped)."""
    wanted = sorted(set(refs))
    with hub.unit(actor, "lists.read") as u:
        found, views = _version(u, name, version), list[EntryView]()
        for i in range(0, len(wanted), _CHUNK):  # under every backend's parameter limit
            chunk = ListEntry.ref.in_(wanted[i : i + _CHUNK])
            for e in u.s.scalars(select(ListEntry).where(ListEntry.version_id == found.id, chunk)):
                views.append(EntryView(name, version, e.ref, e.schema, e.caption, e.properties))
        u.audit("sanctions_list", name, details={"version": version, "entries": len(views)})
        return sorted(views, key=lambda v: v.ref)


def active_entries(
    hub: Hub, actor: Actor, names: Iterable[str] | None = None
) -> Iterator[EntryView]:
    """Entries of the active version of each list (all lists, or ``names``), for screening.

    The permission check and audit happen at once; the entries then stream from a read-only
    session, which on SQLite takes no write lock while the matcher builds its index.
    """
    wanted = sorted(set(names)) if names is not None else None
    with hub.unit(actor, "lists.read") as u:
        u.audit("sanctions_list", details={"entries_of": wanted or "all"})
    return _stream(hub, wanted)


def _stream(hub: Hub, names: list[str] | None) -> Iterator[EntryView]:
    stmt = (
        select(SanctionList.name, ListVersion.version, ListEntry)
        .join(ListVersion, ListVersion.list_id == SanctionList.id)
        .join(ListEntry, ListEntry.version_id == ListVersion.id)
        .where(ListVersion.active.is_(True))
        .order_by(SanctionList.name, ListEntry.id)
    )
    if names is not None:
        stmt = stmt.where(SanctionList.name.in_(names))
    with hub.db.session(readonly=True) as s:
        for name, number, e in s.execute(stmt.execution_options(yield_per=1000)):
            yield EntryView(name, number, e.ref, e.schema, e.caption, dict(e.properties))


__all__ = [
    "FOLLOW_UP_JOBS",
    "RESCREEN_JOB",
    "DiffView",
    "EntryView",
    "ListView",
    "VersionView",
    "active_entries",
    "active_versions",
    "content_hash",
    "diff",
    "entries",
    "load",
    "show",
]

"""Sanctions lists: sources (UN, OFAC, plain CSV, plugins), versions, diffs and entries.

Other capabilities use only these names; screening reads ``active_entries`` and, for delta
re-screening, ``diff`` and ``entries``; it registers the ``RESCREEN_JOB`` kind a load submits.
``active_versions`` is an unaudited internal read that only validates screening's matcher cache.
"""

from cthub.lists.fetch import DEFAULT_URLS, fetch
from cthub.lists.service import (
    FOLLOW_UP_JOBS,
    RESCREEN_JOB,
    DiffView,
    EntryView,
    ListView,
    VersionView,
    active_entries,
    active_versions,
    content_hash,
    diff,
    entries,
    load,
    show,
)
from cthub.lists.sources.base import ListSource, ParsedEntry, SourceRegistry, registry
from cthub.lists.sources.un import DEFAULT_UN_URL, bundled_path

__all__ = [
    "DEFAULT_UN_URL",
    "DEFAULT_URLS",
    "FOLLOW_UP_JOBS",
    "RESCREEN_JOB",
    "DiffView",
    "EntryView",
    "ListSource",
    "ListView",
    "ParsedEntry",
    "SourceRegistry",
    "VersionView",
    "active_entries",
    "active_versions",
    "bundled_path",
    "content_hash",
    "diff",
    "entries",
    "fetch",
    "load",
    "registry",
    "show",
]

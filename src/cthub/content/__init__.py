"""Terrorist-content hash matching: signals (PDQ, MD5, SHA-256, video PDQ), hash banks, a FAISS
index, review and transparency reporting.

The public API: other capabilities and the interfaces use these names only.
"""

from __future__ import annotations

from cthub.content.banks import (
    AddResult,
    BankView,
    add_files,
    create_bank,
    export_rows,
    get_bank,
    import_list,
    list_banks,
    remove_entry,
)
from cthub.content.hashing import ROW_FIELDS, FileHashes, hash_file
from cthub.content.review import (
    AlertView,
    ReviewItem,
    alerts,
    decide,
    get_item,
    queue,
    resolve_alert,
    thumbnail,
)
from cthub.content.service import FileResult, MatchRow, hash_paths, match_files, match_hashes

__all__ = [
    "ROW_FIELDS",
    "AddResult",
    "AlertView",
    "BankView",
    "FileHashes",
    "FileResult",
    "MatchRow",
    "ReviewItem",
    "add_files",
    "alerts",
    "create_bank",
    "decide",
    "export_rows",
    "get_bank",
    "get_item",
    "hash_file",
    "hash_paths",
    "import_list",
    "list_banks",
    "match_files",
    "match_hashes",
    "queue",
    "remove_entry",
    "resolve_alert",
    "thumbnail",
]

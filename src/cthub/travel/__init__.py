"""Travel: passenger data (API/PNR) checked against watchlists, lost/stolen documents and rules.

``ingest`` receives carrier files (PAXLST, PNRGOV EDIFACT, PNRGOV XML), one transaction each;
``run_checks`` screens stored passengers through ``cthub.screening``, the document list, the
ICAO 9303 document rules and the organisation's risk rules, and stores explained hits;
``check_in`` answers an interactive (iAPI) check; ``decide`` records the human decision every
hit needs; ``retention_run`` masks and deletes by law. Nothing here takes an adverse decision.
"""

from __future__ import annotations

from pathlib import Path

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.travel.checkin import CheckinAnswer, check_in, cusres
from cthub.travel.checks import CheckRow, CheckRun, run_checks
from cthub.travel.doclist import DocListView, load_documents
from cthub.travel.doclist import versions as document_versions
from cthub.travel.parse import MAX_BYTES, parse_bytes
from cthub.travel.retention import (
    RetentionResult,
    RetentionStatus,
    UnmaskView,
    decide_unmask,
    request_unmask,
    unmask_requests,
    unmasked,
)
from cthub.travel.retention import run as retention_run
from cthub.travel.retention import status as retention_status
from cthub.travel.review import DecisionRecord, QueueItem, decide, decisions, export_case, queue
from cthub.travel.rulestore import (
    RuleTest,
    RuleView,
    parse_text,
    rule_history,
    rule_list,
    rule_retire,
    rule_save,
    rule_test,
)
from cthub.travel.service import (
    CoTraveller,
    FlightView,
    IngestResult,
    Manifest,
    PassengerDetail,
    PassengerView,
    flights,
    ingest,
    manifest,
    passenger,
)

CHECK_COLUMNS = (
    "flight",
    "passenger_ref",
    "name",
    "check",
    "list",
    "list_ref",
    "score",
    "explanation",
)


def ingest_file(hub: Hub, actor: Actor, path: Path) -> IngestResult:
    """``ingest`` for a file on disk; refuses files over ``MAX_BYTES`` before reading them."""
    if not path.is_file():
        raise InvalidInput("{file} does not exist.", file=str(path))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InvalidInput(
            "{file} is {size} bytes, over the limit of {limit}.",
            hint="Split the interchange per flight; carriers send one flight per message.",
            file=str(path),
            size=size,
            limit=MAX_BYTES,
        )
    return ingest(hub, actor, path.name, path.read_bytes())


__all__ = [
    "CHECK_COLUMNS",
    "MAX_BYTES",
    "CheckRow",
    "CheckRun",
    "CheckinAnswer",
    "CoTraveller",
    "DecisionRecord",
    "DocListView",
    "FlightView",
    "IngestResult",
    "Manifest",
    "PassengerDetail",
    "PassengerView",
    "QueueItem",
    "RetentionResult",
    "RetentionStatus",
    "RuleTest",
    "RuleView",
    "UnmaskView",
    "check_in",
    "cusres",
    "decide",
    "decide_unmask",
    "decisions",
    "document_versions",
    "export_case",
    "flights",
    "ingest",
    "ingest_file",
    "load_documents",
    "manifest",
    "parse_bytes",
    "parse_text",
    "passenger",
    "queue",
    "request_unmask",
    "retention_run",
    "retention_status",
    "rule_history",
    "rule_list",
    "rule_retire",
    "rule_save",
    "rule_test",
    "run_checks",
    "unmask_requests",
    "unmasked",
]

"""IATI 2.03 exchange of the coordination register, as pure functions (no database).

``parse_activities`` reads an IATI 2.01-2.03 activity file safely (no DTD, no entities, no
network), validates every activity against the bundled 2.03 schema and the bundled codelists,
and maps the valid ones to ``IatiActivity`` (CTC areas, forms, cthub status, budget in minor
units). ``export_activities`` writes activities back as a schema-valid 2.03 file that
``parse_activities`` reads back to the same areas, forms, status, dates, budget, recipient
and titles. Data and provenance: ``cthub/coordination/data/iati`` and its ``SOURCES.md``.
"""

from __future__ import annotations

from cthub.coordination.iati.classify import form_for_aid_type
from cthub.coordination.iati.codelists import known, names
from cthub.coordination.iati.model import (
    Contact,
    Document,
    IatiActivity,
    Indicator,
    InvalidActivity,
    Message,
    Org,
    ParseResult,
    Result,
)
from cthub.coordination.iati.parser import parse_activities, validate_document
from cthub.coordination.iati.writer import export_activities
from cthub.coordination.iati.xmldoc import SUPPORTED_VERSIONS
from cthub.core.money import from_minor, minor_digits, to_minor

__all__ = [
    "SUPPORTED_VERSIONS",
    "Contact",
    "Document",
    "IatiActivity",
    "Indicator",
    "InvalidActivity",
    "Message",
    "Org",
    "ParseResult",
    "Result",
    "export_activities",
    "form_for_aid_type",
    "from_minor",
    "known",
    "minor_digits",
    "names",
    "parse_activities",
    "to_minor",
    "validate_document",
]

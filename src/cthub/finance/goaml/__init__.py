"""goAML export: a suspicious case as a goAML 5.0.2 STR for the FIU, validated against the XSD.

``build_report(case, config)`` returns the report as UTF-8 XML; ``validate(xml)`` checks any
document against the shipped schema. ``load_config`` / ``default_config`` give the FIU's
settings and code lists (``default.yaml``); ``StrCase`` and ``SubjectAccount`` describe the
case. See ``data/README.md`` for the schema's provenance and the one patch applied to it.
"""

from __future__ import annotations

from cthub.finance.goaml.case import (
    ClientAccount,
    ClientEntity,
    ClientPerson,
    Director,
    Identification,
    StrCase,
    SubjectAccount,
)
from cthub.finance.goaml.config import (
    Address,
    GoamlConfig,
    Institution,
    ReportingPerson,
    default_config,
    load_config,
)
from cthub.finance.goaml.report import build_report, validate

__all__ = [
    "Address",
    "ClientAccount",
    "ClientEntity",
    "ClientPerson",
    "Director",
    "GoamlConfig",
    "Identification",
    "Institution",
    "ReportingPerson",
    "StrCase",
    "SubjectAccount",
    "build_report",
    "default_config",
    "load_config",
    "validate",
]

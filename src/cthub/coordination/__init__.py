"""Capacity-building coordination: the G8 Counter-Terrorism Action Group's register.

Needs of recipient countries and the donors' assistance projects across the eight CTC
assistance areas; overlap detection, gap analysis, priorities, semiannual reports to the CTC,
coordination meetings, knowledge, the treaty tracker and IATI 2.03 exchange.
"""

from __future__ import annotations

from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.coordination.service import (
    Filter,
    NeedView,
    Page,
    ProjectView,
    create_need,
    create_project,
    delete_need,
    delete_project,
    get_need,
    get_project,
    list_needs,
    list_projects,
    load_register,
    update_need,
    update_project,
)
from cthub.coordination.taxonomy import AREA_KEYS, AREAS, FORMS, STATUSES

__all__ = [
    "AREAS",
    "AREA_KEYS",
    "FORMS",
    "STATUSES",
    "Filter",
    "NeedRecord",
    "NeedView",
    "Page",
    "ProjectRecord",
    "ProjectView",
    "Register",
    "create_need",
    "create_project",
    "delete_need",
    "delete_project",
    "get_need",
    "get_project",
    "list_needs",
    "list_projects",
    "load_register",
    "update_need",
    "update_project",
]

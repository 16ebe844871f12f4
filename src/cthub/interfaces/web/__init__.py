"""Server-rendered web UI (Jinja2 + HTMX); views call the same services as the API."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    from cthub.interfaces.web import (
        admin_pages,
        content_bank_pages,
        content_pages,
        content_report_pages,
        content_review_pages,
        coordination_analysis_pages,
        coordination_centre_pages,
        coordination_country_pages,
        coordination_job_pages,
        coordination_knowledge_pages,
        coordination_meeting_pages,
        coordination_need_pages,
        coordination_project_pages,
        exchange_pages,
        exchange_request_pages,
        finance_alert_pages,
        finance_case_pages,
        finance_pages,
        finance_rule_pages,
        list_pages,
        oversight_pages,
        ownership_pages,
        screening_batch_pages,
        screening_pages,
        session_pages,
        travel_pages,
        travel_review_pages,
        travel_rule_pages,
    )

    for module in (
        session_pages,
        admin_pages,
        oversight_pages,
        screening_pages,
        list_pages,
        screening_batch_pages,
        coordination_analysis_pages,
        coordination_need_pages,
        coordination_project_pages,
        coordination_country_pages,
        coordination_job_pages,
        coordination_meeting_pages,
        coordination_knowledge_pages,
        coordination_centre_pages,
        travel_rule_pages,
        travel_review_pages,
        travel_pages,
        content_pages,
        content_bank_pages,
        content_review_pages,
        content_report_pages,
        finance_pages,
        finance_alert_pages,
        finance_case_pages,
        finance_rule_pages,
        ownership_pages,
        exchange_pages,
        exchange_request_pages,
    ):
        app.include_router(module.router)


__all__ = ["mount"]

"""Findings of the review of the coordination web pages, each pinned by a test."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from tests import factories
from tests.interfaces.test_web_coordination_more import Site, _report_job, _token
from tests.interfaces.test_web_coordination_more import site as site  # the fixture

SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() is true for it, int() refuses it
LESSON = {"kind": "lesson", "title": "t", "body": "b", "areas": "customs"}


@pytest.mark.parametrize("page", ["/coordination/centres", "/coordination/knowledge",
                                  "/coordination/meetings"])  # fmt: skip
def test_a_unicode_digit_page_number_is_page_one_not_a_500(site: Site, page: str) -> None:
    got = site.clients["coordinator"].get(page, params={"page": SUPERSCRIPT_TWO})
    assert got.status_code == 200


@pytest.mark.parametrize(
    ("url", "form", "words"),
    [("/coordination/knowledge", {**LESSON, "project_id": SUPERSCRIPT_TWO},
      "must be a project number"),
     ("/coordination/knowledge", {**LESSON, "project_id": "9" * 20}, "must be a project number"),
     ("/coordination/projects", {"title": "t", "donor": "d", "recipient": "JO",
                                 "areas": "customs", "currency": "EUR", "budget": "1" * 40},
      "is too large"),
     ("/coordination/projects", {"title": "t", "donor": "d", "recipient": "JO",
                                 "areas": "customs", "need_ids": "9" * 20},
      "must be need numbers")],
)  # fmt: skip
def test_out_of_range_numbers_in_forms_are_a_400_saying_why(
    site: Site, url: str, form: dict[str, str], words: str
) -> None:
    client = site.clients["analyst"]
    got = client.post(url, data={**form, **_token(client)})
    assert got.status_code == 400, got.text[-500:]
    assert words in got.text


def test_a_unicode_digit_project_number_on_a_centre_is_a_400(site: Site) -> None:
    client = site.clients["analyst"]
    got = client.post(f"/coordination/centres/{site.centre}/projects",
                      data={"project_id": SUPERSCRIPT_TWO, **_token(client)})  # fmt: skip
    assert got.status_code == 400


def test_a_report_file_is_not_fetched_by_a_reader_of_a_narrower_register(site: Site) -> None:
    """The coordinator's report holds every organisation's register; the secretariat's analyst
    reads only the secretariat's (and shared) records, so the file must stay out of reach."""
    url = _report_job(site.clients["coordinator"], site.hub, "html")
    assert site.clients["secretariat"].get(url).status_code == 403


def test_a_nul_character_in_the_search_box_is_not_a_500(site: Site) -> None:
    got = site.clients["coordinator"].get("/coordination/knowledge", params={"q": "\x00abc"})
    assert got.status_code in (200, 400)


@pytest.mark.parametrize("name", ["..", "."])
def test_an_iati_upload_named_dot_dot_is_read_not_a_500(sqlite_hub: Hub, name: str) -> None:
    analyst = factories.member(sqlite_hub, "analyst")
    key = factories.api_key(sqlite_hub, "analyst", analyst.org)
    with TestClient(create_app(hub=sqlite_hub)) as client:
        got = client.post(
            "/api/coordination/iati",
            headers={"Authorization": f"Bearer {key}"},
            files={"file": (name, b"<iati-activities version='2.03'/>", "application/xml")},
        )
    assert got.status_code == 200, got.text
    assert got.json()["created"] == 0

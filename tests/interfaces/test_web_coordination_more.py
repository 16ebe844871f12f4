"""Meetings, knowledge, training centres and the coordination jobs through the test client.

The register is the small generated one of ``test_web_coordination`` (``load_register``),
recorded by the donors' organisations; one hub and one logged-in client per member serve the
module (``site``), and tests only add records. The coordination job kinds are registered by
importing ``cthub.coordination.jobs`` (until ``pyproject.toml`` lists it under ``cthub.jobs``);
jobs run on the hub's in-process runner, which a test waits for (``_wait``).
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import cthub.coordination.jobs  # noqa: F401 - registers the coordination job kinds
from cthub.coordination import centres, knowledge, meetings, service
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.core.jobs import InProcessRunner
from cthub.interfaces.api import create_app
from tests import factories
from tests.conftest import make_settings
from tests.interfaces.test_web import _csrf, _login_form
from tests.interfaces.test_web_coordination import (
    SECRETARIAT,
    World,
    _error,
    _hx,
    _server_message,
    load_register,
)


@dataclass(frozen=True)
class Site:
    hub: Hub
    world: World
    clients: dict[str, TestClient]
    members: dict[str, factories.Member]
    meeting: int  # the first donor's (the analyst's organisation)
    centre: int


def _seed(hub: Hub, world: World) -> tuple[int, int]:
    org = world.orgs[world.donors[0]]
    made = meetings.create_meeting(hub, factories.OPERATOR, {
        "org_id": org, "recipient": "JO", "title": "Donor round table on border security",
        "held_on": "2026-05-12", "location": "Amman", "participants": "Jordan\nEU delegation",
    })  # fmt: skip
    centre = centres.create_centre(hub, factories.OPERATOR, {
        "name": "Regional Counter-Terrorism Training Centre", "country": "JO", "city": "Amman",
        "areas": ["customs"], "curricula": [
            {"title": "Port container screening", "area": "customs", "duration_days": 5}],
    })  # fmt: skip
    return made.id, centre.id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("coordination-web-more")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    world = load_register(hub, projects=24, needs=16)
    meeting, centre = _seed(hub, world)
    members = {
        "analyst": factories.member(hub, "analyst", world.donors[0]),
        "other": factories.member(hub, "analyst", world.donors[1]),
        "coordinator": factories.member(hub, "coordinator", SECRETARIAT),
        "secretariat": factories.member(hub, "analyst", SECRETARIAT),
        "donor_admin": factories.member(hub, "admin", world.donors[0]),
    }
    with ExitStack() as stack:
        clients = {}
        for key, m in members.items():
            clients[key] = stack.enter_context(TestClient(create_app(hub=hub)))
            _login_form(clients[key], m)
        yield Site(hub, world, clients, members, meeting, centre)
    hub.close()


def _wait(hub: Hub) -> None:
    runner = hub.jobs
    assert isinstance(runner, InProcessRunner)
    runner.wait_idle()


def _token(client: TestClient) -> dict[str, str]:
    return {"csrf_token": _csrf(client)}


def _evaluation(site: Site, **changes: Any) -> int:
    data = {"org_id": site.world.orgs[site.world.donors[0]], "title": "Customs training review",
            "body": "The customs training at the port worked well.", "areas": ["customs"],
            "recipient": "JO", "kind": "evaluation", **changes}  # fmt: skip
    return knowledge.create_evaluation(site.hub, factories.OPERATOR, data).id


@pytest.mark.parametrize("role", ["analyst", "coordinator"])
def test_every_new_page_renders(site: Site, role: str) -> None:
    client = site.clients[role]
    record = _evaluation(site)
    pages = [
        ("/coordination/meetings", "Coordination meetings"),
        ("/coordination/meetings?recipient=JO", "Donor round table on border security"),
        (f"/coordination/meetings/{site.meeting}", "Action items"),
        ("/coordination/meetings/briefing?recipient=JO", "Open needs"),
        ("/coordination/knowledge", "Evaluations and lessons learned"),
        ("/coordination/knowledge?q=customs", "Customs training review"),
        (f"/coordination/knowledge/{record}", "The customs training at the port"),
        ("/coordination/centres", "Regional training centres"),
        ("/coordination/centres?country=JO&area=customs", "Regional Counter-Terrorism"),
        (f"/coordination/centres/{site.centre}", "Port container screening"),
        ("/coordination/meetings/new", "Record a meeting"),
        ("/coordination/knowledge/new", "Record an evaluation or a lesson"),
        ("/coordination/centres/new", "Record a training centre"),
        (f"/coordination/centres/{site.centre}/edit", "Edit training centre"),
    ]
    if role == "analyst":  # the record is the analyst's organisation's
        pages += [
            (f"/coordination/meetings/{site.meeting}/edit", "Edit meeting"),
            (f"/coordination/knowledge/{record}/edit", "Edit the record"),
        ]
    for path, text in pages:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.text[:500])
        assert text in resp.text, path
        assert '<nav class="sidenav"' in resp.text, path
    meeting = client.get(f"/coordination/meetings/{site.meeting}").text
    assert ('data-testid="minutes-form"' in meeting) == (role == "analyst")  # own org only
    country = client.get("/coordination/countries/JO").text
    for link in ("/coordination/meetings?recipient=JO", f"/coordination/meetings/{site.meeting}",
                 "/coordination/knowledge?recipient=JO", f"/coordination/centres/{site.centre}",
                 "/coordination/centres?country=JO"):  # fmt: skip
        assert f'href="{link}"' in country, link


def test_anonymous_is_sent_to_login(site: Site) -> None:
    with TestClient(create_app(hub=site.hub)) as anonymous:
        for path in ("/coordination/meetings", f"/coordination/meetings/{site.meeting}",
                     "/coordination/knowledge?q=x", "/coordination/centres",
                     "/coordination/meetings/briefing?recipient=JO"):  # fmt: skip
            resp = anonymous.get(path, follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=%2Fcoordination")


def _meeting_form(**changes: str) -> dict[str, str]:
    form = {"recipient": "JO", "title": "Follow-up on customs training", "held_on": "2026-06-01",
            "location": "Vienna", "participants": "Jordan customs\nUNODC"}  # fmt: skip
    return {**form, **changes}


def test_meeting_form_errors_inline_in_the_servers_words(site: Site) -> None:
    client, hub = site.clients["analyst"], site.hub
    hx = _hx(client)
    org = site.world.orgs[site.world.donors[0]]
    for field, value in (("recipient", "Atlantis"), ("held_on", "2026-13-01"), ("title", "")):
        form = _meeting_form(**{field: value})
        resp = client.post("/coordination/meetings", data=form, headers=hx)
        assert resp.status_code == 200
        expected = _server_message(
            lambda f=form: meetings.create_meeting(hub, factories.OPERATOR, {**f, "org_id": org})
        )
        assert _error(resp.text, field) == expected
        assert resp.text.lstrip().startswith("<form")
    made = client.post("/coordination/meetings", data=_meeting_form(), headers=hx)
    location = made.headers["HX-Redirect"]
    meeting_id = int(location.rsplit("/", 1)[1])
    page = client.get(location).text
    assert "Follow-up on customs training" in page
    assert "UNODC" in page
    minutes = client.post(f"{location}/minutes", data={"minutes": "Calendars aligned."},
                          headers=hx)  # fmt: skip
    assert 'data-testid="minutes-saved"' in minutes.text
    assert meetings.get_meeting(hub, factories.OPERATOR, meeting_id).minutes == "Calendars aligned."
    edited = client.post(location, data=_meeting_form(location="Geneva"), headers=hx)
    assert edited.headers["HX-Redirect"] == location
    kept = meetings.get_meeting(hub, factories.OPERATOR, meeting_id)
    assert (kept.location, kept.minutes) == ("Geneva", "Calendars aligned.")  # minutes kept


def test_action_items_added_done_and_reopened_inline(site: Site) -> None:
    client, hub = site.clients["analyst"], site.hub
    hx = _hx(client)
    url = f"/coordination/meetings/{site.meeting}/actions"
    early = {"description": "Share the calendar", "owner": "EU", "due_on": "2026-01-01"}
    resp = client.post(url, data=early, headers=hx)
    expected = _server_message(
        lambda: meetings.add_action_item(hub, factories.OPERATOR, site.meeting, early)
    )
    assert _error(resp.text, "due_on") == expected
    assert _error(client.post(url, data={**early, "owner": ""}, headers=hx).text, "owner") == (
        "The field owner is required."
    )
    added = client.post(url, data={**early, "due_on": "2026-07-01"}, headers=hx)
    assert added.text.lstrip().startswith('<section class="panel" id="actions"')
    item = next(
        a
        for a in meetings.get_meeting(hub, factories.OPERATOR, site.meeting).action_items
        if a.description == "Share the calendar"
    )
    done = client.post(f"/coordination/meetings/actions/{item.id}", data={"done": "1"}, headers=hx)
    assert done.text.lstrip().startswith(f'<tr id="action-{item.id}"')
    assert 'data-state="done"' in done.text
    assert 'data-testid="reopen"' in done.text
    again = client.post(f"/coordination/meetings/actions/{item.id}", data={"done": "0"},
                        headers=hx)  # fmt: skip
    assert 'data-state="open"' in again.text
    briefing = client.get("/coordination/meetings/briefing?recipient=JO")
    assert briefing.status_code == 200
    assert "Last meeting" in briefing.text
    bad = client.get("/coordination/meetings/briefing?recipient=Atlantis")
    assert bad.status_code == 400
    assert _error(bad.text, "recipient") == "Unknown country or region 'Atlantis' in recipient."


def test_another_organisations_meeting_is_refused(site: Site) -> None:
    other = site.clients["other"]
    url = f"/coordination/meetings/{site.meeting}"
    assert other.get(url).status_code == 403
    assert "belongs to another organisation" in other.get(url).text
    assert other.get(f"{url}/edit").status_code == 403
    token = _token(other)
    assert other.post(f"{url}/minutes", data={"minutes": "x", **token}).status_code == 403
    item = meetings.add_action_item(site.hub, factories.OPERATOR, site.meeting,
                                    {"description": "Report back", "owner": "Jordan"})  # fmt: skip
    assert other.post(f"/coordination/meetings/actions/{item.id}",
                      data={"done": "1", **token}).status_code == 403  # fmt: skip
    listed = other.get("/coordination/meetings").text
    assert "Donor round table on border security" not in listed
    record = _evaluation(site, title="A donor's own review")
    assert other.get(f"/coordination/knowledge/{record}").status_code == 403
    assert "A donor's own review" not in other.get("/coordination/knowledge?q=review").text


def test_posts_need_the_csrf_token(site: Site) -> None:
    client = site.clients["analyst"]
    record = _evaluation(site)
    for path, data in (
        ("/coordination/meetings", _meeting_form()),
        (f"/coordination/meetings/{site.meeting}", _meeting_form()),
        (f"/coordination/meetings/{site.meeting}/minutes", {"minutes": "x"}),
        (f"/coordination/meetings/{site.meeting}/actions", {"description": "x", "owner": "y"}),
        ("/coordination/meetings/actions/1", {"done": "1"}),
        ("/coordination/knowledge", {"title": "x"}),
        (f"/coordination/knowledge/{record}", {"title": "x"}),
        (f"/coordination/knowledge/{record}/delete", {}),
        ("/coordination/centres", {"name": "x"}),
        (f"/coordination/centres/{site.centre}", {"name": "x"}),
        (f"/coordination/centres/{site.centre}/projects", {"project_id": "1"}),
        (f"/coordination/centres/{site.centre}/projects/1/unlink", {}),
        ("/coordination/overlaps/jobs", {}),
        ("/coordination/report/jobs", {"period": "2026H1", "fmt": "html", "lang": "en"}),
    ):
        resp = client.post(path, data=data)
        assert resp.status_code == 403, path
        assert "security token" in resp.text, path


def _evaluation_form(**changes: Any) -> dict[str, Any]:
    form = {"kind": "lesson", "title": "Port screening lessons", "body": "Train the trainers.",
            "areas": ["customs"], "recipient": "JO", "published_on": "2026-04-01",
            "project_id": ""}  # fmt: skip
    return {**form, **changes}


def test_knowledge_form_errors_edit_and_delete(site: Site) -> None:
    client, hub = site.clients["analyst"], site.hub
    hx = _hx(client)
    foreign = site.world.projects[site.world.donors[1]][0]
    member = site.members["analyst"].actor
    for field, value in (("areas", []), ("title", ""), ("project_id", "abc"),
                         ("project_id", str(foreign)), ("published_on", "2026-02-30"),
                         ("recipient", "Atlantis")):  # fmt: skip
        form = _evaluation_form(**{field: value})
        resp = client.post("/coordination/knowledge", data=form, headers=hx)
        assert resp.status_code == 200
        expected = _server_message(lambda f=form: knowledge.create_evaluation(hub, member, f))
        assert _error(resp.text, field) == expected, field
    own = site.world.projects[site.world.donors[0]][0]
    made = client.post("/coordination/knowledge", data=_evaluation_form(project_id=str(own)),
                       headers=hx)  # fmt: skip
    path = made.headers["HX-Redirect"]
    assert f'href="/coordination/projects/{own}"' in client.get(path).text
    edited = client.post(path, data=_evaluation_form(title="Port screening, revised"), headers=hx)
    assert edited.headers["HX-Redirect"] == path
    assert "Port screening, revised" in client.get(path).text
    token = _token(client)
    gone = client.post(f"{path}/delete", data=token, follow_redirects=False)
    assert gone.headers["location"] == "/coordination/knowledge?deleted=1"
    assert client.get(path).status_code == 404


def test_knowledge_search_finds_english_and_chinese(site: Site) -> None:
    client = site.clients["analyst"]
    _evaluation(site, title="Container screening evaluation",
                body="Customs officers learned risk profiling of sea containers.")  # fmt: skip
    _evaluation(site, title="海关培训经验", kind="lesson",
                body="边境海关培训提高了集装箱风险分析能力。")  # fmt: skip
    english = client.get("/coordination/knowledge?q=containers").text
    assert "Container screening evaluation" in english
    assert "<mark>containers</mark>" in english
    chinese = client.get("/coordination/knowledge?q=海关培训&kind=lesson").text
    assert "海关培训经验" in chinese
    assert "<mark>海关培训</mark>" in chinese
    assert "Container screening evaluation" not in chinese
    bad = client.get("/coordination/knowledge?q=x&area=astrology")
    assert bad.status_code == 400
    assert 'data-testid="error-area"' in bad.text


def _centre_form(**changes: Any) -> dict[str, Any]:
    form = {"name": "Gulf Aviation Security Academy", "country": "AE", "city": "Abu Dhabi",
            "url": "https://example.org", "areas": ["transport_security"],
            "course_title": ["Airport screening", "", "Cargo security"],
            "course_area": ["transport_security", "customs", "transport_security"],
            "course_audience": ["Screeners", "", "Inspectors"],
            "course_days": ["10", "", "5"]}  # fmt: skip
    return {**form, **changes}


def test_centre_form_curricula_rows_and_project_links(site: Site) -> None:
    client, hub = site.clients["analyst"], site.hub
    hx = _hx(client)
    for field, changes in (("country", {"country": "Narnia"}), ("url", {"url": "ftp://x"})):
        resp = client.post("/coordination/centres", data=_centre_form(**changes), headers=hx)
        assert resp.status_code == 200
        data = {**_centre_form(**changes), "curricula": []}
        expected = _server_message(lambda d=data: centres.create_centre(hub, factories.OPERATOR, d))
        assert _error(resp.text, field) == expected
    # the blank second row is left out: the third row sent is the service's curricula[2]
    resp = client.post("/coordination/centres", data=_centre_form(course_days=["10", "", "0"]),
                       headers=hx)  # fmt: skip
    assert _error(resp.text, re.escape("curricula[2].duration_days")) == (
        "The duration in curricula[2].duration_days must be a whole number of days from 1 to 365,"
        " not '0'."
    )
    assert 'value="Cargo security"' in resp.text  # the rows come back as sent
    made = client.post("/coordination/centres", data=_centre_form(), headers=hx)
    path = made.headers["HX-Redirect"]
    centre_id = int(path.rsplit("/", 1)[1])
    view = centres.get_centre(site.hub, factories.OPERATOR, centre_id)
    assert [c.title for c in view.curricula] == ["Airport screening", "Cargo security"]
    row = client.get("/coordination/centres/course-row").text
    assert row.lstrip().startswith('<tr class="course"')
    own = site.world.projects[site.world.donors[0]][0]
    linked = client.post(f"{path}/projects", data={"project_id": str(own)}, headers=hx)
    assert 'data-testid="linked-project"' in linked.text
    foreign = site.world.projects[site.world.donors[1]][0]
    refused = client.post(f"{path}/projects", data={"project_id": str(foreign)}, headers=hx)
    assert (
        _error(refused.text, "project_id") == "This coordination belongs to another organisation."
    )
    nonsense = client.post(f"{path}/projects", data={"project_id": "x"}, headers=hx)
    assert _error(nonsense.text, "project_id") == "Enter a project number."
    unlinked = client.post(f"{path}/projects/{own}/unlink", headers=hx)
    assert 'data-testid="linked-project"' not in unlinked.text
    assert service.get_project(site.hub, factories.OPERATOR, own).id == own


def _panel_url(text: str) -> str:
    found = re.search(r'hx-get="([^"]+)"', text)
    assert found is not None, text[:500]
    return found.group(1)


def test_overlap_detection_runs_as_a_job(site: Site) -> None:
    client = site.clients["coordinator"]
    started = client.post("/coordination/overlaps/jobs?state=flagged", headers=_hx(client))
    assert started.status_code == 200
    assert 'data-testid="coordination-job"' in started.text
    assert re.search(r'data-state="(queued|running)"', started.text)
    url = _panel_url(started.text)
    assert url.startswith("/coordination/overlaps/jobs/")
    assert url.endswith("?state=flagged")
    _wait(site.hub)
    done = client.get(url)
    assert 'data-state="succeeded"' in done.text
    assert 'data-testid="detected"' in done.text
    assert "pairs flagged" in done.text
    assert site.clients["other"].get(url).status_code == 403  # another organisation's job
    plain = client.post("/coordination/overlaps/jobs", data=_token(client))
    assert "Overlap review" in plain.text
    assert 'data-testid="coordination-job"' in plain.text
    _wait(site.hub)


def _report_job(client: TestClient, hub: Hub, fmt: str) -> str:
    form = {"period": "2026H1", "lang": "en", "fmt": fmt}
    started = client.post("/coordination/report/jobs", data=form, headers=_hx(client))
    assert 'data-testid="coordination-job"' in started.text
    url = _panel_url(started.text)
    _wait(hub)
    done = client.get(url).text
    assert 'data-state="succeeded"' in done, done
    found = re.search(r'href="(/coordination/report/jobs/[0-9a-f]{32}/file)"', done)
    assert found is not None
    return found.group(1)


def test_report_runs_as_a_job_and_downloads_in_its_organisation(site: Site) -> None:
    client, hub = site.clients["coordinator"], site.hub
    html_file = _report_job(client, hub, "html")
    got = client.get(html_file)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/html")
    assert 'filename="ctc-report-2026H1-en.html"' in got.headers["content-disposition"]
    assert "2026H1" in got.text
    assert site.clients["secretariat"].get(html_file).status_code == 403  # a narrower reader
    assert site.clients["donor_admin"].get(html_file).status_code == 403
    assert site.clients["other"].get(html_file).status_code == 403
    pdf_file = _report_job(client, hub, "pdf")
    pdf = client.get(pdf_file)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (hub.settings.data_dir / "reports").is_dir()
    bad = client.post("/coordination/report/jobs", headers=_hx(client),
                      data={"period": "2026H3", "lang": "en", "fmt": "pdf"})  # fmt: skip
    assert "Invalid reporting period '2026H3': expected YYYYH1 or YYYYH2." in html.unescape(
        bad.text
    )
    form = {"period": "2026H3", "lang": "en", "fmt": "pdf", **_token(client)}
    plain = client.post("/coordination/report/jobs", data=form)
    assert plain.status_code == 400
    assert _error(plain.text, "period") == (
        "Invalid reporting period '2026H3': expected YYYYH1 or YYYYH2."
    )
    analyst = site.clients["analyst"]
    refused = analyst.post("/coordination/report/jobs", headers=_hx(analyst),
                                           data={"period": "2026H1", "fmt": "html"})  # fmt: skip
    assert refused.status_code == 200  # HTMX swaps only 2xx answers: the refusal in place
    assert "Your role (analyst) may not perform coordination.report." in refused.text

"""Coordination web pages through the test client: roles, login, inline errors, scope, CSV, CSRF.

Data is made through the services (``tests.factories.OPERATOR`` with ``org_id`` in the data):
a small generated register (``load_register``), each donor's projects recorded by the donor's
organisation, the needs by the secretariat, as ``cthub demo`` does it. Password hashing makes
logins slow, so one hub, register and logged-in client per role serve the whole module
(``site``); tests only add records and never rely on another test's changes.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cthub.coordination import analysis, generator, service, treaties, validation
from cthub.core import accounts
from cthub.core.db import Database
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from cthub.interfaces.web import coordination_pages
from cthub.interfaces.web.coordination_need_pages import NEED_CSV
from cthub.interfaces.web.coordination_project_pages import PROJECT_CSV
from tests import factories
from tests.conftest import make_settings
from tests.interfaces.test_web import _csrf, _login_form

SECRETARIAT = "CT Coordination Secretariat"


@dataclass(frozen=True)
class World:
    """Who and what the tests use: donor organisations by name, and the first project of each."""

    orgs: dict[str, int]
    donors: list[str]
    projects: dict[str, list[int]]
    needs: list[int]


def _org_id(hub: Hub, name: str) -> int:
    return accounts.create_org(hub, factories.OPERATOR, name[:200], "government").id


def load_register(hub: Hub, *, projects: int = 40, needs: int = 30) -> World:
    """A small generated register, recorded through the services by its donors' organisations."""
    register = generator.generate_register(
        seed=0, recipients=8, donors=4, projects=projects, needs=needs
    )
    donors = sorted({p.donor for p in register.projects})
    orgs = {name: _org_id(hub, name) for name in [*donors, SECRETARIAT]}
    need_ids: dict[int, int] = {}
    for n in register.needs:
        data = {
            "org_id": orgs[SECRETARIAT], "recipient": n.recipient, "area": n.area,
            "priority": n.priority, "title": n.title, "description": n.description,
            "status": n.status, "source": n.source, "identified_on": n.identified_on,
        }  # fmt: skip
        need_ids[n.id] = service.create_need(hub, factories.OPERATOR, data).id
    made: dict[str, list[int]] = {d: [] for d in donors}
    for p in register.projects:
        data = {
            "org_id": orgs[p.donor], "title": p.title, "description": p.description,
            "donor": p.donor, "implementer": p.implementer, "recipient": p.recipient,
            "areas": list(p.areas), "forms": list(p.forms), "status": p.status,
            "budget_minor": p.budget_minor, "currency": p.currency, "start_date": p.start,
            "end_date": p.end, "need_ids": [need_ids[i] for i in p.need_ids if i in need_ids],
        }  # fmt: skip
        made[p.donor].append(service.create_project(hub, factories.OPERATOR, data).id)
    treaties.load_instruments(hub, factories.OPERATOR)
    states = sorted({p.recipient for p in register.projects if len(p.recipient) == 2})
    rows = treaties.demo_status_rows(states, seed=0)
    treaties.import_status_rows(hub, factories.OPERATOR, rows, source="tests (synthetic)")
    analysis.detect(hub, factories.OPERATOR)
    return World(orgs, donors, made, list(need_ids.values()))


def member_of(hub: Hub, role: str, org_name: str) -> factories.Member:
    return factories.member(hub, role, org_name)


@dataclass(frozen=True)
class Site:
    hub: Hub
    world: World
    clients: dict[str, TestClient]  # "analyst" (first donor), "other" (second donor), ...
    members: dict[str, factories.Member]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("coordination-web")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    world = load_register(hub)
    members = {
        "analyst": member_of(hub, "analyst", world.donors[0]),
        "other": member_of(hub, "analyst", world.donors[1]),
        "coordinator": member_of(hub, "coordinator", SECRETARIAT),
    }
    with ExitStack() as stack:
        clients = {}
        for key, m in members.items():
            clients[key] = stack.enter_context(TestClient(create_app(hub=hub)))
            _login_form(clients[key], m)
        yield Site(hub, world, clients, members)
    hub.close()


def _error(page: str, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">([^<]*)<', page)
    assert found is not None, f"no inline error for {field}"
    return html.unescape(found.group(1))


def _server_message(exc_source: Any) -> str:
    try:
        exc_source()
    except InvalidInput as exc:
        return exc.render()
    raise AssertionError("expected InvalidInput")


PAGES = (
    ("/coordination", "Gaps by recipient and area"),
    ("/coordination/needs", "Capacity-building needs"),
    ("/coordination/projects", "Assistance projects"),
    ("/coordination/overlaps", "Overlap review"),
    ("/coordination/priorities", "Recipients by priority"),
    ("/coordination/needs/new", "Record a need"),
    ("/coordination/projects/new", "Record a project"),
)


@pytest.mark.parametrize("role", ["analyst", "coordinator"])
def test_every_page_renders(site: Site, role: str) -> None:
    client, world = site.clients[role], site.world
    project = world.projects[world.donors[0]][0]
    need = world.needs[0]
    recipient = service.get_project(site.hub, factories.OPERATOR, project).recipient
    pages = [
        *PAGES,
        (f"/coordination/projects/{project}", "Possible overlaps"),
        (f"/coordination/projects/{project}/edit", "Edit project"),
        (f"/coordination/countries/{recipient}", "Universal counter-terrorism instruments"),
        (f"/coordination/countries/{recipient.lower()}", "Coordination meetings"),
    ]
    if role == "coordinator":  # needs are the secretariat's; a donor's analyst does not see them
        pages += [
            (f"/coordination/needs/{need}", "Donors who could help"),
            (f"/coordination/needs/{need}/edit", "Edit need"),
            ("/coordination/report", "Semiannual report"),
        ]
    for path, text in pages:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.text[:500])
        assert text in resp.text, path
        assert '<nav class="sidenav"' in resp.text, path  # the one layout
    assert client.get("/coordination/report").status_code == (200 if role == "coordinator" else 403)
    assert (
        client.get("/coordination/charts.js").headers["content-type"].startswith("text/javascript")
    )


def test_anonymous_is_sent_to_login(site: Site) -> None:
    with TestClient(create_app(hub=site.hub)) as anonymous:
        for path in ("/coordination", "/coordination/needs", "/coordination/countries/JO"):
            resp = anonymous.get(path, follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=%2Fcoordination")


def _need_form(**changes: str) -> dict[str, str]:
    form = {"recipient": "JO", "area": "legislation", "priority": "4",
            "title": "Draft a counter-terrorism financing law", "source": "cted_assessment",
            "status": "open", "confidentiality": "TLP:GREEN",
            "identified_on": "2026-03-01"}  # fmt: skip
    return {**form, **changes}


def _hx(client: TestClient) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": _csrf(client)}


def test_need_form_errors_inline_in_the_servers_words(site: Site) -> None:
    client = site.clients["analyst"]
    hx = _hx(client)
    for field, value in (("recipient", "Atlantis"), ("priority", "9"), ("title", ""),
                         ("identified_on", "2026-13-01")):  # fmt: skip
        form = _need_form(**{field: value})
        resp = client.post("/coordination/needs", data=form, headers=hx)
        assert resp.status_code == 200  # HTMX swaps only 2xx answers
        expected = _server_message(lambda f=form: validation.need_data(f))
        assert _error(resp.text, field) == expected
        assert 'aria-invalid="true"' in resp.text
        assert resp.text.lstrip().startswith("<form")  # the form alone, swapped in place
    plain = client.post(
        "/coordination/needs", data={**_need_form(recipient=""), "csrf_token": hx["X-CSRF-Token"]}
    )
    assert plain.status_code == 400
    assert _error(plain.text, "recipient") == "The field recipient is required."
    made = client.post("/coordination/needs", data=_need_form(), headers=hx)
    location = made.headers["HX-Redirect"]
    assert re.fullmatch(r"/coordination/needs/\d+", location)
    assert "Draft a counter-terrorism financing law" in client.get(location).text


def test_need_edit_and_delete(site: Site) -> None:
    client = site.clients["analyst"]
    token = _csrf(client)
    made = client.post("/coordination/needs", data={**_need_form(), "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    path = made.headers["location"]
    edited = client.post(path, data={**_need_form(priority="2"), "csrf_token": token},
                         follow_redirects=False)  # fmt: skip
    assert edited.status_code == 303
    assert 'class="prio p2"' in client.get(path).text
    assert site.clients["other"].get(path).status_code == 403  # another donor's record
    assert "Deleting cannot be undone" in client.get(f"{path}/delete").text
    gone = client.post(f"{path}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert gone.headers["location"] == "/coordination/needs?deleted=1"
    assert client.get(path).status_code == 404


def _project_form(**changes: Any) -> dict[str, Any]:
    form = {"title": "Border management training", "donor": "Donor", "recipient": "JO",
            "areas": ["immigration", "customs"], "forms": ["training"], "status": "pipeline",
            "budget": "250000.50", "currency": "EUR", "start_date": "2026-01-01",
            "end_date": "2026-12-31"}  # fmt: skip
    return {**form, **changes}


def test_project_form_errors_and_multi_select(site: Site) -> None:
    client = site.clients["analyst"]
    hx = _hx(client)
    cases = (("areas", []), ("end_date", "2025-01-01"), ("budget", "12.345"),
             ("currency", "XXY"))  # fmt: skip
    for field, value in cases:
        form = _project_form(**{field: value})
        resp = client.post("/coordination/projects", data=form, headers=hx)
        expected = _server_message(lambda f=form: validation.project_data(f))
        assert _error(resp.text, field) == expected
    made = client.post("/coordination/projects", data=_project_form(), headers=hx)
    view = client.get(made.headers["HX-Redirect"]).text
    assert "250000.50 EUR" in view
    assert "Immigration law and practice" in view
    assert "Customs law and practice" in view
    edit = client.get(made.headers["HX-Redirect"] + "/edit").text
    assert 'value="immigration" checked' in edit
    assert 'value="legislation">' in edit
    options = client.get("/coordination/projects/need-options?recipient=JO").text
    assert 'name="need_ids"' in options or "No recorded needs" in options


def test_another_organisations_project_is_refused(site: Site) -> None:
    client, world = site.clients["analyst"], site.world
    mine, theirs = world.donors[0], world.donors[1]
    foreign = world.projects[theirs][0]
    assert client.get(f"/coordination/projects/{foreign}").status_code == 403
    assert client.get(f"/coordination/projects/{foreign}/edit").status_code == 403
    token = _csrf(client)
    update = client.post(f"/coordination/projects/{foreign}",
                         data={**_project_form(), "csrf_token": token})  # fmt: skip
    assert update.status_code == 403
    deleted = client.post(f"/coordination/projects/{foreign}/delete", data={"csrf_token": token})
    assert deleted.status_code == 403
    listed = csv.DictReader(io.StringIO(client.get("/coordination/projects.csv").text))
    assert {row["donor"] for row in listed} <= {mine, "Donor"}
    own = world.projects[mine][0]
    assert (
        f'href="/coordination/projects/{own}/edit"'
        in client.get(f"/coordination/projects/{own}").text
    )
    page = client.get(f"/coordination/projects/{foreign}")
    assert "belongs to another organisation" in page.text


def test_csv_exports_follow_the_filter(site: Site) -> None:
    client = site.clients["coordinator"]
    needs = client.get("/coordination/needs.csv?area=legislation&sort=priority")
    assert needs.headers["content-type"].startswith("text/csv")
    assert "attachment" in needs.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(needs.text)))
    assert tuple(rows[0]) == NEED_CSV
    assert len(rows) > 1
    assert {r[2] for r in rows[1:]} == {"legislation"}
    assert [int(r[3]) for r in rows[1:]] == sorted(int(r[3]) for r in rows[1:])
    projects = list(csv.reader(io.StringIO(client.get("/coordination/projects.csv").text)))
    assert tuple(projects[0]) == PROJECT_CSV
    total = service.list_projects(site.hub, factories.OPERATOR, limit=1).total
    assert len(projects) == 1 + total


def test_lists_sort_filter_and_page(site: Site) -> None:
    client = site.clients["coordinator"]
    page = client.get("/coordination/needs?sort=priority&status=open").text
    assert 'aria-sort="ascending"' in page
    assert "sort=-priority" in page  # the header link turns the order around
    bad = client.get("/coordination/needs?sort=nonsense")
    assert bad.status_code == 400
    assert "Cannot sort by nonsense." in bad.text
    many = client.get("/coordination/projects?page=2").text
    assert "Page 2 of" in many


def test_posts_need_the_csrf_token(site: Site) -> None:
    client = site.clients["coordinator"]
    for path, data in (
        ("/coordination/needs", _need_form()),
        ("/coordination/projects", _project_form()),
        ("/coordination/overlaps/detect", {}),
        ("/coordination/overlaps/1/decision", {"decision": "confirmed", "note": "x"}),
        ("/coordination/priorities/weights", {}),
        ("/coordination/countries/JO/adjustment", {"adjustment": "0.1", "reason": "x"}),
        ("/coordination/report/download", {"period": "2026H2", "lang": "en", "fmt": "html"}),
        (f"/coordination/needs/{site.world.needs[0]}/delete", {}),
    ):
        resp = client.post(path, data=data)
        assert resp.status_code == 403, path
        assert "security token" in resp.text, path


def test_overlap_review_is_the_coordinators(site: Site) -> None:
    flagged = analysis.list_overlaps(site.hub, factories.OPERATOR, state="flagged")
    assert flagged, "the generated register plants overlaps"
    pair = flagged[-1]
    analyst = site.clients["analyst"]
    page = analyst.get("/coordination/overlaps").text
    assert 'data-testid="read-only"' in page
    assert 'data-testid="confirm"' not in page
    url = f"/coordination/overlaps/{pair.id}/decision"
    refused = analyst.post(url, data={"decision": "confirmed", "note": "dup"}, headers=_hx(analyst))
    assert "may not perform coordination.review" in refused.text
    client = site.clients["coordinator"]
    assert 'data-testid="confirm"' in client.get("/coordination/overlaps").text
    hx = _hx(client)
    empty = client.post(url, data={"decision": "confirmed", "note": " "}, headers=hx)
    assert _error(empty.text, "note") == "Give the reason for the decision."
    done = client.post(url, data={"decision": "confirmed", "note": "Same course"}, headers=hx)
    assert 'data-state="confirmed"' in done.text
    assert "Same course" in done.text
    detected = client.post("/coordination/overlaps/detect", headers=hx)
    assert 'data-testid="detected"' in detected.text
    assert "Same course" in client.get("/coordination/overlaps?state=confirmed").text


def test_report_preview_and_downloads(site: Site) -> None:
    client = site.clients["coordinator"]
    bad = client.get("/coordination/report?period=2026H3&lang=en")
    assert bad.status_code == 400
    assert _error(bad.text, "period") == (
        "Invalid reporting period '2026H3': expected YYYYH1 or YYYYH2."
    )
    page = client.get("/coordination/report?period=2026H1&lang=en")
    assert page.status_code == 200
    assert '<iframe class="report-frame"' in page.text
    assert "sandbox srcdoc=" in page.text
    form = {"period": "2026H1", "lang": "zh_Hans", "fmt": "html", "csrf_token": _csrf(client)}
    got = client.post("/coordination/report/download", data=form)
    assert got.headers["content-type"].startswith("text/html")
    assert 'filename="ctc-report-2026H1-zh_Hans.html"' in got.headers["content-disposition"]
    assert "2026H1" in client.get("/coordination/report").text  # the history lists it


def test_priority_adjustment_inline_errors(site: Site) -> None:
    client = site.clients["coordinator"]
    code = service.get_need(site.hub, factories.OPERATOR, site.world.needs[0]).recipient
    token = _csrf(client)
    url = f"/coordination/countries/{code}/adjustment"
    resp = client.post(url, data={"adjustment": "0.2", "reason": "", "csrf_token": token})
    assert _error(resp.text, "reason") == "Give the reason for the adjustment."
    resp = client.post(url, data={"adjustment": "3", "reason": "x", "csrf_token": token})
    assert _error(resp.text, "adjustment") == "An adjustment must lie between -1 and 1, not 3.0."
    ok = client.post(url, data={"adjustment": "0.2", "reason": "Mission report",
                                "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    assert "+0.20" in client.get(f"/coordination/countries/{code}").text
    assert (
        'data-testid="adjust-form"'
        not in site.clients["analyst"].get(f"/coordination/countries/{code}").text
    )


def test_navigation_entries_lead_to_pages(site: Site) -> None:
    client = site.clients["coordinator"]
    items = coordination_pages.nav()
    assert [i.label for i in items] == ["Coordination", "Needs", "Projects", "Overlaps",
                                        "Priorities", "Meetings", "Knowledge",
                                        "CTC report"]  # fmt: skip
    for item in items:
        assert client.get(item.href).status_code == 200, item.href


def test_priority_weights_editor(site: Site) -> None:
    client = site.clients["coordinator"]
    token = _csrf(client)
    weights = {"w_need_pressure": "0.35", "w_unmet_gap": "0.35", "w_treaty_shortfall": "0.2",
               "w_assessment_recency": "0.1", "csrf_token": token}  # fmt: skip
    url = "/coordination/priorities/weights"
    resp = client.post(url, data={**weights, "w_unmet_gap": "-1"})
    assert resp.status_code == 400
    assert _error(resp.text, "unmet_gap") == (
        "Priority weight unmet_gap must be a number of 0 or more, not -1.0."
    )
    resp = client.post(url, data={**weights, "w_treaty_shortfall": "a lot"})
    assert _error(resp.text, "treaty_shortfall") == "Enter a number of 0 or more."
    saved = client.post(url, data=weights, follow_redirects=False)
    assert saved.headers["location"] == "/coordination/priorities?saved=1"
    assert 'data-testid="saved"' in client.get(saved.headers["location"]).text
    assert (
        'data-testid="weights"' not in site.clients["analyst"].get("/coordination/priorities").text
    )

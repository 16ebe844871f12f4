"""Travel web pages through the test client: login, roles, forms with inline errors, decisions.

Data is stored through ``cthub.travel.store`` from hand-built records (``build_world``): one
flight today with an API manifest and two PNR pushes (a booking of two, paid in cash the day
before, which the built-in ``one-way-cash-last-minute`` rule flags; an expired passport for
the document-data check), and one flight old enough for retention to mask it. Password
hashing makes logins slow, so one hub, world and logged-in client per role serve the module
(``site``); tests only add records and never rely on another test's changes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cthub import travel
from cthub.core import accounts
from cthub.core.db import Database, utcnow
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from cthub.travel.models import TravelDecision, TravelHit
from cthub.travel.records import Leg, Message, ParseResult, Passenger, Payment, Pnr, TravelDocument
from cthub.travel.store import store_result
from tests import factories
from tests.conftest import make_settings
from tests.interfaces.test_web import _csrf, _login_form

ORG = "Passenger Information Unit"
OTHER_ORG = "Another Unit"


def travel_app(hub: Hub) -> FastAPI:
    """The app as `cthub serve` builds it (``mount`` includes the travel pages)."""
    return create_app(hub=hub)


@dataclass(frozen=True)
class World:
    org_id: int
    flight_id: int
    old_flight_id: int
    people: dict[str, int]  # surname/given -> passenger id (API rows; PNR rows as "pnr:...")
    masked_id: int


def _person(name: str, seat: str, locator: str, doc: str, expiry: dt.date, **kw: Any) -> Passenger:
    surname, given = name.split("/")
    document = TravelDocument("P", doc, "TUR", expiry=expiry, nationality="TUR")
    return Passenger(
        name=name,
        surname=surname,
        given=given,
        seat=seat,
        pnr_locator=locator,
        nationality="TUR",
        documents=(document,),
        **kw,
    )


def _store(hub: Hub, org_id: int, name: str, *messages: Message) -> None:
    with hub.db.session() as s:
        store_result(s, org_id, ParseResult(name, list(messages)), name.encode(), "test")


def build_world(hub: Hub, org_id: int, day: dt.date | None = None) -> World:
    """Flight XY123 IST-AMM on ``day`` (today) with manifest, PNRs and hits; XY777 long ago."""
    day = day or utcnow().date()
    dep = dt.datetime.combine(day, dt.time(10, 0))
    leg = Leg("XY", "123", "IST", "AMM", dep, dep + dt.timedelta(hours=2, minutes=30))
    expired, valid = day - dt.timedelta(days=3), day + dt.timedelta(days=900)
    people = (
        _person(
            "DOE/JOHN",
            "12A",
            "ABC123",
            "X1234567",
            expired,
            gender="M",
            birth_date=dt.date(1980, 5, 1),
        ),
        _person("DOE/JANE", "12B", "ABC123", "X7654321", valid, gender="F"),
        _person("SMITH/ALEX", "12C", "XYZ999", "Y5550001", valid),
        Passenger(name="PILOT/ANNA", surname="PILOT", given="ANNA", role="crew", nationality="JOR"),
    )
    _store(hub, org_id, "manifest.edi", Message("PAXLST", "D:05B", leg, (leg,), people))
    booked = dep - dt.timedelta(hours=20)

    def pnr(
        locator: str, travellers: tuple[Passenger, ...], *, emails: tuple[str, ...] = ()
    ) -> Pnr:
        return Pnr(
            locator,
            "XY",
            created=booked,
            travellers=travellers,
            itinerary=(leg,),
            payments=(Payment("CA", amount="450.00", currency="EUR"),),
            contacts=("+90 555 1234",),
            emails=emails,
            agency="IST TRAVEL",
            agency_country="TUR",
        )

    pair = tuple(Passenger(p.name, p.surname, p.given, seat=p.seat) for p in people[:2])
    single = (Passenger("SMITH/ALEX", "SMITH", "ALEX", seat="12C"),)
    _store(
        hub,
        org_id,
        "pnr-1.edi",
        Message("PNRGOV", "11:1", leg, (leg,), pnrs=(pnr("ABC123", pair), pnr("XYZ999", single))),
    )
    _store(
        hub,
        org_id,
        "pnr-2.edi",
        Message(
            "PNRGOV", "11:1", leg, (leg,), pnrs=(pnr("ABC123", pair, emails=("doe@example.org",)),)
        ),
    )
    old_day = day - dt.timedelta(days=400)
    old_dep = dt.datetime.combine(old_day, dt.time(8, 0))
    old = Leg("XY", "777", "AMM", "IST", old_dep, old_dep + dt.timedelta(hours=2))
    _store(
        hub,
        org_id,
        "old.edi",
        Message(
            "PAXLST", "D:05B", old, (old,), (_person("OLD/PERSON", "3F", "", "Z0000001", valid),)
        ),
    )
    flights = {f.designator: f.id for f in travel.flights(hub, factories.OPERATOR)}
    travel.run_checks(hub, factories.OPERATOR, [flights["XY123"]])
    travel.retention_run(hub, factories.OPERATOR)
    found = {}
    for fid in flights.values():
        for p in travel.manifest(hub, factories.OPERATOR, fid).passengers:
            found[p.name if p.source == "api" else f"pnr:{p.name}"] = p.id
    return World(org_id, flights["XY123"], flights["XY777"], found, found["MASKED"])


@dataclass(frozen=True)
class Site:
    hub: Hub
    world: World
    clients: dict[str, TestClient]
    members: dict[str, factories.Member]


ROLES = ("admin", "admin2", "analyst", "reviewer", "viewer", "coordinator", "other")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("travel-web")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    org_id = accounts.create_org(hub, factories.OPERATOR, ORG, "fiu").id
    factories.org(hub, OTHER_ORG)
    world = build_world(hub, org_id)
    members = {
        key: factories.member(
            hub,
            key.rstrip("2") if key != "other" else "analyst",
            OTHER_ORG if key == "other" else ORG,
        )
        for key in ROLES
    }
    with ExitStack() as stack:
        clients = {}
        for key, m in members.items():
            clients[key] = stack.enter_context(TestClient(travel_app(hub)))
            _login_form(clients[key], m)
        yield Site(hub, world, clients, members)
    hub.close()


def _hx(client: TestClient) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": _csrf(client)}


def _error(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert found is not None, f"no {testid} in the page"
    return html.unescape(found.group(1)).strip()


def _hit(site: Site, passenger: str, check: str) -> TravelHit:
    detail = travel.passenger(site.hub, factories.OPERATOR, site.world.people[passenger])
    return next(h for h in detail.hits if h.check == check)


def _pages(world: World) -> list[tuple[str, str]]:
    john = world.people["DOE/JOHN"]
    return [
        ("/travel", "XY123"),
        ("/travel?all=1", "XY777"),
        (f"/travel/flights/{world.flight_id}", "PILOT/ANNA"),
        (f"/travel/passengers/{john}", "Push history"),
        (f"/travel/passengers/{world.masked_id}", "Masked passenger"),
        ("/travel/review", "DOE/JOHN"),
        ("/travel/rules", "one-way-cash-last-minute"),
        ("/travel/rules/one-way-cash-last-minute", "Versions"),
        ("/travel/retention", "Unmask requests"),
    ]


def test_every_page_needs_a_login(site: Site) -> None:
    with TestClient(travel_app(site.hub)) as anonymous:
        for path, _text in [*_pages(site.world), ("/travel/rules/new", "")]:
            resp = anonymous.get(path, follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=%2Ftravel"), path


@pytest.mark.parametrize("role", ["admin", "analyst", "reviewer", "viewer"])
def test_every_page_renders_for_staff(site: Site, role: str) -> None:
    client = site.clients[role]
    for path, text in _pages(site.world):
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.text[:800])
        assert text in resp.text, path
        assert '<nav class="sidenav"' in resp.text, path
        assert 'href="/travel/review"' in resp.text, path  # the navigation entries
    new_rule = client.get("/travel/rules/new")
    assert new_rule.status_code == (200 if role in ("admin", "analyst") else 403)


def test_wrong_role_and_other_organisation_are_refused(site: Site) -> None:
    coordinator = site.clients["coordinator"]
    for path, _text in _pages(site.world):
        assert coordinator.get(path).status_code == 403, path
    assert 'href="/travel"' not in coordinator.get("/").text  # no navigation entry either
    other = site.clients["other"]
    assert "XY123" not in other.get("/travel?all=1").text
    assert other.get(f"/travel/flights/{site.world.flight_id}").status_code == 404
    assert other.get(f"/travel/passengers/{site.world.people['DOE/JOHN']}").status_code == 404


def test_flights_of_a_day(site: Site) -> None:
    client = site.clients["analyst"]
    page = client.get("/travel").text
    assert "XY123" in page
    assert "XY777" not in page
    assert 'data-testid="check-now"' in page
    old_day = (utcnow().date() - dt.timedelta(days=400)).isoformat()
    old = client.get(f"/travel?day={old_day}").text
    assert "XY777" in old
    assert 'data-testid="masked"' in old
    bad = client.get("/travel?day=2026-13-40").text
    assert _error(bad, "error-day") == "2026-13-40 is not a date; write it as YYYY-MM-DD."
    assert 'data-testid="check-now"' not in site.clients["viewer"].get("/travel").text


def test_check_now_runs_the_days_checks(site: Site) -> None:
    client = site.clients["analyst"]
    resp = client.post("/travel/check", data={"day": ""}, headers=_hx(client))
    assert resp.status_code == 200
    assert resp.text.lstrip().startswith('<div id="flights-body">')
    assert "Checked 1 flights and" in _error(resp.text, "check-result")
    old_day = (utcnow().date() - dt.timedelta(days=400)).isoformat()
    masked_only = client.post("/travel/check", data={"day": old_day}, headers=_hx(client))
    assert "There is no unmasked flight to check." in masked_only.text
    viewer = site.clients["viewer"]
    refused = viewer.post("/travel/check", data={"csrf_token": _csrf(viewer)})
    assert refused.status_code == 403
    assert 'data-testid="form-error"' in refused.text


def test_manifest_filters_by_role(site: Site) -> None:
    client = site.clients["viewer"]
    path = f"/travel/flights/{site.world.flight_id}"
    page = client.get(path).text
    assert "DOE/JOHN" in page
    assert "PILOT/ANNA" in page
    assert "ABC123" in page
    assert "X1234567" in page  # the document column
    crew = client.get(f"{path}?role=crew").text
    assert "PILOT/ANNA" in crew
    assert "DOE/JOHN" not in crew
    assert f'href="/travel/passengers/{site.world.people["DOE/JOHN"]}"' in page


def test_passenger_page_shows_pnr_history_co_travellers_and_hits(site: Site) -> None:
    john = site.world.people["DOE/JOHN"]
    page = site.clients["viewer"].get(f"/travel/passengers/{john}").text
    assert "Passenger name record ABC123" in page
    assert "IST TRAVEL" in page
    assert "450.00 EUR" in page
    assert "Version 2" in page
    assert "doe@example.org" in page
    assert 'data-testid="graph"' in page  # the co-traveller graph, with its table
    table = page.split('data-testid="co-traveller-table"')[1]
    assert "DOE/JANE" in table
    assert "Same booking" in table
    assert "expired on" in page  # the document-data hit, explained
    assert "one-way-cash-last-minute" in page
    assert 'data-testid="decision-form"' not in page  # a viewer does not decide
    assert 'data-testid="read-only"' in page


def test_decision_needs_reason_and_legal_basis_and_is_recorded(site: Site) -> None:
    client = site.clients["reviewer"]
    hit = _hit(site, "DOE/JOHN", "mrz")
    url = f"/travel/passengers/{hit.passenger_id}/hits/{hit.id}/decision"
    hx = _hx(client)
    no_reason = client.post(url, data={"decision": "confirmed"}, headers=hx)
    assert no_reason.status_code == 200
    assert no_reason.text.lstrip().startswith("<article")
    assert _error(no_reason.text, "error-reason") == "Give the reason for the decision."
    no_basis = client.post(url, data={"decision": "confirmed", "reason": "Same person"}, headers=hx)
    assert _error(no_basis.text, "error-legal_basis") == (
        "A confirmed hit needs the legal basis under which the passenger's data is kept."
    )
    assert "Same person" in no_basis.text  # what was typed stays
    done = client.post(
        url,
        data={
            "decision": "confirmed",
            "reason": "Passport expired, seen",
            "legal_basis": "Art. 6(2)(b), case 2026/17",
        },
        headers=hx,
    )
    assert 'data-state="confirmed"' in done.text
    member = site.members["reviewer"]
    assert f"Confirmed by {member.username} on " in done.text
    with site.hub.db.session(readonly=True) as s:
        record = s.query(TravelDecision).filter_by(hit_id=hit.id).one()
        assert record.decided_by == member.username
        assert record.legal_basis == "Art. 6(2)(b), case 2026/17"
        assert abs((utcnow() - record.decided_at.replace(tzinfo=dt.UTC)).total_seconds()) < 60


def test_dismiss_without_htmx_redirects_and_a_viewer_is_refused(site: Site) -> None:
    hit = _hit(site, "DOE/JANE", "rule")
    url = f"/travel/passengers/{hit.passenger_id}/hits/{hit.id}/decision"
    viewer = site.clients["viewer"]
    refused = viewer.post(
        url, data={"decision": "dismissed", "reason": "x", "csrf_token": _csrf(viewer)}
    )
    assert refused.status_code == 403
    assert 'data-testid="form-error"' in refused.text
    reviewer = site.clients["reviewer"]
    done = reviewer.post(
        url,
        data={
            "decision": "dismissed",
            "reason": "Family trip, known",
            "csrf_token": _csrf(reviewer),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"].endswith(f"#hit-{hit.id}")
    other = site.world.people["SMITH/ALEX"]  # the hit is not this passenger's
    wrong = reviewer.post(
        f"/travel/passengers/{other}/hits/{hit.id}/decision",
        data={"decision": "dismissed", "reason": "x"},
        headers=_hx(reviewer),
    )
    assert wrong.status_code == 404


def test_review_queue_filters_and_tabs(site: Site) -> None:
    client = site.clients["viewer"]
    page = client.get("/travel/review").text
    assert "DOE/JOHN" in page
    assert 'aria-current="page" data-testid="tab-open"' in page
    rules_only = client.get("/travel/review?check=rule").text
    assert "expired on" not in rules_only
    assert "one-way-cash-last-minute" in rules_only
    assert "No hit in this state." in client.get("/travel/review?check=watchlist").text
    flight = client.get(f"/travel/review?flight={site.world.flight_id}&check=mrz").text
    assert "expired on" in flight or "No hit in this state." in flight
    for state in ("confirmed", "dismissed", "withdrawn"):
        assert client.get(f"/travel/review?state={state}").status_code == 200


def _rule_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "cash-agency-test",
        "description": "Cash bookings through an agency.",
        "match": "all",
        "weight": "0.6",
        "severity": "medium",
        "cond_field": ["paid_cash", "agency_country"],
        "cond_op": ["is_true", "in"],
        "cond_value": ["", "TUR, JOR"],
    }
    return {**form, **changes}


def test_rule_save_writes_versions_and_refuses_a_sensitive_rule(site: Site) -> None:
    client = site.clients["analyst"]
    hx = _hx(client)
    made = client.post("/travel/rules", data=_rule_form(), headers=hx)
    assert made.headers["HX-Redirect"] == "/travel/rules/cash-agency-test?saved=1"
    again = client.post("/travel/rules", data=_rule_form(weight="0.7"), headers=hx)
    assert again.headers["HX-Redirect"] == "/travel/rules/cash-agency-test?saved=2"
    history = travel.rule_history(site.hub, site.members["analyst"].actor, "cash-agency-test")
    assert [v.version for v in history] == [1, 2]
    assert history[-1].weight == 0.7
    assert history[-1].definition["conditions"][1]["value"] == ["TUR", "JOR"]
    page = client.get("/travel/rules/cash-agency-test").text
    assert page.count('data-testid="rule-version"') == 2
    sensitive = _rule_form(
        cond_field=["paid_cash", "remarks"],
        cond_op=["is_true", "contains"],
        cond_value=["", "halal"],
    )
    refused = client.post("/travel/rules", data=sensitive, headers=hx)
    assert refused.status_code == 200
    assert refused.text.lstrip().startswith("<form")
    message = _error(refused.text, "error-condition")
    assert message.startswith("Condition 2: the value halal of remarks reveals religion")
    rows = refused.text.split('data-testid="conditions-row"')
    assert 'data-testid="error-condition"' in rows[2]  # beside the second condition
    assert 'value="halal"' in rows[2]  # what was typed stays
    plain = client.post(
        "/travel/rules", data={**_rule_form(weight="7"), "csrf_token": hx["X-CSRF-Token"]}
    )
    assert plain.status_code == 400
    assert _error(plain.text, "error-weight").startswith("Rule cash-agency-test: weight must be")
    assert (
        client.post(
            "/travel/rules", data=_rule_form(cond_field=[], cond_op=[], cond_value=[]), headers=hx
        ).text.count('data-testid="error-conditions"')
        == 1
    )


def test_rule_builder_rows_test_and_retire(site: Site) -> None:
    client = site.clients["analyst"]
    row = client.get(
        "/travel/rules/condition?kind=unless&unless_field=hours_booking_to_departure",
        headers={"HX-Request": "true"},
    ).text
    ops = [
        html.unescape(o)
        for o in re.findall(r'<option value="([^"]+)"', row.split('data-testid="cond-op"')[1])
    ]
    assert ops[:3] == ["=", "!=", "<"]
    assert "contains" not in ops
    assert 'name="unless_field"' in row
    form = client.get("/travel/rules/new").text
    assert "<optgroup" in form
    assert 'data-testid="add-conditions"' in form
    tested = client.post("/travel/rules/one-way-cash-last-minute/test", headers=_hx(client))
    assert "stored passengers (nothing was stored)" in tested.text
    assert "DOE/JOHN" in tested.text
    client.post("/travel/rules", data=_rule_form(name="to-retire"), headers=_hx(client))
    token = _csrf(client)
    empty = client.post("/travel/rules/to-retire/retire", data={"csrf_token": token})
    assert _error(empty.text, "error-note") == "Give the reason for retiring the rule."
    done = client.post(
        "/travel/rules/to-retire/retire",
        data={"note": "duplicate", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "to-retire" not in client.get("/travel/rules").text
    assert 'data-testid="retired"' in client.get("/travel/rules/to-retire").text
    viewer = site.clients["viewer"]
    assert (
        viewer.post(
            "/travel/rules", data=_rule_form(name="viewer-rule"), headers=_hx(viewer)
        ).text.count("form-error")
        >= 1
    )


def test_retention_page_run_and_unmask_flow(site: Site) -> None:
    viewer = site.clients["viewer"]
    page = viewer.get("/travel/retention").text
    assert 'data-testid="run-retention"' not in page
    assert _error(page, "count-masked") == "1"
    admin, admin2 = site.clients["admin"], site.clients["admin2"]
    ran = admin.post("/travel/retention/run", data={"csrf_token": _csrf(admin)})
    assert ran.status_code == 200
    assert 'data-testid="retention-result"' in ran.text
    masked = site.world.masked_id
    analyst = site.clients["analyst"]
    short = analyst.post(
        f"/travel/passengers/{masked}/unmask", data={"reason": "why"}, headers=_hx(analyst)
    )
    assert _error(short.text, "error-reason").startswith("Say why the passenger must be unmasked")
    asked = admin.post(
        f"/travel/passengers/{masked}/unmask",
        data={"reason": "Case 2026/17: co-traveller of a confirmed hit"},
        headers=_hx(admin),
    )
    assert 'data-testid="unmask-asked"' in asked.text
    request_id = travel.unmask_requests(site.hub, factories.OPERATOR, "pending")[0].id
    url = f"/travel/unmask-requests/{request_id}/decision"
    own = admin.post(url, data={"decision": "approve", "note": "ok"}, headers=_hx(admin))
    assert _error(own.text, "form-error").startswith(
        "An unmask request must be decided by someone other than who asked."
    )
    no_note = admin2.post(url, data={"decision": "approve", "note": ""}, headers=_hx(admin2))
    assert _error(no_note.text, "error-note") == "Give the grounds of the decision."
    approved = admin2.post(
        url, data={"decision": "approve", "note": "Case file checked"}, headers=_hx(admin2)
    )
    assert 'data-testid="decided-request"' in approved.text
    assert "Case file checked" in approved.text
    passenger = admin.get(f"/travel/passengers/{masked}").text
    assert f'href="/travel/unmask/{request_id}"' in passenger
    record = admin.get(f"/travel/unmask/{request_id}").text
    assert "OLD/PERSON" in record
    assert "Z0000001" in record
    assert (
        viewer.post(
            url, data={"decision": "refuse", "note": "x", "csrf_token": _csrf(viewer)}
        ).status_code
        == 403
    )


def test_the_pages_speak_chinese(site: Site) -> None:
    client = site.clients["viewer"]
    client.cookies.set("cthub_lang", "zh_Hans")
    try:
        page = client.get("/travel")
        assert page.status_code == 200
        assert 'lang="zh-Hans"' in page.text
    finally:
        client.cookies.delete("cthub_lang")

"""Exchange web pages through the test client, on ``build_world`` (an FIU with an admin and an
analyst, a border agency on the same node as a local partner, two remote partners and an
audience of them): every page needs a login and the exchange read right; the package form
makes a package and repeats the service's refusal word for word under its field; a package's
page shows its rule in words and its decisions; correction and erasure; partners, audiences,
suspension and an export with its refusals; the disclosure log and its verification; lawful
requests sent, answered and overdue; onward approvals; CSRF.

Password hashing makes logins slow, so one hub and one logged-in client per role serve the
module (``site``); each test makes the packages and requests it needs.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.exchange import lawful, onward, packages, partners
from cthub.interfaces.api import create_app
from cthub.interfaces.web import exchange_pages
from tests import factories
from tests.conftest import make_settings
from tests.exchange.conftest import World, build_world, stix_bundle

ROLES = ("admin", "analyst", "viewer", "coordinator", "border")


@dataclass(frozen=True)
class Site:
    hub: Hub
    world: World
    clients: dict[str, TestClient]
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("exchange-web")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    world = build_world(hub)
    members = {
        "admin": world.admin,
        "analyst": world.analyst,
        "viewer": factories.member(hub, "viewer", world.origin),
        "coordinator": factories.member(hub, "coordinator", world.origin),
        "border": world.local_user,
    }
    # the border agency answers requests to the FIU: it registers the FIU as its partner
    border_admin = factories.member(hub, "admin", world.local_org)
    partners.add_partner(hub, border_admin.actor, "origin-fiu", local_org=world.origin)
    with ExitStack() as stack:
        clients, tokens = {}, {}
        for role, m in members.items():
            clients[role] = stack.enter_context(TestClient(create_app(hub=hub)))
            tokens[role] = factories.login(clients[role], m)
        yield Site(hub, world, clients, tokens)
    hub.close()


def _page(site: Site, path: str, role: str = "analyst") -> str:
    resp = site.clients[role].get(path)
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:800])
    return str(resp.text)


def _post(site: Site, path: str, role: str = "analyst", **kw: object) -> object:
    data = dict(kw.pop("data", {}))  # type: ignore[call-overload]
    data["csrf_token"] = site.tokens[role]
    return site.clients[role].post(path, data=data, follow_redirects=False, **kw)  # type: ignore[arg-type]


def _text(page: str, testid: str) -> str:
    found = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert found is not None, f"no {testid} in the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def _package(site: Site, tlp: str = "amber", **spec: object) -> packages.PackageView:
    rule = {"partners": ("fiu-b",), "purposes": ("ct-investigation",), "legal_basis": "Art. 7"}
    rule.update(spec)  # type: ignore[arg-type]
    return packages.create(site.hub, site.world.analyst.actor, stix_bundle(6), "feed.json",
                           packages.ReleaseSpec(tlp=tlp, **rule), title="Collection wallets")  # type: ignore[arg-type]  # fmt: skip


PAGES = ["/exchange", "/exchange/incoming", "/exchange/partners", "/exchange/log",
         "/exchange/requests", "/exchange/requests?box=sent", "/exchange/onward"]  # fmt: skip


def test_every_page_needs_a_login_and_the_read_right(site: Site) -> None:
    with TestClient(create_app(hub=site.hub)) as anonymous:
        for path in PAGES:
            resp = anonymous.get(path, follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=%2Fexchange"), path
    for path in PAGES:
        assert site.clients["coordinator"].get(path).status_code == 403, path
        for role in ("viewer", "analyst", "admin"):
            page = _page(site, path, role)
            assert 'data-testid="exchange-tabs"' in page, path


def test_navigation_entries() -> None:
    items = exchange_pages.nav()
    assert [i.href for i in items] == ["/exchange", "/exchange/requests"]
    assert "coordinator" not in items[0].roles
    assert "viewer" in items[0].roles


def test_the_package_form_creates_a_package(site: Site) -> None:
    form = site.clients["analyst"].get("/exchange").text
    assert 'data-testid="package-form"' in form
    assert '<option value="fiu-b">' in form
    assert '<option value="fius">' in form
    assert 'data-testid="package-form"' not in _page(site, "/exchange", "viewer")
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    resp = _post(
        site,
        "/exchange/packages",
        files={"file": ("feed.json", stix_bundle(5))},
        data={
            "title": "Wallets",
            "tlp": "TLP:AMBER",
            "partners": ["fiu-b", "fiu-c"],
            "purposes": ["ct-investigation", "financial-intelligence"],
            "legal_basis": "MoU 2026/4",
            "expires": later,
            "pap": "PAP:GREEN",
        },
    )
    assert resp.status_code == 303  # type: ignore[attr-defined]
    where = resp.headers["location"]  # type: ignore[attr-defined]
    page = _page(site, where)
    words = _text(page, "rule-words")
    assert "TLP:AMBER: only the partners named below, on a need-to-know basis." in words
    assert "Partners named: fiu-b, fiu-c." in words
    assert f"The grant expires on {later} and stops by itself." in words
    assert _text(page, "objects") == "5"
    assert _text(page, "version") == "1"
    assert 'data-testid="correct-form"' in page
    assert 'data-testid="erase-form"' in page
    listed = _page(site, "/exchange?tlp=TLP:AMBER&sort=title")
    assert where in listed
    assert where not in _page(site, "/exchange?tlp=TLP:RED")
    assert where not in _page(site, "/exchange?state=erased")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"tlp": "TLP:AMBER", "partners": "fiu-b", "legal_basis": "x"}, "purposes",
         "A package needs at least one purpose."),
        ({"tlp": "TLP:AMBER", "partners": "fiu-b", "purposes": "ct-investigation"},
         "legal_basis", "A package above TLP:CLEAR needs its legal basis."),
        ({"tlp": "TLP:RED", "audiences": "fius", "purposes": "ct-investigation",
          "legal_basis": "x"}, "partners",
         "TLP:RED goes to partners named individually, not to audiences."),
        ({"tlp": "TLP:GREEN", "purposes": "ct-investigation", "legal_basis": "x",
          "expires": "2001-01-01"}, "expires", "The expiry 2001-01-01 is in the past."),
        ({"tlp": "TLP:GREEN", "purposes": "ct-investigation", "expires": "soon"}, "expires",
         "soon is not a date."),
    ],
)  # fmt: skip
def test_the_package_form_repeats_the_refusal(
    site: Site, data: dict[str, str], field: str, message: str
) -> None:
    resp = _post(site, "/exchange/packages", files={"file": ("feed.json", stix_bundle(3))},
                 data=data)  # fmt: skip
    assert resp.status_code == 400  # type: ignore[attr-defined]
    page = resp.text  # type: ignore[attr-defined]
    assert _text(page, f"error-{field}") == message
    assert "<details" in page
    assert 'data-testid="new-package" open' in page


def test_the_package_form_needs_a_file_and_csrf(site: Site) -> None:
    resp = _post(site, "/exchange/packages", data={"tlp": "TLP:CLEAR"})
    assert resp.status_code == 400  # type: ignore[attr-defined]
    assert _text(resp.text, "error-file") == "Choose the file to share."  # type: ignore[attr-defined]
    refused = site.clients["analyst"].post(
        "/exchange/packages", files={"file": ("f.json", stix_bundle(2))},
        data={"tlp": "TLP:CLEAR", "purposes": "ct-investigation"}, follow_redirects=False,
    )  # fmt: skip
    assert refused.status_code == 403
    assert "security token" in refused.text
    viewer = _post(site, "/exchange/packages", "viewer", files={"file": ("f", b"x")},
                   data={"tlp": "TLP:CLEAR", "purposes": "ct-investigation"})  # fmt: skip
    assert viewer.status_code == 403  # type: ignore[attr-defined]


def test_correct_and_erase(site: Site) -> None:
    made = _package(site)
    where = f"/exchange/packages/{made.id}"
    no_reason = _post(site, f"{where}/correction", files={"file": ("f.json", stix_bundle(4))})
    assert _text(no_reason.text, "error-reason") == "A correction needs a reason."  # type: ignore[attr-defined]
    done = _post(site, f"{where}/correction", files={"file": ("f.json", stix_bundle(4, seed=3))},
                 data={"reason": "Wrong wallet"})  # fmt: skip
    assert done.status_code == 303  # type: ignore[attr-defined]
    page = _page(site, where)
    assert _text(page, "version") == "2"
    assert _text(page, "objects") == "4"
    empty = _post(site, f"{where}/erasure", data={"reason": " "})
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert _text(empty.text, "error-reason") == "An erasure needs a reason."  # type: ignore[attr-defined]
    assert _post(site, f"{where}/erasure", data={"reason": "Court order"}).status_code == 303  # type: ignore[attr-defined]
    page = _page(site, where)
    assert "Erased by the originator: Court order." in _text(page, "rule-words")
    assert 'data-testid="erase-form"' not in page
    assert site.clients["analyst"].get("/exchange/packages/" + "0" * 36).status_code == 404


def test_partners_audiences_state_and_export(site: Site) -> None:
    page = _page(site, "/exchange/partners", "admin")
    assert page.count('data-testid="partner-row"') >= 3
    assert "fius" in page
    assert 'data-testid="partner-form"' not in _page(site, "/exchange/partners", "analyst")
    refused = _post(
        site,
        "/exchange/partners",
        "admin",
        data={"name": "fiu-d", "kind": "node", "url": "http://127.0.0.1:8803"},
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert _text(refused.text, "error-url") == (  # type: ignore[attr-defined]
        "A partner on another node needs its URL and its public key."
    )
    key = base64.b64encode(site.world.keys["fiu-b"].verify_key.encode()).decode()
    added = _post(site, "/exchange/partners", "admin",
                  data={"name": "fiu-d", "kind": "node", "url": "http://127.0.0.1:8803",
                        "public_key": key, "accept_tlp": "TLP:AMBER"})  # fmt: skip
    assert added.status_code == 303, added.text  # type: ignore[attr-defined]
    twice = _post(site, "/exchange/partners", "admin", data={"name": "fiu-d", "kind": "local",
                                                              "local_org": "nobody"})  # fmt: skip
    assert _text(twice.text, "error-name") == "A partner named fiu-d exists already."  # type: ignore[attr-defined]
    group = _post(site, "/exchange/audiences", "admin",
                  data={"name": "pair", "members": ["fiu-b", "fiu-d"]})  # fmt: skip
    assert group.status_code == 303  # type: ignore[attr-defined]
    page = _page(site, "/exchange/partners", "admin")
    assert "fiu-b, fiu-d" in page
    assert _post(site, "/exchange/partners/fiu-d/state", "admin",
                 data={"state": "suspended"}).status_code == 303  # type: ignore[attr-defined]  # fmt: skip
    row = re.search(r'data-name="fiu-d".*?</tr>', _page(site, "/exchange/partners"), re.S)
    assert row is not None
    assert "Suspended" in row.group(0)
    _package(site, "green", partners=())
    _package(site, "red")  # never exported to a file
    done = _post(site, "/exchange/partners/fiu-b/export", data={"fmt": "stix"})
    page = done.text  # type: ignore[attr-defined]
    assert done.status_code == 200  # type: ignore[attr-defined]
    link = re.search(r'href="data:application/json;base64,([^"]+)"', page)
    assert link is not None
    bundle = orjson.loads(base64.b64decode(link.group(1)))
    assert bundle["type"] == "bundle"
    assert len(bundle["objects"]) > 1
    assert "TLP:RED" in _text(page, "export-refused") or "RED" in _text(page, "export-refused")


def test_the_log_and_its_verification(site: Site) -> None:
    _package(site, "green", partners=())
    _post(site, "/exchange/partners/fiu-c/export", data={"fmt": "misp"})
    page = _page(site, "/exchange/log")
    assert page.count('data-testid="disclosure-row"') >= 1
    assert int(_text(page, "head-size")) >= 1
    assert 'data-testid="not-checked"' in page
    checked = _post(site, "/exchange/log/verify")
    assert checked.status_code == 200  # type: ignore[attr-defined]
    assert _text(checked.text, "verified").startswith("Verified:")  # type: ignore[attr-defined]
    assert (
        site.clients["coordinator"]
        .post("/exchange/log/verify", data={"csrf_token": site.tokens["coordinator"]})
        .status_code
        == 403
    )


def test_incoming_and_onward_approvals(site: Site) -> None:
    made = _package(site, "amber", partners=("border",))
    asked = onward.request_onward(site.hub, site.world.local_user.actor, made.id, "origin-fiu",
                                  "ct-investigation", "The FIU's own investigators")  # fmt: skip
    page = _page(site, "/exchange/onward", "admin")
    assert 'data-testid="pending-row"' in page
    assert "The FIU&#39;s own investigators" in page
    assert 'data-testid="approve"' not in _page(site, "/exchange/onward", "analyst")
    done = _post(site, f"/exchange/onward/{asked.id}", "admin",
                 data={"decision": "approve", "reason": "Fine"})  # fmt: skip
    assert done.status_code == 303  # type: ignore[attr-defined]
    again = _post(site, f"/exchange/onward/{asked.id}", "admin",
                  data={"decision": "refuse", "reason": "No"})  # fmt: skip
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert f"Request {asked.id} was already approved." in _text(again.text, "form-error")  # type: ignore[attr-defined]
    decided = _page(site, f"/exchange/packages/{made.id}", "admin")
    assert "Approved by the originator for origin-fiu: Fine" in decided
    assert 'data-testid="incoming"' in _page(site, "/exchange/incoming")


def test_lawful_requests(site: Site) -> None:
    send = _page(site, "/exchange/requests?box=sent")
    assert '<option value="border">' in send
    assert "fiu-b</option>" not in send
    refused = _post(site, "/exchange/requests", data={"partner": "border", "description": "x"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert _text(refused.text, "error-legal_basis") == "A request needs its legal basis."  # type: ignore[attr-defined]
    vague = _post(site, "/exchange/requests", data={"partner": "border", "legal_basis": "Art 9"})
    assert _text(vague.text, "error-description") == "A request must say what it asks for."  # type: ignore[attr-defined]
    sent = _post(
        site,
        "/exchange/requests",
        data={
            "partner": "border",
            "legal_basis": "Warrant 17/2026",
            "accounts": "DE77, DE88",
            "urgency": "urgent",
            "reference": "W-17",
        },
    )
    assert sent.status_code == 303  # type: ignore[attr-defined]
    where = sent.headers["location"]  # type: ignore[attr-defined]
    page = _page(site, where)
    assert "DE77" in _text(page, "request-facts")
    assert "W-17" in page
    assert 'data-testid="respond-form"' not in page  # the requester does not answer
    got = _page(site, where, "border")
    assert 'data-testid="respond-form"' in got
    assert "W-17" in _page(site, "/exchange/requests?box=received", "border")
    part = _post(site, f"{where}/response", "border", data={"decision": "partially-accepted"})
    assert _text(part.text, "error-reason") == (  # type: ignore[attr-defined]
        "Declining or partially accepting needs a reason."
    )
    ok = _post(site, f"{where}/response", "border", data={"decision": "accepted", "reason": ""})
    assert ok.status_code == 303  # type: ignore[attr-defined]
    answered = _post(site, f"{where}/answer", "border",
                     files={"file": ("records.json", stix_bundle(3))},
                     data={"tlp": "TLP:AMBER", "note": "Two accounts"})  # fmt: skip
    assert answered.status_code == 303, answered.text  # type: ignore[attr-defined]
    page = _page(site, where)
    assert _text(page, "request-state") == "Answered"
    assert [s for s in ("Sent", "Accepted", "Answered") if s in _text(page, "history")] == [
        "Sent", "Accepted", "Answered"]  # fmt: skip
    assert 'data-testid="answer-package"' in page


def test_overdue_requests_are_marked(site: Site) -> None:
    made = lawful.send(site.hub, site.world.analyst.actor, "border", legal_basis="Order 3",
                       scope=lawful.Scope(description="Logs"), urgency="emergency")  # fmt: skip
    from sqlalchemy import update

    from cthub.exchange.models import LawfulRequest

    with site.hub.db.session() as s:
        s.execute(update(LawfulRequest).where(LawfulRequest.id == made.id).values(
            due_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))  # fmt: skip
    page = _page(site, "/exchange/requests?box=sent&overdue=1")
    assert f'href="/exchange/requests/{made.id}"' in page
    assert 'data-testid="overdue"' in page
    assert 'data-testid="overdue"' in _page(site, f"/exchange/requests/{made.id}")


def test_chinese_pages_render(site: Site) -> None:
    client = site.clients["viewer"]
    client.cookies.set("cthub_lang", "zh_Hans")
    try:
        for path in PAGES:
            resp = client.get(path)
            assert resp.status_code == 200, path
            assert 'lang="zh-Hans"' in resp.text, path
    finally:
        client.cookies.delete("cthub_lang")

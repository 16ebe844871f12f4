"""Finance web pages through the test client: authentication, roles, the upload job and its
bad rows, rule settings (refusals under the field, word for word; a change stored and shown;
reset), the alert queue and an alert's page with its graph, cases from alerts, comments,
decisions with who and when, and the goAML download.

Password hashing makes logins slow, so one hub and one logged-in client per role serve the
module (``site``); a test that needs alerts of its own ingests and monitors a dataset of its
own (``fresh_alert``), and a test that changes a rule resets it.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cthub import finance
from cthub.core.db import Database
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.finance import demo
from cthub.finance.goaml import validate
from cthub.finance.schema import CHANNELS, PARTY_TYPES
from cthub.interfaces.api import create_app
from cthub.interfaces.web import finance_pages
from cthub.interfaces.web.finance_rule_pages import CHOICES
from tests import factories
from tests.conftest import make_settings

ORG, OTHER = "Financial Intelligence Unit", "Another Unit"
ROLES = ("analyst", "reviewer", "viewer", "coordinator", "other")
#: four cash deposits just below 10,000 into DE77 (structuring), and a few transfers around it
CSV = """tx_id,timestamp,sender,receiver,amount,currency,channel,sender_name,receiver_name
{p}s1,2026-03-01T09:00:00Z,,DE77,9500.00,AED,cash,,Omar Example
{p}s2,2026-03-02T09:00:00Z,,DE77,9800.00,AED,cash,,Omar Example
{p}s3,2026-03-03T09:00:00Z,,DE77,9700.00,AED,cash,,Omar Example
{p}s4,2026-03-04T09:00:00Z,,DE77,9900.00,AED,cash,,Omar Example
{p}t1,2026-03-05T10:00:00Z,DE77,DE88,30000.00,AED,transfer,Omar Example,Trading LLC
{p}t2,2026-03-06T10:00:00Z,DE88,DE99,29000.00,AED,transfer,Trading LLC,Far Away Ltd
{p}t3,2026-03-06T11:00:00Z,DE10,DE77,120.00,AED,transfer,Neighbour One,Omar Example
"""
_seq = itertools.count(1)


@dataclass(frozen=True)
class Site:
    hub: Hub
    clients: dict[str, TestClient]
    tokens: dict[str, str]
    members: dict[str, factories.Member]
    alert_id: int  # the DE77 structuring alert of dataset "branch"


def ingest_and_monitor(hub: Hub, member: factories.Member, folder: Path, dataset: str) -> int:
    """A dataset of its own, monitored; the id of its DE77 alert."""
    path = folder / f"{dataset}.csv"
    path.write_text(CSV.format(p=dataset), encoding="utf-8")
    finance.ingest_file(hub, member.actor, path, dataset)
    finance.monitor_dataset(hub, member.actor, dataset)
    found = [a for a in finance.alerts(hub, member.actor, "open", 10_000) if a.account == "DE77"]
    return max(a.id for a in found)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("finance-web")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    factories.org(hub, ORG)
    factories.org(hub, OTHER)
    members = {
        role: factories.member(hub, "analyst" if role == "other" else role,
                               OTHER if role == "other" else ORG)
        for role in ROLES
    }  # fmt: skip
    alert_id = ingest_and_monitor(hub, members["analyst"], folder, "branch")
    with ExitStack() as stack:
        clients, tokens = {}, {}
        for role, m in members.items():
            clients[role] = stack.enter_context(TestClient(create_app(hub=hub)))
            tokens[role] = factories.login(clients[role], m)
        yield Site(hub, clients, tokens, members, alert_id)
    hub.close()


@pytest.fixture
def fresh_alert(site: Site, tmp_path: Path) -> int:
    return ingest_and_monitor(site.hub, site.members["analyst"], tmp_path, f"d{next(_seq)}")


def _hx(site: Site, role: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": site.tokens[role]}


def _text(page: str, testid: str) -> str:
    """The text of the first element with ``testid`` (which holds no element of its own tag)."""
    found = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert found is not None, f"no {testid} in the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


PAGES = ["/finance", "/finance/alerts", "/finance/alerts/{a}", "/finance/cases", "/finance/rules"]


def test_every_page_needs_a_login(site: Site) -> None:
    with TestClient(create_app(hub=site.hub)) as anonymous:
        for path in PAGES:
            resp = anonymous.get(path.format(a=site.alert_id), follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=%2Ffinance")
        for path in ["/finance/uploads", "/finance/rules/structuring", "/finance/cases",
                     "/finance/cases/1/decision", "/finance/datasets/branch/monitor"]:  # fmt: skip
            assert anonymous.post(path).status_code == 401, path


def test_pages_render_for_each_reader(site: Site) -> None:
    for role in ("analyst", "reviewer", "viewer"):
        for path in PAGES:
            resp = site.clients[role].get(path.format(a=site.alert_id))
            assert resp.status_code == 200, (role, path, resp.text[:300])
            assert '<main id="main"' in resp.text
    page = site.clients["viewer"].get("/finance").text
    assert 'data-testid="upload-form"' not in page  # a viewer reads only
    assert "branch" in page
    refused = site.clients["coordinator"].get("/finance/alerts")
    assert refused.status_code == 403


def test_chinese_page(site: Site) -> None:
    client = site.clients["analyst"]
    client.cookies.set("cthub_lang", "zh_Hans")
    try:
        page = client.get("/finance/rules")
    finally:
        client.cookies.delete("cthub_lang")
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in page.text


def _finished(client: TestClient, job_id: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        page = client.get(f"/finance/jobs/{job_id}")
        assert page.status_code == 200, page.text
        state = re.search(r'data-state="(\w+)"', page.text)
        assert state is not None
        if state.group(1) not in ("queued", "running"):
            return str(page.text)
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_upload_progress_bad_rows_and_monitoring(site: Site) -> None:
    client = site.clients["analyst"]
    body = CSV.format(p="up") + "upx,not-a-time,DE1,DE2,5,AED,transfer,,\n"
    resp = client.post("/finance/uploads", headers=_hx(site, "analyst"),
                       files={"file": ("feed.csv", body.encode(), "text/csv")},
                       data={"dataset": "uploaded", "on_error": "skip"})  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert 'data-testid="progress"' in resp.text
    job_id = re.search(r'hx-get="/finance/jobs/(\w+)"', resp.text)
    assert job_id is not None
    done = _finished(client, job_id.group(1))
    assert 'data-state="succeeded"' in done
    assert _text(done, "ingested") == "Added to uploaded: 7 rows. Bad rows skipped: 1."
    assert re.search(r"<td class=\"num\">9</td><td><code>timestamp</code></td>", done)
    assert 'hx-swap-oob="true"' in done  # the datasets table is refreshed
    run = client.post("/finance/datasets/uploaded/monitor", headers=_hx(site, "analyst"))
    assert run.status_code == 200, run.text
    monitor = re.search(r'hx-get="/finance/jobs/(\w+)"', run.text)
    assert monitor is not None
    finished = _finished(client, monitor.group(1))
    assert _text(finished, "monitored").startswith("Accounts alerted in uploaded: 1.")
    alerts = client.get("/finance/alerts?dataset=uploaded").text
    assert alerts.count('data-testid="alert-row"') == 1


@pytest.mark.parametrize(
    ("data", "name", "field", "message"),
    [
        (
            {"dataset": "x"},
            "feed.xlsx",
            "file",
            "feed.xlsx: the format is not known from the name.",
        ),
        ({"dataset": ""}, "feed.csv", "dataset", "Name the dataset the file goes into."),
        ({"dataset": "no way"}, "feed.csv", "dataset", "Dataset name no way is not allowed."),
    ],
)
def test_upload_refusals_under_the_field(
    site: Site, data: dict[str, str], name: str, field: str, message: str
) -> None:
    resp = site.clients["analyst"].post(
        "/finance/uploads", headers=_hx(site, "analyst"),
        files={"file": (name, CSV.format(p="r").encode(), "text/csv")}, data=data,
    )  # fmt: skip
    assert resp.status_code == 200
    assert _text(resp.text, f"error-{field}") == message


def test_viewer_cannot_upload(site: Site) -> None:
    resp = site.clients["viewer"].post(
        "/finance/uploads", headers={"X-CSRF-Token": site.tokens["viewer"]},
        files={"file": ("feed.csv", CSV.format(p="v").encode(), "text/csv")},
        data={"dataset": "viewer"},
    )  # fmt: skip
    assert resp.status_code == 403
    assert "form-error" in resp.text


def test_rule_refusal_change_and_reset(site: Site) -> None:
    client = site.clients["analyst"]
    hub, actor = site.hub, site.members["analyst"].actor
    bad = client.post("/finance/rules/structuring", headers=_hx(site, "analyst"),
                      data={"enabled": "1", "p_window": "7x", "p_channels__present": "1",
                            "p_channels": "cash"})  # fmt: skip
    assert bad.status_code == 200
    with pytest.raises(InvalidInput) as refused:
        finance.set_rule(hub, actor, "structuring", params={"window": "7x"})
    assert _text(bad.text, "error-p_window") == refused.value.render()  # the service's words
    assert 'value="7x"' in bad.text  # what was typed comes back
    assert not any(p.changed for r in finance.list_rules(hub, actor) if r.name == "structuring"
                   for p in r.params)  # fmt: skip
    try:
        good = client.post("/finance/rules/structuring", headers=_hx(site, "analyst"),
                           data={"p_window": "10d", "p_threshold": "1500000",
                                 "p_channels__present": "1",
                                 "p_channels": ["cash", "hawala"]})  # fmt: skip
        assert good.status_code == 200
        assert 'data-testid="saved"' in good.text
        rule = next(r for r in finance.list_rules(hub, actor) if r.name == "structuring")
        assert not rule.enabled  # the switch was not ticked
        values = {p.name: (p.value, p.changed) for p in rule.params}
        assert values["window"] == ("10d", True)
        assert values["threshold"] == ("1500000", True)
        assert values["channels"] == ("cash, hawala", True)
        page = client.get("/finance/rules").text
        assert _text(page, "default-structuring-window").startswith("Shipped: 7d")
        assert "changed" in _text(page, "default-structuring-window")
        assert 'data-testid="customised"' in page
    finally:
        reset = client.post("/finance/rules/structuring", headers=_hx(site, "analyst"),
                            data={"action": "reset"})  # fmt: skip
    assert reset.status_code == 200
    rule = next(r for r in finance.list_rules(hub, actor) if r.name == "structuring")
    assert rule.enabled
    assert not any(p.changed for p in rule.params)


def test_rules_read_only_for_a_viewer(site: Site) -> None:
    page = site.clients["viewer"].get("/finance/rules").text
    assert 'data-testid="read-only"' in page
    assert 'data-testid="save-structuring"' not in page
    refused = site.clients["viewer"].post(
        "/finance/rules/structuring", headers={"X-CSRF-Token": site.tokens["viewer"]},
        data={"p_window": "10d"},
    )  # fmt: skip
    assert refused.status_code == 403


def test_choices_are_the_schema_vocabularies() -> None:
    assert set(CHOICES["channels"]) == set(CHANNELS)
    assert set(CHOICES["party_types"]) == set(PARTY_TYPES)


def test_alert_queue_filters_and_sorts(site: Site) -> None:
    client = site.clients["analyst"]
    page = client.get("/finance/alerts?dataset=branch&state=all&sort=account").text
    assert 'aria-sort="ascending"' in page
    rows = re.findall(r'data-testid="alert-row"', page)
    assert len(rows) >= 1
    assert "structuring" in page
    empty = client.get("/finance/alerts?dataset=nothing-here").text
    assert "No alert matches these filters." in empty


def test_alert_page_explains_and_draws_the_neighbourhood(site: Site) -> None:
    page = site.clients["reviewer"].get(f"/finance/alerts/{site.alert_id}").text
    assert _text(page, "alert-account") == "DE77"
    fired = _text(page, "fired-rule")
    assert "Deposits just below a reporting threshold" in fired
    assert "weight 0.40" in fired
    for tx in ("branchs1", "branchs2", "branchs3"):
        assert tx in page
    svg = re.search(r'<svg class="graph".*?</svg>', page, re.S)
    assert svg is not None
    # DE77, its counterparties DE88 and DE10, and DE99 two hops away
    assert svg.group(0).count('data-testid="graph-node"') == 4
    assert "Far Away Ltd" in svg.group(0)
    assert "<line" in svg.group(0)
    assert "/static/graph.js" in page
    other = site.clients["other"].get(f"/finance/alerts/{site.alert_id}")
    assert other.status_code == 404


def test_open_a_case_from_alerts(site: Site, fresh_alert: int) -> None:
    client = site.clients["analyst"]
    no_title = client.post("/finance/cases", headers=_hx(site, "analyst"),
                           data={"alert_id": [str(fresh_alert)], "title": " "})  # fmt: skip
    assert _text(no_title.text, "error-title") == "A case needs a title."
    no_ticks = client.post("/finance/cases", headers=_hx(site, "analyst"), data={"title": "x"})
    assert _text(no_ticks.text, "form-error").startswith("Tick the alerts the case is about.")
    opened = client.post(
        "/finance/cases",
        headers=_hx(site, "analyst"),
        data={"alert_id": [str(fresh_alert)], "title": "Cash below threshold"},
    )
    assert opened.status_code == 200
    target = opened.headers["hx-redirect"]
    case_page = client.get(target).text
    assert _text(case_page, "case-title") == "Cash below threshold"
    again = client.post("/finance/cases", headers=_hx(site, "analyst"),
                        data={"alert_id": [str(fresh_alert)], "title": "Twice"})  # fmt: skip
    assert "is in a case already" in _text(again.text, "form-error")
    listed = client.get("/finance/cases?state=open").text
    assert "Cash below threshold" in listed


def _case(site: Site, alert_id: int, title: str = "A case") -> int:
    case = finance.open_case(site.hub, site.members["analyst"].actor, [alert_id], title)
    return case.id


def test_comments_assignee_and_roles(site: Site, fresh_alert: int) -> None:
    case_id = _case(site, fresh_alert)
    client = site.clients["analyst"]
    empty = client.post(f"/finance/cases/{case_id}/comments", headers=_hx(site, "analyst"),
                        data={"text": "  "})  # fmt: skip
    assert _text(empty.text, "error-text") == "A comment cannot be empty."
    added = client.post(f"/finance/cases/{case_id}/comments", headers=_hx(site, "analyst"),
                        data={"text": "Four deposits in four days"})  # fmt: skip
    assert added.headers["hx-redirect"] == f"/finance/cases/{case_id}#comments"
    assigned = client.post(f"/finance/cases/{case_id}/assignee", headers=_hx(site, "analyst"),
                           data={"assignee": "fiu.reviewer"})  # fmt: skip
    assert assigned.status_code == 200
    page = client.get(f"/finance/cases/{case_id}").text
    assert "Four deposits in four days" in page
    assert "assigned to fiu.reviewer" in page
    assert 'data-testid="read-only"' in page  # an analyst does not decide
    assert f"/finance/cases/{case_id}" in client.get("/finance/cases?assignee=fiu.reviewer").text
    refused = client.post(
        f"/finance/cases/{case_id}/decision",
        data={"decision": "suspicious", "reason": "x", "csrf_token": site.tokens["analyst"]},
    )
    assert refused.status_code == 403
    assert site.clients["other"].get(f"/finance/cases/{case_id}").status_code == 404


def test_decision_and_goaml(site: Site, fresh_alert: int) -> None:
    case_id = _case(site, fresh_alert, "Structuring")
    client = site.clients["reviewer"]
    early = client.get(f"/finance/cases/{case_id}/goaml.xml")
    assert early.status_code == 409
    assert "only a case closed as suspicious is reported" in _text(early.text, "goaml-error")
    no_reason = client.post(f"/finance/cases/{case_id}/decision", headers=_hx(site, "reviewer"),
                            data={"decision": "suspicious", "reason": ""})  # fmt: skip
    assert _text(no_reason.text, "error-reason") == "A decision needs a reason."
    done = client.post(f"/finance/cases/{case_id}/decision", headers=_hx(site, "reviewer"),
                       data={"decision": "suspicious", "reason": "Structured cash"})  # fmt: skip
    assert done.headers["hx-redirect"] == f"/finance/cases/{case_id}"
    page = client.get(f"/finance/cases/{case_id}").text
    assert _text(page, "decided-by") == site.members["reviewer"].username
    assert _text(page, "decision-reason") == "Structured cash"
    assert 'data-testid="goaml"' in page
    assert 'data-testid="decide"' not in page  # closed: no second decision
    xml = client.get(f"/finance/cases/{case_id}/goaml.xml")
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert f'filename="str-case-{case_id}.xml"' in xml.headers["content-disposition"]
    validate(xml.content)
    again = client.post(
        f"/finance/cases/{case_id}/decision",
        headers=_hx(site, "reviewer"),
        data={"decision": "not_suspicious", "reason": "changed my mind"},
    )
    assert "was closed already" in _text(again.text, "form-error")


def test_navigation_entries() -> None:
    entries = {n.href: n for n in finance_pages.nav()}
    assert set(entries) == {"/finance", "/finance/alerts", "/finance/cases", "/finance/rules"}
    assert all("coordinator" not in n.roles and "viewer" in n.roles for n in entries.values())


def test_demo_data_fills_the_pages(client: TestClient, sqlite_hub: Hub) -> None:
    factories.org(sqlite_hub, demo.FIU)
    analyst = factories.member(sqlite_hub, "analyst", demo.FIU, username=demo.ANALYST)
    counts = demo.load_demo(sqlite_hub, factories.OPERATOR)  # about 2 s on an idle machine
    assert counts["transactions"] > 50_000
    assert counts["alerts"] > 10
    assert counts["cases"] == 1
    assert demo.load_demo(sqlite_hub, factories.OPERATOR)["transactions"] == 0  # idempotent
    factories.login(client, analyst)
    cases = client.get("/finance/cases").text
    assert cases.count('data-testid="case-row"') == 1
    best = finance.alerts(sqlite_hub, analyst.actor, "open", 1)[0]
    page = client.get(f"/finance/alerts/{best.id}").text
    svg = re.search(r'<svg class="graph".*?</svg>', page, re.S)
    assert svg is not None
    assert 10 < svg.group(0).count('data-testid="graph-node"') <= 60

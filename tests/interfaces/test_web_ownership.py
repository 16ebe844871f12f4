"""Ownership web pages through the test client, on the demo structure with the bundled UN list:
every page needs a login and the ownership read right; search by name and identifier; an
entity page (identifiers, list entries, owners and holdings with shares as intervals, the graph
with the blocking path marked and told in words); the rule switch's HTMX partial (OFAC, EU,
UK, UBO); the blocked list and its CSV; Chinese.

Password hashing makes logins slow, so one hub and one logged-in client per role serve the
module (``site``); nothing here writes.
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

import numpy as np
import pytest
from fastapi.testclient import TestClient

from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from cthub.interfaces.web import ownership_graph, ownership_pages
from cthub.interfaces.web.graph_layout import layered
from cthub.lists import load as load_list
from cthub.ownership.compute import blocked, compile_graph, synthetic_graph
from cthub.ownership.demo import demo_id, load_demo
from tests import factories
from tests.conftest import make_settings

ROLES = ("analyst", "viewer", "coordinator")


@dataclass(frozen=True)
class Site:
    hub: Hub
    clients: dict[str, TestClient]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("ownership-web")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    load_list(hub, factories.OPERATOR, "un")
    load_demo(hub, factories.OPERATOR)
    org = factories.org(hub, "Ownership Unit")
    with ExitStack() as stack:
        clients = {}
        for role in ROLES:
            clients[role] = stack.enter_context(TestClient(create_app(hub=hub)))
            factories.login(clients[role], factories.member(hub, role, org))
        yield Site(hub, clients)
    hub.close()


def _page(site: Site, path: str, role: str = "analyst", **headers: str) -> str:
    resp = site.clients[role].get(path, headers=headers)
    assert resp.status_code == 200, (path, resp.status_code, resp.text[:500])
    return str(resp.text)


def _text(page: str, testid: str) -> str:
    found = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert found is not None, f"no {testid} in the page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def _state(page: str) -> tuple[str, str]:
    found = re.search(r'data-mode="(\w+)" data-state="(\w+)"', page)
    assert found is not None
    return found.group(1), found.group(2)


def _marked(page: str) -> int:
    return page.count('data-testid="graph-edge" data-marked="true"')


PAGES = ["/ownership", "/ownership?q=rift", f"/ownership/entities/{demo_id('lakeview')}",
         f"/ownership/view/{demo_id('lakeview')}?mode=eu", "/ownership/blocked",
         "/ownership/blocked.csv"]  # fmt: skip


def test_every_page_needs_a_login_and_the_read_right(site: Site) -> None:
    with TestClient(create_app(hub=site.hub)) as anonymous:
        for path in PAGES:
            resp = anonymous.get(path, follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"].startswith("/login?next=%2Fownership"), path
    for path in PAGES:
        assert site.clients["coordinator"].get(path).status_code == 403, path
        assert site.clients["viewer"].get(path).status_code == 200, path


def test_navigation_entries() -> None:
    items = ownership_pages.nav()
    assert [i.href for i in items] == ["/ownership", "/ownership/blocked"]
    assert "coordinator" not in items[0].roles


def test_search_by_name_and_identifier(site: Site) -> None:
    page = _page(site, "/ownership?q=rift")
    assert page.count('data-testid="result"') == 2
    assert 'href="/ownership/entities/ftm:demo/great-rift"' in page
    page = _page(site, "/ownership?q=PVT-2018-118203")
    assert page.count('data-testid="result"') == 1
    assert "Rift Valley Logistics Ltd" in page
    assert _page(site, "/ownership?q=rift&kind=person").count('data-testid="result"') == 0
    assert 'data-testid="results"' not in _page(site, "/ownership?q=+")  # nothing asked yet
    refused = _page(site, "/ownership?q=" + "x" * 250)
    assert _text(refused, "form-error").startswith(
        "Give a name or identifier of 1 to 200 characters to search for."
    )


def test_entity_page_explains_the_block(site: Site) -> None:
    page = _page(site, f"/ownership/entities/{demo_id('lakeview')}")
    assert _text(page, "entity-id") == "ftm:demo/lakeview"
    assert "CD/GOM/RCCM/19-B-00231" in _text(page, "identifiers")
    owners = _text(page, "owners")
    assert "Machanga Ltd" in owners
    assert "25%" in owners
    assert "50%" in owners
    assert "Mwanza Textiles Ltd" not in _text(page, "holdings")
    assert _state(page) == ("ofac", "blocked")
    assert _text(page, "status-line") == (
        "Blocked under OFAC 50 Percent Rule: blocked persons own 50% of it, directly or indirectly."
    )
    assert _marked(page) == 2
    words = _text(page, "path-words")
    assert "Listed Machanga Ltd (UN CDe.007) owns 25% of Lakeview Minerals SARL" in words
    assert "Listed Congomet Trading House (UN CDe.004) owns 25% of Lakeview Minerals SARL" in words
    assert '<script src="/static/graph.js"></script>' in page
    listed = _page(site, f"/ownership/entities/{demo_id('machanga')}")
    assert "CDe.007" in _text(listed, "list-links")
    assert _state(listed) == ("ofac", "listed")


def test_shares_as_intervals(site: Site) -> None:
    page = _page(site, f"/ownership/entities/{demo_id('goma-freight')}")
    assert "[25%, 50%]" in _text(page, "owners")
    assert _state(page) == ("ofac", "possibly_blocked")
    assert ownership_graph.interval(0.25, 0.5, False, True) == "(25%, 50%]"
    assert ownership_graph.interval(0.3, 0.3, True, True) == "30%"
    assert ownership_graph.interval(None, None, True, True) == "?"
    assert ownership_graph.share_text(0.25, 0.5) == "25%\u201350%"


@pytest.mark.parametrize(
    ("key", "states"),
    [
        ("lakeview", {"ofac": "blocked", "eu": "not_blocked", "uk": "not_blocked"}),
        ("ituri-gold", {"ofac": "blocked", "eu": "blocked", "uk": "not_blocked"}),
        ("kisangani", {"ofac": "not_blocked", "eu": "blocked", "uk": "blocked"}),
        ("lake-albert", {"ofac": "blocked", "eu": "not_blocked", "uk": "not_blocked"}),
    ],
)
def test_regime_switch_partial(site: Site, key: str, states: dict[str, str]) -> None:
    for mode, state in states.items():
        part = _page(site, f"/ownership/view/{demo_id(key)}?mode={mode}", **{"HX-Request": "1"})
        assert part.lstrip().startswith('<section id="ownership-view"'), part[:100]
        assert "<html" not in part
        assert _state(part) == (mode, state)
        assert f'id="mode-{mode}" href' in part
        assert re.search(rf'data-testid="mode-{mode}"', part)
        assert (_marked(part) > 0) == (state == "blocked")
        assert f'hx-push-url="/ownership/entities/{demo_id(key)}?mode=' in part


def test_control_under_eu_and_uk_only(site: Site) -> None:
    part = _page(site, f"/ownership/view/{demo_id('kisangani')}?mode=uk")
    assert _text(part, "status-line") == (
        "Blocked under UK ownership and control (OFSI): a listed person controls it."
    )
    assert "Listed Machanga Ltd (UN CDe.007) controls Kisangani Trading Co" in _text(
        part, "path-words"
    )
    assert "Machanga Ltd" in part


def test_ubo_mode_with_a_cycle(site: Site) -> None:
    page = _page(site, f"/ownership/entities/{demo_id('mwanza')}?mode=ubo")
    assert _state(page) == ("ubo", "ubo")
    assert "ownership cycle" in _text(page, "status-line")
    owners = _text(page, "ubo-owners")
    assert "Grace Nyota" in owners
    assert "40.91%" in owners  # 60% of Equator, plus what goes round the cycle, times 60%
    assert "Daniel Okello" in owners
    assert "Amani Mugisha" not in owners
    assert _marked(page) >= 3
    assert 'class="edge back"' in page  # Equator -> Nile Basin goes up the drawing
    unknown_mode = _page(site, f"/ownership/view/{demo_id('mwanza')}?mode=mars")
    assert _state(unknown_mode)[0] == "ofac"


def test_unknown_entity_is_not_found(site: Site) -> None:
    resp = site.clients["analyst"].get("/ownership/entities/ftm:demo/nobody")
    assert resp.status_code == 404
    assert "No ownership entity ftm:demo/nobody." in resp.text


def test_blocked_list_and_csv(site: Site) -> None:
    page = _page(site, "/ownership/blocked")
    assert page.count('data-testid="blocked-row"') == 8
    assert 'href="/ownership/entities/ftm:demo/lake-albert?mode=ofac"' in page
    assert "Rift Valley Logistics Ltd owns 60% of Lake Albert Shipping Ltd" in page
    assert _page(site, "/ownership/blocked?regime=eu").count('data-testid="blocked-row"') == 4
    possible = _page(site, "/ownership/blocked?status=possibly_blocked")
    assert possible.count('data-testid="blocked-row"') == 1
    assert "Goma Freight Forwarders SARL" in possible
    by_status = _page(site, "/ownership/blocked?sort=status")
    assert 'aria-sort="ascending"' in by_status
    resp = site.clients["analyst"].get("/ownership/blocked.csv?regime=uk")
    assert resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == ["entity_id", "name", "status", "owners_share", "path"]
    assert {r[0] for r in rows[1:]} == {demo_id(k) for k in ("machanga", "congomet", "kisangani")}


def test_chinese_page(site: Site) -> None:
    client = site.clients["analyst"]
    client.cookies.set("cthub_lang", "zh_Hans")
    try:
        page = client.get(f"/ownership/entities/{demo_id('lakeview')}")
    finally:
        client.cookies.delete("cthub_lang")
    assert page.status_code == 200
    assert 'lang="zh-Hans"' in page.text


def test_ids_are_quoted_in_links() -> None:
    assert (
        ownership_graph.href("gb-coh:0123/a b#c?d")
        == "/ownership/entities/gb-coh:0123/a%20b%23c%3Fd"
    )


def test_layout_puts_owners_above_and_spreads_wide_levels() -> None:
    levels = {"c": 0, **{f"o{i}": -1 for i in range(9)}, "top": -2, "h": 1}
    edges = [(f"o{i}", "c") for i in range(9)] + [("top", "o0"), ("c", "h"), ("c", "top")]
    out = layered(levels, edges)
    boxes = out.boxes
    assert boxes["top"].y < boxes["o0"].y < boxes["c"].y < boxes["h"].y
    assert len({boxes[f"o{i}"].y for i in range(9)}) == 2  # more than fit across: two rows
    assert all(b.x - b.w / 2 >= 0 and b.x + b.w / 2 <= out.width for b in boxes.values())
    back = [r for r in out.routes if (r.source, r.target) == ("c", "top")]
    assert back
    assert back[0].back
    assert len(out.routes) == len(edges)


def test_a_crowded_neighbourhood_is_bounded_and_keeps_the_path() -> None:
    s = synthetic_graph(3000, seed=5)
    g = compile_graph(s.edges, s.nodes)
    res = blocked(g, s.seeds, "ofac")
    _, ptr_out = g.by_owner
    busiest = g.id_list[int(np.argmax(np.diff(ptr_out)))]
    drawing = ownership_graph.draw(g, busiest, path=[], statuses=res.status, listings={},
                                   _=lambda m: m)  # fmt: skip
    assert len(drawing.dots) <= 1 + ownership_graph.PER_LEVEL
    assert drawing.truncated
    deepest = max((i for i in g.id_list if res.status(i) == "blocked"),
                  key=lambda i: len(res.explain(i)))  # fmt: skip
    path = res.explain(deepest)
    drawing = ownership_graph.draw(g, deepest, path=path, statuses=res.status, listings={},
                                   _=lambda m: m)  # fmt: skip
    drawn = {d.entity_id for d in drawing.dots}
    assert {e.owner_id for e in path} <= drawn
    assert drawing.marked == len({(e.owner_id, e.asset_id) for e in path})
    assert len(drawing.dots) <= ownership_graph.LIMIT + len(path)

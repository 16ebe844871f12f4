"""The list-diff page: added, changed and removed entries between two versions, by name."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.lists import load
from tests import factories
from tests.interfaces.test_web import _login_form

HEADER = "name,aliases,type,birth_date,nationality,id_number,ref\n"
SAME = "Northern Star LLC,,organization,,AE,,O-1\n"
V1 = "Ivan Sidorov,,person,1961,RU,,P-1\n" + SAME + "Old Name,,person,,,,P-9\n"
V2 = "Ivan Sidorov,,person,1962,RU,,P-1\n" + SAME + "New Person,,person,,,,P-2\n"


def test_diff_page_names_each_change(client: TestClient, sqlite_hub: Hub, tmp_path: Path) -> None:
    for number, rows in ((1, V1), (2, V2)):
        path = tmp_path / f"v{number}.csv"
        path.write_text(HEADER + rows, encoding="utf-8")
        load(sqlite_hub, factories.OPERATOR, "plain-csv", path, list_name="watch", rescreen=False)
    viewer = factories.member(sqlite_hub, "viewer")
    assert client.get("/lists/watch/diff?from_version=1&to_version=2",
                      follow_redirects=False).status_code in (302, 303)  # fmt: skip
    _login_form(client, viewer)
    listing = client.get("/lists").text
    assert "/lists/watch/diff?from_version=1&amp;to_version=2" in listing
    page = client.get("/lists/watch/diff?from_version=1&to_version=2")
    assert page.status_code == 200
    added = page.text.split('data-testid="diff-added"')[1].split("</section>")[0]
    changed = page.text.split('data-testid="diff-changed"')[1].split("</section>")[0]
    removed = page.text.split('data-testid="diff-removed"')[1].split("</section>")[0]
    assert "New Person" in added
    assert "P-2" in added
    assert "Ivan Sidorov" in changed
    assert "Northern Star" not in changed
    assert "Old Name" in removed
    assert client.get("/lists/watch/diff?from_version=1&to_version=9").status_code == 404
    assert client.get("/lists/watch/diff?from_version=x&to_version=2").status_code == 400

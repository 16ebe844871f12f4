"""Private watchlist matching between two organisations: only common entries come out, only for
a partner that was offered a list, and each side audits the session without identifiers."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from cthub.core.errors import Forbidden, InvalidInput
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent
from cthub.exchange import partners, psimatch
from cthub.screening import watch
from tests.exchange.conftest import World

FIU_LIST = [
    {"id": "c-1", "name": "Abu Bakr al-Baghdadi", "birth_date": "1971-07-28"},
    {"id": "c-2", "name": "Jane Ordinary", "birth_date": "1980-01-01"},
    {"id": "c-3", "name": "Karim Benali", "id_number": "P 123 456 78", "nationality": "FR"},
    {"id": "c-4", "name": "Mohammed Khan", "birth_date": "1990-05-05"},
]
BORDER_LIST = [
    {"id": "t-9", "name": "AL-BAGHDADI, Abu Bakr", "birth_date": "1971-07-28"},
    {"id": "t-8", "name": "Someone Else", "birth_date": "1975-03-03"},
    {"id": "t-7", "name": "K. Benali", "id_number": "p12345678", "nationality": "FR"},
    {"id": "t-6", "name": "Mohammed Khan", "birth_date": "1991-05-05"},
]


def _both(world: World, offer: str = "watchlist") -> Actor:
    border_admin = Actor("border-admin", "admin", world.local_user.actor.org_id)
    partners.add_partner(world.hub, border_admin, "fiu", local_org=world.origin, psi_list=offer)
    watch(world.hub, world.analyst.actor, FIU_LIST)
    watch(world.hub, world.local_user.actor, BORDER_LIST)
    return border_admin


def test_only_the_common_entries_come_out(sqlite_world: World) -> None:
    world = sqlite_world
    _both(world)
    result = psimatch.match(world.hub, world.analyst.actor, "border", "watchlist")
    # same name (any order, any case) and birth date; same passport and country
    assert result.matches == ["c-1", "c-3"]
    assert result.their_count == 5  # 4 names + 1 passport: all the responder learns is a count
    with world.hub.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.resource_type == "exchange_psi"))
        details = [orjson.dumps(e.details).decode() for e in events]
    assert len(details) == 2
    assert all("Baghdadi" not in d and "Benali" not in d for d in details)


def test_a_partner_without_an_offered_list_takes_no_part(sqlite_world: World) -> None:
    world = sqlite_world
    _both(world, offer="")
    with pytest.raises(Forbidden, match="offers no list"):
        psimatch.match(world.hub, world.analyst.actor, "border", "watchlist")


def test_a_csv_list_and_its_bad_lines(sqlite_world: World, tmp_path: Path) -> None:
    world = sqlite_world
    _both(world)
    good = tmp_path / "ids.csv"
    good.write_text(
        "kind,value,birth_date,country,label\n"
        "name,abu bakr al baghdadi,1971-07-28,,lead-7\n"
        "passport,P12345678,,FR,lead-8\n",
        encoding="utf-8",
    )
    assert psimatch.match(world.hub, world.analyst.actor, "border", str(good)).matches == [
        "lead-7",
        "lead-8",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,value\niban,DE00 1234\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad\.csv line 2"):
        psimatch.match(world.hub, world.analyst.actor, "border", str(bad))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,dob\nx,y\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="column kind"):
        psimatch.match(world.hub, world.analyst.actor, "border", str(wrong))

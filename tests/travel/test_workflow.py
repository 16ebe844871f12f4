"""The PIU workflow on both backends: store and version PNR pushes, check passengers through
screening, the document list, document rules and risk rules, review with a recorded decision,
export only what was confirmed, answer at check-in, and retention with a moved clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cthub import travel
from cthub.core import schedule
from cthub.core.errors import Conflict, Forbidden, InvalidInput
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent, Job
from cthub.lists import load
from cthub.travel import checkin, store, synthetic
from cthub.travel.models import PnrVersion, TravelFile, TravelPassenger, VaultItem
from cthub.travel.records import Leg, Message, Passenger, Payment, Pnr, TravelDocument
from tests import factories

LIST = (
    "name,aliases,type,birth_date,nationality,id_number,ref\n"
    "Abdul Rahman Al Hakim,Abu Hakim,person,1975-03-02,SY,N1234567,P-1\n"
    "Ivan Petrovich Sidorov,,person,1961-05-04,RU,,P-2\n"
)
DOCS = (
    "document_number,issuing_country,document_type,status,reported_on\n"
    "X9988776,FRA,P,stolen,2026-01-10\n"
    "AB1234567,DEU,P,lost,2025-11-02\n"
)
DEPARTURE = dt.datetime(2026, 3, 14, 22, 35)
LEG = Leg("XY", "0123", "IST", "AMM", DEPARTURE, DEPARTURE + dt.timedelta(hours=5))


def person(surname: str, given: str, **kw: object) -> Passenger:
    return Passenger(name=f"{surname}:{given}", surname=surname, given=given, **kw)  # type: ignore[arg-type]


def manifest() -> Message:
    return Message(
        kind="PAXLST",
        version="D:05B",
        flight=LEG,
        legs=(LEG,),
        passengers=(
            person(
                "AL HAKIM",
                "ABDUL RAHMAN",
                gender="M",
                birth_date=dt.date(1975, 3, 2),
                nationality="SYR",
                documents=(TravelDocument("P", "N1234567", "SYR", dt.date(2030, 1, 1)),),
                ref="R1",
                pnr_locator="ABC123",
                seat="12A",
            ),
            person(
                "DUPONT",
                "MARIE",
                gender="F",
                birth_date=dt.date(1990, 1, 1),
                nationality="FRA",
                documents=(TravelDocument("P", "X9988776", "FRA", dt.date(2031, 1, 1)),),
                ref="R2",
                pnr_locator="ABC123",
                seat="12B",
            ),
            person(
                "SCHMIDT",
                "HANS",
                gender="M",
                birth_date=dt.date(1980, 5, 5),
                nationality="DEU",
                documents=(TravelDocument("P", "AB1234S67", "DEU", dt.date(2025, 1, 1)),),
                ref="R3",
                seat="30C",
            ),
        ),
    )


def pnr_push(cash: bool) -> Message:
    pay = (
        Payment("CA", amount="950.00", currency="EUR") if cash else Payment("CC", "VI", "XXXX1186")
    )
    return Message(
        kind="PNRGOV",
        version="13:1",
        flight=LEG,
        legs=(LEG,),
        pnrs=(
            Pnr(
                locator="ABC123",
                carrier="XY",
                created=DEPARTURE - dt.timedelta(hours=20),
                travellers=(person("AL HAKIM", "ABDUL RAHMAN"), person("DUPONT", "MARIE")),
                itinerary=(LEG,),
                payments=(pay,),
                contacts=("+963 11 555 0101",),
            ),
        ),
    )


def stored(hub: Hub, org_id: int | None, *messages: Message) -> None:
    with hub.db.session() as s:
        for i, msg in enumerate(messages):
            tf = TravelFile(
                org_id=org_id, name=f"f{i}", sha256="", size=0, kind=msg.kind, received_by="t"
            )
            s.add(tf)
            s.flush()
            store.store_message(s, org_id, msg, f"f{i}", store.StoredFile(f"f{i}", tf.id, msg.kind))


@pytest.fixture
def unit(hub: Hub, tmp_path: Path) -> tuple[Hub, factories.Member, factories.Member]:
    (tmp_path / "wl.csv").write_text(LIST, encoding="utf-8")
    load(hub, factories.OPERATOR, "plain-csv", tmp_path / "wl.csv", list_name="watch")
    (tmp_path / "docs.csv").write_text(DOCS, encoding="utf-8")
    travel.load_documents(hub, factories.OPERATOR, tmp_path / "docs.csv")
    agency = factories.org(hub, kind="border")
    analyst = factories.member(hub, "analyst", agency)
    admin = factories.member(hub, "admin", agency)
    stored(hub, analyst.actor.org_id, manifest(), pnr_push(cash=False))
    return hub, analyst, admin


def test_pnr_pushes_are_versioned_with_changes(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, _ = unit
    stored(hub, analyst.actor.org_id, pnr_push(cash=False))  # the same push again: no version
    stored(hub, analyst.actor.org_id, pnr_push(cash=True))
    with hub.db.session() as s:
        versions = list(s.scalars(select(PnrVersion).order_by(PnrVersion.version)))
    assert [v.version for v in versions] == [1, 2]
    fields = {c["field"] for c in versions[1].changes}
    assert fields == {"payments"}
    change = versions[1].changes[0]
    assert change["added"][0]["type"] == "CA"
    assert change["removed"][0]["type"] == "CC"
    flight = travel.flights(hub, analyst.actor)[0]
    assert (flight.passengers, flight.pnrs) == (5, 1)  # 3 API + 2 PNR travellers


def test_checks_explain_each_hit_and_keep_decisions(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, _ = unit
    run = travel.run_checks(hub, analyst.actor)
    assert run.passengers == 3  # PNR travellers already on the manifest are checked once
    by = {(r.name, r.check, r.list) for r in run.rows}
    assert ("AL HAKIM:ABDUL RAHMAN", "watchlist", "watch") in by
    assert ("DUPONT:MARIE", "document", "documents") in by
    assert ("SCHMIDT:HANS", "document", "documents-near-miss") in by  # S read for 5
    assert ("SCHMIDT:HANS", "mrz", "expiry") in by
    watch = next(r for r in run.rows if r.check == "watchlist")
    assert "birth date" in watch.explanation
    assert watch.list_ref == "P-1"
    assert all(r.explanation for r in run.rows)
    assert not any(r.name.startswith("DUPONT") and r.check == "watchlist" for r in run.rows)
    # a decision survives a re-run; nothing is raised twice
    travel.decide(hub, analyst.actor, watch.hit_id, "dismissed", "namesake: other birth place")
    again = travel.run_checks(hub, analyst.actor)
    assert again.new_hits == 0
    states = {r.hit_id: r.state for r in again.rows}
    assert states[watch.hit_id] == "dismissed"


def test_review_needs_reason_and_legal_basis_and_export_needs_confirmation(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, admin = unit
    run = travel.run_checks(hub, analyst.actor, checks=["document"])
    hit = next(r for r in run.rows if r.list == "documents")
    with pytest.raises(Conflict):
        travel.export_case(hub, admin.actor, hit.hit_id, "Partner PIU")
    with pytest.raises(Forbidden):  # releasing a case is not an analyst's call
        travel.export_case(hub, analyst.actor, hit.hit_id, "Partner PIU")
    with pytest.raises(InvalidInput, match="reason"):
        travel.decide(hub, analyst.actor, hit.hit_id, "confirmed", "  ")
    with pytest.raises(InvalidInput, match="legal basis"):
        travel.decide(hub, analyst.actor, hit.hit_id, "confirmed", "document reported stolen")
    viewer = factories.member(hub, "viewer", analyst.org)
    with pytest.raises(Forbidden):
        travel.decide(hub, viewer.actor, hit.hit_id, "dismissed", "x")
    d = travel.decide(
        hub, analyst.actor, hit.hit_id, "confirmed", "stolen passport", "Art. 12(3), case 7"
    )
    assert d.decided_by == analyst.username
    assert d.decided_at is not None
    case = travel.export_case(hub, admin.actor, hit.hit_id, "Partner PIU")
    assert case["decision"]["legal_basis"] == "Art. 12(3), case 7"
    assert case["hit"]["list_ref"] == "FRA:X9988776"
    other = factories.member(hub, "admin")
    with pytest.raises(Exception, match="No hit"):
        travel.export_case(hub, other.actor, hit.hit_id, "Partner PIU")
    with hub.db.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"travel.check", "travel.review", "travel.export"} <= actions


def test_checkin_never_refuses_on_a_name_alone(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, _ = unit
    leg = Leg("XY", "0999", "IST", "AMM", DEPARTURE)
    people = [
        person(
            "AL HAKIM", "ABDUL RAHMAN", birth_date=dt.date(1975, 3, 2), nationality="SYR", ref="A"
        ),
        person("DUPONT", "MARIE", documents=(TravelDocument("P", "X9988776", "FRA"),), ref="B"),
        person("NOVAK", "JANA", birth_date=dt.date(1992, 2, 2), ref="C"),
    ]
    answers = checkin.check_in(hub, analyst.actor, leg, people)
    codes = {a.passenger_ref: a.directive for a in answers}
    assert codes == {"A": "contact-authority", "B": "no-board", "C": "board"}
    assert answers[0].hit_ids
    assert answers[1].reasons
    text = checkin.cusres(leg, answers, "REF1", dt.datetime(2026, 3, 14, 20, 0))
    assert "BGM+962" in text
    assert "ERC+1Z" in text
    assert "ERC+0Z" in text
    assert "ERC+2Z" in text
    _queue, total = travel.queue(hub, analyst.actor)
    assert total >= 2  # the check-in hits wait for review like any other


def test_retention_masks_at_six_months_and_deletes_at_five_years(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, admin = unit
    run = travel.run_checks(hub, analyst.actor, checks=["document"])
    stolen = next(r for r in run.rows if r.list == "documents")
    travel.decide(hub, analyst.actor, stolen.hit_id, "confirmed", "stolen", "case 2026/1")
    early = travel.retention_run(hub, admin.actor, dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    assert early.masked_passengers == 0
    later = travel.retention_run(hub, admin.actor, dt.datetime(2026, 9, 14, tzinfo=dt.UTC))
    assert later.masked_passengers == 3  # Marie is held: her API and her PNR row
    assert later.masked_pnrs == 0  # her booking is part of the case; Al Hakim's entry in it
    booking = travel.passenger(hub, analyst.actor, stolen.passenger_id).pnr
    assert booking is not None
    assert {t["name"] for t in booking["travellers"]} == {"MASKED", "DUPONT:MARIE"}
    people = {p.name for p in travel.manifest(hub, analyst.actor, stolen.flight_id).passengers}
    assert people == {"MASKED", "DUPONT:MARIE"}
    masked = next(
        p for p in travel.manifest(hub, analyst.actor, stolen.flight_id).passengers if p.masked
    )
    assert masked.record.documents == ()
    assert masked.record.birth_date is None
    assert travel.run_checks(hub, analyst.actor).flights == 0  # masked flights are not re-checked
    # unmasking: a reason, someone else's approval, a logged read, a lapse
    req = travel.request_unmask(hub, analyst.actor, masked.id, "case 2026/9: associate of a hit")
    with pytest.raises(Forbidden):
        travel.unmasked(hub, analyst.actor, req.id)
    second = factories.member(hub, "admin", analyst.org)
    own = travel.request_unmask(hub, admin.actor, masked.id, "admin's own request for a case")
    with pytest.raises(Forbidden):
        travel.decide_unmask(hub, admin.actor, own.id, True, "self-approval")
    travel.decide_unmask(hub, second.actor, req.id, True, "approved by the competent authority")
    data = travel.unmasked(hub, analyst.actor, req.id)
    assert data["name"] != "MASKED"
    # five years on: everything goes except the held passenger
    final = travel.retention_run(hub, admin.actor, dt.datetime(2031, 3, 20, tzinfo=dt.UTC))
    assert final.deleted_passengers == 3
    assert final.deleted_flights == 0
    with hub.db.session() as s:
        left = list(s.scalars(select(TravelPassenger.name)))
        vault = s.scalar(select(func.count()).select_from(VaultItem))
    assert left == ["DUPONT:MARIE", "DUPONT:MARIE"]  # her API and PNR rows
    assert vault == 0


def test_retention_periods_are_settings(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, _, admin = unit
    short = Hub(hub.settings.model_copy(update={"travel_mask_after_days": 30}), hub.db)
    result = travel.retention_run(short, admin.actor, dt.datetime(2026, 4, 20, tzinfo=dt.UTC))
    assert result.masked_passengers == 5


def test_retention_is_scheduled_daily(unit: tuple[Hub, factories.Member, factories.Member]) -> None:
    hub, _, _ = unit
    table = [schedule.Schedule("travel-retention", dt.timedelta(days=1))]
    assert [s.kind for s in schedule.schedules()] == ["travel-retention"]
    first = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    assert [s.kind for s in schedule.due(hub, first, table)] == ["travel-retention"]
    with hub.db.session() as s:
        s.add(
            Job(
                id="a" * 32,
                kind="travel-retention",
                created_by="system:scheduler",
                actor={},
                state="succeeded",
                created_at=first,
            )
        )
    assert schedule.due(hub, first + dt.timedelta(hours=23), table) == []
    assert len(schedule.due(hub, first + dt.timedelta(days=1), table)) == 1


def test_rule_re_evaluation_sees_a_new_push(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, _ = unit
    travel.rule_save(
        hub,
        analyst.actor,
        {
            "name": "cash-one-way",
            "description": "one-way ticket paid in cash",
            "weight": 0.6,
            "conditions": [
                {"field": "paid_cash", "op": "is_true"},
                {"field": "one_way", "op": "is_true"},
            ],
        },
    )

    def fired() -> set[str]:
        run = travel.run_checks(hub, analyst.actor, checks=["rule"])
        return {r.name for r in run.rows if r.list == "cash-one-way" and r.state == "open"}

    assert fired() == set()
    assert fired() == set()  # the same stored day again (fact rows reused)
    stored(hub, analyst.actor.org_id, pnr_push(cash=True))  # a new push: paid in cash
    assert fired() == {"AL HAKIM:ABDUL RAHMAN", "DUPONT:MARIE"}


def test_data_received_again_after_masking_is_masked_at_once(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, admin = unit
    travel.retention_run(hub, admin.actor, dt.datetime(2026, 9, 14, tzinfo=dt.UTC))
    resent = synthetic.paxlst(manifest()).encode()  # the masked flight's manifest, re-sent
    travel.ingest(hub, analyst.actor, "resent.edi", resent)
    for f in travel.flights(hub, analyst.actor):
        names = {p.name for p in travel.manifest(hub, analyst.actor, f.id).passengers}
        assert names == {"MASKED"}, (f.label, names)


def test_review_findings_stay_fixed(
    unit: tuple[Hub, factories.Member, factories.Member], tmp_path: Path
) -> None:
    hub, analyst, admin = unit
    # a document without a usable issuer is reported, and does not stop the others' checks
    odd = Message(
        kind="PAXLST",
        version="D:05B",
        flight=LEG,
        legs=(LEG,),
        passengers=(person("NOBODY", "NEMO", documents=(TravelDocument("P", "AB-12#34", ""),)),),
    )
    stored(hub, analyst.actor.org_id, odd)
    run = travel.run_checks(hub, analyst.actor, checks=["document", "mrz"])
    assert any(r.list == "unchecked" and r.name == "NOBODY:NEMO" for r in run.rows)
    assert any(r.list == "documents" for r in run.rows)
    # a confirmation reversed drops the hold; partners see confirmed hits only
    stolen = next(r for r in run.rows if r.list == "documents")
    travel.decide(hub, analyst.actor, stolen.hit_id, "confirmed", "stolen", "case 3")
    travel.decide(hub, analyst.actor, stolen.hit_id, "dismissed", "mistake: other holder")
    assert travel.retention_run(hub, admin.actor, dt.datetime(2026, 9, 14, tzinfo=dt.UTC)).held == 0
    # an empty document list never replaces the active one
    (tmp_path / "empty.csv").write_text(DOCS.splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no document"):
        travel.load_documents(hub, admin.actor, tmp_path / "empty.csv")
    # CUSRES reads back without warnings through the project's own parser
    answers = checkin.check_in(hub, analyst.actor, LEG, [person("NOVAK", "JANA", ref="C")])
    text = checkin.cusres(LEG, answers, "REF1", dt.datetime(2026, 3, 14, 20, 0))
    from cthub.travel.edifact.tokenizer import tokenize

    tokens = tokenize(text.encode(), "cusres")
    assert [w.code for w in tokens.warnings.items] == []


def test_unmask_is_decided_by_a_person_not_a_key(
    unit: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, admin = unit
    travel.retention_run(hub, admin.actor, dt.datetime(2026, 9, 14, tzinfo=dt.UTC))
    masked = next(
        p for f in travel.flights(hub, analyst.actor)
        for p in travel.manifest(hub, analyst.actor, f.id).passengers if p.masked
    )  # fmt: skip
    req = travel.request_unmask(hub, admin.actor, masked.id, "case 2026/10: associate")
    key_actor = dataclasses.replace(admin.actor, name="key:robot", via="api_key", user_id=None)
    with pytest.raises(Forbidden):
        travel.decide_unmask(hub, key_actor, req.id, True, "approved by my own key")
    other = factories.member(hub, "admin", analyst.org)
    travel.decide_unmask(hub, other.actor, req.id, True, "approved")
    with pytest.raises(Forbidden):  # only the requester reads under it
        travel.unmasked(hub, other.actor, req.id)
    assert travel.unmasked(hub, admin.actor, req.id)["name"] != "MASKED"

"""Facts: one typed row per passenger on a flight, from hand-built records."""

from __future__ import annotations

import datetime as dt

import pytest

from cthub.core.model.countries import countries
from cthub.travel.facts import (
    BOOL,
    CATALOGUE,
    CODE,
    CODES,
    GROUPS,
    NUMBER,
    OPERATORS,
    STRING,
    CrossIndex,
    FactContext,
    airport_country,
    airports,
    bulk_facts,
    catalogue_rows,
    columns,
    country_alpha3,
    document_key,
    email_address,
    name_key,
    passenger_facts,
    phone_country_code,
    traveller_keys,
)
from cthub.travel.records import (
    HistoryItem,
    Leg,
    Message,
    Passenger,
    Payment,
    Pnr,
    TravelDocument,
)

DEP = dt.datetime(2026, 3, 14, 10, 0)
FLIGHT = Leg("TK", "1980", "LHR", "IST", DEP, DEP + dt.timedelta(hours=4))
HUBS = frozenset({"IST", "AMM", "GZT"})


def pax(surname: str = "DOE", given: str = "JOHN", **kw: object) -> Passenger:
    base: dict[str, object] = {
        "name": f"{surname} {given}",
        "surname": surname,
        "given": given,
    }
    base.update(kw)
    return Passenger(**base)  # type: ignore[arg-type]


def passport(
    number: str = "X1234567", expiry: dt.date | None = dt.date(2030, 1, 1)
) -> TravelDocument:
    return TravelDocument("P", number, "GBR", expiry, dt.date(2020, 1, 1), "GBR")


def api(*people: Passenger, kind: str = "PAXLST", flight: Leg = FLIGHT) -> Message:
    return Message(
        kind=kind,
        version="D:05B",
        flight=flight,
        legs=(flight,),
        passengers=people,
        list_type="745",
    )


def pnrgov(*pnrs: Pnr, flight: Leg = FLIGHT) -> Message:
    return Message(kind="PNRGOV", version="11:1", flight=flight, legs=(flight,), pnrs=pnrs)


def leg(
    origin: str, dest: str, dep: dt.datetime, hours: float = 3.0, number: str = "1", **kw: str
) -> Leg:
    return Leg("TK", number, origin, dest, dep, dep + dt.timedelta(hours=hours), **kw)


def booking(
    locator: str = "ABC123", *, travellers: tuple[Passenger, ...] = (), **kw: object
) -> Pnr:
    base: dict[str, object] = {
        "locator": locator,
        "carrier": "TK",
        "created": DEP - dt.timedelta(days=30),
        "travellers": travellers or (pax(pnr_locator=locator),),
        "itinerary": (FLIGHT,),
    }
    base.update(kw)
    return Pnr(**base)  # type: ignore[arg-type]


def facts(
    message: Message, p: Passenger, pnr: Pnr | None = None, **ctx: object
) -> dict[str, object]:
    context = FactContext(**ctx)  # type: ignore[arg-type]
    return passenger_facts(message, p, pnr, context)


# --- catalogue -------------------------------------------------------------------------------


def test_catalogue_is_typed_grouped_and_large_enough() -> None:
    assert len(CATALOGUE) >= 86
    for attr in CATALOGUE.values():
        assert attr.type in OPERATORS
        assert attr.group in GROUPS
        assert attr.description.endswith(".") or attr.description.endswith(")")
        assert attr.operators == OPERATORS[attr.type]
        if attr.evidence:
            assert attr.evidence in CATALOGUE
    assert {a.group for a in CATALOGUE.values()} == set(GROUPS)
    rows = catalogue_rows("hits")
    assert rows
    assert all(r["group"] == "hits" for r in rows)
    assert len(catalogue_rows()) == len(CATALOGUE)


def _type_ok(kind: str, value: object) -> bool:
    if value is None:
        return True
    if kind == NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind in (CODE, STRING):
        return isinstance(value, str)
    assert kind == CODES
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def test_rows_have_every_attribute_with_its_declared_type() -> None:
    p = pax(birth_date=dt.date(1990, 5, 1), documents=(passport(),), pnr_locator="ABC123", bags=1)
    pnr = booking(
        travellers=(p, pax("ROE", "JANE", pnr_locator="ABC123")),
        payments=(Payment("CC", "VI", "XXXXXXXXXXXX1111", "420.50", "EUR"),),
        emails=("JOHN//EXAMPLE.COM",),
        contacts=("+44 7700 900123",),
        history=(HistoryItem("A", "SEAT 23C", DEP - dt.timedelta(days=3)),),
        remarks=("CTCM PAX",),
        agency="ABCTRAVEL",
        agency_country="GBR",
    )
    rows = [facts(api(p), p, pnr, hubs=HUBS), facts(api(p), p, None), facts(pnrgov(pnr), p, pnr)]
    for row in rows:
        assert set(row) == set(CATALOGUE)
        for name, value in row.items():
            assert _type_ok(CATALOGUE[name].type, value), (name, value)


# --- api ---------------------------------------------------------------------------------------


def test_api_attributes() -> None:
    p = pax(
        gender="m",
        birth_date=dt.date(2000, 3, 15),  # 25 on 14 March 2026, 26 the day after
        nationality="GBR",
        residence_country="TUR",
        documents=(passport(expiry=dt.date(2026, 3, 20)), TravelDocument("V", "V99", "TUR")),
        seat="23c",
        bags=2,
    )
    row = facts(api(p), p)
    assert row["age"] == 25
    assert row["gender"] == "M"
    assert row["nationality"] == "GBR"
    assert row["nationality_differs_from_residence"] is True
    assert row["document_type"] == "P"
    assert row["document_types"] == ("P", "V")
    assert row["document_count"] == 2
    assert row["has_visa"] is True
    assert row["document_expires_days"] == 6
    assert row["document_expired"] is False
    assert row["document_expires_during_trip"] is False  # this flight only: arrives the same day
    assert row["document_issued_days"] == (DEP.date() - dt.date(2020, 1, 1)).days
    assert row["document_issuer_differs_from_nationality"] is False
    assert row["flight_origin_country"] == "GBR"
    assert row["flight_destination_country"] == "TUR"
    assert row["international"] is True
    assert row["embarkation"] == "LHR"
    assert row["seat"] == "23C"
    assert row["has_seat"] is True
    assert row["checked_in"] is True
    assert row["api_present"] is True
    assert row["source"] == "PAXLST"
    assert row["departure_hour"] == 10
    assert row["departure_weekday"] == 5  # Saturday


def test_missing_data_is_none() -> None:
    p = pax()
    row = facts(api(p), p)
    for name in ("age", "gender", "nationality", "document_type", "document_expires_days", "bags"):
        assert row[name] is None, name
    for name in ("hours_booking_to_departure", "one_way", "payment_types", "paid_cash", "agency"):
        assert row[name] is None, name
    assert row["pnr_present"] is False
    assert row["is_minor"] is None
    assert row["days_to_departure"] is None  # no "now" in the context


def test_expired_document_and_trip_end_from_itinerary() -> None:
    p = pax(documents=(passport(expiry=dt.date(2026, 3, 1)),))
    row = facts(api(p), p)
    assert row["document_expires_days"] == -13
    assert row["document_expired"] is True
    back = leg("IST", "LHR", DEP + dt.timedelta(days=20), number="1981")
    q = pax(documents=(passport(expiry=dt.date(2026, 3, 25)),), pnr_locator="ABC123")
    pnr = booking(travellers=(q,), itinerary=(FLIGHT, back))
    row = facts(api(q), q, pnr)
    assert row["document_expired"] is False
    assert row["document_expires_during_trip"] is True


# --- pnr ---------------------------------------------------------------------------------------


def test_booking_window_and_ticketing() -> None:
    p = pax(pnr_locator="ABC123", ticket="2351234567890")
    pnr = booking(
        travellers=(p,),
        created=DEP - dt.timedelta(hours=18),
        ticketed=DEP - dt.timedelta(hours=2),
        last_modified=DEP - dt.timedelta(hours=6),
    )
    row = facts(api(p), p, pnr)
    assert row["hours_booking_to_departure"] == 18.0
    assert row["days_booking_to_departure"] == 0.8
    assert row["days_last_change_to_departure"] == 0.2
    assert row["hours_ticketing_to_departure"] == 2.0
    assert row["ticket_same_day"] is True
    assert row["booked_same_day"] is False  # created the evening before
    assert row["ticketed"] is True
    assert row["travelling_alone"] is True
    assert row["travellers_in_pnr"] == 1


def test_pnr_attributes() -> None:
    p = pax(pnr_locator="ABC123", frequent_flyer="TK 123456")
    infant = pax("DOE", "BABY", role="infant")
    pnr = booking(
        travellers=(p, pax("DOE", "MARY MRS"), infant),
        itinerary=(leg("LHR", "IST", DEP, number="1980", status="HK", booking_class="y"),),
        history=(
            HistoryItem("A", "NAME CHANGE"),
            HistoryItem("X", "SEGMENT CANCELLED"),
            HistoryItem("", "PAX NO SHOW ON TK1979"),
        ),
        remarks=("OSI TK VIP", "GOSHOW"),
        codeshare=("LH1234",),
        split_from="XYZ999",
        bags=3,
        agency="TK LONDON",
    )
    row = facts(pnrgov(pnr), p, pnr, push_counts={"ABC123": 4})
    assert row["travellers_in_pnr"] == 2
    assert row["infants_in_pnr"] == 1
    assert row["travelling_alone"] is False
    assert row["co_travellers_on_flight"] == 1
    assert row["history_count"] == 3
    assert row["history_cancellations"] == 1
    assert row["no_show_history"] is True
    assert row["go_show"] is True
    assert row["codeshare"] is True
    assert row["split_pnr"] is True
    assert row["frequent_flyer"] is True
    assert row["pnr_bags"] == 3
    assert row["booking_status"] == "HK"
    assert row["booking_class"] == "Y"
    assert row["remarks"] == "OSI TK VIP | GOSHOW"
    assert row["remarks_count"] == 2
    assert row["pnr_push_count"] == 4
    assert row["booked_by_agency"] is False  # the carrier's own office
    assert row["checked_in"] is None  # PNR only, no manifest known
    assert row["api_present"] is False


def test_agency_and_push_count_missing() -> None:
    p = pax(pnr_locator="ABC123")
    pnr = booking(travellers=(p,), agency="SKYTOURS", agency_country="tur")
    row = facts(pnrgov(pnr), p, pnr)
    assert row["booked_by_agency"] is True
    assert row["agency"] == "SKYTOURS"
    assert row["agency_country"] == "TUR"
    assert row["pnr_push_count"] is None


# --- itinerary ---------------------------------------------------------------------------------


def test_one_way_with_hub_connection() -> None:
    p = pax(pnr_locator="ABC123")
    second = leg("IST", "GZT", DEP + dt.timedelta(hours=18), hours=2, number="2222")
    pnr = booking(travellers=(p,), itinerary=(FLIGHT, second))
    row = facts(api(p), p, pnr, hubs=frozenset({"ist"}), destination_countries=frozenset({"TR"}))
    assert row["one_way"] is True
    assert row["round_trip"] is False
    assert row["origin"] == "LHR"
    assert row["destination"] == "GZT"
    assert row["destination_country"] == "TUR"
    assert row["transit_airports"] == ("IST",)
    assert row["transit_countries"] == ("TUR",)
    assert row["route_airports"] == ("LHR", "IST", "GZT")
    assert row["route_countries"] == ("GBR", "TUR")
    assert row["layover_hours_max"] == 14.0
    assert row["layover_hours_min"] == 14.0
    assert row["hub_layover_hours_max"] == 14.0
    assert row["route_via_hub"] is True
    assert row["hubs_on_route"] == ("IST",)
    assert row["destination_in_country_list"] is True  # TR given as alpha-2
    assert row["route_touches_country_list"] is True
    assert row["listed_countries_on_route"] == ("TUR",)
    assert row["trip_duration_days"] is None  # one-way
    assert row["legs_count"] == 2
    assert row["carriers_count"] == 1
    assert row["broken_travel"] is False


def test_round_trip_stay_and_duration() -> None:
    p = pax(pnr_locator="ABC123")
    back = leg("IST", "LHR", DEP + dt.timedelta(days=10, hours=4), hours=4, number="1981")
    pnr = booking(travellers=(p,), itinerary=(back, FLIGHT))  # out of order on purpose
    row = facts(api(p), p, pnr, hubs=HUBS)
    assert row["round_trip"] is True
    assert row["one_way"] is False
    assert row["destination"] == "IST"
    assert row["destination_stay_days"] == 10.0
    assert row["trip_duration_days"] == 10.3
    assert row["layover_hours_max"] is None  # the turnaround is a stay, not a layover
    assert row["transit_airports"] == ()
    assert row["route_via_hub"] is True  # the destination is a hub
    assert row["hub_layover_hours_max"] is None


def test_return_to_another_airport_of_the_origin_country_is_a_round_trip() -> None:
    p = pax(pnr_locator="ABC123")
    back = leg("SAW", "LGW", DEP + dt.timedelta(days=5), number="1982")
    pnr = booking(travellers=(p,), itinerary=(FLIGHT, back))
    row = facts(api(p), p, pnr)
    assert row["round_trip"] is True
    assert row["broken_travel"] is True
    assert row["surface_segments"] == ("IST-SAW",)


def test_broken_travel_and_cancelled_legs() -> None:
    p = pax(pnr_locator="ABC123")
    first = leg("LHR", "AMM", DEP - dt.timedelta(days=2), hours=5, number="100")
    cancelled = leg("AMM", "DAM", DEP - dt.timedelta(days=1), number="200", status="HX")
    second = leg("BEY", "IST", DEP - dt.timedelta(hours=30), number="300")
    flight = Leg("TK", "1980", "IST", "GZT", DEP, DEP + dt.timedelta(hours=2))
    pnr = booking(travellers=(p,), itinerary=(first, cancelled, second, flight))
    row = facts(api(p, flight=flight), p, pnr, hubs=HUBS)
    assert row["legs_count"] == 3
    assert row["broken_travel"] is True
    assert row["surface_segments"] == ("AMM-BEY",)
    assert "DAM" not in row["route_airports"]  # type: ignore[operator]
    assert row["route_airports"] == ("LHR", "AMM", "BEY", "IST", "GZT")
    assert row["transit_airports"] == ("AMM", "BEY", "IST")
    assert row["hubs_on_route"] == ("AMM", "IST", "GZT")
    assert row["flight_origin"] == "IST"


def test_days_to_departure_uses_now() -> None:
    p = pax()
    row = facts(api(p), p, now=DEP - dt.timedelta(hours=36))
    assert row["days_to_departure"] == 1.5


# --- payment and contact ---------------------------------------------------------------------


def test_payment_attributes() -> None:
    p = pax(pnr_locator="ABC123")
    pnr = booking(
        travellers=(p,),
        payments=(Payment("CA", amount="100.00", currency="gbp"), Payment("CASH", amount="x")),
    )
    row = facts(api(p), p, pnr)
    assert row["payment_types"] == ("CA",)
    assert row["paid_cash"] is True
    assert row["paid_card"] is False
    assert row["payment_count"] == 2
    assert row["payment_total"] == 100.0
    assert row["payment_currency"] == "GBP"
    empty = booking(travellers=(p,))
    row = facts(api(p), p, empty)
    assert row["payment_types"] == ()
    assert row["paid_cash"] is None  # no FOP sent: unknown, not "not cash"


def test_shared_card_and_contact_across_pnrs() -> None:
    card = Payment("CC", "VI", "XXXXXXXXXXXX4242")
    travellers = [pax(f"P{i}", "A", pnr_locator=f"L{i}") for i in range(4)]
    pnrs = [
        booking(f"L{i}", travellers=(travellers[i],), payments=(card,) if i < 3 else ())
        for i in range(4)
    ]
    pnrs[3] = booking("L3", travellers=(travellers[3],), emails=("X@MAIL.TEST",))
    pnrs[0] = booking("L0", travellers=(travellers[0],), payments=(card,), emails=("x@mail.test",))
    rows = bulk_facts([api(*travellers), pnrgov(*pnrs)], FactContext())
    by_name = {r.passenger.surname: r.facts for r in rows}
    assert by_name["P0"]["payment_shared_with_other_pnrs"] == 2
    assert by_name["P0"]["contact_shared_with_other_pnrs"] == 1
    assert by_name["P3"]["payment_shared_with_other_pnrs"] == 0
    assert by_name["P3"]["contact_shared_with_other_pnrs"] == 1
    assert by_name["P0"]["paid_card"] is True
    assert by_name["P0"]["card_vendors"] == ("VI",)


def test_contact_attributes() -> None:
    p = pax(pnr_locator="ABC123", phones=("0090 532 123 4567",))
    pnr = booking(
        travellers=(p,),
        emails=("CTCE JOHN.DOE//EXAMPLE.COM/EN", "bad address"),
        contacts=("+44 20 7946 0000", "020 7946 0000"),
        addresses=("1 HIGH ST LONDON",),
    )
    row = facts(api(p), p, pnr)
    assert row["email_domains"] == ("example.com",)
    assert row["has_email"] is True
    assert row["phone_country_codes"] == ("44", "90")
    assert row["has_phone"] is True
    assert row["has_address"] is True


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("+90 532 123 45 67", "90"),
        ("00963 11 1234567", "963"),
        ("+1 202 555 0100", "1"),
        ("+7 495 123 4567", "7"),
        ("CTCM 447700900123", "44"),
        ("020 7946 0000", None),
        ("+12", None),
    ],
)
def test_phone_country_code(text: str, code: str | None) -> None:
    assert phone_country_code(text) == code


def test_email_address_forms() -> None:
    assert email_address("JOHN//EXAMPLE.COM") == "john@example.com"
    assert email_address("a(AT)b.org") == "a@b.org"
    assert email_address("no at sign") is None


# --- derived -----------------------------------------------------------------------------------


def test_minor_with_unrelated_adults() -> None:
    child = pax("SMITH", "AMY", birth_date=dt.date(2015, 1, 1), pnr_locator="ABC123")
    adult = pax("JONES", "BOB", birth_date=dt.date(1980, 1, 1), pnr_locator="ABC123")
    pnr = booking(travellers=(child, adult))
    row = facts(api(child, adult), child, pnr)
    assert row["is_minor"] is True
    assert row["minor_with_unrelated_adults"] is True
    parent = pax("SMITH", "EVE", pnr_locator="ABC123")
    pnr = booking(travellers=(child, adult, parent))
    assert facts(api(child), child, pnr)["minor_with_unrelated_adults"] is False
    alone = booking(travellers=(child,))
    assert facts(api(child), child, alone)["minor_with_unrelated_adults"] is False
    assert facts(api(adult), adult, pnr)["minor_with_unrelated_adults"] is False


def test_no_bags_long_trip() -> None:
    p = pax(pnr_locator="ABC123", bags=0)
    back = leg("IST", "LHR", DEP + dt.timedelta(days=14), number="1981")
    long_pnr = booking(travellers=(p,), itinerary=(FLIGHT, back))
    assert facts(api(p), p, long_pnr)["no_bags_long_trip"] is True
    short_back = leg("IST", "LHR", DEP + dt.timedelta(days=2), number="1981")
    short_pnr = booking(travellers=(p,), itinerary=(FLIGHT, short_back))
    assert facts(api(p), p, short_pnr)["no_bags_long_trip"] is False
    one_way = booking(travellers=(p,))
    assert facts(api(p), p, one_way)["no_bags_long_trip"] is True  # one-way international
    q = pax(pnr_locator="ABC123", bags=None)
    assert facts(api(q), q, booking(travellers=(q,)))["no_bags_long_trip"] is None


# --- hits --------------------------------------------------------------------------------------


def test_hits_by_traveller_keys() -> None:
    a = pax("DOE", "JOHN", documents=(passport("A1"),), pnr_locator="ABC123")
    b = pax("ROE", "JANE", documents=(passport("B2"),), pnr_locator="ABC123")
    c = pax("POE", "EDGAR", documents=(passport("C3"),), pnr_locator="ZZZ999")
    message = api(a, b, c)
    pnr = booking(travellers=(a, b))
    watch = frozenset(traveller_keys(a))
    docs = frozenset({document_key(b.documents[0])})
    ctx = {"watchlist_hits": watch, "document_hits": docs}
    row_a, row_b = facts(message, a, pnr, **ctx), facts(message, b, pnr, **ctx)
    row_c = facts(message, c, None, **ctx)
    assert row_a["watchlist_hit"] is True
    assert row_a["co_traveller_watchlist_hit"] is False
    assert row_a["co_traveller_document_hit"] is True
    assert row_b["watchlist_hit"] is False
    assert row_b["document_hit"] is True
    assert row_b["co_traveller_watchlist_hit"] is True
    assert row_c["co_traveller_watchlist_hit"] is False
    assert row_c["watchlist_hit"] is False


def test_hits_by_subject_ids_and_groups() -> None:
    a, b, c = pax("DOE", "JOHN"), pax("ROE", "JANE"), pax("POE", "EDGAR")
    message = Message(kind="PAXLST", version="", flight=FLIGHT)
    context = FactContext(
        watchlist_hits=frozenset({1}),
        document_hits=frozenset({3}),
        groups={1: (7, "ABC"), 2: (7, "ABC"), 3: (7, "XYZ")},
    )
    row = {
        i: passenger_facts(message, p, None, context, subject_id=i)
        for i, p in ((1, a), (2, b), (3, c))
    }
    assert row[1]["watchlist_hit"] is True
    assert row[1]["co_traveller_watchlist_hit"] is False  # only itself in its group
    assert row[2]["co_traveller_watchlist_hit"] is True
    assert row[3]["co_traveller_watchlist_hit"] is False
    assert row[3]["document_hit"] is True
    assert row[2]["co_traveller_document_hit"] is False


def test_shared_contact_with_hit() -> None:
    a = pax("DOE", "JOHN", pnr_locator="L1", birth_date=dt.date(1990, 1, 1))
    b = pax("ROE", "JANE", pnr_locator="L2")
    c = pax("POE", "EDGAR", pnr_locator="L3")
    pnrs = (
        booking("L1", travellers=(a,), contacts=("+90 555 111 2233",)),
        booking("L2", travellers=(b,), contacts=("+90 555 111 2233",)),
        booking("L3", travellers=(c,), contacts=("+90 555 999 0000",)),
    )
    context = FactContext(watchlist_hits=traveller_keys(a))
    rows = {r.passenger.surname: r.facts for r in bulk_facts([pnrgov(*pnrs)], context)}
    assert rows["ROE"]["shared_contact_with_hit"] is True
    assert rows["POE"]["shared_contact_with_hit"] is False
    assert rows["DOE"]["shared_contact_with_hit"] is False  # its own booking is not "shared"
    index = CrossIndex.build(pnrs)
    by_locator = FactContext(hit_locators=frozenset({"L1"}), index=index)
    row = passenger_facts(pnrgov(*pnrs), b, pnrs[1], by_locator)
    assert row["shared_contact_with_hit"] is True


# --- bulk --------------------------------------------------------------------------------------


def test_bulk_merges_api_and_pnr_and_keeps_the_last_push() -> None:
    a = pax("DOE", "JOHN", pnr_locator="ABC123", birth_date=dt.date(1990, 1, 1), bags=1)
    booked_a = pax("DOE", "JOHN MR", frequent_flyer="TK1", documents=(passport(),))
    no_show = pax("ROE", "JANE MRS")
    first = booking(travellers=(booked_a, no_show), created=DEP - dt.timedelta(days=9))
    second = booking(
        travellers=(booked_a, no_show),
        created=DEP - dt.timedelta(days=9),
        payments=(Payment("CA"),),
    )
    rows = bulk_facts([pnrgov(first), api(a), pnrgov(second)], FactContext())
    assert len(rows) == 2
    by_name = {r.passenger.surname: r for r in rows}
    doe = by_name["DOE"].facts
    assert doe["api_present"] is True
    assert doe["frequent_flyer"] is True  # from the PNR traveller
    assert doe["document_type"] == "P"  # from the PNR's DOCS
    assert doe["age"] == 36
    assert doe["paid_cash"] is True  # the second push counts
    assert doe["travellers_in_pnr"] == 2
    roe = by_name["ROE"].facts
    assert roe["api_present"] is False
    assert roe["checked_in"] is False  # a manifest arrived without her
    assert roe["source"] == "PNRGOV"
    cols = columns([r.facts for r in rows], ["api_present", "checked_in"])
    assert cols == {"api_present": [True, False], "checked_in": [True, False]}


def test_bulk_takes_pnrs_from_the_caller_for_api_only_batches() -> None:
    a = pax("DOE", "JOHN", pnr_locator="ABC123")
    rows = bulk_facts([api(a)], FactContext(), pnrs={"ABC123": booking(travellers=(a,))})
    assert rows[0].facts["pnr_present"] is True
    assert rows[0].facts["days_booking_to_departure"] == 30.0


# --- reference tables --------------------------------------------------------------------------


def test_airport_table_agrees_with_the_country_table() -> None:
    table = countries()
    assert len(airports()) >= 200
    for airport in airports().values():
        assert len(airport.iata) == 3
        assert table[airport.country].alpha3 == airport.country3, airport
    assert airport_country("ist") == "TUR"
    assert airport_country("ZZZ") is None
    assert country_alpha3("sy") == "SYR"
    assert country_alpha3("SYR") == "SYR"


def test_name_key_drops_titles() -> None:
    assert name_key(pax("O'NEIL", "MARY MRS")) == name_key(pax("ONEIL", "MARY"))
    assert name_key(pax("DOE", "JOHNMR")) == "DOE/JOHN"
    assert traveller_keys(pax("DOE", "JOHN")) == frozenset({"NAME:DOE/JOHN"})


def test_traveller_keys_of_a_record_built_with_lists() -> None:
    p = Passenger(name="X", surname="X", documents=[passport()])  # type: ignore[arg-type]
    assert traveller_keys(p) == frozenset({"DOC:GBR:X1234567"})


def test_naive_and_aware_times_mix() -> None:
    p = pax(pnr_locator="ABC123")
    created = (DEP - dt.timedelta(hours=10)).replace(tzinfo=dt.UTC)
    row = facts(api(p), p, booking(travellers=(p,), created=created), now=created)
    assert row["hours_booking_to_departure"] == 10.0
    assert row["days_to_departure"] == 0.4

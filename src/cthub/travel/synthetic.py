"""Synthetic passenger days: flights with PAXLST manifests and PNRGOV pushes, with planted
listed persons, for the demo, the benchmarks and the quality measurements.

Background travellers are drawn from name parts common in the populations the lists concern
(Arabic, South Asian, East African, Western, East Asian given names and surnames), recombined
at random, so innocent namesakes and near-namesakes of listed persons occur as they do at a
real border. Planted travellers are listed individuals written as a passport would write them:
upper case, diacritics dropped, a transliteration variant now and then, a middle name dropped,
the listed birth date and nationality, and in half the cases the listed document number.
Every planted traveller is returned in ``truth`` so recall and alert volume can be measured.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cthub.core.model import country_code
from cthub.travel.records import Leg, Message, Passenger, Payment, Pnr, TravelDocument

GIVEN = [
    "MOHAMMED",
    "AHMED",
    "ALI",
    "OMAR",
    "HASSAN",
    "HUSSEIN",
    "IBRAHIM",
    "YUSUF",
    "ABDULLAH",
    "KHALID",
    "MAHMOUD",
    "MUSTAFA",
    "SAID",
    "ABDUL",
    "RAHMAN",
    "SALEH",
    "TARIQ",
    "HAMZA",
    "BILAL",
    "IMRAN",
    "ASIF",
    "FAISAL",
    "NASIR",
    "ZAID",
    "AMIR",
    "KARIM",
    "RASHID",
    "FATIMA",
    "AISHA",
    "MARYAM",
    "KHADIJA",
    "ZAINAB",
    "LAYLA",
    "NOOR",
    "HALIMA",
    "AMINA",
    "SAMIRA",
    "ABDI",
    "FARAH",
    "HODAN",
    "SAHRA",
    "MOHAMUD",
    "ABDIRAHMAN",
    "JOHN",
    "JAMES",
    "DAVID",
    "MICHAEL",
    "PETER",
    "ANNA",
    "MARIA",
    "ELENA",
    "SOFIA",
    "LUCAS",
    "THOMAS",
    "PAUL",
    "MARK",
    "SARAH",
    "EMMA",
    "OLGA",
    "IVAN",
    "SERGEI",
    "DMITRI",
    "NATALIA",
    "WEI",
    "LI",
    "JUN",
    "MIN",
    "HUI",
    "YAN",
    "KENJI",
    "HIROSHI",
    "YUKI",
    "MINH",
    "LINH",
]
SURNAMES = [
    "KHAN",
    "AHMED",
    "ALI",
    "HASSAN",
    "HUSSAIN",
    "RAHMAN",
    "MALIK",
    "SHEIKH",
    "QURESHI",
    "SIDDIQUI",
    "ABBAS",
    "HAIDER",
    "AL-MASRI",
    "AL-HASHIMI",
    "AL-AHMAD",
    "HADDAD",
    "NASSER",
    "SALEM",
    "MANSOUR",
    "KHALIL",
    "YOUSEF",
    "AZIZ",
    "OMAR",
    "ABDULLAH",
    "IBRAHIM",
    "MOHAMED",
    "WARSAME",
    "MOHAMUD",
    "FARAH",
    "HIRSI",
    "ADEN",
    "SMITH",
    "JONES",
    "BROWN",
    "MILLER",
    "WILSON",
    "SILVA",
    "SANTOS",
    "GARCIA",
    "MARTIN",
    "MULLER",
    "SCHMIDT",
    "ROSSI",
    "DUBOIS",
    "IVANOV",
    "PETROV",
    "POPOV",
    "KOVAC",
    "NOWAK",
    "WANG",
    "ZHANG",
    "LIU",
    "CHEN",
    "TANAKA",
    "SATO",
    "NGUYEN",
    "TRAN",
    "PARK",
    "KIM",
    "LEE",
]
NATIONALITIES = [
    "GBR",
    "FRA",
    "DEU",
    "ITA",
    "ESP",
    "NLD",
    "SWE",
    "POL",
    "TUR",
    "JOR",
    "EGY",
    "SAU",
    "ARE",
    "PAK",
    "IND",
    "BGD",
    "AFG",
    "IRQ",
    "SYR",
    "LBN",
    "SOM",
    "KEN",
    "ETH",
    "NGA",
    "MAR",
    "TUN",
    "DZA",
    "USA",
    "CAN",
    "BRA",
    "CHN",
    "JPN",
    "KOR",
    "VNM",
    "IDN",
    "MYS",
    "PHL",
    "RUS",
    "UKR",
]
#: Transliteration variants a passport may use for a listed spelling (and back).
VARIANTS = {
    "MUHAMMAD": ("MOHAMMED", "MOHAMED", "MOHAMMAD", "MUHAMMED"),
    "MOHAMMED": ("MUHAMMAD", "MOHAMED"),
    "MOHAMED": ("MOHAMMED", "MUHAMMAD"),
    "AHMAD": ("AHMED",),
    "AHMED": ("AHMAD",),
    "YUSUF": ("YOUSEF", "YOUSSEF"),
    "HUSAYN": ("HUSSEIN", "HUSSAIN"),
    "HUSSEIN": ("HUSAYN", "HUSSAIN"),
    "ABDUL": ("ABD AL", "ABDEL"),
    "OSAMA": ("USAMA",),
    "USAMA": ("OSAMA",),
    "UMAR": ("OMAR",),
    "OMAR": ("UMAR",),
    "KHALED": ("KHALID",),
    "KHALID": ("KHALED",),
    "SAYYID": ("SAYED", "SAYID"),
    "SAID": ("SAEED", "SAYID"),
    "ABU": ("ABOU",),
    "ABD": ("ABDUL",),
    "JAMAL": ("GAMAL",),
}
ROUTES = (
    ("XY", "IST", "AMM"),
    ("XY", "IST", "BEY"),
    ("XY", "LHR", "IST"),
    ("ZZ", "FRA", "DXB"),
    ("ZZ", "DXB", "KBL"),
    ("ZZ", "CDG", "CMN"),
    ("QQ", "AMS", "NBO"),
    ("QQ", "NBO", "MGQ"),
    ("QQ", "DOH", "ISB"),
    ("XY", "MAD", "TUN"),
)


@dataclass(frozen=True)
class Listed:
    """A listed individual as the generator needs it (from ``cthub.lists`` entries)."""

    list_name: str
    ref: str
    names: tuple[str, ...]
    birth_date: dt.date | None = None
    nationality: str = ""  # alpha-3
    gender: str = ""
    documents: tuple[str, ...] = ()


@dataclass
class Day:
    """One synthetic day: the messages and which passenger refs are planted listed persons."""

    messages: list[Message] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)  # passenger ref -> list:ref
    passengers: int = 0


def listed_from_properties(
    list_name: str, ref: str, schema: str, props: dict[str, list[str]]
) -> Listed | None:
    """A ``Listed`` from a list entry's properties (persons only)."""
    if schema != "Person":
        return None
    names = tuple(n for p in ("name", "alias") for n in props.get(p, []) if _latin(n))
    if not names:
        return None
    born = None
    for b in props.get("birthDate", []):
        if len(b) == 10:
            try:
                born = dt.date.fromisoformat(b)
            except ValueError:
                continue
            break
    nat = ""
    for c in props.get("nationality", []) + props.get("citizenship", []):
        nat = _alpha3(c)
        if nat:
            break
    docs = tuple(d for p in ("passportNumber", "idNumber") for d in props.get(p, []))
    gender = (props.get("gender") or [""])[0][:1].upper()
    return Listed(list_name, ref, names, born, nat, gender, docs)


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text)


_A3: dict[str, str] = {}


def _alpha3(alpha2: str) -> str:
    if not _A3:
        from cthub.core.model.countries import countries

        for c in countries().values():
            _A3[c.code] = c.alpha3
    code = country_code(alpha2) or ""
    return _A3.get(code, "")


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "".join(c if c.isalnum() or c in " -'" else " " for c in text.upper()).strip()


def _doc_number(rng: random.Random) -> str:
    return rng.choice(string.ascii_uppercase) + "".join(rng.choices(string.digits, k=8))


def _passport_name(rng: random.Random, name: str) -> tuple[str, str]:
    tokens = [t for t in _ascii(name).split() if t]
    tokens = [
        rng.choice(VARIANTS[t]) if t in VARIANTS and rng.random() < 0.5 else t for t in tokens
    ]
    if len(tokens) >= 4 and rng.random() < 0.4:
        del tokens[rng.randrange(1, len(tokens) - 1)]
    if len(tokens) == 1:
        return tokens[0], ""
    return tokens[-1], " ".join(tokens[:-1])


def _background(rng: random.Random, ref: str, locator: str, seat: str, day: dt.date) -> Passenger:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN) + (f" {rng.choice(GIVEN)}" if rng.random() < 0.3 else "")
    nat = rng.choice(NATIONALITIES)
    born = day - dt.timedelta(days=rng.randrange(365 * 2, 365 * 80))
    doc = TravelDocument(
        "P", _doc_number(rng), nat, day + dt.timedelta(days=rng.randrange(30, 3650))
    )
    return Passenger(
        name=f"{surname}:{given}",
        surname=surname,
        given=given,
        gender=rng.choice("MF"),
        birth_date=born,
        nationality=nat,
        documents=(doc,),
        ref=ref,
        pnr_locator=locator,
        seat=seat,
    )


def _planted(
    rng: random.Random, person: Listed, ref: str, locator: str, seat: str, day: dt.date
) -> Passenger:
    surname, given = _passport_name(rng, rng.choice(person.names))
    nat = person.nationality or rng.choice(NATIONALITIES)
    number = person.documents[0] if person.documents and rng.random() < 0.5 else _doc_number(rng)
    number = "".join(c for c in number.upper() if c.isalnum())[:20] or _doc_number(rng)
    doc = TravelDocument("P", number, nat, day + dt.timedelta(days=rng.randrange(30, 3650)))
    born = person.birth_date or day - dt.timedelta(days=rng.randrange(365 * 20, 365 * 70))
    return Passenger(
        name=f"{surname}:{given}",
        surname=surname,
        given=given,
        gender=person.gender or rng.choice("MF"),
        birth_date=born,
        nationality=nat,
        documents=(doc,),
        ref=ref,
        pnr_locator=locator,
        seat=seat,
    )


def _locator(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_uppercase + string.digits, k=6))


def generate_day(
    day: dt.date,
    passengers: int = 20_000,
    planted: Sequence[Listed] = (),
    seed: int = 0,
    per_flight: int = 180,
    with_pnr: bool = True,
) -> Day:
    """A day of flights carrying ``passengers`` travellers, each ``planted`` person once."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    out = Day()
    flights = max(1, -(-passengers // per_flight))
    plant_at = dict(
        zip(rng.sample(range(passengers), min(len(planted), passengers)), planted, strict=False)
    )
    n = 0
    for f in range(flights):
        carrier, origin, dest = ROUTES[f % len(ROUTES)]
        number = f"{100 + f:04d}"
        dep = dt.datetime.combine(day, dt.time(6, 0)) + dt.timedelta(minutes=(f * 37) % (17 * 60))
        leg = Leg(carrier, number, origin, dest, dep, dep + dt.timedelta(hours=3, minutes=30))
        people: list[Passenger] = []
        pnrs: list[Pnr] = []
        count = min(per_flight, passengers - n)
        i = 0
        while i < count:
            party = min(count - i, rng.choice((1, 1, 1, 2, 2, 3, 4)))
            locator = _locator(rng)
            group: list[Passenger] = []
            for _ in range(party):
                ref = f"{carrier}{number}-{n:06d}"
                seat = f"{1 + i // 6}{'ABCDEF'[i % 6]}"
                person = plant_at.get(n)
                if person is not None:
                    p = _planted(rng, person, ref, locator, seat, day)
                    out.truth[ref] = f"{person.list_name}:{person.ref}"
                else:
                    p = _background(rng, ref, locator, seat, day)
                group.append(p)
                n += 1
                i += 1
            people.extend(group)
            if with_pnr:
                created = dep - dt.timedelta(hours=rng.choice((6, 20, 50, 200, 700, 2000)))
                one_way = rng.random() < 0.3
                back = Leg(
                    carrier,
                    f"{int(number) + 1:04d}",
                    dest,
                    origin,
                    dep + dt.timedelta(days=rng.randrange(2, 30)),
                )
                pay = (
                    Payment("CA")
                    if rng.random() < 0.1
                    else Payment(
                        "CC", "VI", "XXXXXXXXXXXX" + "".join(rng.choices(string.digits, k=4))
                    )
                )
                pnrs.append(
                    Pnr(
                        locator=locator,
                        carrier=carrier,
                        created=created,
                        ticketed=created + dt.timedelta(hours=1),
                        travellers=tuple(
                            Passenger(
                                name=f"{g.surname}/{g.given}",
                                surname=g.surname,
                                given=g.given,
                                ref=g.ref,
                                documents=g.documents,
                                birth_date=g.birth_date,
                                gender=g.gender,
                                nationality=g.nationality,
                                pnr_locator=locator,
                            )
                            for g in group
                        ),
                        itinerary=(leg,) if one_way else (leg, back),
                        payments=(pay,),
                        contacts=(f"+{rng.randrange(1, 999)} {rng.randrange(10**6, 10**9)}",),
                        agency=rng.choice(("WEB", "ONLINE TRAVEL", "CITY AGENCY")),
                    )
                )
        out.messages.append(
            Message(
                kind="PAXLST",
                version="D:05B",
                flight=leg,
                legs=(leg,),
                passengers=tuple(people),
                list_type="745",
                reference=f"{carrier}{number}/{day:%y%m%d}",
            )
        )
        if with_pnr and pnrs:
            out.messages.append(
                Message(kind="PNRGOV", version="13:1", flight=leg, legs=(leg,), pnrs=tuple(pnrs))
            )
        out.passengers += len(people)
    return out


def _esc(text: str) -> str:
    for ch in "?+:'":
        text = text.replace(ch, "?" + ch)
    return text


def _yymmdd(d: dt.date | None) -> str:
    return d.strftime("%y%m%d") if d else ""


def paxlst(msg: Message, control: int = 1) -> str:
    """One message as a PAXLST D:05B interchange, the way carrier DCS systems write it."""
    leg = msg.flight
    dep = leg.departure or dt.datetime(2000, 1, 1)
    segs = [
        "UNA:+.? '",
        f"UNB+UNOA:4+{leg.carrier}AIR*DCS:ZZ+ZZPIU:ZZ+{dep:%y%m%d:%H%M}+{control}++APIS",
        f"UNG+PAXLST+{leg.carrier} AIRWAYS+ZZPIU+{dep:%y%m%d:%H%M}+{control}+UN+D:05B",
        f"UNH+PAX{control}+PAXLST:D:05B:UN:IATA+{leg.carrier}{leg.number}/{dep:%y%m%d/%H%M}+01:F",
        "BGM+745",
        f"RFF+TN:{leg.carrier}{leg.number}{dep:%y%m%d}:::1",
        f"NAD+MS+++{leg.carrier} AIRWAYS",
        f"TDT+20+{leg.carrier}{leg.number}+++{leg.carrier}",
        f"LOC+125+{leg.origin}",
        f"DTM+189:{dep:%y%m%d%H%M}:201",
        f"LOC+87+{leg.destination}",
    ]
    if leg.arrival:
        segs.append(f"DTM+232:{leg.arrival:%y%m%d%H%M}:201")
    for p in msg.passengers:
        segs.append(f"NAD+FL+++{_esc(p.surname)}:{_esc(p.given)}")
        if p.gender:
            segs.append(f"ATT+2++{p.gender}")
        if p.birth_date:
            segs.append(f"DTM+329:{_yymmdd(p.birth_date)}")
        segs += [f"LOC+178+{leg.origin}", f"LOC+179+{leg.destination}"]
        if p.nationality:
            segs.append(f"NAT+2+{p.nationality}")
        if p.pnr_locator:
            segs.append(f"RFF+AVF:{p.pnr_locator}")
        if p.ref:
            segs.append(f"RFF+ABO:{_esc(p.ref)}")
        if p.seat:
            segs.append(f"RFF+SEA:{p.seat}")
        for d in p.documents:
            segs.append(f"DOC+{d.type}:110:111+{_esc(d.number)}")
            if d.expiry:
                segs.append(f"DTM+36:{_yymmdd(d.expiry)}")
            if d.issuing_country:
                segs.append(f"LOC+91+{d.issuing_country}")
    segs.append(f"CNT+42:{len(msg.passengers)}")
    body = len(segs) - 4 + 1
    segs += [f"UNT+{body}+PAX{control}", f"UNE+1+{control}", f"UNZ+1+{control}"]
    return "'\n".join(segs) + "'\n"


def documents_csv(rng: random.Random, count: int, include: Iterable[tuple[str, str]] = ()) -> str:
    """A lost/stolen document list CSV with ``count`` random documents plus ``include``."""
    rows = ["document_number,issuing_country,document_type,status,reported_on"]
    statuses = ("stolen", "lost", "lost", "revoked", "invalid", "stolen_blank")
    for number, country in include:
        rows.append(f"{number},{country},P,stolen,2026-01-15")
    for _ in range(count):
        d = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))
        rows.append(f"{_doc_number(rng)},{rng.choice(NATIONALITIES)},P,{rng.choice(statuses)},{d}")
    return "\n".join(rows) + "\n"


__all__ = ["Day", "Listed", "documents_csv", "generate_day", "listed_from_properties", "paxlst"]

"""Benchmark: risk rules over one day of passengers (20,000 by default) on one core.

Builds a synthetic day of flights as records (API manifests + PNR pushes: itineraries with
hubs, one-way and round trips, surface gaps, payments with some shared cards, contacts,
history, documents), derives the fact rows with ``cthub.travel.facts.bulk_facts``, then runs
the built-in rules plus 10 extra rules through the compiled ``RuleSet`` (numpy columns) and,
as the baseline in the same run, through a naive per-row interpreter (dict lookups and
operator dispatch for every condition of every rule on every row). Both must give the same
hits. Target: full re-evaluation of 20,000 passengers x ~20 rules in under 1 s on one core.
Run: ``.venv/bin/python bench/travel_rules.py [--passengers 20000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from cthub.travel.facts import CATALOGUE, FactContext, bulk_facts, traveller_keys
from cthub.travel.records import (
    HistoryItem,
    Leg,
    Message,
    Passenger,
    Payment,
    Pnr,
    TravelDocument,
)
from cthub.travel.rules import Condition, Rule, builtin_rules, compile_rules

DAY = dt.datetime(2026, 3, 14)
HOMES = [
    "LHR",
    "LGW",
    "MAN",
    "CDG",
    "ORY",
    "FRA",
    "MUC",
    "BER",
    "AMS",
    "BRU",
    "VIE",
    "ZRH",
    "CPH",
    "ARN",
    "MAD",
    "BCN",
    "FCO",
    "MXP",
    "WAW",
    "PRG",
    "BUD",
    "ATH",
    "DUB",
    "LIS",
]
AWAY = [
    "IST",
    "SAW",
    "AMM",
    "BEY",
    "DXB",
    "DOH",
    "CAI",
    "TUN",
    "CMN",
    "JFK",
    "YYZ",
    "DEL",
    "BKK",
    "SIN",
    "LCA",
    "SOF",
    "TLV",
    "ESB",
    "ADB",
    "AYT",
    "NBO",
    "ADD",
    "KBL",
    "BGW",
]
ONWARD = {
    "IST": ["GZT", "HTY", "ADA", "EBL", "TBS", "BEY"],
    "AMM": ["BGW", "EBL", "BEY"],
    "DXB": ["KBL", "MGQ", "KRT", "ISB"],
    "DOH": ["MGQ", "KBL", "SAH"],
    "CAI": ["KRT", "BEN"],
}
HUBS = frozenset({"IST", "SAW", "AMM", "BEY", "GZT", "HTY", "ADA", "EBL", "DXB", "DOH"})
LISTED = frozenset({"SYR", "IRQ", "AFG", "YEM", "SOM", "LBY", "SDN", "LBN"})
NATIONALITIES = [
    "GBR",
    "FRA",
    "DEU",
    "NLD",
    "BEL",
    "ESP",
    "ITA",
    "POL",
    "TUR",
    "SYR",
    "IRQ",
    "JOR",
    "USA",
    "IND",
    "PAK",
    "EGY",
    "MAR",
    "SWE",
    "AUT",
    "GRC",
]
DOMAINS = ["mail.test", "example.com", "post.test", "web.test", "inbox.test", "corp.test"]
CODES = ["44", "33", "49", "31", "32", "90", "962", "961", "963", "964", "1", "91", "971"]
SURNAMES = [f"S{i:04d}" for i in range(3000)]
GIVEN = [f"G{i:03d}" for i in range(400)]


def _leg(rnd: random.Random, number: int, origin: str, dest: str, dep: dt.datetime) -> Leg:
    hours = rnd.uniform(1.5, 9.0)
    return Leg("XY", str(number), origin, dest, dep, dep + dt.timedelta(hours=hours), "HK", "Y")


def synthetic_day(passengers: int, seed: int = 1) -> tuple[list[Message], FactContext]:
    rnd = random.Random(seed)
    per_flight = 200
    flights = max(1, passengers // per_flight)
    cards = [f"XXXXXXXXXXXX{rnd.randrange(10_000):04d}" for _ in range(12_000)]
    messages: list[Message] = []
    watch: set[str] = set()
    made = 0
    for f in range(flights):
        origin, dest = rnd.choice(HOMES), rnd.choice(AWAY)
        dep = DAY + dt.timedelta(minutes=rnd.randrange(5 * 60, 23 * 60))
        flight = _leg(rnd, 1000 + f, origin, dest, dep)
        arrival = flight.arrival or dep
        people: list[Passenger] = []
        pnrs: list[Pnr] = []
        target = per_flight if f < flights - 1 else passengers - made
        while len(people) < target:
            locator = f"{f:03d}{len(pnrs):03d}"
            size = min(target - len(people), rnd.choices([1, 2, 3, 4], [60, 25, 10, 5])[0])
            surname = rnd.choice(SURNAMES)
            group = []
            for k in range(size):
                born = dt.date(
                    rnd.randrange(1945, 2022), rnd.randrange(1, 13), rnd.randrange(1, 29)
                )
                nat = rnd.choice(NATIONALITIES)
                expiry = DAY.date() + dt.timedelta(days=rnd.randrange(-30, 3650))
                p = Passenger(
                    name=f"{surname} {GIVEN[k]}",
                    surname=surname if rnd.random() < 0.8 else rnd.choice(SURNAMES),
                    given=rnd.choice(GIVEN),
                    gender=rnd.choice("MFMFU"),
                    birth_date=born,
                    nationality=nat,
                    documents=(
                        TravelDocument(
                            "P", f"P{made:08d}", nat, expiry, expiry - dt.timedelta(days=3650), nat
                        ),
                    ),
                    pnr_locator=locator,
                    seat=f"{rnd.randrange(1, 40)}{rnd.choice('ABCDEF')}"
                    if rnd.random() < 0.9
                    else "",
                    residence_country=nat if rnd.random() < 0.8 else rnd.choice(NATIONALITIES),
                    bags=rnd.choices([0, 1, 2, 3], [35, 45, 15, 5])[0],
                )
                made += 1
                group.append(p)
                if rnd.random() < 0.0005:
                    watch |= traveller_keys(p)
            people.extend(group)
            shape = rnd.random()
            legs = [flight]
            if shape < 0.08 and dest in ONWARD:  # connection at a hub
                legs.append(
                    _leg(
                        rnd,
                        5000 + f,
                        dest,
                        rnd.choice(ONWARD[dest]),
                        arrival + dt.timedelta(hours=rnd.uniform(1, 30)),
                    )
                )
            elif shape < 0.10:  # broken travel: continue from another airport
                other = rnd.choice([a for a in AWAY if a != dest])
                legs.append(
                    _leg(
                        rnd,
                        6000 + f,
                        other,
                        rnd.choice(AWAY),
                        dep + dt.timedelta(days=rnd.uniform(0.5, 3)),
                    )
                )
            if rnd.random() < 0.7:  # return home
                stay = rnd.choice([rnd.uniform(2, 16), rnd.uniform(16, 90)])
                legs.append(
                    _leg(rnd, 7000 + f, legs[-1].destination, origin, dep + dt.timedelta(days=stay))
                )
            created = dep - dt.timedelta(hours=rnd.lognormvariate(5.8, 1.3))
            fop = rnd.choices(["CC", "CA", "MS", ""], [85, 8, 5, 2])[0]
            pays: tuple[Payment, ...] = ()
            if fop == "CC":
                pays = (
                    Payment(
                        "CC",
                        rnd.choice(["VI", "CA", "AX"]),
                        rnd.choice(cards),
                        f"{rnd.uniform(80, 2500):.2f}",
                        "EUR",
                    ),
                )
            elif fop:
                pays = (Payment(fop, amount=f"{rnd.uniform(80, 2500):.2f}", currency="EUR"),)
            history = tuple(
                HistoryItem(
                    rnd.choice("AAX"), "CHG", created + dt.timedelta(hours=rnd.uniform(0, 200))
                )
                for _ in range(min(30, int(rnd.expovariate(0.4))))
            )
            agency = rnd.choice(["", "", "", f"AG{rnd.randrange(400):03d}"])
            pnrs.append(
                Pnr(
                    locator,
                    "XY",
                    created,
                    ticketed=created + dt.timedelta(hours=rnd.uniform(0, 24)),
                    travellers=tuple(group),
                    itinerary=tuple(legs),
                    payments=pays,
                    contacts=(f"+{rnd.choice(CODES)} {rnd.randrange(10**9):09d}",),
                    emails=(f"p{locator}//{rnd.choice(DOMAINS)}",) if rnd.random() < 0.8 else (),
                    agency=agency,
                    agency_country=rnd.choice(["GBR", "TUR", "JOR", "DEU"]) if agency else "",
                    history=history,
                    split_from="ZZZ999" if rnd.random() < 0.01 else "",
                )
            )
        messages.append(
            Message("PAXLST", "D:05B", flight, (flight,), tuple(people), list_type="745")
        )
        messages.append(Message("PNRGOV", "11:1", flight, (flight,), pnrs=tuple(pnrs)))
    context = FactContext(
        now=DAY, hubs=HUBS, destination_countries=LISTED, watchlist_hits=frozenset(watch)
    )
    return messages, context


def _c(field: str, op: str, value: object = None) -> Condition:
    return Condition(field, op, tuple(value) if isinstance(value, list) else value)


def extra_rules() -> list[Rule]:
    def r(
        name: str, *conds: Condition, match: str = "all", unless: tuple[Condition, ...] = ()
    ) -> Rule:
        return Rule(name, f"bench rule {name}", conds, match=match, unless=unless)

    return [
        r(
            "x-one-way-hub-alone",
            _c("one_way", "is_true"),
            _c("route_via_hub", "is_true"),
            _c("travelling_alone", "is_true"),
        ),
        r(
            "x-late-cash-or-misc",
            _c("hours_booking_to_departure", "<", 24),
            _c("payment_types", "contains_any", ["CA", "MS"]),
        ),
        r(
            "x-listed-no-bags",
            _c("destination_in_country_list", "is_true"),
            _c("one_way", "is_true"),
            _c("no_bags_long_trip", "is_true"),
        ),
        r(
            "x-agency-list",
            _c("booked_by_agency", "is_true"),
            _c("agency", "in", [f"AG{i:03d}" for i in range(0, 400, 7)]),
        ),
        r(
            "x-email-domains",
            _c("email_domains", "contains_any", ["inbox.test", "web.test"]),
            _c("route_touches_country_list", "is_true"),
        ),
        r(
            "x-phone-codes",
            _c("phone_country_codes", "contains_any", ["963", "964"]),
            _c("route_via_hub", "is_true"),
        ),
        r(
            "x-long-layover",
            _c("layover_hours_max", "between", [18, 48]),
            _c("destination_country", "in", ["SYR", "IRQ", "LBN", "TUR", "AFG"]),
        ),
        r("x-split-late", _c("split_pnr", "is_true"), _c("hours_booking_to_departure", "<", 48)),
        r(
            "x-cancellations",
            _c("history_cancellations", ">=", 3),
            _c("days_last_change_to_departure", "<", 5),
        ),
        r(
            "x-same-day",
            _c("ticket_same_day", "is_true"),
            _c("booked_same_day", "is_true"),
            match="any",
            unless=(_c("is_crew", "is_true"),),
        ),
    ]


# --- naive baseline: interpret every condition of every rule on every row -------------------


def _num(op: str) -> Callable[[Any, Any], bool]:
    return {
        "=": lambda a, v: a == v,
        "!=": lambda a, v: a != v,
        "<": lambda a, v: a < v,
        "<=": lambda a, v: a <= v,
        ">": lambda a, v: a > v,
        ">=": lambda a, v: a >= v,
        "between": lambda a, v: v[0] <= a <= v[1],
    }[op]


NAIVE: dict[str, Callable[[str, Any, Any], bool]] = {
    "number": lambda op, a, v: _num(op)(a, v),
    "bool": lambda op, a, v: bool(a) if op == "is_true" else not bool(a),
    "code": lambda op, a, v: {
        "=": lambda: str(a).upper() == str(v).upper(),
        "!=": lambda: str(a).upper() != str(v).upper(),
        "in": lambda: str(a).upper() in {str(x).upper() for x in v},
        "not_in": lambda: str(a).upper() not in {str(x).upper() for x in v},
        "starts_with": lambda: str(a).upper().startswith(str(v).upper()),
        "contains": lambda: str(v).upper() in str(a).upper(),
    }[op](),
    "string": lambda op, a, v: {
        "=": lambda: str(a).casefold() == str(v).casefold(),
        "!=": lambda: str(a).casefold() != str(v).casefold(),
        "in": lambda: str(a).casefold() in {str(x).casefold() for x in v},
        "not_in": lambda: str(a).casefold() not in {str(x).casefold() for x in v},
        "starts_with": lambda: str(a).casefold().startswith(str(v).casefold()),
        "contains": lambda: str(v).casefold() in str(a).casefold(),
    }[op](),
    "codes": lambda op, a, v: {
        "contains_any": lambda: any(str(x).upper() in {str(y).upper() for y in v} for x in a),
        "contains_all": lambda: {str(y).upper() for y in v} <= {str(x).upper() for x in a},
        "is_empty": lambda: len(a) == 0,
    }[op](),
}


def naive(rules: Sequence[Rule], rows: Sequence[dict[str, object]]) -> list[tuple[str, int]]:
    def check(c: Condition, row: dict[str, object]) -> bool:
        actual = row.get(c.field)
        return actual is not None and NAIVE[CATALOGUE[c.field].type](c.op, actual, c.value)

    hits = []
    for i, row in enumerate(rows):
        for r in rules:
            results = [check(c, row) for c in r.conditions]
            fired = all(results) if r.match == "all" else any(results)
            if fired and r.unless and any(check(c, row) for c in r.unless):
                fired = False
            if fired:
                hits.append((r.name, i))
    return hits


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passengers", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    started = time.perf_counter()
    messages, context = synthetic_day(args.passengers)
    built = time.perf_counter() - started
    facts_s, people = best(lambda: bulk_facts(messages, context), 1)
    rows = [p.facts for p in people]
    rules = builtin_rules() + extra_rules()
    compile_s, ruleset = best(lambda: compile_rules(rules), args.repeat)
    masks_s, _ = best(lambda: ruleset.masks(rows), args.repeat)
    fast_s, hits = best(lambda: ruleset.evaluate(rows), args.repeat)
    sample = rows[:2000]
    row_s, _ = best(lambda: [ruleset.evaluate_row(r, i) for i, r in enumerate(sample)], 1)
    naive_s, naive_hits = best(lambda: naive(rules, rows), max(1, args.repeat - 1))
    assert sorted((h.rule, h.row) for h in hits) == sorted(naive_hits), "engines disagree"

    print(
        f"synthetic day: {len(messages) // 2} flights, {len(rows):,} passenger rows "
        f"(records built in {built:.2f} s); {len(rules)} rules "
        f"({len(builtin_rules())} built-in + {len(extra_rules())} extra); one core; "
        f"best of {args.repeat}"
    )
    print()
    header = f"{'step':<39} {'rows':>7} {'rules':>5} {'seconds':>8} {'rows/s':>10} {'hits':>6}"
    print(header)
    print("-" * len(header))

    def line(step: str, n: int | None, k: int | None, secs: float, found: int | None) -> None:
        rate = f"{n / secs:,.0f}" if n else "-"
        print(
            f"{step:<39} {f'{n:,}' if n else '-':>7} {k or '-':>5} {secs:>8.3f} {rate:>10} "
            f"{f'{found:,}' if found is not None else '-':>6}"
        )

    line("facts: bulk_facts from records", len(rows), None, facts_s, None)
    line("compile_rules (validate + compile)", None, len(rules), compile_s, None)
    line("RuleSet.masks (numpy, no hit objects)", len(rows), len(rules), masks_s, None)
    line("RuleSet.evaluate (hits + explanations)", len(rows), len(rules), fast_s, len(hits))
    line("RuleSet.evaluate_row (one-row path)", len(sample), len(rules), row_s, None)
    line("baseline: naive per-row interpreter", len(rows), len(rules), naive_s, len(naive_hits))
    print()
    verdict = "met" if fast_s < 1 else "NOT met"
    print(
        f"evaluate vs baseline: {naive_s / fast_s:.1f}x faster; target < 1 s for 20,000 rows x "
        f"~20 rules: {verdict} ({fast_s:.3f} s)"
    )
    per_rule: dict[str, int] = {}
    for h in hits:
        per_rule[h.rule] = per_rule.get(h.rule, 0) + 1
    print()
    print("hits per rule: " + ", ".join(f"{r.name} {per_rule.get(r.name, 0)}" for r in rules))


if __name__ == "__main__":
    main()

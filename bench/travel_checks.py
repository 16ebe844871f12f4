"""Travel end to end on a synthetic day: PAXLST ingest with storage, watchlist checks through
the screening engine, alert volume at equal recall, rule re-evaluation, check-in latency.

A day of ``--passengers`` travellers (default 20,000) on 180-seat flights, with the UN list's
individuals that carry document numbers (272) planted as passports would write them. Measured:

* ingest: PAXLST text -> parse -> store (SQLite), passengers/s (target >= 20,000/s per core);
* watchlist: passengers/s through ``cthub.screening`` (target >= 1,000/s per core; GTAS's
  published fuzzy matching: 4-6.5 passengers/s per thread, GTAS issue #1138);
* alerts per 1,000 passengers at equal recall, against exact name + Jaro-Winkler on the full
  name (the usual baseline; rapidfuzz's JaroWinkler) measured in the same run on the same day;
* rules: one day's full re-evaluation of the active rules (target < 1 s);
* check-in: p50/p99 of the interactive check (target p99 < 1 s).

Run: ``.venv/bin/python bench/travel_checks.py [--passengers 20000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import JaroWinkler

from cthub.core import migrate
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import active_entries, load
from cthub.screening import build_matcher
from cthub.travel import checkin, checks, rulestore, service, store, synthetic
from cthub.travel.facts import passenger_facts
from cthub.travel.models import TravelFile
from cthub.travel.records import Message

OP = Actor.system("bench")


def _norm(text: str) -> str:
    return " ".join(synthetic._ascii(text).replace("-", " ").split())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passengers", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="travel-bench-"))
    hub = Hub.open(Settings(data_dir=tmp, mode="demo"))
    migrate.upgrade(hub.db)
    load(hub, OP, "un")
    views = list(active_entries(hub, OP, ["un"]))
    people = [
        p
        for v in views
        if (p := synthetic.listed_from_properties("un", v.ref, v.schema, v.properties))
        and p.documents
    ]
    day = synthetic.generate_day(dt.date(2026, 12, 1), args.passengers, people, seed=args.seed)
    manifests = [m for m in day.messages if m.kind == "PAXLST"]
    texts = [synthetic.paxlst(m, i + 1).encode() for i, m in enumerate(manifests)]
    print(
        f"day: {day.passengers} passengers on {len(texts)} flights, {len(day.truth)} planted",
        file=sys.stderr,
    )

    t, c = time.perf_counter(), time.process_time()
    for i, text in enumerate(texts):
        service.ingest(hub, OP, f"f{i}.edi", text)
    ingest_wall, ingest_s = time.perf_counter() - t, time.process_time() - c
    with hub.db.session() as s:  # the PNR pushes of the day (no PNRGOV writer: stored directly)
        for i, m in enumerate(x for x in day.messages if x.kind == "PNRGOV"):
            f = TravelFile(name=f"p{i}", sha256="", size=0, kind="PNRGOV", received_by="bench")
            s.add(f)
            s.flush()
            store.store_message(s, None, m, f"p{i}", store.StoredFile(f"p{i}", f.id, "PNRGOV"))

    screener = build_matcher(hub, OP, ["un"])
    with hub.db.session() as s:
        flights = checks._chosen_flights(s, None, None)
        pairs = checks.subjects_of(s, flights)
    subjects = [p[1] for p in pairs]
    t = time.perf_counter()
    found = checks.watchlist_findings(hub, OP, screener, subjects, threshold=0.0)
    watch_s = time.perf_counter() - t

    # alert volume at equal recall: best score per passenger, true entry known for planted ones
    truth = day.truth
    ours: list[tuple[float, bool]] = []
    for i, s in enumerate(subjects):
        want = truth.get(s.record.ref)
        best = max((f.score for f in found.get(i, [])), default=0.0)
        hit_true = any(f"{f.list_name}:{f.list_ref}" == want for f in found.get(i, []))
        ours.append((best if (want is None or hit_true) else 0.0, want is not None and hit_true))
    names = {
        f"un:{v.ref}": [_norm(n) for p in ("name", "alias") for n in v.properties.get(p, [])]
        for v in views
        if v.schema == "Person"
    }
    all_names = [(key, n) for key, ns in names.items() for n in ns if n]
    t = time.perf_counter()
    sample = random.Random(1).sample(range(len(subjects)), min(2000, len(subjects)))
    planted_idx = [i for i, s in enumerate(subjects) if s.record.ref in truth]
    jw_scores: dict[int, tuple[float, bool]] = {}
    for i in set(sample) | set(planted_idx):
        rec = subjects[i].record
        q = _norm(f"{rec.given} {rec.surname}")
        best, best_true = 0.0, False
        want = truth.get(rec.ref)
        for key, n in all_names:
            sc = 1.0 if n == q else JaroWinkler.similarity(q, n)
            if sc > best or (sc == best and key == want):
                best, best_true = sc, key == want
        jw_scores[i] = (best, best_true)
    jw_s = time.perf_counter() - t

    def volume(scores: dict[int, tuple[float, bool]], recall: float) -> tuple[float, float]:
        planted_scores = sorted((scores[i][0] if scores[i][1] else 0.0) for i in planted_idx)
        k = int((1 - recall) * len(planted_scores))
        thr = planted_scores[k] if planted_scores else 1.0
        neg = [scores[i][0] for i in sample if subjects[i].record.ref not in truth]
        alerts = sum(1 for x in neg if x >= thr and thr > 0)
        return thr, 1000 * alerts / max(1, len(neg))

    our_scores = {i: ours[i] for i in range(len(subjects))}
    rows = []
    for recall in (0.80, 0.90, 0.95):
        t1, v1 = volume(our_scores, recall)
        t2, v2 = volume(jw_scores, recall)
        rows.append((recall, t1, v1, t2, v2))

    ruleset = rulestore.active_ruleset(hub, OP)
    assert ruleset is not None
    with hub.db.session() as s:
        flights = checks._chosen_flights(s, None, None)
        subjects = [p[1] for p in checks.subjects_of(s, flights)]
        pushes = checks.push_counts(s, [f.id for f in flights])
    context = checks.rule_context(hub.settings, subjects, set(), set(), pushes)
    t = time.perf_counter()
    fired = checks.rule_findings(ruleset, subjects, context, "bench")
    rules_s = time.perf_counter() - t
    t = time.perf_counter()  # a rule changed: the same stored day, evaluated again
    again = checks.rule_findings(ruleset, subjects, context, "bench")
    rerun_s = time.perf_counter() - t
    assert again.keys() == fired.keys()
    facts_only = time.perf_counter()
    fact_rows = [
        passenger_facts(
            Message(kind="PNRGOV" if x.pnr else "PAXLST", version="", flight=x.flight, legs=x.legs),
            x.record,
            x.pnr,
            context,
            subject_id=x.row_id,
        )
        for x in subjects
    ]
    facts_s = time.perf_counter() - facts_only
    t = time.perf_counter()
    ruleset.evaluate(fact_rows)
    eval_s = time.perf_counter() - t

    leg = day.messages[0].flight
    lat = []
    for rec in [s.record for s in subjects[:200]]:
        t = time.perf_counter()
        checkin.check_in(hub, OP, leg, [rec])
        lat.append(time.perf_counter() - t)
    lat.sort()

    n = len(subjects)
    print(f"{'measure':44} {'value':>14} {'target':>14}")
    print(f"{'PAXLST ingest+store passengers/s (CPU)':44} {n / ingest_s:14,.0f} {'>= 20,000':>14}")
    print(f"{'  same, wall clock (with commit I/O waits)':44} {n / ingest_wall:14,.0f}")
    print(f"{'watchlist passengers/s (UN, 1 core)':44} {n / watch_s:14,.0f} {'>= 1,000':>14}")
    print(
        f"{'  baseline exact+JaroWinkler passengers/s':44} "
        f"{len(jw_scores) / jw_s:14,.0f} {'GTAS 4-6.5':>14}"
    )
    print(f"{'rules: first run (facts + evaluation), s':44} {rules_s:14.3f}")
    print(f"{'rules: re-evaluation of the day, s':44} {rerun_s:14.3f} {'< 1 s':>14}")
    print(f"{'  of which facts from records, seconds':44} {facts_s:14.3f}")
    print(f"{'  of which evaluation of the rules, seconds':44} {eval_s:14.3f}")
    print(
        f"{'  rules x passengers, hits':44} {len(ruleset.rules):5} x {len(subjects):,} "
        f"{sum(len(v) for v in fired.values()):>6,}"
    )
    print(f"{'check-in p50 ms':44} {1000 * statistics.median(lat):14.1f}")
    print(f"{'check-in p99 ms':44} {1000 * lat[int(0.99 * (len(lat) - 1))]:14.1f} {'< 1,000':>14}")
    print()
    print(f"{'recall':>6} {'cthub thr':>10} {'alerts/1000':>12} {'JW thr':>8} {'alerts/1000':>12}")
    for recall, t1, v1, t2, v2 in rows:
        print(f"{recall:6.2f} {t1:10.3f} {v1:12.2f} {t2:8.3f} {v2:12.2f}")
    found_planted = sum(1 for i in planted_idx if our_scores[i][1])
    print(f"planted found by cthub at any score: {found_planted}/{len(planted_idx)}")


if __name__ == "__main__":
    main()

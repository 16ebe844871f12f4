"""Benchmark: screening quality on a held-out UN alias set, yente and watchman sets, vs logic-v2.

Held-out set: UN entries are split by a seeded shuffle; for each held-out entry with at least
two names one alias is removed from the index (a UN ``Good`` alias when there is one, else a
``Low`` one, else another secondary name) and used as the query; where the entry also has an
original-script (non-Latin) name that is removed and queried too. Queries run name-only and
with the entry's birth date and nationality. Negatives: the 1,000 synthetic yente persons,
screened against the full list. For each system the threshold is the lowest at which at most
1% of negatives raise any alert; recall there, AUC and per-script recall are printed, then the
yente UN positives (untreated/treated) and the watchman cross-script pairs.

Baseline: nomenklatura ``logic-v2`` (OpenSanctions), installed into /tmp/nkvenv (needs PyPI
the first time) and run as a subprocess. It has no candidate index here, so each query is
scored against cthub's top-20 candidates at threshold 0 plus the true entry.
Run: ``.venv/bin/python bench/screening_quality.py [--quick] [--no-baseline]``.
"""

# ruff: noqa: S603, S108 - runs the fixed baseline venv at a known scratch path
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cthub.core.model import country_code
from cthub.lists import EntryView, bundled_path
from cthub.lists.sources.un import UNSource
from cthub.screening.matching import Entry, Matcher, Query
from cthub.screening.service import to_entry

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "name-matching"
NKVENV = Path("/tmp/nkvenv")
SEED = 20240607
HELD_OUT = 0.3
TOP = 20
MAX_NEG_ALERT = 0.01
SCRIPTS = ("Latin", "Arabic", "Cyrillic", "Han", "Hangul", "other")
_RANGES = (
    ("Latin", ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x1E00, 0x1EFF))),
    (
        "Arabic",
        ((0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    ("Cyrillic", ((0x400, 0x52F),)),
    ("Han", ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))),
    ("Hangul", ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))),
)

HELPER = r"""
import json, sys, time
from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig

algo = get_algorithm("logic-v2")
config = ScoringConfig.defaults()
entities = {}
def make(eid, data):
    proxy = model.make_entity(data["schema"])
    proxy.id = eid
    for prop, values in data["props"].items():
        for value in values:
            proxy.add(prop, value, quiet=True)
    return proxy
out = open(sys.argv[2], "w")
spent = 0.0
pairs = 0
for line in open(sys.argv[1]):
    row = json.loads(line)
    if "entity" in row:
        entities[row["entity"]] = make(row["entity"], row)
        continue
    query, candidate = entities[row["q"]], entities[row["c"]]
    start = time.perf_counter()
    score = algo.compare(query, candidate, config).score
    spent += time.perf_counter() - start
    pairs += 1
    out.write(json.dumps(score) + "\n")
out.write(json.dumps({"pairs": pairs, "seconds": spent}) + "\n")
"""


@dataclass
class Case:
    """One query with its truth: ``truth`` holds the entry ids that count as a correct hit."""

    set: str
    query: Query
    truth: frozenset[str]
    label: str = ""
    candidates: list[str] = field(default_factory=list)
    cthub: float = 0.0
    nk: float | None = None


def script_of(name: str) -> str:
    counts: dict[str, int] = defaultdict(int)
    for char in name:
        if not char.isalpha():
            continue
        code = ord(char)
        found = next((s for s, spans in _RANGES if any(a <= code <= b for a, b in spans)), None)
        counts[found or "other"] += 1
    return max(counts, key=lambda k: counts[k]) if counts else "other"


def load_un() -> tuple[list[Entry], dict[str, dict[str, list[str]]], dict[str, set[str]]]:
    entries, props, weak = [], {}, {}
    for parsed in UNSource().parse(bundled_path()):
        view = EntryView("un", 1, parsed.ref, parsed.schema, parsed.ref, parsed.properties)
        entry = to_entry(view)
        entries.append(entry)
        props[entry.id] = {"schema": [parsed.schema], **parsed.properties}
        notes = parsed.properties.get("notes", [])
        weak[entry.id] = {n.removeprefix("weak alias: ") for n in notes if n.startswith("weak")}
    return entries, props, weak


def held_out(
    entries: list[Entry],
    props: dict[str, dict[str, list[str]]],
    weak: dict[str, set[str]],
    fraction: float,
) -> tuple[list[Entry], list[Case], dict[str, set[str]]]:
    """Index entries with held-out names removed, and one case per removed name."""
    order = sorted(e.id for e in entries)
    random.Random(SEED).shuffle(order)
    chosen = set(order[: int(len(order) * fraction)])
    rng = random.Random(SEED + 1)
    kept, cases, removed = [], [], {}
    for entry in entries:
        if entry.id not in chosen or len(entry.names) < 2:
            kept.append(entry)
            continue
        aliases = [n for n in props[entry.id].get("alias", []) if n in entry.names[1:]]
        good = [n for n in aliases if n not in weak[entry.id]]
        low = [n for n in aliases if n in weak[entry.id]]
        other = [n for n in entry.names[1:] if n not in aliases]
        pools = [(pool, label) for pool, label in ((good, "good"), (low, "low"), (other, "other"))]
        pick = [(rng.choice(pool), label) for pool, label in pools if pool][:1]
        # Entry order, not set order: which original-script name is held out must not
        # depend on the process's string hash seed.
        names = [n for n in entry.names if n not in {p for p, _ in pick}]
        original = [n for n in names if script_of(n) != "Latin" and n != entry.names[0]]
        original += [n for n in names if script_of(n) != "Latin" and n == entry.names[0]]
        if original and len(names) > 1:
            pick.append((original[0], "original-script"))
        gone = {n for n, _ in pick}
        removed[entry.id] = gone
        kept.append(_without(entry, gone))
        kind = entry.schema
        birth = entry.birth_dates[0] if entry.birth_dates else None
        nat = (props[entry.id].get("nationality") or [None])[0]
        for name, label in pick:
            truth = frozenset({entry.id})
            cases.append(Case("held-out name", Query(name), truth, label))
            query = Query(name, type=kind, birth_date=birth, nationality=nat)
            cases.append(Case("held-out +evidence", query, truth, label))
    return kept, cases, removed


def _without(entry: Entry, names: set[str]) -> Entry:
    return Entry(
        entry.id,
        entry.list,
        entry.ref,
        entry.schema,
        tuple(n for n in entry.names if n not in names),
        entry.birth_dates,
        entry.countries,
        entry.gender,
        entry.identifiers,
    )


def read_persons(path: Path, limit: int) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for _, row in zip(range(limit), csv.DictReader(handle), strict=False)]


def person_query(row: dict[str, str], evidence: bool) -> Query:
    if not evidence:
        return Query(row["full_name"])
    born = row.get("date_of_birth") or None
    if born and not re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", born):
        born = None
    nat = country_code(row["nationality"]) if row.get("nationality") else None
    return Query(row["full_name"], type="person", birth_date=born, nationality=nat)


def name_key(name: str) -> str:
    return " ".join(sorted(re.sub(r"[^\w\s]", " ", name.casefold()).split()))


def screen_all(matcher: Matcher, cases: list[Case], retrieve: bool) -> float:
    """Score every case with cthub; returns queries per second."""
    start = time.perf_counter()
    for case in cases:
        hits = matcher.screen(case.query, threshold=0.0, top=TOP)
        if case.truth:
            case.cthub = max((h.score for h in hits if h.entry.id in case.truth), default=0.0)
        else:
            case.cthub = max((h.score for h in hits), default=0.0)
        if retrieve:
            case.candidates = [h.entry.id for h in hits]
    return len(cases) / (time.perf_counter() - start)


def threshold_at(negatives: list[float]) -> float:
    allowed = int(len(negatives) * MAX_NEG_ALERT)
    ranked = sorted(negatives, reverse=True)
    return 0.0 if len(ranked) <= allowed else ranked[allowed] + 1e-9


def auc(positives: list[float], negatives: list[float]) -> float:
    ranked = sorted([(s, 1) for s in positives] + [(s, 0) for s in negatives])
    total, rank, i = 0.0, 1, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = rank + (j - i - 1) / 2
        total += mean_rank * sum(1 for k in range(i, j) if ranked[k][1])
        rank += j - i
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (total - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg) if n_pos and n_neg else float("nan")


def nk_entity(schema: str, props: dict[str, list[str]], weak: set[str]) -> dict[str, object]:
    out: dict[str, list[str]] = defaultdict(list)
    for prop in ("name", "alias", "previousName"):
        for value in props.get(prop, []):
            out["weakAlias" if value in weak else prop].append(value)
    keep = ("birthDate", "nationality", "country", "gender")
    for prop in keep:
        out[prop] = list(props.get(prop, []))
    return {"schema": schema, "props": dict(out)}


def nk_query(query: Query) -> dict[str, object]:
    schema = {"person": "Person", "organization": "Organization"}.get(query.type or "")
    props: dict[str, list[str]] = {"name": [query.name]}
    if query.birth_date:
        props["birthDate"] = [query.birth_date]
    if query.nationality:
        props["nationality" if schema == "Person" else "country"] = [query.nationality]
    return {"schema": schema or "LegalEntity", "props": props}


def ensure_baseline() -> tuple[Path | None, str]:
    python = NKVENV / "bin" / "python"
    probe = [str(python), "-c", "import nomenklatura.matching as m; m.get_algorithm('logic-v2')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python, ""
    try:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(NKVENV)], check=True)
        install = [str(python), "-m", "pip", "install", "-q", "nomenklatura"]
        subprocess.run(install, check=True, capture_output=True, timeout=600)
        subprocess.run(probe, check=True, capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        reason = detail.decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
        return None, f"nomenklatura could not be installed or run in {NKVENV}: {reason[0]}"
    return python, ""


def run_baseline(
    python: Path,
    entities: dict[str, dict[str, object]],
    pairs: list[tuple[str, str]],
    workers: int,
) -> tuple[list[float], float]:
    """Scores for ``pairs`` from logic-v2 in ``workers`` processes; also pairs/s per process."""
    folder = Path(tempfile.mkdtemp(prefix="cthub-nk-"))
    helper = folder / "nk_helper.py"
    helper.write_text(HELPER, encoding="utf-8")
    chunks = [pairs[i::workers] for i in range(workers)]
    procs = []
    for number, chunk in enumerate(chunks):
        needed = {q for q, _ in chunk} | {c for _, c in chunk}
        src, dst = folder / f"in{number}.jsonl", folder / f"out{number}.jsonl"
        with src.open("w", encoding="utf-8") as handle:
            for eid in needed:
                handle.write(json.dumps({"entity": eid, **entities[eid]}) + "\n")
            for q, c in chunk:
                handle.write(json.dumps({"q": q, "c": c}) + "\n")
        procs.append((subprocess.Popen([str(python), str(helper), str(src), str(dst)]), dst))
    results: list[list[float]] = []
    rates = []
    for proc, dst in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"logic-v2 helper exited with {proc.returncode}")
        lines = dst.read_text(encoding="utf-8").splitlines()
        stats = json.loads(lines[-1])
        rates.append(stats["pairs"] / max(stats["seconds"], 1e-9))
        results.append([float(json.loads(line)) for line in lines[:-1]])
    scores = [0.0] * len(pairs)
    for number, chunk_scores in enumerate(results):
        for offset, score in enumerate(chunk_scores):
            scores[number + offset * workers] = score
    return scores, sum(rates) / len(rates)


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w)
        for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small run (~10% held out, 200 negatives)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip nomenklatura logic-v2")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    fraction, n_neg, n_yente = (0.1, 200, 150) if args.quick else (HELD_OUT, 1000, 10_000)

    start = time.perf_counter()
    entries, props, weak = load_un()
    kept, cases, removed = held_out(entries, props, weak, fraction)
    full = Matcher.from_entries(entries)
    partial = Matcher.from_entries(kept)
    negatives_rows = read_persons(FIXTURES / "yente_validation_negatives_global.csv", n_neg)
    by_key: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for name in entry.names:
            by_key[name_key(name)].add(entry.id)
    yente: list[Case] = []
    for kind in ("untreated", "treated"):
        plain = read_persons(FIXTURES / "yente_positives_un_untreated.csv", n_yente)
        rows = read_persons(FIXTURES / f"yente_positives_un_{kind}.csv", n_yente)
        for base, row in zip(plain, rows, strict=True):
            truth = frozenset(by_key.get(name_key(base["full_name"]), ()))
            if truth:
                yente.append(Case(f"yente {kind} +evidence", person_query(row, True), truth))
    negatives = {
        cond: [
            Case("negatives", person_query(r, cond == "+evidence"), frozenset())
            for r in negatives_rows
        ]
        for cond in ("name", "+evidence")
    }
    print(
        f"UN entries {len(entries):,}; held out {len(removed):,} entries -> {len(cases):,} queries "
        f"(seed {SEED}); negatives {n_neg:,}; yente UN positives matched to an entry "
        f"{len(yente):,}; setup {time.perf_counter() - start:.1f}s"
    )

    qps_held = screen_all(partial, cases, retrieve=True)
    qps_neg = screen_all(full, negatives["name"] + negatives["+evidence"], retrieve=True)
    screen_all(full, yente, retrieve=True)
    cthub_qps = (len(cases) + 2 * n_neg) / ((len(cases) / qps_held) + (2 * n_neg / qps_neg))

    # Baseline: logic-v2 on cthub's top-20 candidates plus the true entry.
    python, missing = (None, "skipped (--no-baseline)") if args.no_baseline else ensure_baseline()
    nk_rate = None
    if python is not None:
        entities: dict[str, dict[str, object]] = {}
        pairs: list[tuple[str, str]] = []
        owners: list[tuple[Case, str]] = []
        everything = cases + negatives["name"] + negatives["+evidence"] + yente
        for number, case in enumerate(everything):
            qid = f"q{number}"
            entities[qid] = nk_query(case.query)
            held = case.set.startswith("held-out")
            for cid in dict.fromkeys([*case.candidates, *case.truth]):
                eid = ("h:" if held else "f:") + cid
                if eid not in entities:
                    data = dict(props[cid])
                    schema = data.pop("schema")[0]
                    if held:
                        gone = removed.get(cid, set())
                        data = {k: [v for v in vs if v not in gone] for k, vs in data.items()}
                    entities[eid] = nk_entity(schema, data, weak[cid])
                pairs.append((qid, eid))
                owners.append((case, cid))
        t0 = time.perf_counter()
        try:
            scores, nk_rate = run_baseline(python, entities, pairs, args.workers)
        except (OSError, RuntimeError) as exc:
            python, missing = None, f"logic-v2 run failed: {exc}"
        else:
            for case in everything:
                case.nk = 0.0
            for (case, cid), score in zip(owners, scores, strict=True):
                if not case.truth or cid in case.truth:
                    case.nk = max(case.nk or 0.0, score)
            print(
                f"logic-v2: {len(pairs):,} pairs scored in {time.perf_counter() - t0:.0f}s "
                f"({args.workers} processes); candidates = cthub top-{TOP} at threshold 0 + the "
                "true entry (nomenklatura has no index here, so it is not penalised by retrieval)"
            )
    if python is None:
        print(f"logic-v2 baseline missing: {missing}")

    systems = [("cthub", lambda c: c.cthub)]
    if python is not None:
        systems.append(("logic-v2", lambda c: c.nk or 0.0))
    thresholds: dict[tuple[str, str], float] = {}
    main_rows, script_rows = [], []
    for cond in ("name", "+evidence"):
        pos = [c for c in cases if c.set == f"held-out {cond}"]
        for system, get in systems:
            neg_scores = [get(c) for c in negatives[cond]]
            t = threshold_at(neg_scores)
            thresholds[(system, cond)] = t
            alerting = sum(s >= t for s in neg_scores) / len(neg_scores)

            def recall(subset: list[Case], t: float = t, get=get) -> str:
                return f"{sum(get(c) >= t for c in subset) / len(subset):.3f}" if subset else "-"

            good = [c for c in pos if c.label == "good"]
            orig = [c for c in pos if c.label == "original-script"]
            main_rows.append(
                [
                    f"{system} ({cond})",
                    f"{t:.3f}",
                    f"{alerting:.3f}",
                    recall(pos),
                    recall(good),
                    recall(orig),
                    fmt(auc([get(c) for c in pos], neg_scores)),
                ]
            )
            per = defaultdict(list)
            for c in pos:
                per[script_of(c.query.name)].append(c)
            script_rows.append(
                [f"{system} ({cond})"] + [f"{recall(per[s])} ({len(per[s])})" for s in SCRIPTS]
            )
    labels = defaultdict(int)
    for c in cases:
        if c.set == "held-out name":
            labels[c.label] += 1
    table(
        "Held-out UN aliases (queries: "
        + ", ".join(f"{k} {v}" for k, v in sorted(labels.items()))
        + ")",
        ["system", "thr@<=1%neg", "neg alert", "recall", "good", "orig-script", "AUC"],
        main_rows,
    )
    table(
        "Held-out recall per query script at that threshold (n)", ["system", *SCRIPTS], script_rows
    )

    yrows = []
    for kind in ("untreated", "treated"):
        subset = [c for c in yente if c.set == f"yente {kind} +evidence"]
        row = [f"yente UN {kind} (n={len(subset)})"]
        for system, get in systems:
            t = thresholds[(system, "+evidence")]
            row.append(f"{sum(get(c) >= t for c in subset) / max(len(subset), 1):.3f}")
        yrows.append(row)
    table(
        "yente UN persons with DOB/nationality, recall at the +evidence threshold",
        ["set", *[s for s, _ in systems]],
        yrows,
    )

    pairs_x = []
    with (FIXTURES / "watchman_cross_script_pairs.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    for row in csv.reader(lines):
        if len(row) >= 3:
            pairs_x.append((row[0], row[1], float(row[2])))
    cx = []
    for query, expected, _ in pairs_x:
        matcher = Matcher.from_entries([Entry("x", "x", "x", "person", (expected,))])
        hits = matcher.screen(Query(query), threshold=0.0, top=1)
        cx.append(hits[0].features[0].value if hits else 0.0)
    xrows = [
        [
            "cthub (name feature)",
            f"{sum(s >= m for s, (_, _, m) in zip(cx, pairs_x, strict=True))}/{len(pairs_x)}",
        ]
    ]
    if python is not None:
        ents = {}
        xpairs = []
        for number, (query, expected, _) in enumerate(pairs_x):
            ents[f"xq{number}"] = {"schema": "Person", "props": {"name": [query]}}
            ents[f"xc{number}"] = {"schema": "Person", "props": {"name": [expected]}}
            xpairs.append((f"xq{number}", f"xc{number}"))
        nkx, _ = run_baseline(python, ents, xpairs, 1)
        hit = sum(s >= m for s, (_, _, m) in zip(nkx, pairs_x, strict=True))
        xrows.append(["logic-v2", f"{hit}/{len(pairs_x)}"])
    table(
        "watchman cross-script pairs scoring at or above their Min Score",
        ["system", "pairs"],
        xrows,
    )

    srows = [
        [
            "cthub queries/s, one core (held-out + negatives, top-20 at threshold 0)",
            f"{cthub_qps:,.0f}",
        ]
    ]
    if nk_rate is not None:
        srows.append(["logic-v2 pairwise comparisons/s, one core", f"{nk_rate:,.0f}"])
        srows.append(
            [f"logic-v2 queries/s at {TOP} candidates each (derived)", f"{nk_rate / TOP:,.1f}"]
        )
    table("Speed", ["measure", "value"], srows)
    print(f"\ntotal {time.perf_counter() - start:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The account graph: components, fan-in/out and hops from seeds, against a hand-checked
graph and against a plain breadth-first search on random graphs."""

from __future__ import annotations

import collections
import random

import pyarrow as pa

from cthub.finance.network import build, measures


def _tx(edges: list[tuple[str, str]]) -> pa.Table:
    return pa.table({"sender": [a for a, _ in edges], "receiver": [b for _, b in edges]})


def test_small_graph() -> None:
    edges = [("A", "B"), ("A", "B"), ("C", "B"), ("B", "D"), ("E", "F"), ("G", "")]
    m = {r["account"]: r for r in measures(build(_tx(edges)), seeds=["D"]).to_pylist()}
    assert set(m) == {"A", "B", "C", "D", "E", "F", "G"}
    assert (m["B"]["fan_in"], m["B"]["fan_out"]) == (2, 1)  # the repeated A->B counts once
    assert m["A"]["component"] == m["D"]["component"] != m["E"]["component"]
    assert m["A"]["component_size"] == 4
    assert m["G"]["component_size"] == 1
    assert [m[x]["hops"] for x in "DBACEFG"] == [0, 1, 2, 2, -1, -1, -1]


def _bfs(edges: list[tuple[str, str]], seeds: set[str], limit: int) -> dict[str, int]:
    nbrs: dict[str, set[str]] = collections.defaultdict(set)
    for a, b in edges:
        nbrs[a].add(b)
        nbrs[b].add(a)
    dist = dict.fromkeys(seeds, 0)
    queue = collections.deque(seeds)
    while queue:
        x = queue.popleft()
        if dist[x] == limit:
            continue
        for y in nbrs[x]:
            if y not in dist:
                dist[y] = dist[x] + 1
                queue.append(y)
    return dist


def test_hops_agree_with_breadth_first_search() -> None:
    rng = random.Random(4)
    nodes = [f"n{i}" for i in range(400)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(500)]
    edges = [(a, b) for a, b in edges if a != b]
    seeds = set(rng.sample(sorted({a for e in edges for a in e}), 5))
    got = {r["account"]: r["hops"] for r in measures(build(_tx(edges)), seeds, 3).to_pylist()}
    want = _bfs(edges, seeds, 3)
    assert {k: v for k, v in got.items() if v >= 0} == want


def test_hops_between_seeds_agree_with_a_search_from_each() -> None:
    """An alerted account's hops go to the nearest OTHER alerted account (not to itself)."""
    from cthub.finance.network import hops_between

    for seed_value in range(6):
        rng = random.Random(seed_value)
        nodes = [f"n{i}" for i in range(300)]
        edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(330)]
        edges = [(a, b) for a, b in edges if a != b]
        seeds = set(rng.sample(sorted({a for e in edges for a in e}), 12))
        for max_hops in (1, 3, 4):
            got = hops_between(build(_tx(edges)), seeds, max_hops)
            want = {}
            for s in seeds:
                dist = _bfs(edges, {s}, max_hops)
                others = [d for x, d in dist.items() if x in seeds and x != s]
                want[s] = min(others) if others else -1
            assert got == want, (seed_value, max_hops)

"""Demo data for ownership: a small, fictional group of companies around two entities on the
bundled UN list, written as FollowTheMoney lines and loaded through the real importer.

The two listed names are real UN designations (``Machanga Ltd``, CDe.007, and ``Congomet
Trading House``, CDe.004); everything they are shown to own here is invented. They become
seeds by name when the UN list is active (the lists demo loads it; the order of the demo hooks
does not matter, since seeds are found when a regime is asked, not when this loads). Built so
the regimes differ as their guidance says:

* Lakeview Minerals: 25% + 25% from the two listed owners. OFAC aggregates to 50% ("50% or
  more": blocked); the EU needs more than 50%, the UK does not aggregate: not blocked.
* Ituri Gold Exports: 30% + 30%. OFAC and the EU aggregate to 60%: blocked; the UK does not.
* Great Rift Holdings -> Rift Valley Logistics -> Lake Albert Shipping: 50%, 50%, 60% from
  Machanga Ltd. OFAC counts a blocked entity's holding in full: all three blocked; EU and UK:
  none (50% is not more than 50%).
* Goma Freight Forwarders: a PSC-like band "25-50%" from Congomet: possibly blocked (OFAC).
* Kisangani Trading: Machanga Ltd holds board control only: blocked under EU and UK control
  rules, not under OFAC (ownership only).
* Nile Basin Investments and Equator Trust Holdings own each other (a cycle); their people's
  effective shares in Mwanza Textiles show the UBO computation through the cycle.

Idempotent: a second run finds the entities and loads nothing. Registered under ``cthub.demo``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from cthub.core.errors import NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.ownership.store import load_file
from cthub.ownership.views import entity

PREFIX = "demo/"
SOURCE = "cthub demo data (fictional ownership structure)"
#: id, schema, name, country, registration number (None: none)
PARTIES: list[tuple[str, str, str, str, str | None]] = [
    ("machanga", "Company", "Machanga Ltd", "UG", None),
    ("congomet", "Company", "Congomet Trading House", "CD", None),
    ("lakeview", "Company", "Lakeview Minerals SARL", "CD", "CD/GOM/RCCM/19-B-00231"),
    ("ituri-gold", "Company", "Ituri Gold Exports Ltd", "UG", "UG-80020003312"),
    ("great-rift", "Company", "Great Rift Holdings Ltd", "KE", "PVT-2016-004417"),
    ("rift-logistics", "Company", "Rift Valley Logistics Ltd", "KE", "PVT-2018-118203"),
    ("lake-albert", "Company", "Lake Albert Shipping Ltd", "UG", "UG-80020007781"),
    ("goma-freight", "Company", "Goma Freight Forwarders SARL", "CD", "CD/GOM/RCCM/21-B-00417"),
    ("kisangani", "Company", "Kisangani Trading Co", "CD", "CD/KIS/RCCM/17-A-00088"),
    ("nile-basin", "Company", "Nile Basin Investments Ltd", "KE", "PVT-2012-000973"),
    ("equator", "Company", "Equator Trust Holdings Ltd", "KE", "PVT-2013-002281"),
    ("mwanza", "Company", "Mwanza Textiles Ltd", "TZ", "TZ-142-118-907"),
    ("amani", "Person", "Amani Mugisha", "CD", None),
    ("grace", "Person", "Grace Nyota", "KE", None),
    ("daniel", "Person", "Daniel Okello", "UG", None),
    ("esther", "Person", "Esther Wanjiru", "KE", None),
]
#: owner, asset, percentage (FtM free text), kind: "" ownership, "director" board control
LINKS: list[tuple[str, str, str, str]] = [
    ("machanga", "lakeview", "25", ""),
    ("congomet", "lakeview", "25", ""),
    ("esther", "lakeview", "50", ""),
    ("machanga", "ituri-gold", "30", ""),
    ("congomet", "ituri-gold", "30", ""),
    ("amani", "ituri-gold", "40", ""),
    ("machanga", "great-rift", "50", ""),
    ("daniel", "great-rift", "50", ""),
    ("great-rift", "rift-logistics", "50", ""),
    ("esther", "rift-logistics", "50", ""),
    ("rift-logistics", "lake-albert", "60", ""),
    ("grace", "lake-albert", "40", ""),
    ("congomet", "goma-freight", "25-50", ""),
    ("amani", "goma-freight", "50-75", ""),
    ("machanga", "kisangani", "", "director"),
    ("daniel", "kisangani", "100", ""),
    ("amani", "nile-basin", "70", ""),
    ("equator", "nile-basin", "30", ""),
    ("grace", "equator", "60", ""),
    ("nile-basin", "equator", "40", ""),
    ("equator", "mwanza", "60", ""),
    ("daniel", "mwanza", "40", ""),
]


def demo_id(key: str) -> str:
    """The stored id of a demo party, e.g. ``ftm:demo/lakeview``."""
    return f"ftm:{PREFIX}{key}"


def records() -> list[dict[str, Any]]:
    """The demo structure as FtM entities (parties, then Ownership / Directorship links)."""
    out: list[dict[str, Any]] = []
    for key, schema, name, country, number in PARTIES:
        props: dict[str, list[str]] = {"name": [name], "jurisdiction" if schema == "Company"
                                       else "nationality": [country]}  # fmt: skip
        if number:
            props["registrationNumber"] = [number]
        out.append({"id": PREFIX + key, "schema": schema, "properties": props})
    for n, (owner, asset, share, kind) in enumerate(LINKS):
        if kind == "director":
            out.append({"id": f"{PREFIX}dir-{n}", "schema": "Directorship",
                        "properties": {"director": [PREFIX + owner],
                                       "organization": [PREFIX + asset],
                                       "role": ["appoints the majority of the board"],
                                       "publisher": [SOURCE]}})  # fmt: skip
            continue
        props = {"owner": [PREFIX + owner], "asset": [PREFIX + asset], "publisher": [SOURCE],
                 "ownershipType": ["shares"]}  # fmt: skip
        if share:
            props["percentage"] = [share]
        out.append({"id": f"{PREFIX}own-{n}", "schema": "Ownership", "properties": props})
    return out


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    try:
        entity(hub, actor, demo_id(PARTIES[0][0]))
    except NotFound:
        pass
    else:
        return {"entities": 0, "edges": 0}
    with tempfile.TemporaryDirectory(prefix="cthub-demo-ownership-") as tmp:
        path = Path(tmp) / "demo-ownership.ftm.jsonl"
        lines = (json.dumps(r, ensure_ascii=False) for r in records())
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = load_file(hub, actor, path, fmt="ftm", source=SOURCE)
    return {"entities": result.entities, "edges": result.edges, "problems": len(result.problems)}


__all__ = ["LINKS", "PARTIES", "demo_id", "load_demo", "records"]

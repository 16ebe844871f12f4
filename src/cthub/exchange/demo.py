"""Demo data for exchange: partners between the demo organisations, packages under each kind of
release rule, a disclosure made by export, an onward-sharing request and lawful requests.

Everything goes through the service functions, so each step is decided, audited and, where a
disclosure happens, a leaf of the disclosure log with a signed head. The indicators are
fictional (``.example`` domains, documentation IP ranges, made-up hashes). The organisations
are the core demo's (``cthub.core.demo.ORGS``):

* the FIU shares with the border agency, the bank and the platform (local partners), and with
  an audience ``ct-taskforce`` (border agency and bank);
* packages: TLP:AMBER to the border agency (border screening, expires in 90 days), TLP:GREEN to
  the task force (capacity building), TLP:RED to the border agency only, TLP:CLEAR to anyone;
* the FIU exports to the border agency: two disclosures in the log;
* the border agency asks the FIU to pass the AMBER package on to the bank (pending);
* the FIU sends lawful requests to the platform (urgent; accepted and answered with a package)
  and to the bank (routine; backdated so that it shows as overdue).

Idempotent: when the FIU already has its partners, nothing is added. Registered under
``cthub.demo``; it needs the core demo's organisations and does nothing without them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import orjson
from sqlalchemy import select, update

from cthub.core.db import utcnow
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Organisation
from cthub.exchange import export, intake, lawful, onward, packages, partners
from cthub.exchange.models import LawfulRequest, Partner
from cthub.exchange.packages import ReleaseSpec

FIU = "National Financial Intelligence Unit"
BORDER = "Border and Immigration Agency"
BANK = "Example Commercial Bank"
PLATFORM = "Example Video Platform"
NAMESPACE = uuid.UUID("6f0f4f5e-8f2a-4a55-9d8e-2c1d7e0b9a31")
WHEN = "2026-11-20T09:00:00.000Z"
#: partner name -> organisation, per organisation that registers partners
PARTNERS: dict[str, list[tuple[str, str]]] = {
    FIU: [("border", BORDER), ("bank", BANK), ("platform", PLATFORM)],
    BORDER: [("fiu", FIU), ("bank", BANK)],
    BANK: [("fiu", FIU)],
    PLATFORM: [("fiu", FIU)],
}


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, key)}"


def _indicator(key: str, name: str, pattern: str, types: list[str]) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": _id("indicator", key),
        "created": WHEN,
        "modified": WHEN,
        "name": name,
        "indicator_types": types,
        "pattern_type": "stix",
        "pattern": pattern,
        "valid_from": "2026-11-20T09:00:00Z",
    }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _report(key: str, name: str, description: str, refs: list[str]) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": _id("report", key),
        "created": WHEN,
        "modified": WHEN,
        "name": name,
        "description": description,
        "report_types": ["threat-report"],
        "published": WHEN,
        "object_refs": refs,
    }


def bundles() -> dict[str, list[dict[str, Any]]]:
    """The demo packages' objects, by package title."""
    wallets = [
        _indicator("fund-1", "Fundraising site for an armed group",
                   "[domain-name:value = 'help-the-brothers.example']", ["malicious-activity"]),
        _indicator("fund-2", "Mirror of the fundraising site",
                   "[domain-name:value = 'brothers-relief.example']", ["malicious-activity"]),
        _indicator("fund-3", "Server hosting the donation form",
                   "[ipv4-addr:value = '203.0.113.77']", ["malicious-activity"]),
    ]  # fmt: skip
    typology = [
        _indicator("typ-1", "Propaganda video reused in crowdfunding appeals",
                   f"[file:hashes.'SHA-256' = '{_sha('demo video 1')}']", ["attribution"]),
        _indicator("typ-2", "Donation page template",
                   f"[file:hashes.'SHA-256' = '{_sha('demo page 2')}']", ["attribution"]),
    ]  # fmt: skip
    typology.append(
        _report(
            "typ-report",
            "Crowdfunding typologies of terrorist financing, 2026",
            "How appeals move from social media to payment pages; red flags for banks and "
            "platforms. For capacity building within the task force.",
            [o["id"] for o in typology],
        )
    )
    travel = [
        _indicator("red-1", "Booking contact e-mail of a facilitator",
                   "[email-addr:value = 'travel.desk@facilitator.example']", ["attribution"]),
    ]  # fmt: skip
    advisory = [
        _indicator("clear-1", "Phishing site impersonating a charity",
                   "[url:value = 'https://relief-appeal.example/donate']", ["malicious-activity"]),
    ]  # fmt: skip
    return {
        "Wallet and site indicators of a fundraising network": wallets,
        "Crowdfunding typologies of terrorist financing": typology,
        "Facilitator contact ahead of travel": travel,
        "Public advisory: fake charity appeal": advisory,
    }


def _specs(today: dt.date) -> dict[str, ReleaseSpec]:
    basis = "Art. L561-31 of the Monetary and Financial Code; MoU FIU-border agency 2025"
    return {
        "Wallet and site indicators of a fundraising network": ReleaseSpec(
            tlp="TLP:AMBER", partners=("border",),
            purposes=("border-screening", "financial-intelligence"),
            legal_basis=basis, expires=today + dt.timedelta(days=90),
        ),
        "Crowdfunding typologies of terrorist financing": ReleaseSpec(
            tlp="TLP:GREEN", audiences=("ct-taskforce",), purposes=("capacity-building",),
            legal_basis="Task force terms of reference, 2024",
        ),
        "Facilitator contact ahead of travel": ReleaseSpec(
            tlp="TLP:RED", partners=("border",), purposes=("ct-investigation", "border-screening"),
            legal_basis=basis, expires=today + dt.timedelta(days=14), pap="PAP:RED",
        ),
        "Public advisory: fake charity appeal": ReleaseSpec(
            tlp="TLP:CLEAR", purposes=("capacity-building",), pap="PAP:CLEAR"
        ),
    }  # fmt: skip


def _present(hub: Hub) -> set[str]:
    with hub.db.session(readonly=True) as s:
        return set(s.scalars(select(Organisation.name)))


def _has_partners(hub: Hub) -> bool:
    with hub.db.session(readonly=True) as s:
        fiu = s.scalars(select(Organisation.id).where(Organisation.name == FIU)).first()
        return fiu is None or (
            s.scalars(select(Partner.id).where(Partner.org_id == fiu).limit(1)).first() is not None
        )


def load_demo(hub: Hub, actor: Actor) -> dict[str, Any]:
    if not {FIU, BORDER, BANK, PLATFORM} <= _present(hub) or _has_partners(hub):
        return {"partners": 0, "packages": 0, "disclosures": 0, "requests": 0}
    counts = {"partners": 0, "packages": 0, "disclosures": 0, "requests": 0}
    for org, named in PARTNERS.items():
        for name, local in named:
            psi = "watchlist" if name in ("fiu", "border") else ""
            partners.add_partner(hub, actor, name, local_org=local, psi_list=psi, org=org)
            counts["partners"] += 1
    partners.create_audience(
        hub, actor, "ct-taskforce", ["border", "bank"],
        description="National counter-terrorism financing task force", org=FIU,
    )  # fmt: skip
    made: dict[str, str] = {}
    specs = _specs(dt.date.today())
    for title, objects in bundles().items():
        content = intake.Content("stix", "stix", objects, None)
        view = packages.create_from(hub, actor, content, specs[title], title=title, org=FIU)
        made[title] = view.id
        counts["packages"] += 1
    given = export.export(hub, actor, "border", fmt="stix", purpose="border-screening", org=FIU)
    counts["disclosures"] += len(given.disclosures)
    onward.request_onward(
        hub, actor, made["Wallet and site indicators of a fundraising network"], "bank",
        "financial-intelligence",
        "The bank holds accounts paid from the fundraising site; it should screen for it.",
        org=BORDER,
    )  # fmt: skip
    today = dt.date.today()
    urgent = lawful.send(
        hub, actor, "platform", org=FIU, urgency="urgent", reference="FIU-2026-0457",
        legal_basis="Art. L561-25 of the Monetary and Financial Code (right of communication)",
        scope=lawful.Scope(
            accounts=("@relief_brothers_channel",), period_from=today - dt.timedelta(days=60),
            period_to=today, description="Subscriber data and payment links posted by the account",
        ),
    )  # fmt: skip
    lawful.respond(hub, actor, urgent.id, "accepted", "", org=PLATFORM)
    answer = orjson.dumps(
        {
            "type": "bundle",
            "id": _id("bundle", "platform-answer"),
            "objects": [
                _indicator("ans-1", "Payment link posted by the account",
                           "[url:value = 'https://pay.example/r/77812']", ["malicious-activity"]),
            ],
        }
    )  # fmt: skip
    note = "Subscriber data follows by the agreed secure channel."
    lawful.answer(hub, actor, urgent.id, answer, "answer.json", tlp="amber", note=note,
                  org=PLATFORM)  # fmt: skip
    routine = lawful.send(
        hub, actor, "bank", org=FIU, reference="FIU-2026-0391",
        legal_basis="Art. L561-25 of the Monetary and Financial Code (right of communication)",
        scope=lawful.Scope(accounts=("FR76 3000 4000 0312 3456 7890 143",),
                           period_from=today - dt.timedelta(days=400), period_to=today,
                           description="Statements and KYC file of the account"),
    )  # fmt: skip
    counts["requests"] = 2
    # shown as overdue: the routine request was sent 40 days ago and was due in 30
    sent = utcnow() - dt.timedelta(days=40)
    with hub.db.session() as s:
        s.execute(
            update(LawfulRequest)
            .where(LawfulRequest.id == routine.id)
            .values(created_at=sent, due_at=sent + dt.timedelta(days=30))
        )
    return counts


__all__ = ["BORDER", "FIU", "PARTNERS", "bundles", "load_demo"]

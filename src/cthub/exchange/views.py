"""What services return about packages, and a package's release rule in plain words.

``rule_words`` gives the sentences as (message, parameters) pairs, so the web UI shows them in
the reader's language and the CLI in English, from the same catalogue entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.i18n import N_
from cthub.exchange.models import (
    Audience,
    AudienceMember,
    Package,
    PackageAudience,
    PackagePartner,
    Partner,
)


@dataclass(frozen=True)
class PackageView:
    id: str
    title: str
    kind: str
    tlp: str
    pap: str
    purposes: list[str]
    legal_basis: str
    expires_at: dt.datetime | None
    state: str
    version: int
    objects: int
    sha256: str
    partners: list[str]
    audiences: list[str]
    audience_size: int
    origin: str | None
    remote_id: str | None
    source: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    erased_reason: str

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= dt.datetime.now(dt.UTC)


def package_view(session: Session, p: Package) -> PackageView:
    partners = session.scalars(
        select(Partner.name)
        .join(PackagePartner, PackagePartner.partner_id == Partner.id)
        .where(PackagePartner.package_id == p.id)
        .order_by(Partner.name)
    )
    audiences = session.scalars(
        select(Audience.name)
        .join(PackageAudience, PackageAudience.audience_id == Audience.id)
        .where(PackageAudience.package_id == p.id)
        .order_by(Audience.name)
    )
    members = session.scalars(
        select(AudienceMember.partner_id)
        .join(PackageAudience, PackageAudience.audience_id == AudienceMember.audience_id)
        .where(PackageAudience.package_id == p.id)
        .distinct()
    )
    origin = session.get(Partner, p.origin_partner_id) if p.origin_partner_id else None
    return PackageView(
        p.id,
        p.title,
        p.kind,
        p.tlp,
        p.pap,
        list(p.purposes or []),
        p.legal_basis,
        p.expires_at,
        p.state,
        p.version,
        p.objects,
        p.sha256,
        list(partners),
        list(audiences),
        len(list(members)),
        origin.name if origin else None,
        p.remote_id,
        p.source,
        p.created_by,
        p.created_at,
        p.updated_at,
        p.erased_reason,
    )


TLP_WORDS = {
    "TLP:CLEAR": N_("{tlp}: any partner may receive it, and disclosure is not limited."),
    "TLP:GREEN": N_("{tlp}: partners of the community may receive it and share it within it."),
    "TLP:AMBER": N_("{tlp}: only the partners named below, on a need-to-know basis."),
    "TLP:AMBER+STRICT": N_(
        "{tlp}: only the partners named below, and only inside their own organisation."
    ),
    "TLP:RED": N_("{tlp}: only the partners named individually below; never exported to a file."),
}


def rule_words(v: PackageView) -> list[tuple[str, dict[str, object]]]:
    """The release rule as sentences: (message with placeholders, parameters)."""
    words: list[tuple[str, dict[str, object]]] = [(TLP_WORDS[v.tlp], {"tlp": v.tlp})]
    if v.partners:
        words.append((N_("Partners named: {names}."), {"names": ", ".join(v.partners)}))
    if v.audiences:
        words.append(
            (
                N_("Audiences: {names} ({count} partners)."),
                {"names": ", ".join(v.audiences), "count": v.audience_size},
            )
        )
    if not v.partners and not v.audiences and v.tlp == "TLP:GREEN":
        words.append((N_("No partner is named: the whole community may receive it."), {}))
    words.append((N_("Purposes: {purposes}."), {"purposes": ", ".join(v.purposes) or "-"}))
    if v.legal_basis:
        words.append((N_("Legal basis: {basis}."), {"basis": v.legal_basis}))
    elif v.tlp != "TLP:CLEAR":
        words.append((N_("No legal basis was stated when the package was made."), {}))
    if v.expires_at is not None:
        words.append(
            (
                N_("The grant expires on {date} and stops by itself."),
                {"date": v.expires_at.date().isoformat()},
            )
        )
    else:
        words.append((N_("No expiry date."), {}))
    words.append(
        (
            N_(
                "Permissible actions: {pap}. Passing it on beyond this rule needs the "
                "originator's approval."
            ),
            {"pap": v.pap},
        )
    )
    if v.state == "erased":
        words.append((N_("Erased by the originator: {reason}."), {"reason": v.erased_reason}))
    return words


def rule_text(v: PackageView, gettext: Callable[[str], str] | None = None) -> str:
    tr = gettext or (lambda s: s)
    return " ".join(tr(msg).format(**params) for msg, params in rule_words(v))


__all__ = ["PackageView", "package_view", "rule_text", "rule_words"]

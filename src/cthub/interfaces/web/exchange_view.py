"""What every exchange page shares: the vocabulary of the templates (TLP and PAP labels,
purposes, states, verdicts), the rights that decide which forms are offered, the refusals of
the services by the form field they concern, and the parsing of forms (lists, dates, the
uploaded file). The pages are ``exchange_pages`` (packages), ``exchange_partner_pages``
(partners and the disclosure log) and ``exchange_request_pages`` (lawful requests, onward
approvals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Path as FastPath
from starlette.datastructures import FormData, UploadFile

from cthub.core import policy
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, GetText
from cthub.exchange import intake
from cthub.exchange.models import PURPOSES
from cthub.exchange.views import PackageView, rule_words
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import Caller
from cthub.interfaces.web.forms import may, page_number

READERS = policy.ACTIONS["exchange.read"].roles
HOME = (N_("Exchange"), "/exchange")
PackageId = Annotated[str, FastPath(pattern=r"^[0-9a-f-]{36}$")]
PartnerName = Annotated[str, FastPath(min_length=1, max_length=100)]
PAGE_SIZE = 25
MAX_FILE = intake.MAX_FILE_BYTES
#: packages in memory for filtering and sorting on one page (a node's own packages)
SCAN = 5000
NO_ERRORS: dict[str, Any] = {"errors": {}, "hints": {}, "error": None, "hint": None}
TLPS = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
PAPS = ("PAP:CLEAR", "PAP:GREEN", "PAP:AMBER", "PAP:RED")
PURPOSE_LABELS = {
    "ct-investigation": N_("Counter-terrorism investigation"),
    "border-screening": N_("Border screening"),
    "financial-intelligence": N_("Financial intelligence"),
    "content-moderation": N_("Content moderation"),
    "capacity-building": N_("Capacity building"),
    "judicial-cooperation": N_("Judicial cooperation"),
}
STATES = {"active": N_("Active"), "erased": N_("Erased"), "suspended": N_("Suspended")}
VERDICTS = {"ok": N_("Consistent"), "fork": N_("Fork"), "problem": N_("Problem")}
SORTS = {
    "newest": lambda p: -p.created_at.timestamp(),
    "title": lambda p: p.title.lower(),
    "tlp": lambda p: -TLPS.index(p.tlp) if p.tlp in TLPS else 0,
    "expires": lambda p: p.expires_at.timestamp() if p.expires_at else float("inf"),
}
#: the refusals of ``packages.create`` and ``partners.add_partner``, by the field they are about
FIELD_OF = {
    "The expiry {expires} is in the past.": "expires",
    "A package needs at least one purpose.": "purposes",
    "Unknown purpose {purpose}.": "purposes",
    "A package above TLP:CLEAR needs its legal basis.": "legal_basis",
    "{tlp} needs at least one named partner or audience.": "partners",
    "TLP:RED goes to partners named individually, not to audiences.": "partners",
    "The content is marked {found}; it cannot be shared as {asked}.": "tlp",
    "{value} is not a TLP label.": "tlp",
    "{value} is not a PAP label.": "pap",
    "The package has no objects to share.": "file",
    "Choose the file to share.": "file",
    "{file} is larger than {limit} bytes.": "file",
    "{file} is empty.": "file",
    "A correction needs a reason.": "reason",
    "An erasure needs a reason.": "reason",
    "The {what} name {name} is not usable.": "name",
    "A partner named {name} exists already.": "name",
    "An audience named {name} exists already.": "name",
    "A partner on another node needs its URL and its public key.": "url",
    "No other organisation named {name} on this node.": "local_org",
}


# -- shared by every exchange page ------------------------------------------------------------


def vocabulary(who: Caller) -> dict[str, Any]:
    """The labels (msgids) and rights every exchange template uses."""
    return {
        "tlps": TLPS,
        "paps": PAPS,
        "purposes": PURPOSES,
        "purpose_labels": PURPOSE_LABELS,
        "state_labels": STATES,
        "verdicts": VERDICTS,
        "quote": quote,
        "may_share": may(who.actor, "exchange.share"),
        "may_partners": may(who.actor, "exchange.partners"),
        "may_requests": may(who.actor, "exchange.requests"),
        "may_approve": may(who.actor, "exchange.approve"),
        "may_verify": may(who.actor, "exchange.verify"),
        "max_mb": MAX_FILE // 2**20,
        **NO_ERRORS,
    }


def error_context(exc: CthubError, _: GetText, field: str | None = None) -> dict[str, Any]:
    """``exc`` as template context: beside its field when it has one, else above the form."""
    message, hint = exc.render(_), exc.render_hint(_)
    field = field or str(exc.params.get("field") or "") or FIELD_OF.get(exc.message)
    if field:
        return {"errors": {field: message}, "hints": {field: hint}, "error": None, "hint": None}
    return {"errors": {}, "hints": {}, "error": message, "hint": hint}


def words(values: object) -> list[str]:
    """A form's list: repeated fields, or one text of items split by commas and lines."""
    items = values if isinstance(values, list) else [values]
    out = [w.strip() for v in items if isinstance(v, str) for w in v.replace("\n", ",").split(",")]
    return [w for w in out if w]


def day(value: str, field: str = "expires") -> dt.date | None:
    """A date field (YYYY-MM-DD) or None when empty."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InvalidInput(
            "{value} is not a date.", hint="Use YYYY-MM-DD.", value=value[:20], field=field
        ) from None


async def upload(form: FormData) -> tuple[bytes, str]:
    """The form's ``file``, read whole but refused past ``MAX_FILE`` bytes."""
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise InvalidInput(
            "Choose the file to share.",
            hint="A STIX bundle, a MISP event, "
            "FollowTheMoney entities, or any file (it becomes an artifact).",
        )
    data = await uploads.read_capped(file, MAX_FILE)
    if not data:
        raise InvalidInput(
            "{file} is empty.",
            hint="Choose the file again; nothing was sent.",
            file=uploads.safe_name(file.filename),
        )
    return data, uploads.safe_name(file.filename)


LISTS = frozenset({"partners", "audiences", "purposes", "accept_purposes", "members"})


def fields(form: FormData, names: tuple[str, ...]) -> dict[str, Any]:
    """The form's text fields (as typed, to show again) and its repeated ones (lists)."""
    out: dict[str, Any] = {}
    for name in names:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        out[name] = values if name in LISTS else (values[0] if values else "")
    return out


def in_words(view: PackageView, _: GetText) -> list[str]:
    return [_(msg).format(**params) for msg, params in rule_words(view)]


def sorted_page(rows: list[Any], sort: str, page: str) -> tuple[list[Any], int, int]:
    """One page of ``rows`` under ``sort`` (a key of ``SORTS``): rows, page, pages."""
    rows.sort(key=SORTS.get(sort, SORTS["newest"]))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    at = min(page_number(page), pages)
    return rows[(at - 1) * PAGE_SIZE : at * PAGE_SIZE], at, pages


def query_of(base: str, **params: Any) -> Callable[..., str]:
    def query(**changes: Any) -> str:
        merged = {**params, "page": 1, **changes}
        return base + "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    return query


__all__ = [
    "HOME",
    "MAX_FILE",
    "PAGE_SIZE",
    "READERS",
    "TLPS",
    "day",
    "error_context",
    "fields",
    "in_words",
    "query_of",
    "sorted_page",
    "upload",
    "vocabulary",
    "words",
]

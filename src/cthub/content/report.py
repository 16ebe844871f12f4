"""The transparency report: how many content matches there were, by label, action, decision
state and month, for the organisations the actor may see.

``build`` gives the counts, ``to_csv`` writes them as ``month,label,action,state,count`` and
``render_pdf`` prints them, in English or Simplified Chinese, with WeasyPrint from
``templates/transparency.html`` (CSS and the SVG chart inline, nothing loaded from anywhere).
``export_csv`` and ``export_pdf`` build and write in one call. Each service call checks
``content.report`` and writes one audit event naming the format. A month is
the ``YYYY-MM`` of the match's ``created_at`` in UTC; ``since`` and ``until`` bound it, both
inclusive. Only counts leave this module: never a hash, a file name or who matched what.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import ColumnElement, func, select

from cthub.content.models import ACTIONS, MATCH_STATES, ContentMatch
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import LANGUAGES, N_, gettext
from cthub.core.pdf import html_to_pdf
from cthub.core.policy import Actor
from cthub.core.tables import Organisation

CSV_COLUMNS = ("month", "label", "action", "state", "count")
FORMATS = ("json", "csv", "pdf")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TITLE = N_("Transparency report: terrorist content matches")
PAGE = N_("Page {page} of {pages}")
ACTION_LABELS = {"review": N_("Queued for review"), "remove": N_("Removed automatically")}
STATE_LABELS = {"open": N_("Open"), "confirmed": N_("Confirmed"), "rejected": N_("Rejected")}
STATE_COLOURS = {"open": "#b45309", "confirmed": "#991b1b", "rejected": "#166534"}
NO_LABEL = N_("(no label)")

_env = Environment(
    loader=PackageLoader("cthub.content", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, order=True)
class CountRow:
    """Matches of one month, label, action and decision state."""

    month: str
    label: str
    action: str
    state: str
    count: int


@dataclass(frozen=True)
class Transparency:
    """The counts of a report, with what it covers and when it was made."""

    rows: tuple[CountRow, ...]
    since: str | None
    until: str | None
    organisations: tuple[str, ...] | None  # None: every organisation of the deployment
    generated_at: dt.datetime

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    def by_state(self) -> dict[str, int]:
        return _tally(self.rows, "state", MATCH_STATES)

    def by_action(self) -> dict[str, int]:
        return _tally(self.rows, "action", ACTIONS)

    def months(self) -> list[tuple[str, dict[str, int]]]:
        """Each month with matches, oldest first, with its counts by state."""
        return _grouped(self.rows, "month", sort_by_total=False)

    def labels(self) -> list[tuple[str, dict[str, int]]]:
        """Each label, most matches first, with its counts by state."""
        return _grouped(self.rows, "label", sort_by_total=True)


def _tally(rows: tuple[CountRow, ...], key: str, keys: tuple[str, ...]) -> dict[str, int]:
    out = dict.fromkeys(keys, 0)
    for r in rows:
        out[getattr(r, key)] = out.get(getattr(r, key), 0) + r.count
    return out


def _grouped(
    rows: tuple[CountRow, ...], key: str, *, sort_by_total: bool
) -> list[tuple[str, dict[str, int]]]:
    groups: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MATCH_STATES, 0))
    for r in rows:
        groups[getattr(r, key)][r.state] += r.count
    if sort_by_total:
        return sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    return sorted(groups.items())


def check_month(value: str | None, field: str) -> str | None:
    """``value`` as ``YYYY-MM`` (``None`` when empty); anything else is refused, naming it."""
    text = (value or "").strip()
    if not text:
        return None
    if not MONTH.match(text):
        raise InvalidInput("{value} is not a month; write it as YYYY-MM.", hint="For example "
                           "2026-03.", field=field, value=text[:40])  # fmt: skip
    return text


def _bounds(since: str | None, until: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.strptime(since, "%Y-%m").replace(tzinfo=dt.UTC) if since else None
    end = None
    if until:
        year, month = int(until[:4]), int(until[5:])
        end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)
    if start and end and start >= end:
        raise InvalidInput("The report starts in {since}, after it ends in {until}.",
                           hint="Give the earlier month first.", field="since", since=since,
                           until=until)  # fmt: skip
    return start, end


def _month_of(u: Unit) -> ColumnElement[str]:
    """The UTC ``YYYY-MM`` of ``created_at`` in this database's dialect."""
    if u.s.get_bind().dialect.name == "sqlite":  # stored as UTC text
        return func.strftime("%Y-%m", ContentMatch.created_at)
    return func.to_char(func.timezone("UTC", ContentMatch.created_at), "YYYY-MM")


def _build(u: Unit, since: str | None, until: str | None) -> Transparency:
    start, end = _bounds(since, until)
    month = _month_of(u).label("month")
    q = select(month, ContentMatch.label, ContentMatch.action, ContentMatch.state, func.count())
    orgs = u.visible_orgs()
    if orgs is not None:
        q = q.where(ContentMatch.org_id.in_(orgs))
    if start is not None:
        q = q.where(ContentMatch.created_at >= start)
    if end is not None:
        q = q.where(ContentMatch.created_at < end)
    q = q.group_by(month, ContentMatch.label, ContentMatch.action, ContentMatch.state)
    rows = tuple(
        sorted(CountRow(str(m), lbl or "", a, s, int(n)) for m, lbl, a, s, n in u.s.execute(q))
    )
    names = None
    if orgs is not None:
        found = u.s.scalars(select(Organisation.name).where(Organisation.id.in_(orgs)))
        names = tuple(sorted(found))
    return Transparency(rows, since, until, names, utcnow())


def _checked(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    return check_month(since, "since"), check_month(until, "until")


def build(
    hub: Hub, actor: Actor, since: str | None = None, until: str | None = None
) -> Transparency:
    """The counts for the months from ``since`` to ``until`` (``YYYY-MM``, both optional)."""
    since, until = _checked(since, until)
    with hub.unit(actor, "content.report") as u:
        data = _build(u, since, until)
        u.audit("content_report", details=_audited(data, "json"))
        return data


def export_csv(hub: Hub, actor: Actor, since: str | None = None, until: str | None = None) -> str:
    """The counts as CSV: ``month,label,action,state,count``, one line per group."""
    since, until = _checked(since, until)
    with hub.unit(actor, "content.report") as u:
        data = _build(u, since, until)
        u.audit("content_report", details=_audited(data, "csv"))
        return to_csv(data)


def export_pdf(
    hub: Hub, actor: Actor, lang: str, since: str | None = None, until: str | None = None
) -> bytes:
    """The report as an A4 PDF in ``lang`` (``en`` or ``zh_Hans``)."""
    since, until = _checked(since, until)
    _check_lang(lang)
    with hub.unit(actor, "content.report") as u:
        data = _build(u, since, until)
        body = render_pdf(data, lang)
        u.audit("content_report", details={**_audited(data, "pdf"), "lang": lang,
                                           "bytes": len(body)})  # fmt: skip
        return body


def _audited(data: Transparency, fmt: str) -> dict[str, Any]:
    return {"format": fmt, "since": data.since, "until": data.until, "matches": data.total}


def to_csv(data: Transparency) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in data.rows:
        writer.writerow([r.month, r.label, r.action, r.state, r.count])
    return buf.getvalue()


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InvalidInput("Unknown language {value!r}.", hint="Use en or zh_Hans.",
                           field="lang", value=lang)  # fmt: skip


def _stylesheet(lang: str) -> Markup:
    css = resources.files("cthub.content").joinpath("templates", "transparency.css")
    template = gettext(lang)(PAGE)
    quoted = '"' + template.replace("\\", "\\\\").replace('"', '\\"') + '"'
    page = quoted.replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "')
    return Markup(css.read_text(encoding="utf-8").replace("/*PAGE*/", page))  # noqa: S704


def _bars(data: Transparency) -> dict[str, Any]:
    """Geometry of the stacked bars by month (SVG in the template): state -> (y, height)."""
    months = data.months()
    most = max((sum(c.values()) for _m, c in months), default=0) or 1
    height, width = 150.0, 480.0
    step = width / max(1, len(months))
    bars = []
    for i, (month, counts) in enumerate(months):
        y, parts = height, []
        for state in MATCH_STATES:
            h = height * counts[state] / most
            y -= h
            parts.append((state, round(y, 1), round(h, 1)))
        x, w = round(i * step + step * 0.15, 1), round(step * 0.7, 1)
        bars.append({"month": month, "x": x, "w": w, "parts": parts, "total": sum(counts.values())})
    return {"bars": bars, "height": height, "width": width, "most": most}


def context(data: Transparency, lang: str) -> dict[str, Any]:
    _ = gettext(lang)
    return {
        "_": _,
        "html_lang": "zh-Hans" if lang == "zh_Hans" else "en",
        "title": _(TITLE),
        "data": data,
        "css": _stylesheet(lang),
        "chart": _bars(data),
        "states": MATCH_STATES,
        "actions": ACTIONS,
        "state_label": lambda key: _(STATE_LABELS.get(str(key), str(key))),
        "action_label": lambda key: _(ACTION_LABELS.get(str(key), str(key))),
        "label_text": lambda label: label or _(NO_LABEL),
        "colours": STATE_COLOURS,
    }


def render_html(data: Transparency, lang: str) -> str:
    """The report as one self-contained HTML document in ``lang``."""
    _check_lang(lang)
    return _env.get_template("transparency.html").render(**context(data, lang))


def render_pdf(data: Transparency, lang: str) -> bytes:
    """The report as an A4 PDF in ``lang``, printed from ``render_html`` by WeasyPrint."""
    return html_to_pdf(render_html(data, lang))


__all__ = [
    "ACTION_LABELS",
    "CSV_COLUMNS",
    "FORMATS",
    "STATE_COLOURS",
    "STATE_LABELS",
    "CountRow",
    "Transparency",
    "build",
    "check_month",
    "export_csv",
    "export_pdf",
    "render_html",
    "render_pdf",
    "to_csv",
]

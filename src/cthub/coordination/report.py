"""The semiannual report to the UN Counter-Terrorism Committee, as HTML and as a PDF.

``build_report`` (see ``report_data``) computes the figures; ``render_html`` lays them out in
English or Simplified Chinese as one self-contained page (CSS and SVG charts inline, nothing
loaded from anywhere), and ``render_pdf`` prints that page with WeasyPrint: A4, a title page,
page numbers in the footer and table headers repeated on every page a table spans. Every label
is a msgid translated with ``cthub.core.i18n``; area labels come from ``taxonomy``.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from cthub.coordination import overlaps
from cthub.coordination import report_format as fmt
from cthub.coordination.report_charts import LABELS, render_charts
from cthub.coordination.report_data import (
    Breakdown,
    Changes,
    ReportData,
    StatusChange,
    build_report,
    parse_period,
)
from cthub.coordination.taxonomy import AREA_KEYS, NEED_STATES, STATUSES, area
from cthub.core.errors import InvalidInput
from cthub.core.i18n import LANGUAGES, N_, gettext
from cthub.core.pdf import html_to_pdf

TITLE = N_("Semiannual report to the Counter-Terrorism Committee")
PAGE = N_("Page {page} of {pages}")
GAP_DEFINITION = N_(
    "For each recipient and area, the need is the sum of the priorities of the open needs and "
    "the assistance is the number of committed projects plus half the number of completed "
    "ones. One project is taken to answer one need of medium priority (3). The gap is the "
    "share of the need that the assistance leaves unanswered: 100% when nothing is committed, "
    "0% when the need is covered."
)
TOP_CONCENTRATED = 15
CONCENTRATION_TABLES = (
    ("recipient", N_("The most concentrated recipients"), N_("Recipient")),
    ("area", N_("Concentration by assistance area"), N_("Assistance area")),
)

_env = Environment(
    loader=PackageLoader("cthub.coordination", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _css_content(template: str) -> str:
    """A translated ``Page {page} of {pages}`` as a CSS ``content`` value with counters."""
    quoted = '"' + template.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return quoted.replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "')


def _stylesheet(lang: str) -> Markup:
    css = (
        resources.files("cthub.coordination")
        .joinpath("templates", "report.css")
        .read_text(encoding="utf-8")
    )
    page = _css_content(gettext(lang)(PAGE))
    return Markup(css.replace("/*PAGE*/", page))  # noqa: S704 - our own stylesheet


def _by_volume(rows: tuple[Breakdown, ...]) -> list[Breakdown]:
    return sorted(rows, key=lambda r: (-(r.existing + r.planned), r.key))


def _concentrated(data: ReportData, by: str) -> list[Any]:
    """Groups by HHI, highest first: the top recipients, or every area in CTC order."""
    groups = data.concentration.get(by, {})
    if by == "area":
        return [groups[key] for key in AREA_KEYS if key in groups]
    ranked = sorted(groups.values(), key=lambda c: (-c.hhi, -c.projects, c.group))
    return ranked[:TOP_CONCENTRATED]


def context(data: ReportData, lang: str) -> dict[str, Any]:
    """What ``report.html`` is rendered with: the data, translated helpers and the charts."""
    _ = gettext(lang)
    return {
        "_": _,
        "lang": lang,
        "html_lang": "zh-Hans" if lang == "zh_Hans" else "en",
        "title": _(TITLE),
        "data": data,
        "css": _stylesheet(lang),
        "charts": {k: Markup(v) for k, v in render_charts(data, lang).items()},  # noqa: S704
        "chart_titles": {key: _(LABELS[key]) for key in ("donor", "recipient", "heatmap", "map")},
        "donors": _by_volume(data.by_donor),
        "recipients": _by_volume(data.by_recipient),
        "open_needs": sum(1 for n in data.needs.values() if n.status == "open"),
        "date": lambda d: fmt.date(d, lang),
        "num": lambda n: fmt.number(n, lang),
        "dec": lambda v, digits=2: fmt.decimal(v, lang, digits),
        "pct": fmt.percent,
        "qty": lambda v: (
            fmt.number(int(v), lang) if float(v).is_integer() else fmt.decimal(v, lang, 1)
        ),
        "money": lambda amounts: fmt.money_lines(amounts, lang),
        "country": lambda code: fmt.country_name(code, lang),
        "area_label": lambda key: _(area(key).label),
        "status": lambda key: _(STATUSES.get(str(key), str(key))),
        "need_state": lambda key: _(NEED_STATES.get(str(key), str(key))),
        "same": lambda key: key,
        "gap_definition": _(GAP_DEFINITION),
        "concentration_tables": [(by, _(cap), _(first)) for by, cap, first in CONCENTRATION_TABLES],
        "concentration_rows": lambda by: _concentrated(data, by),
        "reasons": lambda overlap: overlaps.reasons_text(overlap, gettext=_),
    }


def render_html(data: ReportData, lang: str) -> str:
    """The report as one self-contained HTML document in ``lang`` (``en`` or ``zh_Hans``)."""
    if lang not in LANGUAGES:
        raise InvalidInput("Unknown language {value!r}.", hint="Use en or zh_Hans.",
                           field="lang", value=lang)  # fmt: skip
    return _env.get_template("report.html").render(**context(data, lang))


def render_pdf(data: ReportData, lang: str) -> bytes:
    """The report as an A4 PDF in ``lang``, printed from ``render_html`` by WeasyPrint."""
    return html_to_pdf(render_html(data, lang))


__all__ = [
    "PAGE",
    "TITLE",
    "Breakdown",
    "Changes",
    "ReportData",
    "StatusChange",
    "build_report",
    "context",
    "parse_period",
    "render_html",
    "render_pdf",
]

"""The report's charts for one language: assistance by donor and by recipient (stacked by
area), the gap heatmap (recipients by areas) and the world map of assistance per recipient.

Bars and the map count existing and planned projects together; a project in several areas
adds one to each of its areas, so a bar's total is the number of project-area assignments
(the method note says so). Labels are translated here; the figures come from ``ReportData``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from cthub.coordination import charts, charts_map
from cthub.coordination.records import ProjectRecord
from cthub.coordination.report_data import ReportData
from cthub.coordination.report_format import country_name, number
from cthub.coordination.taxonomy import AREA_KEYS, area
from cthub.core.i18n import N_, GetText, gettext

LABELS = {
    "donor": N_("Existing and planned projects by donor and assistance area"),
    "recipient": N_("Existing and planned projects by recipient and assistance area"),
    "heatmap": N_("Unmet share of identified needs by recipient and assistance area"),
    "map": N_("Existing and planned projects by recipient country"),
    "legend": N_("Assistance area"),
    "projects": N_("Projects"),
    "covered": N_("Covered"),
    "unmet": N_("Unmet"),
    "no_need": N_("No need recorded"),
    "no_projects": N_("No projects"),
    "bars_desc": N_("Horizontal bars, one per row; segments are assistance areas."),
    "heat_desc": N_("Each cell gives the share of the needs that no project addresses."),
    "map_desc": N_("Countries shaded by their number of projects, in five classes."),
}


def report_projects(data: ReportData) -> list[ProjectRecord]:
    """The existing and planned projects of the report, in id order."""
    return [data.projects[pid] for pid in sorted({*data.existing, *data.planned})]


def area_counts(projects: Iterable[ProjectRecord], by: str) -> Counter[tuple[str, str]]:
    """Project-area assignments per (donor or recipient, area)."""
    counts: Counter[tuple[str, str]] = Counter()
    for project in projects:
        key = project.donor if by == "donor" else project.recipient
        for key_area in project.areas:
            counts[key, key_area] += 1
    return counts


def render_charts(data: ReportData, lang: str) -> dict[str, str]:
    """SVG strings keyed ``donor``, ``recipient``, ``heatmap`` and ``map``, labelled in ``lang``."""
    _ = gettext(lang)
    projects = report_projects(data)
    layers = [charts.Layer(k, _(area(k).label), charts.AREA_COLOURS[k]) for k in AREA_KEYS]
    svgs = {by: _bars(by, projects, layers, lang, _) for by in ("donor", "recipient")}
    svgs["heatmap"] = _heatmap(data, lang, _)
    per_country = Counter(p.recipient for p in projects)
    svgs["map"] = charts_map.choropleth_map(
        "chart-map",
        _(LABELS["map"]),
        {code: float(n) for code, n in per_country.items()},
        name=lambda code: country_name(code, lang),
        value_text=lambda v: number(int(v), lang),
        legend_heading=_(LABELS["projects"]),
        no_data_label=_(LABELS["no_projects"]),
        desc=_(LABELS["map_desc"]),
    )
    return svgs


def _bars(by: str, projects: list[ProjectRecord], layers: list[charts.Layer], lang: str,
          _: GetText) -> str:  # fmt: skip
    counts = area_counts(projects, by)
    keys = sorted({key for key, _a in counts})
    label = (lambda k: k) if by == "donor" else (lambda k: country_name(k, lang))
    totals = Counter({key: sum(counts[key, a] for a in AREA_KEYS) for key in keys})
    categories = [(k, label(k)) for k in sorted(keys, key=lambda k: (-totals[k], label(k)))]
    return charts.stacked_bar_chart(
        f"chart-{by}",
        _(LABELS[by]),
        categories,
        layers,
        dict(counts),
        value_text=lambda v: number(v, lang),
        desc=_(LABELS["bars_desc"]),
        legend_heading=_(LABELS["legend"]),
    )


def _heatmap(data: ReportData, lang: str, _: GetText) -> str:
    recipients, areas, matrix = data.heatmap
    order = sorted(range(len(recipients)), key=lambda r: (-_mean(matrix[r]), recipients[r]))
    return charts.heatmap_chart(
        "chart-heatmap",
        _(LABELS["heatmap"]),
        [(recipients[r], country_name(recipients[r], lang)) for r in order],
        [(key, _(area(key).label)) for key in areas],
        [matrix[r] for r in order],
        legend_labels=(_(LABELS["covered"]), _(LABELS["unmet"]), _(LABELS["no_need"])),
        desc=_(LABELS["heat_desc"]),
    )


def _mean(row: list[float | None]) -> float:
    values = [v for v in row if v is not None]
    return sum(values) / len(values) if values else -1.0


__all__ = ["LABELS", "area_counts", "render_charts", "report_projects"]

"""``cthub coordination``: IATI exchange, overlaps, gaps, priorities and the CTC report.

The output contracts are stable (other tools read them): ``overlaps --format csv`` writes
``project_a,project_b,score,reasons`` where a project is named by its IATI identifier when it
has one and by its cthub id otherwise; ``gaps --format csv`` writes one row per country and area.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from cthub.core.errors import InvalidInput
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

# The capability is imported inside each command: `cthub --help` and other commands stay fast.
DEFAULT_MIN_SCORE = 0.5

app = typer.Typer(
    no_args_is_help=True,
    help="Capacity-building coordination: IATI exchange, overlaps, gaps, reports to the CTC.",
)


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


@app.command("import-iati")
def import_iati_cmd(
    path: Path = typer.Argument(..., help="An IATI 2.0x activity file (iati-activities XML)"),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the valid activities and report each invalid one"
    ),
) -> None:
    """Import activities; re-importing updates projects by iati-identifier. All or nothing."""
    from cthub.coordination import interchange

    result = interchange.import_iati(open_hub(), OPERATOR, path, skip_invalid=skip_invalid)
    for skipped in result.invalid:
        err.print(f"skipped {skipped.identifier or '?'} (line {skipped.line}): "
                  + "; ".join(skipped.errors), markup=False, highlight=False)  # fmt: skip
    for identifier, why in result.outside:
        err.print(f"not imported {identifier}: {why}", markup=False, highlight=False)
    typer.echo(
        f"{path}: {result.created} created, {result.updated} updated, "
        f"{len(result.invalid)} invalid skipped, {len(result.outside)} outside the CTC areas"
    )


@app.command("export-iati")
def export_iati_cmd(
    output: str = typer.Option(..., "--output", "-o", help="File to write, or - for stdout"),
    recipient: str | None = typer.Option(None, "--recipient", help="Only this recipient (XX)"),
) -> None:
    """Write the register's projects as an XSD-valid IATI 2.03 activity file."""
    from cthub.coordination import interchange

    data = interchange.export_iati(open_hub(), OPERATOR, recipient=recipient)
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(output).write_bytes(data)
        typer.echo(f"wrote {output} ({len(data)} bytes)")


@app.command("overlaps")
def overlaps_cmd(
    min_score: float = typer.Option(DEFAULT_MIN_SCORE, "--min-score", min=0, max=1),
    fmt: Format = typer.Option(Format.table, "--format"),
    include_dismissed: bool = typer.Option(False, "--include-dismissed"),
) -> None:
    """Detect overlapping projects (same recipient and area, overlapping dates, similar text)."""
    from cthub.coordination import analysis
    from cthub.coordination.service import load_register

    hub = open_hub()
    analysis.detect(hub, OPERATOR, min_score=min_score)
    names = {p.id: p.iati_identifier or str(p.id) for p in load_register(hub, OPERATOR).projects}
    rows = [
        {
            "project_a": names[v.project_a],
            "project_b": names[v.project_b],
            "score": f"{v.score:.3f}",
            "reasons": v.reasons,
        }
        for v in analysis.list_overlaps(hub, OPERATOR, min_score=min_score)
        if include_dismissed or v.state != "dismissed"
    ]
    emit(rows, ["project_a", "project_b", "score", "reasons"], fmt, "Overlaps")


@app.command("gaps")
def gaps_cmd(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Priority-weighted need against committed and delivered assistance, country x area."""
    from cthub.coordination import analysis

    cells = analysis.gap_cells(open_hub(), OPERATOR)
    rows = [
        {
            "recipient": c.recipient,
            "area": c.area,
            "need": c.need_weight,
            "committed": c.committed,
            "delivered": c.delivered,
            "gap": c.gap,
            "explanation": c.explain(),
        }
        for c in sorted(cells, key=lambda c: (-c.gap, c.recipient, c.area))
    ]
    columns = ["recipient", "area", "need", "committed", "delivered", "gap", "explanation"]
    emit(rows, columns, fmt, "Gaps")


@app.command("priorities")
def priorities_cmd(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Each recipient's priority score with its components, weights and adjustment."""
    from cthub.coordination import analysis

    rows = [
        {
            "recipient": s.recipient,
            "score": s.total,
            "adjustment": s.adjustment,
            **{k: round(v, 3) for k, v in s.components.items()},
        }
        for s in analysis.priorities(open_hub(), OPERATOR)
    ]
    columns = list(rows[0]) if rows else ["recipient", "score", "adjustment"]
    emit(rows, columns, fmt, "Priorities")


@app.command("report")
def report_cmd(
    period: str = typer.Option(..., "--period", help="Half-year, e.g. 2026H2"),
    fmt: ReportFormat = typer.Option(ReportFormat.pdf, "--format"),
    lang: Lang = typer.Option(Lang.en, "--lang"),
    output: str = typer.Option(..., "--output", "-o", help="File to write, or - for stdout"),
) -> None:
    """The semiannual report to the Counter-Terrorism Committee, in HTML or PDF."""
    from cthub.coordination import reporting

    language = "zh_Hans" if lang is Lang.zh else "en"
    data = reporting.generate(open_hub(), OPERATOR, period, fmt.value, language)
    if output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(output).write_bytes(data)
        typer.echo(f"wrote {output} ({len(data)} bytes)")


@app.command("treaties-import")
def treaties_import_cmd(
    path: Path = typer.Argument(..., help="CSV state,instrument,signed_on,consent_on,..."),
    source: str = typer.Option("", "--source", help="Where the figures come from"),
) -> None:
    """Import states' signature and ratification status of the universal instruments."""
    from cthub.coordination import treaties

    if not path.is_file():
        raise InvalidInput("No such file: {path}.", path=str(path))
    hub = open_hub()
    treaties.load_instruments(hub, OPERATOR)
    result = treaties.import_status_csv(hub, OPERATOR, path, source=source or path.name)
    typer.echo(f"{path}: {result}")


__all__ = ["app"]

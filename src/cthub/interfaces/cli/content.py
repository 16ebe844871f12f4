"""``cthub content``: hash files, manage hash banks, match files, review matches (stable
contracts, docs/cli.md).

* ``hash FILE... [--format jsonl|csv]``: one record per file, ``path,md5,sha256,pdq,quality,
  error``; a file that cannot be read gets its ``error`` and the others go on.
* ``match FILE... [--bank NAME] [--format jsonl|csv] [--all]``: one record per match,
  ``path,bank,entry_id,label,signal,distance``; files without a match write nothing unless
  ``--all``, which adds them with an empty bank.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from cthub.content import banks, hashlists, report, review, service
from cthub.content.hashing import ROW_FIELDS
from cthub.interfaces.cli.output import Format, emit
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

MATCH_FIELDS = ("path", "bank", "entry_id", "label", "signal", "distance")

app = typer.Typer(no_args_is_help=True, help="Terrorist-content hash matching: banks, review.")
bank_app = typer.Typer(no_args_is_help=True, help="Hash banks: create, add, export, remove.")
review_app = typer.Typer(no_args_is_help=True, help="The review queue of content matches.")
app.add_typer(bank_app, name="bank")
app.add_typer(review_app, name="review")


class RecordFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _write(rows: Iterable[dict[str, Any]], fields: tuple[str, ...], fmt: RecordFormat) -> None:
    out = sys.stdout
    if fmt is RecordFormat.csv:
        writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in fields})
    else:
        for row in rows:
            out.write(json.dumps({k: row.get(k) for k in fields}, ensure_ascii=False) + "\n")
    out.flush()


def _expand(files: list[Path]) -> list[Path]:
    """Files as given; a directory stands for the files in it (sorted, not recursive)."""
    out: list[Path] = []
    for f in files:
        out += sorted(p for p in f.iterdir() if p.is_file()) if f.is_dir() else [f]
    return out


@app.command("hash")
def hash_cmd(
    files: list[Path] = typer.Argument(..., help="Images, videos or any files"),
    fmt: RecordFormat = typer.Option(RecordFormat.jsonl, "--format", help="jsonl or csv"),
) -> None:
    """Write path,md5,sha256,pdq,quality,error for each file (nothing is stored)."""
    hub = open_hub()
    rows = [h.row() for h in service.hash_paths(hub, OPERATOR, _expand(files))]
    _write(rows, ROW_FIELDS, fmt)
    if rows and all(r["error"] and not r["md5"] for r in rows):
        raise typer.Exit(1)


@app.command("match")
def match_cmd(
    files: list[Path] = typer.Argument(..., help="Images, videos or any files"),
    bank: list[str] = typer.Option([], "--bank", help="Match only this bank (repeatable)"),
    fmt: RecordFormat = typer.Option(RecordFormat.jsonl, "--format", help="jsonl or csv"),
    all_files: bool = typer.Option(False, "--all", help="Also write files without a match"),
    dihedral: bool = typer.Option(False, "--dihedral", help="Also match rotations and flips"),
    no_review: bool = typer.Option(False, "--no-review", help="Do not queue matches for review"),
) -> None:
    """Write path,bank,entry_id,label,signal,distance for each match."""
    hub = open_hub()
    results = service.match_files(hub, OPERATOR, _expand(files), banks=bank or None,
                                  dihedral=dihedral or None, record=not no_review)  # fmt: skip
    rows: list[dict[str, Any]] = []
    for r in results:
        for m in r.matches:
            rows.append({"path": r.path, "bank": m.bank, "entry_id": m.entry_id,
                         "label": m.label, "signal": m.signal, "distance": m.distance})  # fmt: skip
        if not r.matches and all_files:
            rows.append({"path": r.path, "bank": "", "entry_id": None, "label": "",
                         "signal": "", "distance": None})  # fmt: skip
        for note in [r.hashes.error, *r.notes] if r.hashes.error or r.notes else []:
            typer.echo(f"{r.path}: {note}", err=True)
        if r.suppressed_by:
            banks_ = ", ".join(r.suppressed_by)
            typer.echo(f"{r.path}: suppressed by negative bank {banks_}", err=True)
        for entry in r.quarantined:
            typer.echo(f"warning: entry {entry} quarantined after a flood of matches", err=True)
    _write(rows, MATCH_FIELDS, fmt)


@bank_app.command("create")
def bank_create(
    name: str = typer.Argument(...),
    label: str = typer.Option("", "--label", help="Label given to hashes added without one"),
    threshold: int = typer.Option(31, "--threshold", help="PDQ match distance (0-128)"),
    tlp: str = typer.Option("TLP:AMBER", "--tlp", help="TLP 2.0 marking of the bank"),
    negative: bool = typer.Option(False, "--negative", help="Known-benign content"),
    action: str = typer.Option("review", "--action", help="review, or remove (automatic)"),
    description: str = typer.Option("", "--description"),
) -> None:
    """Create a hash bank."""
    b = banks.create_bank(open_hub(), OPERATOR, name, label=label, threshold=threshold,
                          tlp=tlp.upper(), negative=negative, action=action,
                          description=description)  # fmt: skip
    typer.echo(f"bank {b.name} created (threshold {b.threshold}, {b.tlp}"
               f"{', negative' if b.negative else ''}, action {b.action})")  # fmt: skip


@bank_app.command("list")
def bank_list(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """List the banks with their counts."""
    cols = ("name", "tlp", "threshold", "negative", "action", "active", "removed", "quarantined",
            "default_label")  # fmt: skip
    emit(banks.list_banks(open_hub(), OPERATOR), cols, fmt, title="Hash banks")


@bank_app.command("add")
def bank_add(
    name: str = typer.Argument(...),
    files: list[Path] = typer.Argument(None, help="Files to hash and add"),
    hashes: Path | None = typer.Option(None, "--hashes", help="Hash list: CSV or text, - = stdin"),
    label: str | None = typer.Option(None, "--label", help="Label for hashes without one"),
) -> None:
    """Add files (hashed here) or a hash list to a bank; one transaction."""
    hub = open_hub()
    if hashes is not None:
        data = sys.stdin.buffer.read() if str(hashes) == "-" else hashes.read_bytes()
        result = banks.import_list(hub, OPERATOR, name, data, str(hashes), label=label)
    elif files:
        result = banks.add_files(hub, OPERATOR, name, _expand(files), label=label)
    else:
        raise typer.BadParameter("give files to add, or --hashes LIST.csv")
    for where, message in result.errors:
        typer.echo(f"skipped {where}: {message}", err=True)
    typer.echo(f"bank {result.bank}: {result.added} added, {result.present} already present, "
               f"{result.removed} removed, {len(result.errors)} skipped")  # fmt: skip


@bank_app.command("export")
def bank_export(
    name: str = typer.Argument(...),
    output: Path = typer.Option(..., "--output", "-o", help="CSV file, - = stdout"),
) -> None:
    """Write signal_type,hash,label,status for every entry, removals included."""
    lines = hashlists.write_csv(banks.export_rows(open_hub(), OPERATOR, name))
    if str(output) == "-":
        sys.stdout.writelines(lines)
        return
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
    tmp.replace(output)


@bank_app.command("remove")
def bank_remove(
    name: str = typer.Argument(...),
    entry_id: int = typer.Argument(...),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Tombstone one entry: it stops matching and the removal is exported."""
    banks.remove_entry(open_hub(), OPERATOR, name, entry_id, reason)
    typer.echo(f"entry {entry_id} removed from {name}")


@review_app.command("list")
def review_list(
    state: str = typer.Option("open", "--state", help="open, confirmed, rejected or ''"),
    limit: int = typer.Option(50, "--limit"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """The review queue, newest first."""
    items, total = review.queue(open_hub(), OPERATOR, state, limit)
    cols = ("id", "created_at", "bank", "label", "signal", "distance", "action", "state",
            "content_ref", "explanation")  # fmt: skip
    emit(items, cols, fmt, title=f"Content matches ({total})")


@review_app.command("decide")
def review_decide(
    item: int = typer.Argument(...),
    decision: str = typer.Argument(..., help="confirmed or rejected"),
    reason: str = typer.Option(..., "--reason"),
    negative_bank: str | None = typer.Option(
        None, "--negative-bank", help="On rejection, add the file's hashes here"
    ),
) -> None:
    """Confirm or reject one match, with a reason (recorded and audited)."""
    r = review.decide(open_hub(), OPERATOR, item, decision, reason, negative_bank)
    typer.echo(f"match {r.id}: {r.state} by {r.decided_by}")


@app.command("transparency")
def transparency_cmd(
    fmt: str = typer.Option("csv", "--format", help="csv or pdf"),
    output: Path = typer.Option(Path("-"), "--output", "-o"),
    lang: str = typer.Option("en", "--lang", help="en or zh_Hans (PDF)"),
) -> None:
    """The transparency report: matches by month, label, action and decision."""
    hub = open_hub()
    if fmt == "pdf":
        data = report.render_pdf(report.build(hub, OPERATOR), lang)
        if str(output) == "-":
            sys.stdout.buffer.write(data)
        else:
            output.write_bytes(data)
        return
    text = report.to_csv(report.build(hub, OPERATOR))
    if str(output) == "-":
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


__all__ = ["app"]

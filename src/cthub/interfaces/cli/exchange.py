"""``cthub exchange``: partners, packages under release rules, export, sync, the disclosure log,
private watchlist matching and lawful requests.

The contract other tools rely on:

- ``partners add NAME --url URL --public-key FILE`` (or ``--local-org ORG``);
- ``package create --file F --tlp amber --partners A,B --purpose P --expires DATE`` prints the
  package id, and nothing else, on stdout;
- ``export --partner NAME --format stix|misp --output F`` writes only what that partner may
  receive (each disclosure logged) and reports refusals on stderr;
- ``sync --partner NAME``; ``log verify [--partner NAME]``; ``psi --partner NAME --list LIST``.

On a node with several organisations, ``--org NAME`` says which one acts.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import typer

from cthub.core.errors import InvalidInput, Unavailable
from cthub.exchange import export as exporting
from cthub.exchange import identity, intake, logverify, packages, partners, psimatch
from cthub.exchange.scope import acting_org
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

app = typer.Typer(no_args_is_help=True, help="Share with partners under release rules.")
partners_app = typer.Typer(no_args_is_help=True, help="Partner organisations and audiences.")
package_app = typer.Typer(no_args_is_help=True, help="Packages and their release rules.")
log_app = typer.Typer(no_args_is_help=True, help="The disclosure log.")
app.add_typer(partners_app, name="partners")
app.add_typer(package_app, name="package")
app.add_typer(log_app, name="log")

ORG = typer.Option(None, "--org", help="The organisation that acts (on a multi-org node)")


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (text or "").split(",") if n.strip())


def _date(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "{option} {value} is not a date.",
            hint="Use YYYY-MM-DD.",
            option=option,
            value=text[:40],
        ) from None


def _read(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            "Cannot read {file}: {error}.", file=str(path), error=exc.strerror or str(exc)
        ) from None


@app.command("key")
def key_cmd(org: str | None = ORG) -> None:
    """Print this organisation's public exchange key (PEM) and key id, for partners to register."""
    hub = open_hub()
    with hub.unit(OPERATOR, "exchange.read") as u:
        org_id = acting_org(u, org).id
    typer.echo(identity.org_public_key(hub.settings, org_id), nl=False)
    err.print(
        f"key id {identity.org_key_id(hub.settings, org_id)}; node paths "
        f"/api/exchange/node/{identity.org_key_id(hub.settings, org_id)}/ and "
        f"/taxii2/{identity.org_key_id(hub.settings, org_id)}/",
        highlight=False,
    )


@partners_app.command("add")
def partners_add(
    name: str = typer.Argument(..., help="A short name, e.g. fiu-nl"),
    url: str = typer.Option("", "--url", help="The partner node's base URL"),
    public_key: Path | None = typer.Option(None, "--public-key", help="Its Ed25519 public key"),
    local_org: str | None = typer.Option(None, "--local-org", help="An organisation on this node"),
    accept_tlp: str = typer.Option("red", "--accept-tlp", help="Strictest TLP kept from it"),
    accept_purposes: str = typer.Option("", "--accept-purposes", help="Purposes kept (comma)"),
    default_purpose: str = typer.Option("ct-investigation", "--default-purpose"),
    psi_list: str = typer.Option("", "--psi-list", help="List it may match by PSI: watchlist"),
    org: str | None = ORG,
) -> None:
    """Register a partner: on another node (URL + public key) or on this one (--local-org)."""
    key = _read(public_key) if public_key else None
    p = partners.add_partner(
        open_hub(),
        OPERATOR,
        name,
        url=url,
        public_key=key,
        key_source=str(public_key),
        local_org=local_org,
        accept_tlp=accept_tlp,
        accept_purposes=list(_names(accept_purposes)),
        default_purpose=default_purpose,
        psi_list=psi_list,
        org=org,
    )
    typer.echo(f"partner {p.name} ({p.kind}) key {p.key_id or '-'}")


@partners_app.command("list")
def partners_list(
    fmt: Format = typer.Option(Format.table, "--format"), org: str | None = ORG
) -> None:
    """The organisation's partners."""
    columns = [
        "name",
        "kind",
        "url",
        "key_id",
        "local_org",
        "accept_tlp",
        "psi_list",
        "state",
        "audiences",
    ]
    emit(partners.partners(open_hub(), OPERATOR, org=org), columns, fmt, title="Partners")


@partners_app.command("suspend")
def partners_suspend(name: str, org: str | None = ORG) -> None:
    """Suspend a partner: it receives nothing from now on."""
    p = partners.set_state(open_hub(), OPERATOR, name, "suspended", org=org)
    typer.echo(f"partner {p.name} {p.state}")


@partners_app.command("activate")
def partners_activate(name: str, org: str | None = ORG) -> None:
    """Make a suspended partner active again."""
    p = partners.set_state(open_hub(), OPERATOR, name, "active", org=org)
    typer.echo(f"partner {p.name} {p.state}")


@partners_app.command("audience")
def audience_create(
    name: str = typer.Argument(..., help="The audience (sharing group) name"),
    members: str = typer.Option(..., "--members", help="Partner names, comma separated"),
    description: str = typer.Option("", "--description"),
    org: str | None = ORG,
) -> None:
    """Create an audience: a named partner set, also served as one TAXII collection."""
    a = partners.create_audience(
        open_hub(), OPERATOR, name, list(_names(members)), description=description, org=org
    )
    typer.echo(f"audience {a.name}: {', '.join(a.members)} (collection {a.collection_id})")


@package_app.command("create")
def package_create(
    file: Path = typer.Option(..., "--file", help="STIX bundle, MISP event, FtM lines or any file"),
    tlp: str = typer.Option(..., "--tlp", help="clear, green, amber, amber+strict or red"),
    partners_opt: str = typer.Option("", "--partners", help="Partner names, comma separated"),
    audiences: str = typer.Option("", "--audiences", help="Audience names, comma separated"),
    purpose: str = typer.Option(..., "--purpose", help="Purposes, comma separated"),
    expires: str | None = typer.Option(None, "--expires", help="YYYY-MM-DD"),
    legal_basis: str = typer.Option("", "--legal-basis", help="Law or agreement allowing it"),
    pap: str = typer.Option("amber", "--pap", help="PAP: clear, green, amber or red"),
    title: str = typer.Option("", "--title"),
    fmt: str | None = typer.Option(None, "--format", help="stix, misp, ftm or files"),
    org: str | None = ORG,
) -> None:
    """Make a package under a release rule; prints its id."""
    spec = packages.ReleaseSpec(
        tlp=tlp,
        partners=_names(partners_opt),
        audiences=_names(audiences),
        purposes=_names(purpose),
        legal_basis=legal_basis,
        expires=_date(expires, "--expires"),
        pap=pap,
        legal_basis_required=False,
    )
    content = intake.read(file.name, _read(file), fmt)
    made = packages.create_from(
        open_hub(), OPERATOR, content, spec, title=title or file.name, org=org
    )
    typer.echo(made.id)
    err.print(f"{made.objects} objects, {made.tlp}", highlight=False)
    for problem in content.problems[:20]:
        err.print(f"  skipped: {problem}", highlight=False)
    if len(content.problems) > 20:
        err.print(f"  ... and {len(content.problems) - 20} more skipped", highlight=False)
    if not legal_basis.strip() and made.tlp != "TLP:CLEAR":
        err.print(
            "warning: no legal basis recorded; partners and the disclosure log will show "
            "none (pass --legal-basis to name the law or agreement)",
            highlight=False,
        )


@package_app.command("list")
def package_list(
    incoming: bool = typer.Option(False, "--incoming", help="Packages received from partners"),
    fmt: str = typer.Option("table", "--format", help="table, json or csv"),
    org: str | None = ORG,
) -> None:
    """The organisation's packages (or those received), newest first."""
    found, _ = packages.packages(open_hub(), OPERATOR, incoming=incoming, limit=1000, org=org)
    columns = [
        "id",
        "title",
        "tlp",
        "purposes",
        "expires_at",
        "state",
        "version",
        "objects",
        "partners",
        "audiences",
        "origin",
    ]
    emit(found, columns, Format(fmt), title="Packages")


@package_app.command("show")
def package_show(package_id: str, org: str | None = ORG) -> None:
    """One package and its release rule in plain words."""
    from cthub.exchange.views import rule_text

    v = packages.package(open_hub(), OPERATOR, package_id, org=org)
    typer.echo(f"{v.id}  {v.title}\n{v.objects} objects, version {v.version}, {v.state}")
    typer.echo(rule_text(v))


@package_app.command("correct")
def package_correct(
    package_id: str,
    file: Path = typer.Option(..., "--file"),
    reason: str = typer.Option(..., "--reason"),
    org: str | None = ORG,
) -> None:
    """Replace a package's content; every recipient node gets a signed correction notice."""
    v = packages.correct(
        open_hub(), OPERATOR, package_id, _read(file), file.name, reason=reason, org=org
    )
    typer.echo(f"{v.id} version {v.version}")


@package_app.command("erase")
def package_erase(
    package_id: str, reason: str = typer.Option(..., "--reason"), org: str | None = ORG
) -> None:
    """Erase a package; every recipient node gets a signed erasure notice."""
    v = packages.erase(open_hub(), OPERATOR, package_id, reason=reason, org=org)
    typer.echo(f"{v.id} {v.state}")


@app.command("export")
def export_cmd(
    partner: str = typer.Option(..., "--partner"),
    fmt: str = typer.Option("stix", "--format", help="stix or misp"),
    output: Path = typer.Option(..., "--output", help="File to write, or - for stdout"),
    purpose: str | None = typer.Option(None, "--purpose", help="Default: the partner's"),
    org: str | None = ORG,
) -> None:
    """Write what the partner may receive; each package written is a logged disclosure."""
    result = exporting.export(open_hub(), OPERATOR, partner, fmt=fmt, purpose=purpose, org=org)
    if str(output) == "-":
        sys.stdout.buffer.write(result.data)
    else:
        output.write_bytes(result.data)
    err.print(
        f"{len(result.packages)} packages ({result.objects} objects) for {result.partner}; "
        f"{len(result.refused)} refused",
        highlight=False,
    )
    for r in result.refused:
        err.print(f"  refused {r['package']}: {r['reason']}", highlight=False)


@app.command("sync")
def sync_cmd(
    partner: str = typer.Option(..., "--partner"),
    direction: str = typer.Option("both", "--direction", help="pull, push or both"),
    org: str | None = ORG,
) -> None:
    """Pull from and push to a partner node (incremental, resumable), deliver notices."""
    from cthub.exchange import sync

    result = sync.sync(open_hub(), OPERATOR, partner, org=org, direction=direction)
    typer.echo(
        json.dumps(result.to_json() if hasattr(result, "to_json") else vars(result), default=str)
    )
    if not result.ok:  # what went through is kept; the run resumes from there next time
        for error in result.errors:
            err.print(f"error: {error}", highlight=False)
        raise typer.Exit(Unavailable.exit_code)


@log_app.command("verify")
def log_verify(
    partner: str | None = typer.Option(None, "--partner", help="Check this partner's log"),
    evidence: Path | None = typer.Option(None, "--evidence", help="Downloaded log JSON"),
    public_key: Path | None = typer.Option(None, "--public-key", help="Key for --evidence"),
    fmt: str = typer.Option("table", "--format", help="table or json"),
    org: str | None = ORG,
) -> None:
    """Verify the own log (default), a partner's (--partner) or downloaded evidence."""
    if evidence is not None:
        from cthub.exchange import signing

        if public_key is None:
            raise InvalidInput("--evidence needs --public-key.")
        key = signing.load_public_key(_read(public_key), str(public_key))
        report = logverify.evidence_report(json.loads(_read(evidence)), key)
    elif partner is not None:
        report = logverify.verify_partner(open_hub(), OPERATOR, partner, org=org)
    else:
        report = logverify.verify_own(open_hub(), OPERATOR, org=org)
    if fmt == "json":
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        verdict = "OK" if report.ok else "FAILED"
        typer.echo(
            f"{verdict}: {report.heads_checked} tree heads, "
            f"{report.entries_checked} entries checked"
        )
        for p in report.problems:
            typer.echo(f"  {p.kind}: {p.message}")
    if not report.ok:
        raise typer.Exit(1)


@app.command("psi")
def psi_cmd(
    partner: str = typer.Option(..., "--partner"),
    list_spec: str = typer.Option(..., "--list", help="watchlist, or a CSV kind,value file"),
    org: str | None = ORG,
) -> None:
    """Find the entries both hold (private set intersection); prints the common ones as CSV."""
    r = psimatch.match(open_hub(), OPERATOR, partner, list_spec, org=org)
    typer.echo("entry")
    for label in r.matches:
        typer.echo(label)
    err.print(
        f"{len(r.matches)} in common; sent {r.sent}, partner holds {r.their_count} "
        f"(session {r.session}). Ask for the data with a release or lawful request.",
        highlight=False,
    )

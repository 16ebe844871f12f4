"""The risk-rule builder: the active rules, a rule with its versions, a test run, the form.

A rule is built from condition rows (an attribute of ``cthub.travel.facts.CATALOGUE``, an
operator its type allows, a value) plus ``unless`` rows (exonerating circumstances); HTMX adds a
row and redraws one when its attribute changes, so the operator list always fits. Saving hands
the definition to ``travel.rule_save``, which validates it (lawfulness included): its refusal
is shown beside the condition it names, in its own words. Saving writes a new version; old
versions stay, so a hit names the exact version that fired.
"""

from __future__ import annotations

import math
import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, Response

from cthub import travel
from cthub.core import policy
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, GetText, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.forms import Text, is_hx, may, redirect, status_of
from cthub.interfaces.web.guard import page_caller
from cthub.interfaces.web.travel_pages import NO_ERRORS, vocabulary
from cthub.travel.facts import CATALOGUE, GROUPS, OPERATORS, Attribute

router = APIRouter(include_in_schema=False, prefix="/travel/rules")
RULES = (N_("Risk rules"), "/travel/rules")
Name = Annotated[str, FastPath(max_length=80, pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")]
Many = Annotated[list[str], Form()]
KINDS = ("conditions", "unless")
PREFIX = {"conditions": "cond", "unless": "unless"}  # form names: cond_field, unless_op, ...
NO_VALUE = ("is_true", "is_false", "is_empty")
LISTS = ("between", "in", "not_in", "contains_any", "contains_all")
GROUP_LABELS = {"api": N_("Passenger and document (API)"), "pnr": N_("Booking (PNR)"),
                "itinerary": N_("Itinerary"), "payment": N_("Payment"), "contact": N_("Contact"),
                "derived": N_("Derived from other travellers"),
                "hits": N_("Other checks' hits")}  # fmt: skip
OP_LABELS = {"=": N_("equals"), "!=": N_("differs from"), "<": N_("less than"),
             "<=": N_("at most"), ">": N_("more than"), ">=": N_("at least"),
             "between": N_("between (low, high)"), "in": N_("is one of"),
             "not_in": N_("is none of"), "starts_with": N_("starts with"),
             "contains": N_("contains"), "is_true": N_("is true"), "is_false": N_("is false"),
             "contains_any": N_("contains any of"), "contains_all": N_("contains all of"),
             "is_empty": N_("is empty")}  # fmt: skip
MATCH_LABELS = {"all": N_("all conditions"), "any": N_("any condition")}
SEVERITY_LABELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
#: Rule-level refusals of ``rules.parse_rule``/``validate`` (msgids), by the form field they fit.
RULE_FIELD_OF = {
    "A rule needs a name.": "name",
    "Rule name {rule} is not valid.": "name",
    "Rule {rule} has no description.": "description",
    "Rule {rule}: description and match must be texts.": "description",
    "Rule {rule}: weight must be a number above 0 and at most 1, not {value}.": "weight",
    "Rule {rule}: match must be all or any, not {value}.": "match",
    "Rule {rule}: severity must be low, medium or high, not {value}.": "severity",
    "Rule {rule}: severity must be low, medium or high.": "severity",
    "Rule {rule} has no condition.": "conditions",
    "Rule {rule} has more than {limit} conditions.": "conditions",
}
_INDEX = re.compile(r"^(\d+)( of unless)?$")


def crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs of a page of its own (not under Flights)."""
    return list(items)


def _groups() -> list[tuple[str, list[Attribute]]]:
    """The catalogue's attributes by group, in the catalogue's display order."""
    known = [g for g in GROUPS if any(a.group == g for a in CATALOGUE.values())]
    extra = sorted({a.group for a in CATALOGUE.values()} - set(known))
    return [
        (g, sorted((a for a in CATALOGUE.values() if a.group == g), key=lambda a: a.name))
        for g in known + extra
    ]


def builder_vocabulary() -> dict[str, Any]:
    return {
        "groups": _groups(),
        "group_labels": GROUP_LABELS,
        "catalogue": CATALOGUE,
        "operators": OPERATORS,
        "op_labels": OP_LABELS,
        "match_labels": MATCH_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "no_value": NO_VALUE,
        **vocabulary(),
    }


# -- definition <-> form ----------------------------------------------------------------------


def _value_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _number(text: str) -> int | float | str:
    try:
        number = float(text)
    except ValueError:
        return text  # the validator says what it needs
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _value(field: str, op: str, text: str) -> object:
    """The typed value a condition row's text stands for (the validator checks it)."""
    text = text.strip()
    attr = CATALOGUE.get(field)
    numeric = attr is not None and attr.type == "number"
    if op in NO_VALUE:
        return None
    if op in LISTS:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return [_number(p) if numeric else p for p in parts]
    return _number(text) if numeric and text else text


def rows_of(definition: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """A stored definition's conditions as form rows."""
    return {
        kind: [
            _row(str(c.get("field", "")), str(c.get("op", "")), _value_text(c.get("value")))
            for c in definition.get(kind) or []
        ]
        for kind in KINDS
    }


def _row(field: str, op: str, value: str) -> dict[str, str]:
    return {"field": field, "op": op, "value": value, "key": secrets.token_hex(4)}


def _form_rows(fields: list[str], ops: list[str], values: list[str]) -> list[dict[str, str]]:
    ops = ops + [""] * (len(fields) - len(ops))
    values = values + [""] * (len(fields) - len(values))
    return [_row(f, o, v) for f, o, v in zip(fields, ops, values, strict=False) if f.strip()]


def _condition(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"field": row["field"], "op": row["op"]}
    if row["op"] not in NO_VALUE:
        out["value"] = _value(row["field"], row["op"], row["value"])
    return out


def definition_of(form: dict[str, Any]) -> dict[str, Any]:
    """The rule definition (``rules.parse_rule``'s dict form) a submitted form stands for."""
    weight = _number(form["weight"].strip()) if form["weight"].strip() else 0.5
    out: dict[str, Any] = {
        "name": form["name"].strip(),
        "description": form["description"].strip(),
        "match": form["match"],
        "weight": weight,
        "severity": form["severity"],
        "conditions": [_condition(r) for r in form["rows"]["conditions"]],
    }
    if form["rows"]["unless"]:
        out["unless"] = [_condition(r) for r in form["rows"]["unless"]]
    refs = [r.strip() for r in form["references"].splitlines() if r.strip()]
    if refs:
        out["references"] = refs
    return out


def rule_errors(exc: CthubError, _: GetText) -> dict[str, Any]:
    """A refusal beside what it names: a condition row (by its index), a rule field, or above."""
    message, hint = exc.render(_), exc.render_hint(_)
    found = _INDEX.match(str(exc.params.get("index", "")))
    if found:
        kind = "unless" if found.group(2) else "conditions"
        return {**NO_ERRORS, "row_error": (kind, int(found.group(1)) - 1, message, hint)}
    field = RULE_FIELD_OF.get(exc.message)
    if field:
        return {**NO_ERRORS, "errors": {field: message}, "hints": {field: hint}}
    return {**NO_ERRORS, "error": message, "hint": hint}


# -- pages ------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def rules_page(
    request: Request, who: Caller = Depends(page_caller), retired: str = Query("", max_length=2)
) -> Response:
    views = travel.rule_list(hub_of(request), who.actor, include_retired=retired == "1")
    return render(
        request,
        "travel/rules.html",
        rules=views,
        retired=retired == "1",
        may_write=may(who.actor, "travel.rules"),
        breadcrumbs=crumbs(RULES),
        **builder_vocabulary(),
    )


def _form_page(request: Request, form: dict[str, Any], editing: str | None,
               status: int = 200, **extra: Any) -> Response:  # fmt: skip
    heading = N_("Edit rule") if editing else N_("New rule")
    trail = [RULES] + ([(editing, f"/travel/rules/{editing}")] if editing else [])
    return render(
        request,
        "travel/rule_form.html" if is_hx(request) else "travel/rule_edit.html",
        status_code=status,
        form=form,
        editing=editing,
        heading=heading,
        breadcrumbs=crumbs(*trail, (heading, request.url.path)),
        **{**NO_ERRORS, "row_error": None, **extra},
        **builder_vocabulary(),
    )


def _blank_form() -> dict[str, Any]:
    return {"name": "", "description": "", "match": "all", "weight": "0.5", "severity": "medium",
            "references": "", "note": "",
            "rows": {"conditions": [_row("", "", "")], "unless": []}}  # fmt: skip


def _require_writer(request: Request, who: Caller) -> None:
    """Refuse a form page outright (the policy's own ``Forbidden``) to a role that may not write."""
    with hub_of(request).db.session(readonly=True) as s:
        policy.require(s, who.actor, "travel.rules")


@router.get("/new", response_class=HTMLResponse)
def rule_new(request: Request, who: Caller = Depends(page_caller)) -> Response:
    _require_writer(request, who)
    return _form_page(request, _blank_form(), None)


@router.get("/condition", response_class=HTMLResponse)
def condition_row(
    request: Request,
    who: Caller = Depends(page_caller),
    kind: str = Query("conditions", max_length=12),
) -> Response:
    """One condition row (HTMX): a new one, or one redrawn for the attribute just chosen."""
    kind = kind if kind in KINDS else "conditions"
    q, prefix = request.query_params, PREFIX[kind]
    attr = CATALOGUE.get(q.get(f"{prefix}_field", ""))
    op, value = q.get(f"{prefix}_op", "")[:20], q.get(f"{prefix}_value", "")[:2000]
    if attr is None or op not in attr.operators:  # a new attribute: its own first operator
        op = ""
    if attr is not None and attr.type == "bool":
        value = ""
    row = _row(attr.name if attr else "", op, value)
    return render(request, "travel/condition_row.html", row=row, kind=kind, row_message=None,
                  **builder_vocabulary())  # fmt: skip


@router.get("/condition/removed", response_class=HTMLResponse)
def condition_removed(who: Caller = Depends(page_caller)) -> Response:
    return Response("", media_type="text/html")  # HTMX deletes the row itself


@router.post("", response_class=HTMLResponse)
def rule_save(
    request: Request,
    who: Caller = Depends(page_caller),
    name: Text = "", description: Text = "", match: Text = "all", weight: Text = "0.5",
    severity: Text = "medium", references: Text = "", note: Text = "", editing: Text = "",
    cond_field: Many = [], cond_op: Many = [], cond_value: Many = [],  # noqa: B006
    unless_field: Many = [], unless_op: Many = [], unless_value: Many = [],  # noqa: B006
) -> Response:  # fmt: skip
    """Validate and store the rule as its next version; refusals come back beside the field."""
    _ = gettext(language_of(request))
    form = {"name": name, "description": description, "match": match, "weight": weight,
            "severity": severity, "references": references, "note": note,
            "rows": {"conditions": _form_rows(cond_field, cond_op, cond_value),
                     "unless": _form_rows(unless_field, unless_op, unless_value)}}  # fmt: skip
    chosen = editing if re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,79}", editing) else None
    try:
        view = travel.rule_save(hub_of(request), who.actor, definition_of(form), note=note.strip(),
                                source="web")  # fmt: skip
    except CthubError as exc:
        return _form_page(request, form, chosen, status_of(request, exc), **rule_errors(exc, _))
    return redirect(request, f"/travel/rules/{view.name}?saved={view.version}")


def _current(request: Request, who: Caller, name: str) -> list[travel.RuleView]:
    return travel.rule_history(hub_of(request), who.actor, name)


@router.get("/{name}", response_class=HTMLResponse)
def rule_page(
    name: Name,
    request: Request,
    who: Caller = Depends(page_caller),
    saved: str = Query("", max_length=8),
) -> Response:
    history = _current(request, who, name)
    return render(
        request,
        "travel/rule.html",
        rule=history[-1],
        history=list(reversed(history)),
        saved=saved if saved.isdigit() else "",
        test=None,
        may_write=may(who.actor, "travel.rules"),
        breadcrumbs=crumbs(RULES, (name, f"/travel/rules/{name}")),
        **{**NO_ERRORS, "form": {}},
        **builder_vocabulary(),
    )


@router.get("/{name}/edit", response_class=HTMLResponse)
def rule_edit(name: Name, request: Request, who: Caller = Depends(page_caller)) -> Response:
    _require_writer(request, who)
    d = _current(request, who, name)[-1].definition
    form = {"name": name, "description": d.get("description", ""), "match": d.get("match", "all"),
            "weight": str(d.get("weight", 0.5)), "severity": d.get("severity", "medium"),
            "references": "\n".join(d.get("references") or []), "note": "",
            "rows": rows_of(d)}  # fmt: skip
    return _form_page(request, form, name)


@router.post("/{name}/test", response_class=HTMLResponse)
def rule_test(name: Name, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Run the rule's active version over the stored passengers; nothing is stored."""
    _ = gettext(language_of(request))
    status, ctx = 200, {**NO_ERRORS, "test": None}
    try:
        ctx["test"] = travel.rule_test(hub_of(request), who.actor, name)
    except CthubError as exc:
        ctx.update(error=exc.render(_), hint=exc.render_hint(_))
        status = status_of(request, exc)
    if is_hx(request):
        return render(request, "travel/rule_test.html", status_code=status, **ctx)
    history = _current(request, who, name)
    return render(request, "travel/rule.html", status_code=status, rule=history[-1],
                  history=list(reversed(history)), saved="", form={},
                  may_write=may(who.actor, "travel.rules"),
                  breadcrumbs=crumbs(RULES, (name, f"/travel/rules/{name}")),
                  **{**ctx, "errors": {}, "hints": {}}, **builder_vocabulary())  # fmt: skip


@router.post("/{name}/retire", response_class=HTMLResponse)
def rule_retire(
    name: Name, request: Request, who: Caller = Depends(page_caller), note: Text = ""
) -> Response:
    """Retire the rule (an inactive new version); it stops firing, its history stays."""
    _ = gettext(language_of(request))
    try:
        if not note.strip():
            raise InvalidInput("Give the reason for retiring the rule.")
        travel.rule_retire(hub_of(request), who.actor, name, note.strip())
    except CthubError as exc:
        history = _current(request, who, name)
        return render(request, "travel/rule.html", status_code=exc.http_status,
                      rule=history[-1], history=list(reversed(history)), saved="", test=None,
                      may_write=may(who.actor, "travel.rules"), form={"note": note},
                      breadcrumbs=crumbs(RULES, (name, f"/travel/rules/{name}")),
                      **{**NO_ERRORS, "errors": {"note": exc.render(_)},
                         "hints": {"note": exc.render_hint(_)}},
                      **builder_vocabulary())  # fmt: skip
    return redirect(request, f"/travel/rules/{name}")


__all__ = ["router"]

"""The indicator rules as the organisation runs them: every shipped rule with its title,
description, references and weight, a switch, and a form for its parameters (a typed input
each, the shipped default beside it, changed values marked, a reset to the shipped rule).

Saving hands the form's text to ``finance.set_rule``, which checks the whole rule as a rule
file would be checked; its refusal names the parameter and is shown under that field, in its
own words, and nothing is stored. With HTMX only the rule's card is redrawn.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from cthub import finance
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.finance_pages import NO_ERRORS, vocabulary
from cthub.interfaces.web.forms import is_hx, may, redirect, status_of
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/finance/rules")
RULES = (N_("Indicator rules"), "/finance/rules")
RuleName = Annotated[str, FastPath(max_length=64, pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]
#: the closed vocabularies a parameter may list, offered as ticks
CHOICES: dict[str, dict[str, str]] = {
    "channels": {"transfer": N_("transfer"), "cash": N_("cash"), "card": N_("card"),
                 "crypto": N_("crypto-asset"), "money_service": N_("money service"),
                 "hawala": N_("hawala")},
    "party_types": {"person": N_("person"), "company": N_("company"), "npo": N_("non-profit")},
}  # fmt: skip
TYPE_HINTS = {
    "count": N_("a whole number"),
    "amount": N_("1000000 is 10,000.00"),
    "percent": N_("0 to 100, at most two decimals"),
    "duration": N_("e.g. 7d, 24h, 30m, 2w or P7D"),
    "countries": N_("ISO 3166 codes, comma-separated, e.g. IR, KP"),
    "currencies": N_("ISO 4217 codes, comma-separated, e.g. EUR, USD"),
}


def _rules_context(request: Request, who: Caller, **extra: Any) -> dict[str, Any]:
    return {
        "rules": finance.list_rules(hub_of(request), who.actor),
        "may_write": may(who.actor, "finance.rules"),
        "choices": CHOICES,
        "type_hints": TYPE_HINTS,
        "failed": None,  # the rule whose form failed, and what it sent
        "sent": {"enabled": False, "params": {}},
        "saved": None,
        "breadcrumbs": [RULES],
        **NO_ERRORS,
        **vocabulary(),
        **extra,
    }


@router.get("", response_class=HTMLResponse)
def rules_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "finance/rules.html", **_rules_context(request, who))


def _params(form: FormData, rule: finance.RuleView) -> dict[str, str]:
    """Each parameter's text from the form: ticks joined with commas, inputs as typed."""
    out: dict[str, str] = {}
    for p in rule.params:
        key = f"p_{p.name}"
        if p.type in CHOICES:
            if f"{key}__present" in form:
                out[p.name] = ", ".join(str(v) for v in form.getlist(key) if isinstance(v, str))
        elif isinstance(value := form.get(key), str):
            out[p.name] = value.strip()
    return out


@router.post("/{name}", response_class=HTMLResponse)
async def save_rule(
    name: RuleName, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    """Switch the rule, change its parameters, or reset it (``action=reset``)."""
    _ = gettext(language_of(request))
    hub = hub_of(request)
    async with request.form(max_files=0, max_fields=80) as form:
        shipped = {r.name: r for r in finance.list_rules(hub, who.actor)}.get(name)
        params = _params(form, shipped) if shipped else {}
        enabled, reset = form.get("enabled") == "1", form.get("action") == "reset"
    try:
        view = finance.set_rule(hub, who.actor, name, enabled=None if reset else enabled,
                                params=None if reset else params, reset=reset)  # fmt: skip
    except CthubError as exc:
        param = exc.params.get("param") if exc.code == "invalid_input" else None
        field = f"p_{param}" if param else ""
        message, hint = exc.render(_), exc.render_hint(_)
        ctx = _rules_context(request, who, failed=name,
                             sent={"enabled": enabled, "params": params},
                             errors={field: message} if field else {},
                             hints={field: hint} if field else {},
                             error=None if field else message,
                             hint=None if field else hint)  # fmt: skip
        if is_hx(request) and shipped is not None:
            return render(request, "finance/rule_card.html", status_code=status_of(request, exc),
                          rule=shipped, **ctx)  # fmt: skip
        return render(request, "finance/rules.html", status_code=exc.http_status, **ctx)
    if not is_hx(request):
        return redirect(request, f"/finance/rules#rule-{name}")
    return render(request, "finance/rule_card.html", rule=view,
                  **_rules_context(request, who, saved=name, oob=True))  # fmt: skip


__all__ = ["router"]

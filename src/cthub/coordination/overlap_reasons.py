"""Why two projects may overlap: one ``Reason`` per scored component, as a msgid to translate.

Each reason carries its ``code`` (the component), an English ``message`` with ``{placeholders}``
(a msgid, extracted for translation with ``N_``), the ``params`` that fill it, and its
``weight``: the component's contribution to the score, so a pair's reasons add up to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cthub.coordination.records import ProjectRecord
from cthub.coordination.taxonomy import AREA_KEYS, FORMS
from cthub.core.i18n import N_
from cthub.core.money import minor_digits


@dataclass(frozen=True)
class Reason:
    """One explained component of a score: ``message`` is a msgid with ``params`` to fill."""

    code: str
    message: str
    params: tuple[tuple[str, str], ...]
    weight: float

    def render(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message, translated first when ``gettext`` is given, with its parameters.

        A translation whose placeholders do not match falls back to the English message."""
        template = gettext(self.message) if gettext else self.message
        try:
            return template.format(**dict(self.params))
        except (KeyError, IndexError, ValueError):
            return self.message.format(**dict(self.params))


def pair_reasons(
    a: ProjectRecord,
    b: ProjectRecord,
    components: Mapping[str, float],
    terms: list[str],
    weights: Mapping[str, float],
) -> tuple[Reason, ...]:
    """The reasons for a pair (``a`` the smaller id) from its components in [0, 1]."""
    values = {**components, **{f"{k}_weight": w for k, w in weights.items()}}
    found = (
        _area_reason(a, b, values),
        _date_reason(a, b, values),
        _text_reason(values, terms),
        _form_reason(a, b, values),
        _budget_reason(a, b, values),
    )
    return tuple(reason for reason in found if reason is not None)


def _reason(code: str, message: str, values: dict[str, float], **params: str) -> Reason | None:
    weight = values[f"{code}_weight"] * max(values[code], 0.0)
    return Reason(code, message, tuple(params.items()), weight) if weight > 0 else None


def _area_reason(a: ProjectRecord, b: ProjectRecord, values: dict[str, float]) -> Reason | None:
    shared = [key for key in AREA_KEYS if key in a.areas and key in b.areas]
    if len(shared) == 1:
        message = N_("same recipient {recipient} and area {area}")
        return _reason("same_recipient_area", message, values, recipient=a.recipient,
                       area=shared[0])  # fmt: skip
    message = N_("same recipient {recipient} and areas {areas}")
    return _reason("same_recipient_area", message, values, recipient=a.recipient,
                   areas=", ".join(shared))  # fmt: skip


def _date_reason(a: ProjectRecord, b: ProjectRecord, values: dict[str, float]) -> Reason | None:
    starts = [d for d in (a.start, b.start) if d is not None]
    ends = [d for d in (a.end, b.end) if d is not None]
    low = max(starts).isoformat() if starts else "?"
    high = min(ends).isoformat() if ends else "?"
    if a.start and a.end and b.start and b.end:
        shorter = min(a.end - a.start, b.end - b.start).days + 1
        days = (min(a.end, b.end) - max(a.start, b.start)).days + 1
        message = N_("dates overlap {start}..{end} ({percent}% of the shorter project)")
        return _reason("dates", message, values, start=low, end=high,
                       percent=str(round(100 * min(days / shorter, 1.0))))  # fmt: skip
    message = N_("dates overlap {start}..{end} (open-ended: a start or end date is unknown)")
    return _reason("dates", message, values, start=low, end=high)


def _text_reason(values: dict[str, float], terms: list[str]) -> Reason | None:
    similar = f"{values['text']:.2f}"
    if terms:
        message = N_("title/description similarity {similarity} (shared terms: {terms})")
        return _reason("text", message, values, similarity=similar, terms=", ".join(terms))
    return _reason("text", N_("title/description similarity {similarity}"), values,
                   similarity=similar)  # fmt: skip


def _form_reason(a: ProjectRecord, b: ProjectRecord, values: dict[str, float]) -> Reason | None:
    shared = [FORMS[key].lower() for key in tuple(FORMS) if key in a.forms and key in b.forms]
    return _reason("forms", N_("both {forms}"), values, forms=", ".join(shared))


def _budget_reason(a: ProjectRecord, b: ProjectRecord, values: dict[str, float]) -> Reason | None:
    if a.budget_minor is None or b.budget_minor is None or a.currency is None:
        return None
    return _reason("budget", N_("budgets {budget_a} and {budget_b} {currency}"), values,
                   budget_a=_money(a.budget_minor, a.currency),
                   budget_b=_money(b.budget_minor, a.currency), currency=a.currency)  # fmt: skip


def _money(minor: int, currency: str) -> str:
    """Minor units shown in major units, exactly (no float): 12345600 EUR -> 123,456.00."""
    exponent = minor_digits(currency)
    major, cents = divmod(minor, 10**exponent)
    return f"{major:,}" + (f".{cents:0{exponent}d}" if exponent else "")


def reasons_to_data(reasons: Iterable[Reason]) -> list[dict[str, Any]]:
    """Reasons as JSON (msgid, parameters, weight), stored so each reader gets their language."""
    return [
        {"code": r.code, "message": r.message, "params": dict(r.params), "weight": r.weight}
        for r in reasons
    ]


def reasons_from_data(data: list[dict[str, Any]] | None) -> tuple[Reason, ...]:
    """Stored reason JSON back into ``Reason``s (unreadable items are skipped)."""
    items = []
    for d in data or []:
        try:
            params = tuple((str(k), str(v)) for k, v in dict(d["params"]).items())
            items.append(Reason(str(d["code"]), str(d["message"]), params, float(d["weight"])))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(items)


def render_all(reasons: Iterable[Reason], fallback: str, gettext: Any = None) -> str:
    """The reasons joined in the reader's language, or ``fallback`` when there are none."""
    text = "; ".join(r.render(gettext) for r in reasons)
    return text or fallback


__all__ = ["Reason", "pair_reasons", "reasons_from_data", "reasons_to_data", "render_all"]

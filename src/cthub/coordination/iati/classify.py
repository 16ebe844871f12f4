"""An activity's CTC assistance areas and forms of assistance.

Areas: when the activity carries cthub's own sector codes (vocabulary ``99`` with
``CTC_VOCABULARY_URI``, or vocabulary ``99`` without a URI whose code is an area key), those
are its areas, exactly. Otherwise each DAC 5-digit purpose code (vocabulary ``1``) is mapped
with ``taxonomy.area_for_dac``. An activity with no CT-relevant code gets ``()``.

Forms: from ``tag`` elements of vocabulary ``99`` with the same URI, when present. Otherwise
they are inferred from the OECD DAC aid types (``default-aid-type`` and transaction
``aid-type``, vocabulary ``1``):

- ``D01`` donor country personnel -> ``expert_deployment``
- ``D02`` other technical assistance, ``E01`` scholarships/training in the donor country ->
  ``training``
- ``A01``/``A02`` budget support and ``B01``-``B04`` (core contributions, pooled
  programmes and funds, with their sub-codes) -> ``funding``

Other aid types (project-type interventions, debt relief, administrative costs...) say
nothing about the form, so they give none.
"""

from __future__ import annotations

from lxml import etree

from cthub.coordination.iati.elements import line_of, vocabulary
from cthub.coordination.iati.model import Message
from cthub.coordination.taxonomy import (
    AREA_KEYS,
    CTC_VOCABULARY,
    CTC_VOCABULARY_URI,
    FORMS,
    area_for_dac,
)
from cthub.core.i18n import N_

NOT_IN_VOCABULARY = N_(
    '{element}, line {line}: code "{value}" is not in the cthub vocabulary {uri}; it was ignored.'
)
_AID_FORMS = {"D01": "expert_deployment", "D02": "training", "E01": "training"}
_FUNDING_PREFIXES = ("A01", "A02", "B01", "B02", "B03", "B04")


def _ours(elem: etree._Element, keys: tuple[str, ...]) -> bool:
    """Whether ``elem`` uses cthub's vocabulary (the URI, or no URI and a known key)."""
    if vocabulary(elem, "") != CTC_VOCABULARY:
        return False
    uri = (elem.get("vocabulary-uri") or "").strip()
    return uri == CTC_VOCABULARY_URI or (not uri and (elem.get("code") or "").strip() in keys)


def _own_codes(
    elems: list[etree._Element], keys: tuple[str, ...], warnings: list[str]
) -> tuple[list[str], bool]:
    codes: list[str] = []
    used = False
    for elem in elems:
        if not _ours(elem, keys):
            continue
        used = True
        code = (elem.get("code") or "").strip()
        if code in keys:
            codes.append(code)
        else:
            warnings.append(
                Message(
                    NOT_IN_VOCABULARY,
                    element=str(elem.tag),
                    line=line_of(elem),
                    value=code,
                    uri=CTC_VOCABULARY_URI,
                )
            )
    return codes, used


def areas_of(act: etree._Element, warnings: list[str]) -> tuple[str, ...]:
    """The activity's area keys, in file order, without repeats."""
    sectors = list(act.iterfind("sector"))
    codes, used = _own_codes(sectors, AREA_KEYS, warnings)
    if not used:
        dac = (area_for_dac(s.get("code") or "") for s in sectors if vocabulary(s) == "1")
        codes = [key for key in dac if key is not None]
    return tuple(dict.fromkeys(codes))


def forms_of(act: etree._Element, warnings: list[str]) -> tuple[str, ...]:
    """The activity's form keys, in file order, without repeats."""
    codes, used = _own_codes(list(act.iterfind("tag")), tuple(FORMS), warnings)
    if not used:
        aid = [*act.iterfind("default-aid-type"), *act.iterfind("transaction/aid-type")]
        inferred = (form_for_aid_type(a.get("code") or "") for a in aid if vocabulary(a) == "1")
        codes = [form for form in inferred if form is not None]
    return tuple(dict.fromkeys(codes))


def form_for_aid_type(code: str) -> str | None:
    """The cthub form an OECD DAC aid type implies, or ``None`` (see the module docstring)."""
    code = code.strip()
    if code in _AID_FORMS:
        return _AID_FORMS[code]
    return "funding" if code.startswith(_FUNDING_PREFIXES) else None


__all__ = ["NOT_IN_VOCABULARY", "areas_of", "form_for_aid_type", "forms_of"]

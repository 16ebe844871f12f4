"""A suspicious case as a goAML STR (``report`` of the goAML 5.0.2 schema), and its validation.

:func:`build_report` writes the report in the schema's element order: the reporting entity
and person from the :class:`~cthub.finance.goaml.config.GoamlConfig`, the case's reference,
submission date, reason and action, one ``transaction`` per transaction of the case, and the
report indicators (the configuration's, then the case's). Only elements of schema version
5.0.2 are written, none marked ``goaml:supportedIn`` a later one. The document is checked
against the shipped XSD before it is returned, so what the caller gets is valid; a value cthub
cannot make valid is refused with ``InvalidInput`` naming it.

:func:`validate` parses with lxml without resolving entities, loading a DTD or touching the
network, refuses any DOCTYPE, and names the first schema error with its element path.
"""

from __future__ import annotations

from lxml import etree

from cthub.core.errors import InvalidInput
from cthub.finance.goaml import xsd
from cthub.finance.goaml.case import StrCase
from cthub.finance.goaml.clients import address, person_name
from cthub.finance.goaml.config import GoamlConfig
from cthub.finance.goaml.fields import add, text, when
from cthub.finance.goaml.transactions import transaction

#: Limit on the size of a document given to :func:`validate` (goAML portals take far less).
MAX_BYTES = 64 * 1024 * 1024
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def build_report(case: StrCase, config: GoamlConfig) -> bytes:
    """The case as a schema-valid goAML report: UTF-8 XML with an XML declaration."""
    if not case.transactions:
        raise InvalidInput(
            "Case {reference}: a goAML STR needs at least one transaction.",
            reference=text(case.reference, 80),
        )
    root = etree.Element("report")
    _header(root, case, config)
    for tx in case.transactions:
        transaction(root, tx, case, config)
    indicators = add(root, "report_indicators")
    for code in _indicators(case, config):
        add(indicators, "indicator", code)
    xml = DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)
    validate(xml)
    return xml


def _header(root: etree._Element, case: StrCase, config: GoamlConfig) -> None:
    reference = text(case.reference, 255)
    if not reference:
        raise InvalidInput("The case has no reference; goAML needs one as entity_reference.")
    add(root, "rentity_id", str(config.rentity_id))
    if config.rentity_branch:
        add(root, "rentity_branch", text(config.rentity_branch, 255))
    add(root, "submission_code", config.submission_code)
    add(root, "report_code", config.report_code)
    add(root, "entity_reference", reference)
    add(root, "submission_date", when(case.submission_date, "submission_date"))
    add(root, "currency_code_local", config.currency_code_local)
    _reporting_person(root, config)
    address(root, "location", config.location)
    for tag, value in (("reason", case.reason), ("action", case.action)):
        if cleaned := text(value, 8000):
            add(root, tag, cleaned)


def _reporting_person(root: etree._Element, config: GoamlConfig) -> None:
    p = config.reporting_person
    el = add(root, "reporting_person")
    if p.title:
        add(el, "title", text(p.title, 30))
    person_name(el, p.first_name, p.last_name, config)
    if p.email:
        add(el, "email", p.email)
    if p.occupation:
        add(el, "occupation", text(p.occupation, 255))


def _indicators(case: StrCase, config: GoamlConfig) -> list[str]:
    allowed = xsd.codes("report_indicator_type")
    for code in case.indicators:
        if code not in allowed:
            raise InvalidInput(
                "Indicator {code} is not a report_indicator_type code of the schema.",
                hint="Use one of the FIU's report indicator codes.",
                code=text(code, 40),
            )
    codes = list(dict.fromkeys([*config.report_indicators, *case.indicators]))
    if not codes:
        raise InvalidInput(
            "A goAML report needs at least one report indicator.",
            hint="Set report_indicators in the goAML config or give the case's indicators.",
        )
    return codes


def validate(xml: bytes) -> None:
    """Refuse ``xml`` unless it is a goAML report valid against the shipped schema;
    ``InvalidInput`` names the first error's element path and the schema's message."""
    if len(xml) > MAX_BYTES:
        raise InvalidInput("The goAML report is larger than {limit} bytes.", limit=MAX_BYTES)
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as e:
        raise InvalidInput(
            "The goAML report is not well-formed XML: {error}", error=str(e)[:300]
        ) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidInput("The goAML report must not have a DOCTYPE.")
    error = next(iter(xsd.schema().iter_errors(root, use_location_hints=False)), None)
    if error is None:
        return
    element = error.elem
    if isinstance(element, etree._Element):
        path = root.getroottree().getpath(element)
    else:
        path = error.path or "/"
    raise InvalidInput(
        "The goAML report is not valid at {path}: {reason}",
        hint="Fix the value at that element; the schema is goAML {version}.",
        path=path,
        reason=(error.reason or error.message or "")[:500],
        version=xsd.SCHEMA_VERSION,
    )


__all__ = ["build_report", "validate"]

"""FIU-specific goAML settings, held as data: who reports, and the FIU's code lists.

Every FIU running goAML ships its own XSD with its own enumerations (funds types, conduction
types, report indicators, legal forms); the shipped schema is the UAE FIU's. A
:class:`GoamlConfig` says which of those codes cthub writes for each cthub channel and party
type, and who the reporting entity and person are. It is loaded from YAML
(:func:`load_config` with a path) or from a dict, and every code is checked against the
shipped schema's enumeration when loaded, so a typo is refused with the field and the code
named instead of producing reports the FIU rejects. ``default.yaml`` documents every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cthub.core.errors import InvalidInput
from cthub.finance.goaml import xsd
from cthub.finance.schema import CHANNELS

DEFAULT_FILE = Path(__file__).with_name("default.yaml")
ENTITY_TYPES = ("company", "npo")


@dataclass(frozen=True)
class Address:
    """A goAML ``t_address``; ``address_type`` is a contact_type code (e.g. BU)."""

    address_type: str
    address: str
    city: str
    country_code: str
    state: str
    town: str = ""
    zip: str = ""


@dataclass(frozen=True)
class ReportingPerson:
    """The compliance officer named in the report (``reporting_person``)."""

    first_name: str
    last_name: str
    title: str = ""
    email: str = ""
    occupation: str = ""


@dataclass(frozen=True)
class Institution:
    """The reporting institution as written on its clients' accounts (``code`` or ``swift``)."""

    name: str
    branch: str
    code: str = ""
    swift: str = ""
    non_bank: bool = False


@dataclass(frozen=True)
class GoamlConfig:
    """Settings for one FIU; see ``default.yaml`` for what each field means."""

    rentity_id: int
    currency_code_local: str
    reporting_person: ReportingPerson
    location: Address
    institution: Institution
    funds_codes: Mapping[str, str]
    transmode_codes: Mapping[str, str]
    account_funds_code: str
    legal_forms: Mapping[str, str]
    report_indicators: tuple[str, ...]
    account_type_code: str
    account_status_code: str
    holder_role: str
    signatory_role: str
    rentity_branch: str = ""
    submission_code: str = "E"
    report_code: str = "STR"
    counterparty_institution_code: str = "-"
    unknown: str = "-"
    unknown_name: str = "UNKNOWN"
    transmode_comment: str = "-"


#: Field -> the schema type its code (or each code of its list or mapping) belongs to.
_CODE_TYPES = {
    "currency_code_local": "currency_type",
    "submission_code": "submission_type",
    "report_code": "report_type",
    "funds_codes": "funds_type",
    "transmode_codes": "conduction_type",
    "account_funds_code": "funds_type",
    "legal_forms": "legal_form_type",
    "report_indicators": "report_indicator_type",
    "account_type_code": "account_type",
    "account_status_code": "account_status_type",
    "holder_role": "account_person_role_type",
    "signatory_role": "account_person_role_type",
    "unknown": "country_type",
}
_NESTED: dict[str, Any] = {
    "reporting_person": ReportingPerson,
    "location": Address,
    "institution": Institution,
}
_KEYS = {"funds_codes": CHANNELS, "transmode_codes": CHANNELS, "legal_forms": ENTITY_TYPES}


def load_config(source: Path | Mapping[str, Any]) -> GoamlConfig:
    """A checked :class:`GoamlConfig` from a YAML file or a dict; ``InvalidInput`` names the
    first field that is missing, unknown, of the wrong type or not a code of the schema."""
    data = _read(source) if isinstance(source, Path) else source
    if not isinstance(data, Mapping):
        raise InvalidInput("goAML config: expected a mapping of settings.")
    values = _fields(GoamlConfig, data, "")
    for key, allowed in _KEYS.items():
        values[key] = _mapping(key, values[key], allowed)
    values["report_indicators"] = _codes_list("report_indicators", values["report_indicators"])
    config = GoamlConfig(**values)
    check(config)
    return config


@cache
def default_config() -> GoamlConfig:
    """The shipped example configuration (``default.yaml``, the UAE FIU's code lists)."""
    return load_config(DEFAULT_FILE)


def check(config: GoamlConfig) -> None:
    """Refuse a configuration whose codes are not in the shipped schema's enumerations."""
    for key, type_name in _CODE_TYPES.items():
        value = getattr(config, key)
        for where, code in _items(value):
            check_code(f"{key}{where}", code, type_name)
    check_code("location.address_type", config.location.address_type, "contact_type")
    check_code("location.country_code", config.location.country_code, "country_type")
    email = config.reporting_person.email
    if email and not xsd.is_valid("email_address", email):
        raise InvalidInput(
            "goAML config: reporting_person.email {email} is not an address the schema accepts.",
            email=email,
        )
    if config.rentity_id < 1:
        raise InvalidInput("goAML config: rentity_id must be a whole number from 1.")
    if not (config.institution.code or config.institution.swift):
        raise InvalidInput("goAML config: institution needs a code or a swift.")
    _check_fillers(config)


def _check_fillers(config: GoamlConfig) -> None:
    """The placeholders written where the schema requires a value cthub does not have."""
    if len(config.transmode_comment) != 1 or len(config.unknown) != 1:
        raise InvalidInput(
            "goAML config: transmode_comment and unknown must be one character each.",
            hint="This FIU's schema allows exactly one character in those fields.",
        )
    if not config.counterparty_institution_code.strip():
        raise InvalidInput("goAML config: counterparty_institution_code must not be empty.")
    name = config.unknown_name
    if not name.strip() or not set(name) <= xsd.NAME_CHARS:
        raise InvalidInput(
            "goAML config: unknown_name {name} is not a name the schema accepts.",
            hint="Use letters, digits, spaces, dots, apostrophes and hyphens.",
            name=name,
        )


def check_code(field: str, code: str, type_name: str) -> None:
    """Refuse ``code`` unless it is in the schema's ``type_name`` enumeration."""
    allowed = xsd.codes(type_name)
    if code not in allowed:
        raise InvalidInput(
            "goAML config: {field} is {code}, which is not a {type} code of the schema.",
            hint="Use one of the FIU's codes, for example {examples}.",
            field=field,
            code=code,
            type=type_name,
            examples=", ".join(sorted(allowed)[:6]),
        )


def _items(value: object) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return [(f".{k}", str(v)) for k, v in value.items()]
    if isinstance(value, tuple):
        return [(f"[{i}]", str(v)) for i, v in enumerate(value)]
    return [("", str(value))]


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InvalidInput(
            "goAML config: {file} cannot be read: {error}", file=path.name, error=str(e)[:200]
        ) from None


def _fields(cls: Any, data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The dataclass ``cls``'s fields from ``data``, nested dataclasses included, type-checked."""
    known = {f.name: f for f in fields(cls)}
    for key in data:
        if key not in known:
            raise InvalidInput("goAML config: unknown setting {key}.", key=f"{prefix}{key}")
    out: dict[str, Any] = {}
    for f in fields(cls):
        where = f"{prefix}{f.name}"
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise InvalidInput("goAML config: {key} is missing.", key=where)
            continue
        value = data[f.name]
        if f.name in _NESTED:
            if not isinstance(value, Mapping):
                raise InvalidInput("goAML config: {key} must be a mapping.", key=where)
            value = _NESTED[f.name](**_fields(_NESTED[f.name], value, f"{where}."))
        else:
            _check_type(where, value, f.type)
        out[f.name] = value
    return out


def _check_type(where: str, value: object, annotation: object) -> None:
    expected = {"int": int, "bool": bool, "str": str}.get(str(annotation))
    if expected is None:
        return
    if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidInput("goAML config: {key} must be a whole number.", key=where)
    if expected is not int and not isinstance(value, expected):
        raise InvalidInput("goAML config: {key} must be {type}.", key=where, type=expected.__name__)


def _mapping(key: str, value: object, allowed: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidInput("goAML config: {key} must be a mapping.", key=key)
    for k in value:
        if k not in allowed:
            raise InvalidInput(
                "goAML config: {key} has {name}, which is not one of {allowed}.",
                key=key,
                name=str(k),
                allowed=", ".join(allowed),
            )
    missing = [k for k in allowed if k not in value]
    if missing:
        raise InvalidInput("goAML config: {key} lacks {missing}.", key=key, missing=missing[0])
    return {str(k): str(v) for k, v in value.items()}


def _codes_list(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidInput("goAML config: {key} must be a list of codes.", key=key)
    return tuple(str(v) for v in value)


__all__ = [
    "Address",
    "GoamlConfig",
    "Institution",
    "ReportingPerson",
    "check",
    "check_code",
    "default_config",
    "load_config",
]

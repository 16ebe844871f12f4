"""Risk rules: pre-determined criteria as data, validated for lawfulness, explained per hit.

A :class:`Rule` is a named, versioned list of conditions ``(field, operator, value)`` over the
fact rows of ``cthub.travel.facts`` (one row per passenger on a flight), combined with
``match: all`` or ``match: any``; ``unless`` conditions are exonerating circumstances that
withdraw a hit (CJEU C-817/19: criteria must weigh incriminating *and* exonerating facts).
Rules are plain YAML/JSON (:func:`parse_rule`, :meth:`Rule.to_dict` round-trip) and never
change by themselves: no weight or threshold is learnt (CJEU C-817/19 ≈ § 194).

:func:`validate` refuses what Directive (EU) 2016/681 forbids (Art. 6(4), 13(4)): a criterion
based on racial or ethnic origin, political opinions, religion or philosophical beliefs, trade
union membership, health, sex life or sexual orientation. The :data:`SENSITIVE` table lists the
attribute-name words, SSR codes (special meals, assistance/medical requests) and free-text
words that reveal those categories; a condition that names or tests one is refused, even if
someone adds such an attribute to the catalogue. It also refuses rules that are not *targeted*
(Art. 6(4) "targeted, proportionate and specific"): see :data:`PROFILE_FIELDS`.

:func:`compile_rules` turns rules into a :class:`RuleSet` that evaluates many rows at once
over numpy columns (codes are factorised, so a condition is tested once per distinct value);
each :class:`RuleHit` names the rule and version, the row, and per condition the field,
operator, expected and actual value and whether it matched, with a stable English explanation.
Every hit is only a referral for individual human review (Art. 6(5), 7(6)).
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import yaml

from cthub.core.errors import InvalidInput
from cthub.travel.facts import BOOL, CATALOGUE, CODE, CODES, NUMBER, OPERATORS, Attribute

Mask = npt.NDArray[np.bool_]

MATCHES = ("all", "any")
SEVERITIES = ("low", "medium", "high")
MAX_CONDITIONS = 20
MAX_VALUES = 500
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
_RULE_KEYS = (
    "name",
    "description",
    "version",
    "match",
    "weight",
    "severity",
    "conditions",
    "unless",
    "references",
)
_CONDITION_KEYS = ("field", "op", "value")

# --------------------------------------------------------------------------------------------
# Lawfulness tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SensitiveCategory:
    """One special category of Directive 2016/681 Art. 6(4)/13(4) and what reveals it.

    ``field_words`` are tokens of attribute names (``religion``, ``meal``); ``codes`` are exact
    values (SSR codes); ``words`` are free-text words matched as whole words, ``stems`` as
    substrings (long, unambiguous stems such as ``muslim`` that also catch ``muslims``).
    """

    key: str
    label: str
    field_words: frozenset[str]
    codes: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()
    stems: tuple[str, ...] = ()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The documented table of special categories the validator refuses (Art. 6(4), 13(4)).
SENSITIVE: tuple[SensitiveCategory, ...] = (
    SensitiveCategory(
        "ethnic",
        "racial or ethnic origin",
        _words("race racial ethnic ethnicity ethnicities tribe tribal caste skin complexion"),
        words=_words("race racial ethnic roma gypsy kurd kurds tribe tribal caste"),
        stems=("ethnicit", "kurdish", "pashtun"),
    ),
    SensitiveCategory(
        "political",
        "political opinions",
        _words("political politics party opinion opinions ideology activist"),
        words=_words("political politics communist socialist anarchist dissident activist"),
        stems=("communis", "anarchis", "dissiden"),
    ),
    SensitiveCategory(
        "religion",
        "religion or philosophical beliefs",
        _words("religion religious faith belief beliefs creed confession denomination worship"),
        words=_words(
            "jew jews islam hindu sikh sikhs imam rabbi priest mosque church temple hajj umrah "
            "halal kosher quran koran torah bible prayer ramadan religion religious faith atheist "
            "mormon pilgrim"
        ),
        stems=(
            "muslim",
            "moslem",
            "islamic",
            "islamist",
            "jewish",
            "judaism",
            "christian",
            "catholic",
            "protestant",
            "orthodox",
            "buddhis",
            "hinduism",
            "synagogue",
            "pilgrimage",
            "evangelic",
        ),
    ),
    SensitiveCategory(
        "meal",
        "religion or philosophical beliefs, or health (special meal requests)",
        _words("meal meals diet dietary food menu"),
        codes=_words(
            "AVML BBML BLML CHML DBML FPML GFML HFML HNML JPML JNML KSML LCML LFML LPML LSML "
            "MOML NBML NFML NLML NOML ORML PFML PRML RVML SFML SPML VGML VJML VLML VOML"
        ),
        words=_words("vegan vegetarian"),
    ),
    SensitiveCategory(
        "union",
        "trade union membership",
        _words("union unions unionist syndicate syndicalist"),
        words=_words("unionist syndicalist"),
        stems=("trade union", "labour union", "labor union", "union member"),
    ),
    SensitiveCategory(
        "health",
        "health",
        _words(
            "health medical medicine disability disabled wheelchair illness disease pregnancy "
            "pregnant handicap impairment oxygen stretcher blind deaf diagnosis assistance prm"
        ),
        codes=_words(
            "WCHR WCHS WCHC WCBD WCBW WCMP WCOB WCLB MEDA MEQT BLND DEAF DPNA OXYG POXY PPOC "
            "STCR MAAS LEGL LEGR ESAN SVAN"
        ),
        words=_words(
            "blind deaf hiv aids sick ill patient hospital mental dialysis cancer oxygen stretcher "
            "wheelchair disabled disability pregnant"
        ),
        stems=("medical", "medicat", "pregnan", "diabet", "epilep", "psychiatr", "wheelchair"),
    ),
    SensitiveCategory(
        "sex_life",
        "sex life or sexual orientation",
        _words("sexual sexuality orientation sexlife lgbt lgbtq"),
        words=_words("gay lesbian queer lgbt lgbtq bisexual homosexual transgender"),
        stems=("sexual", "homosex", "lesbian", "transgender", "sex life"),
    ),
)

#: Attributes that describe the person, not their travel. A rule must test more than these:
#: an ``all`` rule whose conditions are all profile fields is refused ("gender = M and age
#: between 18 and 30" is not targeted), and an ``any`` rule may not contain a profile-field
#: condition (it alone would make the rule fire). Profile fields may narrow a travel pattern.
PROFILE_FIELDS: frozenset[str] = frozenset(
    {
        "gender",
        "age",
        "is_minor",
        "nationality",
        "residence_country",
        "birth_place",
        "document_issuing_country",
        "nationality_differs_from_residence",
        "document_issuer_differs_from_nationality",
    }
)


def _finite(value: float) -> bool:
    """``math.isfinite`` that says no, not OverflowError, to a 400-digit integer."""
    try:
        return math.isfinite(value) and abs(value) < 1e15
    except OverflowError:
        return False


def sensitive_field(name: str) -> SensitiveCategory | None:
    """The special category an attribute name reveals (by its words), if any."""
    lowered = name.casefold()
    tokens = set(re.split(r"[^a-z0-9]+", lowered))
    for cat in SENSITIVE:
        if tokens & cat.field_words:
            return cat
        if any(len(w) >= 5 and w in lowered for w in cat.field_words):
            return cat
    return None


#: Greek and Cyrillic letters that look like Latin ones (a value spelt with them is read as
#: the Latin word it imitates).
_LOOKALIKES = str.maketrans(
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαβεικνορτυχАВЕКМНОРСТУХаеорсух",
    "ABEZHIKMNOPTYXabeiknoptuxABEKMHOPCTYXaeopcyx",
)
#: More words of the categories, found inside any value (so ``SPECIAL-MEAL-HALAL`` is caught);
#: only distinctive ones: ``arab`` or ``roma`` would refuse Saudi Arabian or Romania.
_MORE_WORDS: dict[str, tuple[str, ...]] = {
    "religion": (
        "hijab",
        "niqab",
        "burqa",
        "mecca",
        "makkah",
        "sunni",
        "shia",
        "shiite",
        "kippah",
        "yarmulke",
        "synagog",
        "jehovah",
        "mormon",
        "ramadan",
        "kosher",
        "halal",
        "muslim",
        "moslem",
        "islamic",
        "jewish",
        "christian",
        "hindu",
        "sikh",
        "buddhist",
        "religio",
    ),
    "ethnic": ("uyghur", "uighur", "chechen", "berber", "ethnic"),
    "meal": ("meal",),
    "health": (
        "autism",
        "insulin",
        "covid",
        "disab",
        "wheel chair",
        "wheelchair",
        "medical",
        "pregna",
        "oxygen",
        "stretcher",
    ),
}


def _plain(value: str) -> str:
    """NFKC (fullwidth and compatibility forms), look-alikes to Latin, case folded."""
    return unicodedata.normalize("NFKC", value).translate(_LOOKALIKES).casefold()


def sensitive_value(value: str) -> SensitiveCategory | None:
    """The special category a condition value reveals (SSR code or free-text word), if any.

    Partial words count: a value that is part of a listed code (``OML`` of ``MOML``, three
    characters or more) or of a listed word or stem (``musli``, four or more) is refused too,
    since ``contains`` would find the whole one.
    """
    lowered = _plain(value).strip()
    upper = lowered.upper()
    tokens = set(re.findall(r"[a-z0-9]+", lowered))
    squeezed = re.sub(r"[^a-z0-9]", "", lowered)
    for cat in SENSITIVE:
        codes = {c.casefold() for c in cat.codes}
        if upper in cat.codes or tokens & codes:
            return cat
        if tokens & cat.words or any(stem in lowered for stem in cat.stems):
            return cat
        if len(squeezed) >= 3 and any(squeezed in c for c in codes):
            return cat
        terms = [*cat.words, *cat.stems, *_MORE_WORDS.get(cat.key, ())]
        if any(t.replace(" ", "") in squeezed for t in _MORE_WORDS.get(cat.key, ())):
            return cat
        if len(squeezed) >= 4 and any(squeezed in t.replace(" ", "") for t in terms):
            return cat
    return None


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """``field op value``: e.g. ``hours_booking_to_departure < 72``; ``value`` None for
    ``is_true``/``is_false``/``is_empty``; lists are stored as tuples."""

    field: str
    op: str
    value: object = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "op": self.op}
        if self.value is not None:
            out["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        return out


@dataclass(frozen=True, slots=True)
class Rule:
    """A named risk rule. ``version`` is set by the store (0: not stored yet); ``weight`` in
    (0, 1] is the score a hit carries; ``references`` cite the guidance the rule follows."""

    name: str
    description: str
    conditions: tuple[Condition, ...]
    match: str = "all"
    weight: float = 0.5
    severity: str = "medium"
    version: int = 0
    unless: tuple[Condition, ...] = ()
    references: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "match": self.match,
            "weight": self.weight,
            "severity": self.severity,
            "conditions": [c.to_dict() for c in self.conditions],
        }
        if self.unless:
            out["unless"] = [c.to_dict() for c in self.unless]
        if self.references:
            out["references"] = list(self.references)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        return parse_rule(data)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.field for c in (*self.conditions, *self.unless)))


def with_version(rule: Rule, version: int) -> Rule:
    """The same rule with the store's version number."""
    return dataclasses.replace(rule, version=version)


def _freeze(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _parse_condition(rule: str, where: str, data: object) -> Condition:
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "Rule {rule}: condition {index} must be a mapping with field, op and value.",
            hint="Write it as `- {{field: one_way, op: is_true}}`.",
            rule=rule,
            index=where,
        )
    item = dict(data)
    if "operator" in item and "op" not in item:
        item["op"] = item.pop("operator")
    for key in item:
        if key not in _CONDITION_KEYS:
            raise InvalidInput(
                "Rule {rule}: condition {index} has an unknown key {key}.",
                hint="A condition has field, op and value.",
                rule=rule,
                index=where,
                key=key,
            )
    fname, op = item.get("field"), item.get("op")
    if not isinstance(fname, str) or not fname or not isinstance(op, str) or not op:
        raise InvalidInput(
            "Rule {rule}: condition {index} needs a field and an op.",
            hint="Write it as `- {{field: one_way, op: is_true}}`.",
            rule=rule,
            index=where,
        )
    return Condition(fname.strip(), op.strip(), _freeze(item.get("value")))


def parse_rule(data: Mapping[str, Any]) -> Rule:
    """A rule from its dict form (YAML/JSON); the shape is checked here, the meaning and
    lawfulness by :func:`validate`. Unknown keys are refused so a typo cannot go unnoticed."""
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "A rule must be a mapping with name, description and conditions, not {kind}.",
            kind=type(data).__name__,
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("A rule needs a name.", hint="Add `name: my-rule` to the definition.")
    name = name.strip()
    for key in data:
        if key not in _RULE_KEYS:
            raise InvalidInput(
                "Rule {rule}: unknown key {key}.",
                hint="Rule keys: {keys}.",
                rule=name,
                key=key,
                keys=", ".join(_RULE_KEYS),
            )
    description = data.get("description", "")
    match = data.get("match", "all")
    severity = data.get("severity", "medium")
    if not isinstance(description, str) or not isinstance(match, str):
        raise InvalidInput(
            "Rule {rule}: description and match must be texts.", rule=name, key="description"
        )
    if not isinstance(severity, str):
        raise InvalidInput("Rule {rule}: severity must be low, medium or high.", rule=name)
    weight = data.get("weight", 0.5)
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise InvalidInput(
            "Rule {rule}: weight must be a number above 0 and at most 1, not {value}.",
            rule=name,
            value=weight,
        )
    version = data.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise InvalidInput(
            "Rule {rule}: version must be a whole number (set by the store).", rule=name
        )
    conds: list[Condition] = []
    unless: list[Condition] = []
    for key, out in (("conditions", conds), ("unless", unless)):
        items = data.get(key) or []
        if not isinstance(items, list | tuple):
            raise InvalidInput(
                "Rule {rule}: {key} must be a list of conditions.", rule=name, key=key
            )
        for i, item in enumerate(items, 1):
            out.append(_parse_condition(name, _where(key == "unless", i), item))
    refs = data.get("references") or []
    if isinstance(refs, str):
        refs = [refs]
    if not isinstance(refs, list | tuple) or not all(isinstance(r, str) for r in refs):
        raise InvalidInput("Rule {rule}: references must be a list of texts.", rule=name)
    return Rule(
        name=name,
        description=description.strip(),
        conditions=tuple(conds),
        match=match.strip().lower(),
        weight=float(weight),
        severity=severity.strip().lower(),
        version=version,
        unless=tuple(unless),
        references=tuple(r.strip() for r in refs if r.strip()),
    )


def _where(in_unless: bool, i: int) -> str:
    return f"{i} of unless" if in_unless else str(i)


def load_rules(text: str, source: str = "rules") -> list[Rule]:
    """Rules from YAML or JSON text: one mapping, a list of mappings, ``{rules: [...]}``, or
    several YAML documents. Each rule is parsed, not validated."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise InvalidInput(
            "{file}: the rules are not valid YAML or JSON ({problem}).",
            file=source,
            problem=str(exc).splitlines()[0][:200],
        ) from exc
    out: list[Rule] = []
    for doc in docs:
        if isinstance(doc, Mapping) and set(doc) == {"rules"}:
            doc = doc["rules"]
        items = doc if isinstance(doc, list) else [doc]
        out.extend(parse_rule(item) for item in items)
    return out


def dump_rules(rules: Iterable[Rule]) -> str:
    """Rules as YAML (a list), readable and loadable again by :func:`load_rules`."""
    return yaml.safe_dump(
        [r.to_dict() for r in rules], sort_keys=False, allow_unicode=True, width=100
    )


def dump_rule(rule: Rule) -> str:
    """One rule as a YAML mapping (the form of ``data/rules/*.yaml``)."""
    return yaml.safe_dump(rule.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def builtin_rules() -> list[Rule]:
    """The starter library (``data/rules/*.yaml``), each at version 1, all validated."""
    folder = resources.files("cthub.travel").joinpath("data/rules")
    out = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith((".yaml", ".yml")):
            for rule in load_rules(item.read_text(encoding="utf-8"), item.name):
                validate(rule)
                out.append(with_version(rule, rule.version or 1))
    return out


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and _finite(v)


def _is_text(v: object) -> bool:
    return (isinstance(v, str) and bool(v.strip())) or (
        isinstance(v, int) and not isinstance(v, bool)
    )


def _texts(value: object) -> list[str]:
    if isinstance(value, tuple | list):
        return [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
    if isinstance(value, str):
        return [value]
    return []


def _expected(attr: Attribute, op: str) -> str | None:
    """What the value of ``attr op`` must look like; None when the value is acceptable."""
    return {
        "between": "two numbers, low then high: value: [18, 30]",
        "in": "a list of values: value: [SYR, IRQ]",
        "not_in": "a list of values: value: [SYR, IRQ]",
        "contains_any": "a list of values: value: [CA, MS]",
        "contains_all": "a list of values: value: [CA, MS]",
        "is_true": "no value",
        "is_false": "no value",
        "is_empty": "no value",
    }.get(op, "a number: value: 72" if attr.type == NUMBER else "a text: value: IST")


def _value_ok(attr: Attribute, op: str, value: object) -> bool:
    if op in ("is_true", "is_false", "is_empty"):
        return value is None
    if op == "between":
        return (
            isinstance(value, tuple)
            and len(value) == 2
            and all(_is_number(v) for v in value)
            and float(value[0]) <= float(value[1])
        )
    if op in ("in", "not_in", "contains_any", "contains_all"):
        return (
            isinstance(value, tuple)
            and 0 < len(value) <= MAX_VALUES
            and all(_is_number(v) if attr.type == NUMBER else _is_text(v) for v in value)
        )
    if attr.type == NUMBER:
        return _is_number(value)
    return _is_text(value)


def _check_condition(rule: Rule, where: str, cond: Condition) -> None:
    cat = sensitive_field(cond.field)
    if cat is not None:
        raise InvalidInput(
            "Condition {index}: {field} is a special category of data ({category}).",
            hint=(
                "Directive (EU) 2016/681 Art. 6(4) and 13(4): criteria are never based on racial "
                "or ethnic origin, political opinions, religion or philosophical beliefs, trade "
                "union membership, health, sex life or sexual orientation."
            ),
            rule=rule.name,
            index=where,
            field=cond.field,
            category=cat.label,
        )
    attr = CATALOGUE.get(cond.field)
    if attr is None:
        raise InvalidInput(
            "Condition {index}: {field} is not a known attribute.",
            hint="See `cthub travel rules fields`.",
            rule=rule.name,
            index=where,
            field=cond.field,
        )
    if cond.op not in OPERATORS[attr.type]:
        raise InvalidInput(
            "Condition {index}: operator {op} does not apply to {field} ({type}).",
            hint="Operators for {type}: {operators}.",
            rule=rule.name,
            index=where,
            field=cond.field,
            op=cond.op,
            type=attr.type,
            operators=", ".join(OPERATORS[attr.type]),
        )
    if not _value_ok(attr, cond.op, cond.value):
        raise InvalidInput(
            "Condition {index}: {field} {op} needs {expected}.",
            hint="See `cthub travel rules fields` for the type of each attribute.",
            rule=rule.name,
            index=where,
            field=cond.field,
            op=cond.op,
            expected=_expected(attr, cond.op),
        )
    for text in _texts(cond.value):
        cat = sensitive_value(text)
        if cat is not None:
            raise InvalidInput(
                "Condition {index}: the value {value} of {field} reveals {category}.",
                hint=(
                    "Directive (EU) 2016/681 Art. 6(4) and 13(4): criteria are never based on "
                    "racial or ethnic origin, political opinions, religion or philosophical "
                    "beliefs, trade union membership, health, sex life or sexual orientation."
                ),
                rule=rule.name,
                index=where,
                field=cond.field,
                value=text,
                category=cat.label,
            )


def validate(rule: Rule) -> None:
    """Refuse a rule that is malformed, unknown to the catalogue, or unlawful.

    Raises :class:`~cthub.core.errors.InvalidInput` naming the condition (1-based; ``"2 of
    unless"`` for exceptions) and the field, with a hint.
    """
    if not _NAME.match(rule.name):
        raise InvalidInput(
            "Rule name {rule} is not valid.",
            hint="Use 1-80 lower-case letters, digits, '-', '_' or '.', starting with a letter "
            "or digit.",
            rule=rule.name,
        )
    if not rule.description.strip():
        raise InvalidInput(
            "Rule {rule} has no description.",
            hint="Say what the rule looks for and which guidance it follows.",
            rule=rule.name,
        )
    if rule.match not in MATCHES:
        raise InvalidInput(
            "Rule {rule}: match must be all or any, not {value}.", rule=rule.name, value=rule.match
        )
    if rule.severity not in SEVERITIES:
        raise InvalidInput(
            "Rule {rule}: severity must be low, medium or high, not {value}.",
            rule=rule.name,
            value=rule.severity,
        )
    if not (0.0 < rule.weight <= 1.0) or not _finite(rule.weight):
        raise InvalidInput(
            "Rule {rule}: weight must be a number above 0 and at most 1, not {value}.",
            rule=rule.name,
            value=rule.weight,
        )
    if not rule.conditions:
        raise InvalidInput(
            "Rule {rule} has no condition.",
            hint="Add at least one condition under `conditions:`.",
            rule=rule.name,
        )
    if len(rule.conditions) + len(rule.unless) > MAX_CONDITIONS:
        raise InvalidInput(
            "Rule {rule} has more than {limit} conditions.",
            hint="Split it into several rules.",
            rule=rule.name,
            limit=MAX_CONDITIONS,
        )
    for i, cond in enumerate(rule.conditions, 1):
        _check_condition(rule, _where(False, i), cond)
    for i, cond in enumerate(rule.unless, 1):
        _check_condition(rule, _where(True, i), cond)
    profile = [c.field for c in rule.conditions if c.field in PROFILE_FIELDS]
    padding = [c for c in rule.conditions if c.field not in PROFILE_FIELDS and always_true(c)]
    if rule.match == "all" and profile and len(profile) + len(padding) == len(rule.conditions):
        raise InvalidInput(
            "Rule {rule} tests only {fields}: a criterion on sex, nationality or age alone is "
            "not targeted.",
            hint=(
                "Add a travel, booking, payment or hit condition: criteria must be targeted, "
                "proportionate and specific (Directive (EU) 2016/681 Art. 6(4); CJEU C-817/19)."
            ),
            rule=rule.name,
            fields=", ".join(dict.fromkeys(profile)),
        )
    if rule.match == "any" and profile:
        index = next(i for i, c in enumerate(rule.conditions, 1) if c.field in PROFILE_FIELDS)
        raise InvalidInput(
            "Condition {index}: with match any, {field} alone would make the rule fire on a "
            "personal characteristic.",
            hint=(
                "Add a travel, booking, payment or hit condition: criteria must be targeted, "
                "proportionate and specific (Directive (EU) 2016/681 Art. 6(4); CJEU C-817/19)."
            ),
            rule=rule.name,
            index=str(index),
            field=profile[0],
        )


#: Bounds no count, duration or amount of the catalogue goes beyond.
_NO_LOWER, _NO_UPPER = 0, 10**6


def always_true(cond: Condition) -> bool:
    """Whether a condition holds for any traveller whatever the data: a numeric bound below
    zero or above any real value, an empty text to look for. Such a condition does not make a
    profile criterion targeted ("nationality = X and bags >= 0" is still a profile)."""
    attr = CATALOGUE.get(cond.field)
    value = cond.value
    if attr is None:
        return False
    if attr.type == NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return (
            (cond.op == ">=" and value <= _NO_LOWER)
            or (cond.op == ">" and value < _NO_LOWER)
            or (cond.op in ("<", "<=") and value >= _NO_UPPER)
            or (cond.op == "!=" and value < _NO_LOWER)
        )
    if attr.type == NUMBER and cond.op == "between" and isinstance(value, tuple) and value:
        low, high = value[0], value[-1]
        return (
            isinstance(low, int | float)
            and isinstance(high, int | float)
            and (low <= _NO_LOWER and high >= _NO_UPPER)
        )
    if cond.op in ("starts_with", "contains") and isinstance(value, str):
        return not value.strip()
    return False


# --------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------


_FMT_CACHE: dict[object, str] = {}


def _fmt(value: object) -> str:
    """A value as explanations write it. Lists of codes (a rule's hub or country list) repeat
    in every hit of a rule, so formatted tuples and frozensets are remembered."""
    if value is None:
        return "missing"
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is float:
        rounded = round(value, 2)  # type: ignore[call-overload]
        return str(int(rounded)) if rounded.is_integer() else repr(rounded)
    if kind is tuple or kind is frozenset:
        found = _FMT_CACHE.get(value)
        if found is None:
            if len(_FMT_CACHE) > 4096:
                _FMT_CACHE.clear()
            found = _FMT_CACHE[value] = _fmt_many(value)
        return found
    if isinstance(value, (list, set)):
        return _fmt_many(value)
    return str(value)


def _fmt_many(value: object) -> str:
    items = [_fmt(v) for v in value]  # type: ignore[attr-defined]
    if isinstance(value, (set, frozenset)):
        items.sort()
    return "[" + ", ".join(items) + "]"


def _phrase(op: str, expected: object) -> str:
    if op == "between" and isinstance(expected, tuple | list) and len(expected) == 2:
        return f"between {_fmt(expected[0])} and {_fmt(expected[1])}"
    words = {
        "in": "in",
        "not_in": "not in",
        "starts_with": "starts with",
        "contains": "contains",
        "contains_any": "contains any of",
        "contains_all": "contains all of",
    }
    if op in ("is_true", "is_false", "is_empty"):
        return {"is_true": "true", "is_false": "false", "is_empty": "empty"}[op]
    return f"{words.get(op, op)} {_fmt(expected)}"


def _json(value: object) -> object:
    if isinstance(value, tuple | list | set | frozenset):
        return [_json(v) for v in value]
    if isinstance(value, float) and not _finite(value):
        return None
    return value


class ConditionResult(NamedTuple):
    """One condition checked against one row: what was expected, what was there, whether it
    matched, and (for a boolean with an evidence attribute) the value behind it. (Named tuples:
    immutable and cheap to build for thousands of hits.)"""

    field: str
    op: str
    expected: object
    actual: object
    matched: bool
    evidence_field: str = ""
    evidence: object = None

    @property
    def missing(self) -> bool:
        return self.actual is None

    def text(self) -> str:
        """e.g. ``hours_booking_to_departure 18 < 72``, ``route_via_hub is true
        (hubs_on_route: [IST])``, ``document_expires_days missing (needs < 30)``."""
        if self.actual is None:
            return f"{self.field} missing (needs {_phrase(self.op, self.expected)})"
        if self.op in ("is_true", "is_false"):
            out = f"{self.field} is {_fmt(self.actual)}"
            if self.evidence_field and self.evidence not in (None, (), [], ""):
                out += f" ({self.evidence_field}: {_fmt(self.evidence)})"
        elif self.op == "is_empty":
            out = (
                f"{self.field} is empty"
                if self.matched
                else f"{self.field} {_fmt(self.actual)} is not empty"
            )
        else:
            out = f"{self.field} {_fmt(self.actual)} {_phrase(self.op, self.expected)}"
        return out if self.matched else f"{out} (not met)"

    def to_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "op": self.op,
            "expected": _json(self.expected),
            "actual": _json(self.actual),
            "matched": self.matched,
            "missing": self.missing,
            "evidence_field": self.evidence_field,
            "evidence": _json(self.evidence),
            "text": self.text(),
        }


class RuleHit(NamedTuple):
    """A rule that fired on one row (``row`` is the index in the evaluated rows)."""

    rule: str
    version: int
    row: int
    weight: float
    severity: str
    conditions: tuple[ConditionResult, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(c.text() for c in self.conditions)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "version": self.version,
            "row": self.row,
            "weight": self.weight,
            "severity": self.severity,
            "explanation": self.explanation,
            "conditions": [c.to_dict() for c in self.conditions],
        }


# --------------------------------------------------------------------------------------------
# Compilation and evaluation
# --------------------------------------------------------------------------------------------

Pred = Callable[[object], bool]


def _upper(v: object) -> str:
    return str(v).upper()


def _row_predicate(attr: Attribute, op: str, value: object) -> Pred:
    """The condition as a Python predicate on one actual value (None never matches)."""
    kind = attr.type
    if kind == NUMBER:
        if op == "between":
            lo, hi = (float(v) for v in value)  # type: ignore[attr-defined]
            return lambda a: isinstance(a, int | float) and lo <= a <= hi
        x = float(value)  # type: ignore[arg-type]
        compare: dict[str, Callable[[float], bool]] = {
            "=": lambda a: a == x,
            "!=": lambda a: a != x,
            "<": lambda a: a < x,
            "<=": lambda a: a <= x,
            ">": lambda a: a > x,
            ">=": lambda a: a >= x,
        }
        check = compare[op]
        # NaN never matches (as None does not): the numpy path sees both as NaN
        return lambda a: isinstance(a, int | float) and not math.isnan(a) and check(a)

    if kind == BOOL:
        if op == "is_true":
            return lambda a: a is not None and bool(a)
        return lambda a: a is not None and not bool(a)
    if kind == CODES:
        if op == "is_empty":
            return lambda a: a is not None and len(a) == 0  # type: ignore[arg-type]
        wanted = frozenset(_upper(v) for v in value)  # type: ignore[attr-defined]
        if op == "contains_any":
            return lambda a: a is not None and any(_upper(x) in wanted for x in a)  # type: ignore[attr-defined]
        return lambda a: a is not None and wanted <= {_upper(x) for x in a}  # type: ignore[attr-defined]
    # code and string
    norm: Callable[[object], str] = _upper if kind == CODE else (lambda v: str(v).casefold())
    if op in ("in", "not_in"):
        values = frozenset(norm(v) for v in value)  # type: ignore[attr-defined]
        inside = op == "in"
        return lambda a: a is not None and ((norm(a) in values) is inside)
    target = norm(value)
    if op == "=":
        return lambda a: a is not None and norm(a) == target
    if op == "!=":
        return lambda a: a is not None and norm(a) != target
    if op == "starts_with":
        return lambda a: a is not None and norm(a).startswith(target)
    return lambda a: a is not None and target in norm(a)


class _Columns:
    """Lazily extracted columns of the rows being evaluated, shared by every condition."""

    def __init__(self, rows: Sequence[Mapping[str, object]]) -> None:
        self.rows = rows
        self.n = len(rows)
        self._raw: dict[str, list[object]] = {}
        self._numbers: dict[str, npt.NDArray[np.float64] | None] = {}
        self._factors: dict[str, tuple[list[object], npt.NDArray[np.intp]]] = {}

    def prefetch(self, names: Iterable[str]) -> None:
        """Extract several columns in one pass (rows that lack a key fall back to ``get``)."""
        wanted = [n for n in dict.fromkeys(names) if n not in self._raw]
        if not wanted or not self.n:
            return
        try:
            if len(wanted) == 1:
                self._raw[wanted[0]] = list(map(operator.itemgetter(wanted[0]), self.rows))
                return
            columns = zip(*map(operator.itemgetter(*wanted), self.rows), strict=True)
            for name, col in zip(wanted, columns, strict=True):
                self._raw[name] = list(col)
        except (KeyError, TypeError):
            for name in wanted:
                self.raw(name)

    def raw(self, name: str) -> list[object]:
        col = self._raw.get(name)
        if col is None:
            col = self._raw[name] = [r.get(name) for r in self.rows]
        return col

    def numbers(self, name: str) -> npt.NDArray[np.float64] | None:
        """The column as float64 with NaN for None (None: not all values are numbers)."""
        if name not in self._numbers:
            try:
                self._numbers[name] = np.array(self.raw(name), dtype=np.float64)
            except (TypeError, ValueError):
                self._numbers[name] = None
        return self._numbers[name]

    def factor(self, name: str) -> tuple[list[object], npt.NDArray[np.intp]]:
        """Distinct values and, per row, the index of its value (lists become tuples)."""
        found = self._factors.get(name)
        if found is None:
            index: dict[object, int] = {}
            raw = self.raw(name)
            try:
                codes = [index.setdefault(v, len(index)) for v in raw]
            except TypeError:  # lists or other unhashables
                index.clear()
                codes = [
                    index.setdefault(tuple(v) if isinstance(v, list) else v, len(index))
                    for v in raw
                ]
            found = (list(index), np.array(codes, dtype=np.intp))
            self._factors[name] = found
        return found


@dataclass(frozen=True)
class _CompiledCondition:
    cond: Condition
    attr: Attribute
    pred: Pred
    key: tuple[str, str, str]

    def mask(self, cols: _Columns) -> Mask:
        op, kind = self.cond.op, self.attr.type
        if kind in (NUMBER, BOOL):
            col = cols.numbers(self.cond.field)
            if col is not None:
                return self._numeric(col, op, self.cond.value)
        uniques, codes = cols.factor(self.cond.field)
        hit = np.fromiter((self.pred(u) for u in uniques), dtype=np.bool_, count=len(uniques))
        return hit[codes] if cols.n else np.zeros(0, dtype=np.bool_)

    def _numeric(self, col: npt.NDArray[np.float64], op: str, value: object) -> Mask:
        present = ~np.isnan(col)
        if op == "is_true":
            return _mask(present & (col != 0))
        if op == "is_false":
            return _mask(col == 0)
        if op == "between":
            lo, hi = (float(v) for v in value)  # type: ignore[attr-defined]
            return _mask((col >= lo) & (col <= hi))
        x = float(value)  # type: ignore[arg-type]
        if op == "=":
            return _mask(col == x)
        if op == "!=":
            return _mask(present & (col != x))
        if op == "<":
            return _mask(col < x)
        if op == "<=":
            return _mask(col <= x)
        if op == ">":
            return _mask(col > x)
        return _mask(col >= x)

    def result(self, row: Mapping[str, object]) -> ConditionResult:
        actual = row.get(self.cond.field)
        ev = self.attr.evidence
        return ConditionResult(
            self.cond.field,
            self.cond.op,
            self.cond.value,
            actual,
            self.pred(actual),
            ev,
            row.get(ev) if ev else None,
        )


def _mask(values: object) -> Mask:
    return np.asarray(values, dtype=np.bool_)


def _compile_condition(cond: Condition) -> _CompiledCondition:
    attr = CATALOGUE[cond.field]
    return _CompiledCondition(
        cond,
        attr,
        _row_predicate(attr, cond.op, cond.value),
        (cond.field, cond.op, repr(cond.value)),
    )


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    conditions: tuple[_CompiledCondition, ...]
    unless: tuple[_CompiledCondition, ...]


@dataclass
class RuleSet:
    """Compiled rules, ready to evaluate fact rows (see :func:`compile_rules`)."""

    compiled: tuple[_CompiledRule, ...]

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(c.rule for c in self.compiled)

    def __len__(self) -> int:
        return len(self.compiled)

    def masks(self, rows: Sequence[Mapping[str, object]]) -> dict[str, Mask]:
        """Per rule name, which rows it fires on (a boolean array)."""
        return {c.rule.name: m for c, m in zip(self.compiled, self._masks(rows), strict=True)}

    def _masks(self, rows: Sequence[Mapping[str, object]]) -> list[Mask]:
        cols = _Columns(rows)
        cols.prefetch(f for cr in self.compiled for f in cr.rule.fields)
        cache: dict[tuple[str, str, str], Mask] = {}

        def mask(c: _CompiledCondition) -> Mask:
            found = cache.get(c.key)
            if found is None:
                found = cache[c.key] = c.mask(cols)
            return found

        out = []
        for cr in self.compiled:
            parts = [mask(c) for c in cr.conditions]
            combined = (
                np.logical_and.reduce(parts)
                if cr.rule.match == "all"
                else np.logical_or.reduce(parts)
            )
            if cr.unless:
                combined = combined & ~np.logical_or.reduce([mask(c) for c in cr.unless])
            out.append(np.asarray(combined, dtype=np.bool_))
        return out

    def evaluate(self, rows: Sequence[Mapping[str, object]]) -> list[RuleHit]:
        """Every hit of every rule on the rows, by rule order then row order."""
        hits: list[RuleHit] = []
        if not rows:
            return hits
        for cr, m in zip(self.compiled, self._masks(rows), strict=True):
            for i in np.flatnonzero(m).tolist():
                hits.append(_hit(cr, i, rows[i]))
        return hits

    def evaluate_row(self, row: Mapping[str, object], index: int = 0) -> list[RuleHit]:
        """The hits on one row without numpy (the interactive, one-passenger path)."""
        hits = []
        for cr in self.compiled:
            results = [c.pred(row.get(c.cond.field)) for c in cr.conditions]
            fired = all(results) if cr.rule.match == "all" else any(results)
            if fired and cr.unless:
                fired = not any(c.pred(row.get(c.cond.field)) for c in cr.unless)
            if fired:
                hits.append(_hit(cr, index, row))
        return hits


def _hit(cr: _CompiledRule, index: int, row: Mapping[str, object]) -> RuleHit:
    r = cr.rule
    return RuleHit(
        r.name, r.version, index, r.weight, r.severity, tuple(c.result(row) for c in cr.conditions)
    )


def compile_rules(rules: Iterable[Rule]) -> RuleSet:
    """Validate and compile rules; names must be unique."""
    compiled = []
    seen: set[str] = set()
    for rule in rules:
        validate(rule)
        if rule.name in seen:
            raise InvalidInput(
                "Rule {rule} appears twice.", hint="Give each rule its own name.", rule=rule.name
            )
        seen.add(rule.name)
        compiled.append(
            _CompiledRule(
                rule,
                tuple(_compile_condition(c) for c in rule.conditions),
                tuple(_compile_condition(c) for c in rule.unless),
            )
        )
    return RuleSet(tuple(compiled))


# --------------------------------------------------------------------------------------------
# Testing a rule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleTestResult:
    """What one rule does on a set of rows: hits, samples, and per condition how many rows
    matched and how many had the field missing (to tune false positives before activating)."""

    rule: str
    version: int
    rows: int
    hits: int
    samples: tuple[RuleHit, ...]
    condition_matches: tuple[int, ...]
    missing: dict[str, int]
    withdrawn_by_unless: int
    seconds: float

    @property
    def hit_rate(self) -> float:
        return self.hits / self.rows if self.rows else 0.0

    def summary(self) -> str:
        lines = [
            f"rule {self.rule} v{self.version}: {self.hits} hits in {self.rows} rows "
            f"({self.hit_rate:.2%}), {self.seconds * 1000:.1f} ms"
        ]
        if self.withdrawn_by_unless:
            lines.append(f"  withdrawn by unless: {self.withdrawn_by_unless}")
        for name, count in self.missing.items():
            if count:
                lines.append(f"  {name} missing in {count} rows")
        lines += [f"  row {h.row}: {h.explanation}" for h in self.samples]
        return "\n".join(lines)


def test_rule(
    rule: Rule,
    rows: Sequence[Mapping[str, object]],
    samples: int = 5,  # noqa: PT028 - a library function (``cthub travel rules test``), not a test
) -> RuleTestResult:
    """Run one rule over rows (nothing is stored): hit count, sample hits, diagnostics."""
    started = time.perf_counter()
    ruleset = compile_rules([rule])
    cr = ruleset.compiled[0]
    cols = _Columns(rows)
    if rows:
        per = [c.mask(cols) for c in cr.conditions]
        combined = np.logical_and.reduce(per) if rule.match == "all" else np.logical_or.reduce(per)
        withdrawn = 0
        if cr.unless:
            excused = np.logical_or.reduce([c.mask(cols) for c in cr.unless])
            withdrawn = int(np.count_nonzero(combined & excused))
            combined = combined & ~excused
        idx = np.flatnonzero(combined).tolist()
        matches = tuple(int(np.count_nonzero(m)) for m in per)
    else:
        idx, matches, withdrawn = [], tuple(0 for _ in cr.conditions), 0
    missing = {f: sum(1 for v in cols.raw(f) if v is None) for f in rule.fields}
    return RuleTestResult(
        rule.name,
        rule.version,
        len(rows),
        len(idx),
        tuple(_hit(cr, i, rows[i]) for i in idx[:samples]),
        matches,
        missing,
        withdrawn,
        time.perf_counter() - started,
    )


test_rule.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported


__all__ = [
    "MATCHES",
    "PROFILE_FIELDS",
    "SENSITIVE",
    "SEVERITIES",
    "Condition",
    "ConditionResult",
    "Rule",
    "RuleHit",
    "RuleSet",
    "RuleTestResult",
    "SensitiveCategory",
    "builtin_rules",
    "compile_rules",
    "dump_rule",
    "dump_rules",
    "load_rules",
    "parse_rule",
    "sensitive_field",
    "sensitive_value",
    "test_rule",
    "validate",
    "with_version",
]

"""Rules from YAML: one rule per file, every key and parameter checked before anything runs.

A rule file is a mapping::

    name: structuring            # unique; lower-case letters, digits, underscores
    kind: structuring            # a registered rule kind
    title: Deposits just below a reporting threshold
    description: ...
    references: [FATF (2002) Guidance for Financial Institutions in Detecting TF]
    weight: 0.5                  # in (0, 1], for scoring
    enabled: true
    parameters: {threshold: 1000000, window: 7d}

Unknown keys, wrong types, values out of range, unknown kinds or parameters, duplicate keys
and duplicate rule names raise ``InvalidInput`` naming the file, the rule and the key, so a
bad edit is refused whole rather than run half-understood. Parameters a file leaves out take
the kind's defaults; the shipped library spells every one out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from cthub.core.errors import InvalidInput
from cthub.finance.rules.kinds import registry
from cthub.finance.rules.model import Params, Rule
from cthub.finance.rules.params import Value, Where, check

LIBRARY = Path(__file__).parent / "library"
KEYS = ("name", "kind", "title", "description", "references", "weight", "enabled", "parameters")
REQUIRED = ("name", "kind", "title", "weight")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class _UniqueKeys(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML keeps the last)."""


def _mapping(loader: _UniqueKeys, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def library() -> list[Rule]:
    """The shipped rules (``library/*.yaml``), enabled or not."""
    return load_rules([LIBRARY])


def load_rules(paths: Iterable[str | Path]) -> list[Rule]:
    """Rules from YAML files and folders of them (``*.yaml``, ``*.yml``), in name order."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for file in files:
        rule = parse_rule(_read(file), str(file))
        if rule.name in seen:
            raise InvalidInput(
                "{file}: rule {rule} is already defined in {other}.",
                hint="Rule names must be unique; rename one of them.",
                file=str(file),
                rule=rule.name,
                other=seen[rule.name],
            )
        seen[rule.name] = str(file)
        rules.append(rule)
    return rules


def _read(file: Path) -> object:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "{file} cannot be read ({problem}).", file=str(file), problem=str(exc)
        ) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeys)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InvalidInput(
            "{file}: the YAML cannot be read ({problem}).",
            hint="Check the indentation and quoting near the line named.",
            file=str(file),
            problem=" ".join(str(exc).split()),
        ) from exc


def parse_rule(data: object, source: str = "<code>") -> Rule:
    """A checked rule from a parsed YAML document (or a dict built in code)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "{file}: a rule file must be a mapping of keys (name, kind, title, ...).",
            file=source,
        )
    rule = str(data.get("name", "?"))
    where = Where(source, rule)
    _check_keys(data, where)
    kind = _kind(data, where)
    raw = data.get("parameters") or {}
    if not isinstance(raw, Mapping):
        raise InvalidInput(
            "{file}: rule {rule}: parameters must be a mapping of names to values.",
            file=source,
            rule=rule,
        )
    return Rule(
        name=rule,
        kind=kind,
        title=_text(data, "title", where),
        description=_text(data, "description", where, ""),
        references=_references(data.get("references", []), where),
        weight=_weight(data["weight"], where),
        enabled=_enabled(data.get("enabled", True), where),
        params=parameters(kind, raw, where),
        source=source,
    )


def parameters(kind_name: str, raw: Mapping[str, object], where: Where) -> Params:
    """Checked parameters of ``kind_name``: the kind's defaults overridden by ``raw``."""
    kind = registry.get(kind_name)
    declared = {param.name: param for param in kind.parameters}
    for name in raw:
        if name not in declared:
            raise InvalidInput(
                "{file}: rule {rule}: unknown parameter {param}.",
                hint="Parameters of {kind}: {known}.",
                file=where.file,
                rule=where.rule,
                param=str(name),
                kind=kind_name,
                known=", ".join(declared),
            )
    values: dict[str, Value] = {
        name: check(param, raw.get(name, param.default), where) for name, param in declared.items()
    }
    params = Params(values)
    kind.check(params, where)
    return params


def configure(rule: Rule, **changes: object) -> Rule:
    """``rule`` with some parameters changed, checked as a file's would be."""
    raw = {**rule.params.plain(), **changes}
    params = parameters(rule.kind, raw, Where(rule.source, rule.name))
    return replace(rule, params=params)


def _kind(data: Mapping[Any, Any], where: Where) -> str:
    """The rule's kind, once its name has the right shape and the kind is registered."""
    if not isinstance(data["name"], str) or not NAME.match(data["name"]):
        raise InvalidInput(
            "{file}: rule name {rule} must be lower-case letters, digits and underscores.",
            file=where.file,
            rule=where.rule,
        )
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in registry.names():
        raise InvalidInput(
            "{file}: rule {rule}: unknown rule kind {kind}.",
            hint="Known kinds: {kinds}.",
            file=where.file,
            rule=where.rule,
            kind=repr(kind),
            kinds=", ".join(registry.names()),
        )
    return kind


def _check_keys(data: Mapping[Any, Any], where: Where) -> None:
    for key in data:
        if key not in KEYS:
            raise InvalidInput(
                "{file}: rule {rule}: unknown key {key}.",
                hint="Known keys: {keys}.",
                file=where.file,
                rule=where.rule,
                key=repr(key),
                keys=", ".join(KEYS),
            )
    for key in REQUIRED:
        if key not in data:
            raise InvalidInput(
                "{file}: rule {rule}: {key} is missing.",
                file=where.file,
                rule=where.rule,
                key=key,
            )


def _text(data: Mapping[str, object], key: str, where: Where, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise InvalidInput(
            "{file}: rule {rule}: {key} must be text.", file=where.file, rule=where.rule, key=key
        )
    return " ".join(value.split())


def _references(value: object, where: Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput(
            "{file}: rule {rule}: references must be a list of texts.",
            file=where.file,
            rule=where.rule,
        )
    return tuple(" ".join(v.split()) for v in value)


def _weight(value: object, where: Where) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise InvalidInput(
            "{file}: rule {rule}: the weight must be a number above 0 and at most 1, not {value}.",
            hint="The weight is how much this rule alone says about an account, e.g. 0.4.",
            file=where.file,
            rule=where.rule,
            value=repr(value),
        )
    return float(value)


def _enabled(value: object, where: Where) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(
            "{file}: rule {rule}: enabled must be true or false, not {value}.",
            file=where.file,
            rule=where.rule,
            value=repr(value),
        )
    return value


__all__ = ["LIBRARY", "configure", "library", "load_rules", "parameters", "parse_rule"]

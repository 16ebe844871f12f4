"""Find every user-facing msgid in the code and templates, and keep the catalogues in step.

Strings are found in four places: calls to ``_``, ``N_`` and ``gettext`` in Python and
Jinja templates; the ``message`` and ``hint`` of every ``CthubError`` raised in ``src/``; the
same two arguments of field-error helpers (``_bad(field, message, hint)``); and policy action
descriptions. ``python -m cthub.core.i18n.extract`` adds missing msgids to both
catalogues (English msgstr = msgid, Chinese left empty for a translator) and reports what is
untranslated; the test suite fails while anything is.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from cthub.core import errors
from cthub.core.i18n import LANGUAGES, catalogue_path

SRC = Path(__file__).resolve().parents[2]
ERROR_CLASSES = set(errors.__all__)
KEYWORDS = {"_": None, "N_": None, "gettext": None}
#: Helpers that build an error for a named field: ``_bad(field, message, hint, **params)``.
FIELD_HELPERS = {"_bad"}
#: Declarations whose argument at this index is shown to users: a rule parameter's meaning.
DECLARATIONS = {"Param": 3}


def _python_strings(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.id
            if isinstance(node.func, ast.Name)
            else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        )
        args: list[ast.expr] = []
        if name in KEYWORDS or name in ERROR_CLASSES:
            args = node.args[:1]
        if name in ERROR_CLASSES:
            args += [kw.value for kw in node.keywords if kw.arg == "hint"] + node.args[1:2]
        if name in FIELD_HELPERS:
            args = node.args[1:3] + [kw.value for kw in node.keywords if kw.arg == "hint"]
        if name in DECLARATIONS:
            args = node.args[DECLARATIONS[name] : DECLARATIONS[name] + 1]
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                yield arg.value


def _template_strings(path: Path) -> Iterator[str]:
    from babel.messages.extract import extract

    with path.open("rb") as fh:
        for _lineno, message, _comments, _context in extract(
            "jinja2.ext:babel_extract",
            fh,
            keywords={"_": None},
            options={"extensions": "jinja2.ext.i18n"},
        ):
            text = message if isinstance(message, str) else message[0]
            if text:
                yield text


def _library_strings(path: Path) -> Iterator[str]:
    """The title and description of a shipped rule file (``*/library/*.yaml``), with white
    space folded as the rule loaders fold it."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        for key in ("title", "description"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                yield " ".join(value.split())


def msgids(root: Path = SRC) -> set[str]:
    """Every msgid used under ``root`` (the ``cthub`` package)."""
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found.update(_python_strings(path))
    for path in sorted(root.rglob("*.html")):
        found.update(_template_strings(path))
    for path in sorted(root.rglob("library/*.yaml")):
        found.update(_library_strings(path))
    from cthub.core.policy import ACTIONS
    from cthub.core.tables import ORG_KINDS, ROLES

    found.update(rule.description for rule in ACTIONS.values())
    found.update(ROLES)
    found.update(ORG_KINDS)
    found.update(("queued", "running", "succeeded", "failed", "ok", "denied", "throttled"))
    # values shown through _(value) in templates: alert states and entity types
    found.update(("open", "true_match", "false_positive", "closed"))
    found.update(("person", "organization", "vessel"))
    return found


def load(lang: str) -> Catalog:
    with open(catalogue_path(lang), "rb") as fh:
        return read_po(fh, locale=lang.replace("_Hans", ""))


def missing(lang: str, ids: set[str] | None = None) -> list[str]:
    """Msgids absent from the ``lang`` catalogue or without a translation there."""
    catalog = load(lang)
    todo = []
    for m in ids or msgids():
        msg = catalog.get(m)
        if msg is None or not msg.string:
            todo.append(m)
    return sorted(todo)


def update() -> dict[str, list[str]]:
    ids = msgids()
    report: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        catalog = load(lang)
        catalog.project, catalog.version = "cthub", "0.1"
        for m in sorted(ids):
            if catalog.get(m) is None:
                catalog.add(m, m if lang == "en" else "")
        for msg in list(catalog):
            if msg.id and msg.id not in ids:
                catalog.delete(msg.id)
        with open(catalogue_path(lang), "wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, omit_header=False)
        report[lang] = missing(lang, ids)
    return report


if __name__ == "__main__":
    result = update()
    for lang, todo in result.items():
        print(f"{lang}: {len(todo)} untranslated")
        for m in todo:
            print(f"  {m!r}")
    sys.exit(1 if any(result.values()) else 0)

"""Every user-facing string is in both catalogues, translated, with matching placeholders."""

from __future__ import annotations

import re

import pytest

from cthub.core.i18n import LANGUAGES, gettext, negotiate
from cthub.core.i18n.extract import load, missing, msgids

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def ids() -> set[str]:
    return msgids()


def test_extraction_finds_strings_of_every_kind(ids: set[str]) -> None:
    assert "Dashboard" in ids  # template
    assert "Unknown role {role}." in ids  # error message
    assert "Use one of: {roles}." in ids  # error hint
    assert "Read the audit log of the organisation" in ids  # policy description


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_no_untranslated_msgid(lang: str, ids: set[str]) -> None:
    todo = missing(lang, ids)
    assert not todo, (
        f"{len(todo)} msgids missing or untranslated in {lang}; run "
        f"`python -m cthub.core.i18n.extract` and translate: {todo[:10]}"
    )


def test_placeholders_survive_translation(ids: set[str]) -> None:
    catalog = load("zh_Hans")
    for msgid in ids:
        msg = catalog.get(msgid)
        assert msg is not None
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msg.string)), msgid


def test_chinese_is_chinese() -> None:
    _ = gettext("zh_Hans")
    assert _("Dashboard") == "仪表板"
    assert gettext("en")("Dashboard") == "Dashboard"
    assert gettext("xx")("Dashboard") == "Dashboard"


@pytest.mark.parametrize(
    ("header", "lang"),
    [("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"), ("en-GB,en", "en"), ("fr-FR", None), (None, None)],
)
def test_negotiate(header: str | None, lang: str | None) -> None:
    assert negotiate(header) == lang

"""Translations: Babel catalogues for English and Simplified Chinese.

The ``.po`` files under ``locale/`` are the source of truth and are compiled in memory at first
use, so there is no build step and no stale ``.mo`` file. ``tests/core/test_i18n.py`` extracts
every msgid from the code and templates and fails when one is missing from a catalogue or has
no Chinese translation.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from typing import Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文"}
DEFAULT = "en"


class GetText(Protocol):
    def __call__(self, message: str, /) -> str: ...


def catalogue_path(lang: str) -> str:
    return str(files("cthub.core.i18n") / "locale" / lang / "LC_MESSAGES" / "messages.po")


@cache
def translations(lang: str) -> NullTranslations:
    """Compiled translations for ``lang``; unknown languages fall back to English."""
    if lang not in LANGUAGES:
        lang = DEFAULT
    with open(catalogue_path(lang), "rb") as fh:
        catalog = read_po(fh, locale=lang.replace("_Hans", ""))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def gettext(lang: str) -> GetText:
    return translations(lang).gettext


def negotiate(accept_language: str | None) -> str | None:
    """Pick a supported language from an ``Accept-Language`` header."""
    if not accept_language:
        return None
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return None


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the language is known."""
    return message


__all__ = ["LANGUAGES", "N_", "GetText", "gettext", "negotiate", "translations"]

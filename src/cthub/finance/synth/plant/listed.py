"""Listed names for the sanctioned-counterparty typology, and how payment data garbles them.

Names come from the bundled UN consolidated list (persons with a Latin-script name of two
or more words) through ``cthub.lists``' public API, or from ``SynthConfig.listed_names``.
A payment rarely carries the listed spelling: ``vary`` applies one to three of the changes
seen in practice (another transliteration of a word or letter, family name first, a middle
name dropped, ``AL`` joined or split by a hyphen), then a case change, and strips accents.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np

from cthub.finance.synth.config import SynthConfig
from cthub.finance.synth.geo import INDEX

_WORDS: dict[str, tuple[str, ...]] = {
    "MOHAMMED": ("MUHAMMAD", "MOHAMED", "MOHAMMAD"),
    "MUHAMMAD": ("MOHAMMED", "MOHAMMAD", "MUHAMMED"),
    "MOHAMMAD": ("MUHAMMAD", "MOHAMMED"),
    "MOHAMED": ("MOHAMMED", "MUHAMMAD"),
    "AHMED": ("AHMAD",),
    "AHMAD": ("AHMED",),
    "ABDUL": ("ABD AL", "ABDEL"),
    "ABDULLAH": ("ABDALLAH", "ABDULLA"),
    "HUSSEIN": ("HUSAIN", "HUSSAIN", "HOSSEIN"),
    "HUSAYN": ("HUSSEIN", "HUSAIN"),
    "HASSAN": ("HASAN",),
    "HASAN": ("HASSAN",),
    "YUSUF": ("YOUSSEF", "YOUSEF"),
    "OMAR": ("UMAR",),
    "UMAR": ("OMAR",),
    "KHALID": ("KHALED",),
    "IBRAHIM": ("EBRAHIM", "IBRAHEEM"),
    "MUSTAFA": ("MOSTAFA",),
    "SAYYID": ("SAYED", "SAID"),
    "OSAMA": ("USAMA",),
    "USAMA": ("OSAMA",),
    "ABU": ("ABOU",),
    "AL": ("EL",),
}
_LETTERS = (("OU", "U"), ("EE", "I"), ("Q", "K"), ("KH", "H"), ("DH", "D"), ("IY", "I"))


def fold(text: str) -> str:
    """``text`` without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def bundled() -> tuple[tuple[str, str], ...]:
    """``(name, country)`` of the UN list's persons; country is '' when none is known here."""
    from cthub.lists import bundled_path, registry

    out: list[tuple[str, str]] = []
    for entry in registry.get("un").parse(bundled_path()):
        found = entry.properties.get("name", [])
        if entry.schema != "Person" or not found:
            continue
        name = " ".join(found[0].split())
        if len(name.split()) < 2 or not fold(name).isascii():
            continue
        places = entry.properties.get("nationality", []) + entry.properties.get("country", [])
        country = next((c.upper() for c in places if c.upper() in INDEX), "")
        out.append((name, country))
    return tuple(out)


def choose(config: SynthConfig, rng: np.random.Generator) -> list[tuple[str, str]]:
    """The listed ``(name, country)`` pairs this dataset uses (``listed_name_count``)."""
    pool = [(n, "") for n in config.listed_names] if config.listed_names else list(bundled())
    k = min(config.listed_name_count, len(pool))
    return [pool[int(i)] for i in rng.choice(len(pool), size=k, replace=False)]


def vary(name: str, rng: np.random.Generator) -> str:
    """A realistic variant of ``name`` as a payment would carry it (never identical)."""
    words = fold(name).upper().replace(",", " ").split()
    changes = (_transliterate, _family_first, _drop_middle, _hyphen)
    for i in rng.choice(len(changes), size=int(rng.integers(1, 4)), replace=False):
        words = changes[int(i)](words, rng)
    text = " ".join(words)
    case = int(rng.integers(0, 3))
    text = text.title() if case == 0 else text.lower() if case == 1 else text
    if text == name:
        text = text.title() if text != text.title() else text.upper()
    return text


def _transliterate(words: list[str], rng: np.random.Generator) -> list[str]:
    known = [i for i, w in enumerate(words) if w in _WORDS]
    if known:
        i = known[int(rng.integers(0, len(known)))]
        options = _WORDS[words[i]]
        return [*words[:i], *options[int(rng.integers(0, len(options)))].split(), *words[i + 1 :]]
    for old, new in _LETTERS:
        hits = [i for i, w in enumerate(words) if old in w]
        if hits:
            i = hits[0]
            return [*words[:i], words[i].replace(old, new, 1), *words[i + 1 :]]
    return words


def _family_first(words: list[str], rng: np.random.Generator) -> list[str]:
    if len(words) < 2:
        return words
    return [words[-1] + ",", *words[:-1]] if rng.random() < 0.5 else [words[-1], *words[:-1]]


def _drop_middle(words: list[str], rng: np.random.Generator) -> list[str]:
    if len(words) < 4:
        return words
    i = int(rng.integers(1, len(words) - 1))
    return [*words[:i], *words[i + 1 :]]


def _hyphen(words: list[str], rng: np.random.Generator) -> list[str]:
    joined = [w for w in words if "-" in w]
    if joined:
        return " ".join(words).replace("-", " ").split()
    for i, w in enumerate(words[:-1]):
        if w in ("AL", "EL", "ABU", "BIN", "BEN"):
            return [*words[:i], f"{w}-{words[i + 1]}", *words[i + 2 :]]
    return words

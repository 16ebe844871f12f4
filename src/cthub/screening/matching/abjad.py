"""Arabic-script names to Latin letters, and the consonant key both scripts share.

Arabic and Persian write consonants and long vowels but not short ones, so ``محمد`` is
``mhmd`` and ``يعقوب`` is ``yaqwb``. ``romanize`` maps each letter to the Latin spelling that
list transliterations use most (``خ`` kh, ``ش`` sh, ``ع`` dropped except word-initially),
joins ``عبد`` to the name it governs and ``الله``/``الدين`` to the name before them (as Latin
spellings do: ``Abdulrahman``, ``Habibullah``, ``Nasiruddin``), and drops the joined article.

``consonants`` then reduces any romanised word, from either script, to what both scripts
write: digraphs become one letter, ``q``/``c``/``g``/``j`` become ``k`` (``ق`` is ``g`` in
Maghrebi and Gulf spellings, ``ج`` is ``g`` in Egyptian ones), vowels go, ``w``/``y``/``v``
go except word-initially (where Arabic writes them as consonants), a final ``h`` goes (ta
marbuta, silent he) and doubled letters collapse (before vowels go, so ``David`` keeps both
``d``). ``Yaqoub`` and ``يعقوب`` both become ``ykb``. A word-initial vowel (alef or ayn in
Arabic) is kept as ``a``: ``Arad`` and ``Riad`` share their consonants but not their first
letter. A final ``i``/``y`` (Arabic final ``ي``) is kept as ``i``, since the nisba ending is
written in both scripts and ``Mohammadi`` is not ``Mohammad``.
"""

# ruff: noqa: RUF001, RUF003 - the Arabic letters in this module are its point
from __future__ import annotations

import re
from functools import lru_cache

_LETTERS = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "", "ئ": "",
    "ب": "b", "پ": "p", "ت": "t", "ث": "th", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k",
    "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w",
    "ي": "y", "ی": "y", "ى": "a", "ے": "y", "ھ": "h", "ۃ": "a", "ٹ": "t", "ڈ": "d",
    "ڑ": "r", "ں": "n", "ڤ": "v", "ـ": "",
}  # fmt: skip
_TABLE = str.maketrans(_LETTERS)
# Persian, Urdu and Pashto read these as s and z: ``ثاقب`` Saqib, ``فضل`` Fazl, ``حافظ`` Hafiz.
_PERSIAN = str.maketrans({**_LETTERS, "ث": "s", "ذ": "z", "ض": "z", "ظ": "z"})
PERSIAN_LETTERS = frozenset("ثذضظ")
_HARAKAT = re.compile("[\u064b-\u065f\u0670]")
_ABD_ARTICLE = re.compile(r"(?<![\u0621-\u06ff])عبد\s*ال")
_ABD_SPACE = re.compile(r"(?<![\u0621-\u06ff])عبد\s+")
_SUFFIX = re.compile(r"\s+ال(له|دين|دین)(?![\u0621-\u06ff])")
_ARTICLE = re.compile(r"(?<![\u0621-\u06ff])ال(?=[\u0621-\u06ff]{2})")
_INITIAL_AYN = re.compile(r"(?<![\u0621-\u06ff])ع")
# ``ز`` + ``ه`` is z-h, not zh: a short a (the likeliest vowel) keeps the letters apart.
_FALSE_DIGRAPH = re.compile(r"(?<=[زسصكکتطدضگپ])(?=[هح])")

_DIGRAPHS = (
    ("shch", "$"), ("sch", "$"), ("tch", "$"), ("ch", "$"), ("sh", "$"), ("kh", "x"), ("gh", "g"),
    ("th", "t"), ("dh", "d"), ("ph", "f"), ("zh", "j"), ("dj", "j"), ("ck", "k"),
)  # fmt: skip
_CLASSES = str.maketrans("qcgjpv", "kkkkbw")
_VOWELS = frozenset("aeiou")
_SEMI = frozenset("wy")


def romanize(text: str, persian: bool = False) -> str:
    """Arabic-script letters of ``text`` as Latin letters; other characters unchanged.
    ``persian`` reads the letters Arabic says as th/dh/d/z the Persian way (s/z)."""
    text = _HARAKAT.sub("", text)
    text = _ABD_ARTICLE.sub("عبد", text)
    text = _ABD_SPACE.sub("عبد", text)
    text = _SUFFIX.sub(r"\1", text)
    text = _ARTICLE.sub("", text)
    text = _INITIAL_AYN.sub("a", text)
    return _FALSE_DIGRAPH.sub("a", text).translate(_PERSIAN if persian else _TABLE)


@lru_cache(maxsize=131072)
def consonants(word: str) -> str:
    """The consonant key of a romanised word (see the module docstring)."""
    for digraph, single in _DIGRAPHS:
        word = word.replace(digraph, single)
    word = word.translate(_CLASSES)
    letters = [ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1]]
    kept = [ch for i, ch in enumerate(letters) if ch not in _VOWELS and (i == 0 or ch not in _SEMI)]
    if len(kept) > 2 and kept[-1] == "h":
        kept.pop()
    head = "a" if word[:1] in _VOWELS else ""
    tail = "i" if len(word) > 2 and word[-1] in "iy" else ""
    return head + "".join(kept) + tail

"""Name normalisation: one ASCII token form per name part, plus a phonetic key.

Every script goes through NFKC and casefolding, then ``anyascii``; Arabic script first goes
through ``abjad.romanize`` (a list-style scheme: ``خ`` kh, ``ش`` sh, article and ``عبد``
handled). Han and Hangul are
transliterated one character (one syllable) at a time so that ``김정은`` becomes three tokens
(``gim jeong eun``) like its Latin spelling ``Kim Jong Un``. Titles are dropped for everyone and
legal forms for non-persons, so they never count as evidence. Arabic particles are folded:
``al``/``el`` articles go, ``abdul rahman`` and ``abd al-rahman`` both become ``abdrahman``.
Common transliteration variants fold to one key (``mohammed`` -> ``muhammad``), and
``skeleton`` gives a consonant-class key that survives vowel changes; ``consonants`` (see
``abjad``) is the key that unvowelled scripts and Latin spellings share.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from cthub.screening.matching.abjad import PERSIAN_LETTERS, consonants, romanize

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "madam",
        "mister",
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "haji",
        "hajji",
        "hadji",
        "mullah",
        "mulla",
        "mawlawi",
        "maulvi",
        "maulavi",
        "mawlana",
        "maulana",
        "molvi",
        "qari",
        "hafiz",
        "imam",
        "sayed",
        "sayyid",
        "general",
        "gen",
        "colonel",
        "col",
        "major",
        "maj",
        "captain",
        "capt",
        "lieutenant",
        "lt",
        "commander",
        "brigadier",
        "admiral",
        "sergeant",
        "president",
        "minister",
        "senator",
        "judge",
        "emir",
        "amir",
        "prince",
        "king",
        "präsident",
    ]
)
LEGAL_FORMS = frozenset(
    [
        "llc",
        "ltd",
        "limited",
        "company",
        "co",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "ooo",
        "oao",
        "zao",
        "llp",
        "lp",
        "pte",
        "pty",
        "fze",
        "fzco",
        "est",
        "establishment",
        "group",
        "holding",
        "holdings",
        "the",
        "of",
        "and",
    ]
)
ARTICLES = frozenset({"al", "el", "ad", "ud", "ul", "ar", "as", "ash", "at", "az", "an"})
_ABD = ("abdul", "abdel", "abdal", "abdol", "abdur", "abdu", "abd")
_BARE_ABD = frozenset({*_ABD, "bd"})  # "bd": Arabic-script abd after the ayn is dropped
# "son of": Arabic ibn/bin, Maghrebi ben, Mauritanian ould, Persian/Pashto walad (ولد).
PARTICLES = {"ibn": "bin", "ben": "bin", "bint": "bint", "abou": "abu", "abo": "abu",
             "bn": "bin", "abn": "bin", "bnt": "bint", "abw": "abu", "aby": "abu",
             "ould": "bin", "uld": "bin", "wuld": "bin", "walad": "bin", "wald": "bin",
             "wld": "bin"}  # fmt: skip
# Latin spellings that write ``al-Din``/``Allah`` as a separate word after the name.
_SUFFIXES = frozenset({"din", "deen", "ddin", "allah", "ullah", "ulla", "illah", "lah", "ullha"})
VARIANTS: dict[str, str] = {
    spelling: key
    for key, spellings in {
        "muhammad": "mohammed mohammad mohamed mohamad muhamad muhammed mohammod mohamud "
        "muhamed mehmet mehmed mohd muhamet mukhammad magomed",
        "ahmad": "ahmed ahmet achmed akhmad akhmed",
        "husayn": "hussein husain hussain hossein husein hosein houssein",
        "hasan": "hassan hasen hassen",
        "yusuf": "yousef yousuf yusef youssef yousif yossef",
        "umar": "omar omer umer",
        "uthman": "othman osman usman osmane",
        "usama": "osama oussama",
        "abdallah": "abdullah abdulla abdellah abdalla abdulah abdalah abdallah",
        "mahmud": "mahmoud mahmood mahmut",
        "khalid": "khaled khaleed halid",
        "ali": "aly alee",
        "aleksandr": "alexander aleksander alexandr alexandre",
        "dmitriy": "dmitry dmitri dimitri dmitrij",
        "yuriy": "yuri yury iurii",
        "sergey": "sergei serguei",
        "yevgeniy": "evgeny evgeniy yevgeny",
        # Korean surnames in McCune-Reischauer, Revised and customary spellings.
        "pak": "park bak pack",
        "ri": "lee yi rhee",
        "cho": "jo",
        "choe": "choi chwe",
        "jong": "chong jeong chung",
        "kang": "gang",
        "kim": "gim",
        "sin": "shin",
    }.items()
    for spelling in spellings.split()
}
_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Scripts that leave (most) short vowels unwritten: Arabic, Hebrew, Syriac, Thai.
_ABJAD = re.compile(r"[\u0590-\u08ff\u0e00-\u0e7f\ufb1d-\ufdff\ufe70-\ufeff]")
_DIGRAPHS = (
    ("shch", "s"), ("sch", "s"), ("tch", "c"), ("ch", "c"), ("sh", "s"), ("zh", "j"),
    ("kh", "k"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"),
    ("ts", "s"), ("ks", "x"),
)  # fmt: skip
_CLASSES = str.maketrans("bpfvgjkqcxszdt", "bbffkkkkkkssst"[:12] + "tt")
_DROPPED = str.maketrans("", "", "aeiouyw")


@dataclass(frozen=True, slots=True)
class Token:
    """One name part: ``key`` for exact/fuzzy comparison, ``skeleton`` for phonetic matching.

    ``text`` is the transliterated part before variant folding, kept for explanations.
    ``abjad``: written in a script without short vowels (Arabic, Hebrew, Thai), so it
    compares with Latin by ``consonants``. ``han``: read from Han characters, whose pinyin
    is one fixed reading, so only exact parts match. ``syllable``: one CJK syllable, never
    an initial. ``alt``: the consonant key of the Persian reading of an Arabic-script part
    (``ثاقب`` is ``tkb`` in Arabic and ``skb`` as Saqib), when it differs.
    """

    key: str
    skeleton: str
    text: str
    abjad: bool = False
    consonants: str = ""
    han: bool = False
    syllable: bool = False
    alt: str = ""


def to_ascii(text: str, persian: bool = False) -> str:
    """NFKC, casefold and transliterate to lowercase ASCII words separated by single spaces
    (``persian``: Arabic script read the Persian way, see ``abjad.romanize``)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _ARABIC.search(text):
        text = romanize(text, persian)
    text = _CJK.sub(lambda m: f" {anyascii(m.group(0))} ", text)
    text = anyascii(text).lower().replace("'", "").replace("`", "")
    return _NOT_WORD.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """Consonant-class key: digraphs merged, vowels and w/y dropped, repeats collapsed."""
    for digraph, single in _DIGRAPHS:
        word = word.replace(digraph, single)
    word = word.translate(_DROPPED).translate(_CLASSES)
    out = [ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1]]
    return "".join(out)


def fold(word: str) -> str:
    """The canonical spelling of a name part: variant table first, then the ``abd`` prefix."""
    word = PARTICLES.get(word, word)
    if word in VARIANTS:
        return VARIANTS[word]
    for prefix in _ABD:
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            rest = word[len(prefix) :]
            return VARIANTS.get("abd" + rest, "abd" + rest)
    return word


def _merge_abd(words: list[str]) -> list[str]:
    """Join a bare ``abd``/``abdul`` with the next word, and ``din``/``ullah`` with the word
    before, as Arabic writes them."""
    merged: list[str] = []
    for word in words:
        if merged and (merged[-1] in _BARE_ABD or word in _SUFFIXES):
            merged[-1] = merged[-1] + word
        else:
            merged.append(word)
    return merged


def name_words(name: str, kind: str = "person", persian: bool = False) -> list[str]:
    """Name parts of ``name`` without titles, articles and (non-persons) legal forms."""
    ascii_words = to_ascii(name, persian).split()
    words = [w for w in ascii_words if w not in TITLES and w not in ARTICLES]
    if kind != "person":
        words = [w for w in words if w not in LEGAL_FORMS] or words
    return _merge_abd(words)


@lru_cache(maxsize=131072)
def make_token(
    text: str, abjad: bool = False, han: bool = False, syllable: bool = False, persian: str = ""
) -> Token:
    """The token for one transliterated part (cached: names share few distinct parts).

    ``abjad`` marks parts written in a script that omits short vowels: they compare
    by consonant skeleton rather than by spelling. ``persian`` is the part's Persian
    reading, when it has one.
    """
    key = fold(text)
    alt = consonants(fold(persian)) if persian and persian != text else ""
    return Token(key, skeleton(key) or key, text, abjad, consonants(key) or key, han, syllable, alt)


def tokenize(name: str, kind: str = "person") -> tuple[Token, ...]:
    """Tokens of a name, in written order."""
    abjad = _ABJAD.search(name) is not None
    han = _HAN.search(name) is not None
    syllable = _CJK.search(name) is not None
    words = name_words(name, kind)
    readings = words
    if abjad and not PERSIAN_LETTERS.isdisjoint(name):
        readings = name_words(name, kind, persian=True)
        readings = readings if len(readings) == len(words) else words
    return tuple(
        make_token(w, abjad, han, syllable, r) for w, r in zip(words, readings, strict=True)
    )

"""Name normalisation: variant folding, script transliteration, titles and particles."""

from __future__ import annotations

import pytest

from cthub.screening.matching.normalize import name_words, skeleton, tokenize


def keys(name: str, kind: str = "person") -> list[str]:
    return [token.key for token in tokenize(name, kind)]


@pytest.mark.parametrize("spelling", ["Mohammed", "Muhammad", "Mohamed", "Muhamad", "MOHAMMAD"])
def test_mohammed_variants_fold_to_one_key(spelling: str) -> None:
    assert keys(spelling) == keys("Muhammad")


def test_arabic_script_shares_skeleton_with_latin() -> None:
    arabic = tokenize("محمد")[0]
    assert arabic.text.isascii()
    assert arabic.skeleton == tokenize("Mohamed")[0].skeleton


def test_cyrillic_transliterates() -> None:
    assert keys("Владимир Путин") == keys("Vladimir Putin")


def test_hangul_splits_into_syllables_like_latin_spelling() -> None:
    hangul = tokenize("김정은")
    latin = tokenize("Kim Jong Un")
    assert len(hangul) == len(latin)
    assert [t.skeleton for t in hangul] == [t.skeleton for t in latin]


def test_han_transliterates_per_character() -> None:
    assert "".join(keys("习近平")) == "".join(keys("Xi Jinping"))


def test_titles_dropped() -> None:
    assert keys("Sheikh Dr. Haji Osama bin Laden") == keys("Osama bin Laden")


def test_legal_forms_dropped_for_organisations_only() -> None:
    assert keys("ACME Trading Co., Ltd.", "organization") == ["acme", "trading"]
    assert "co" in name_words("Co Thanh", "person")


def test_arabic_particles_fold() -> None:
    assert keys("Abdul Rahman al-Hassan") == keys("Abd al-Rahman el Hasan")


def test_skeleton_ignores_vowels_and_doubles() -> None:
    assert skeleton("hassan") == skeleton("hsn")


def test_arabic_script_article_and_abjad_flag() -> None:
    from cthub.screening.matching.normalize import tokenize

    tokens = tokenize("حامد رجا التكريتي")
    assert [t.key for t in tokens][-1] == "tkryty"
    assert all(t.abjad for t in tokens)
    assert not any(t.abjad for t in tokenize("Hamid Al-Tikriti"))


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("محمد يعقوب", "Mohammad Yaqoub"),
        ("عبدالرحمان آغا", "Abdul Rahman Agha"),
        ("نصیر الدین حقانی", "Nasiruddin Haqqani"),
        ("رستم حنفی حبیب الله", "Rustum Hanafi Habibullah"),
        ("فيصل احمد بن علي الزهراني", "Faysal Ahmad bin Ali al-Zahrani"),
    ],
)
def test_arabic_script_shares_consonant_keys_with_latin(arabic: str, latin: str) -> None:
    listed = [t.consonants for t in tokenize(latin)]
    assert [t.consonants for t in tokenize(arabic)] == listed


def test_consonant_keys_keep_what_both_scripts_write() -> None:
    def cons(name: str) -> str:
        return tokenize(name)[0].consonants

    assert cons("Mohammadi") != cons("Mohammad")  # the nisba ending is written
    assert cons("Arad") != cons("Riad")  # so is an initial alef
    assert cons("דוד") == cons("David")  # repeated consonants across a vowel stay


def test_hebrew_and_thai_compare_by_consonants() -> None:
    assert all(t.abjad for t in tokenize("משה"))
    assert all(t.abjad for t in tokenize("สมชาย"))
    assert not any(t.abjad for t in tokenize("Владимир"))


@pytest.mark.parametrize("spelling", ["Shcherbakov", "Scherbakov", "Щербаков"])
def test_cyrillic_romanisations_share_a_skeleton(spelling: str) -> None:
    assert tokenize(spelling)[0].skeleton == tokenize("Щербаков")[0].skeleton


def test_han_and_hangul_parts_are_flagged() -> None:
    assert all(t.han and t.syllable for t in tokenize("习近平"))
    assert all(t.syllable and not t.han for t in tokenize("김정은"))

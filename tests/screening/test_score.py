"""Score ordering rules: evidence corroborates or contradicts, never ties with a bare name."""

from __future__ import annotations

import pytest

from cthub.screening import Entry, Hit, Matcher, Query

ENTRY = Entry(
    id="1",
    list="un",
    ref="QDi.001",
    schema="person",
    names=("Mohammed Omar", "Mullah Omar"),
    birth_dates=("1960-01-01",),
    countries=("AF",),
    gender="male",
    identifiers=("OR 123456",),
)
OTHER = Entry("2", "un", "QDe.001", "organization", ("Al-Qaida",))


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_entries([ENTRY, OTHER])


def score(matcher: Matcher, query: Query) -> float:
    hits = matcher.screen(query, threshold=0.0, top=5)
    return next((hit.score for hit in hits if hit.entry.id == "1"), 0.0)


def test_birth_date_ordering(matcher: Matcher) -> None:
    name_only = score(matcher, Query("Muhammad Umar"))
    exact = score(matcher, Query("Muhammad Umar", birth_date="1960-01-01"))
    year = score(matcher, Query("Muhammad Umar", birth_date="1960"))
    contradicted = score(matcher, Query("Muhammad Umar", birth_date="1975"))
    assert exact > year > name_only > contradicted
    assert contradicted >= 0.0
    assert exact <= 1.0


def test_identifier_is_near_decisive(matcher: Matcher) -> None:
    weak_name = score(matcher, Query("M. Omar Akhund", id_number="or-123456"))
    assert weak_name >= 0.9
    assert score(matcher, Query("Mohammed Omar", id_number="XX999")) < score(
        matcher, Query("Mohammed Omar")
    )


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [("nationality", "Afghanistan", "FR"), ("gender", "m", "female"), ("type", "person", "vessel")],
)
def test_other_evidence_orders_scores(matcher: Matcher, field: str, good: str, bad: str) -> None:
    corroborated = score(matcher, Query("Mohammed Omar", **{field: good}))
    contradicted = score(matcher, Query("Mohammed Omar", **{field: bad}))
    assert corroborated >= score(matcher, Query("Mohammed Omar")) > contradicted


def test_hit_explains_itself(matcher: Matcher) -> None:
    hit: Hit = matcher.screen(Query("Muhamad Omar", birth_date="1960", nationality="AF"))[0]
    assert hit.matched_name == "Mohammed Omar"
    assert [f.name for f in hit.features] == ["name", "birth_date", "nationality"]
    assert abs(sum(f.contribution for f in hit.features) - hit.score) < 1e-3
    assert "muhamad~mohammed" in hit.explanation
    assert "birth year 1960 matches" in hit.explanation


def test_threshold_and_top_respected(matcher: Matcher) -> None:
    assert matcher.screen(Query("Omar"), threshold=0.99) == []
    assert len(matcher.screen(Query("Omar Qaida"), threshold=0.0, top=1)) <= 1
    assert matcher.screen(Query("  ...  ")) == []


def test_unrelated_name_with_shared_first_name_stays_low() -> None:
    matcher = Matcher.from_entries([Entry("3", "x", "x", "person", ("George Habbash",))])
    assert matcher.screen(Query("George Bush"), threshold=0.7) == []


def test_same_consonants_but_unlike_spelling_is_not_phonetic() -> None:
    from cthub.screening.matching.normalize import make_token
    from cthub.screening.matching.score import part_similarity

    assert part_similarity(make_token("jet"), make_token("kuwaiti")) < 0.5
    assert part_similarity(make_token("qasim"), make_token("kasim")) >= 0.8


def test_chance_level_similarity_earns_no_credit() -> None:
    from cthub.screening.matching.score import credit

    assert credit(0.5) == 0.0
    assert credit(1.0) == 1.0
    assert credit(0.7) < credit(0.9) < 1.0


def test_parts_split_differently_are_rejoined() -> None:
    matcher = Matcher.from_entries(
        [Entry("4", "x", "x", "organization", ("CHONMYONG SHIPPING CO",))]
    )
    hits = matcher.screen(Query("Chon Myong Shipping Co", type="organization"), threshold=0.0)
    assert hits
    assert hits[0].features[0].value >= 0.9


def test_one_shared_common_part_of_two_stays_low() -> None:
    matcher = Matcher.from_entries([Entry("5", "x", "x", "person", ("Muhammad Shafiq Mohammadi",))])
    assert matcher.screen(Query("Hussein Mohammadi"), threshold=0.7) == []


def test_han_parts_match_exactly_or_not_at_all() -> None:
    from cthub.screening.matching.normalize import tokenize
    from cthub.screening.matching.score import part_similarity

    zhang, yu = tokenize("张玉")
    assert part_similarity(zhang, tokenize("Han")[0]) == 0.0
    assert part_similarity(yu, tokenize("Yu")[0]) == 1.0

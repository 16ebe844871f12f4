"""Lost/stolen document list: normalisation, near misses, the numpy index, persistence, CSV."""

from __future__ import annotations

import datetime as dt
import io
import random
import string
from pathlib import Path

import numpy as np
import pytest

from cthub.core.errors import InvalidInput
from cthub.travel import documents
from cthub.travel.documents import DocumentIndex, DocumentRow
from cthub.travel.mrz import check_digit

ISSUERS = ("DEU", "FRA", "NLD", "BEL", "ESP", "GBR", "USA", "IRQ", "SYR", "TUR", "RKS", "UTO")
HEADER = "document_number,issuing_country,document_type,status,reported_on\n"


def _number(rng: random.Random) -> str:
    """Numbers shaped like real ones: passport letter + digits, digits only, long ID cards."""
    digits, letters = string.digits, "CFGHJKLMNPRTVWXYZ"
    shape = rng.random()
    if shape < 0.45:
        return rng.choice(letters) + "".join(rng.choice(digits) for _ in range(8))
    if shape < 0.75:
        return "".join(rng.choice(digits) for _ in range(9))
    if shape < 0.9:
        return "".join(rng.choice(letters) for _ in range(2)) + "".join(
            rng.choice(digits) for _ in range(7)
        )
    return "".join(rng.choice(digits) for _ in range(12))  # 12-digit ID cards: hashed keys


@pytest.fixture(scope="module")
def listed() -> list[tuple[str, str]]:
    rng = random.Random(2024)
    seen: set[tuple[str, str]] = set()
    while len(seen) < 100_000:
        seen.add((_number(rng), rng.choice(ISSUERS)))
    return sorted(seen)


@pytest.fixture(scope="module")
def index(listed: list[tuple[str, str]]) -> DocumentIndex:
    rng = random.Random(5)
    return DocumentIndex.from_columns(
        [number for number, _ in listed],
        [country for _, country in listed],
        [rng.choice(documents.STATUSES) for _ in listed],
        [rng.choice(["passport", "id_card", "P", ""]) for _ in listed],
        [dt.date(2002, 1, 1) + dt.timedelta(days=i % 8000) for i in range(len(listed))],
    )


def test_normalise() -> None:
    assert documents.normalise(" l898 902-c3.<</") == "L898902C3"
    assert (
        documents.normalise("\uff21\uff22\uff11\uff12\uff13") == "AB123"
    )  # full-width forms, NFKC
    assert documents.normalise("AB\u00a0123\t") == "AB123"


def test_near_miss_variants_are_labelled() -> None:
    variants = dict(documents.near_miss_variants("C01234567"))
    assert variants["CO1234567"] == "0 in the query tried as O (position 2)"
    assert variants["C0I234567"] == "1 in the query tried as I (position 3)"
    assert variants["C01234S67"] == "5 in the query tried as S (position 7)"
    assert "C01234567" not in variants
    assert variants["C01234567" + str(check_digit("C01234567"))].startswith(
        "listed with check digit"
    )
    with_digit = "L898902C36"
    assert dict(documents.near_miss_variants(with_digit))["L898902C3"] == (
        "trailing check digit 6 dropped"
    )
    # a last digit that is not the check digit is not dropped
    assert "L898902C3" not in dict(documents.near_miss_variants("L898902C37"))
    assert dict(documents.near_miss_variants("OO1"))["001"] == "every O in the query tried as 0"
    assert documents.near_miss_variants("") == []


def test_every_listed_number_is_found_and_unlisted_ones_are_not(
    index: DocumentIndex, listed: list[tuple[str, str]]
) -> None:
    numbers = [number for number, _ in listed]
    countries = [country for _, country in listed]
    result = index.lookup_many(numbers, countries)
    assert result.valid.all()
    assert result.found.all()
    assert (result.count >= 1).all()
    assert set(np.unique(result.status).tolist()) <= {1, 2, 3, 4, 5}
    # the same numbers written as people write them
    messy = [f" {n[:3].lower()}-{n[3:]} " for n in numbers[:5000]]
    assert index.lookup_many(messy, countries[:5000]).found.all()

    rng = random.Random(99)
    taken = set(listed)
    unlisted: list[tuple[str, str]] = []
    while len(unlisted) < 100_000:
        candidate = (_number(rng), rng.choice(ISSUERS))
        if candidate not in taken:
            unlisted.append(candidate)
    miss = index.lookup_many([n for n, _ in unlisted], [c for _, c in unlisted])
    assert miss.valid.all()
    assert int(miss.found.sum()) == 0  # false-hit rate 0 in 100,000
    assert (miss.position == -1).all()


def test_issuer_is_part_of_the_key(index: DocumentIndex, listed: list[tuple[str, str]]) -> None:
    taken = set(listed)
    moved = [(n, "POL") for n, _ in listed[:20_000] if (n, "POL") not in taken]
    result = index.lookup_many([n for n, _ in moved], [c for _, c in moved])
    assert not result.found.any()
    long_ones = [(n, c) for n, c in listed if len(n) > 10][:500]
    assert long_ones
    other = ["FRA" if c != "FRA" else "DEU" for _, c in long_ones]
    swapped = [(n, o) for (n, _), o in zip(long_ones, other, strict=True) if (n, o) not in taken]
    assert not index.lookup_many([n for n, _ in swapped], [c for _, c in swapped]).found.any()


def test_scalar_lookup_returns_the_listed_document(
    index: DocumentIndex, listed: list[tuple[str, str]]
) -> None:
    for number, country in random.Random(1).sample(listed, 500):
        hits = index.lookup(number, country)
        exact = [h for h in hits if h.exact]
        assert len(exact) == 1
        assert (exact[0].number, exact[0].issuing_country) == (number, country)
        assert exact[0].status in documents.STATUSES
        assert exact[0].variant is None
        assert all(not h.exact and h.variant for h in hits[1:])
    hits = index.lookup_many([listed[0][0]], [listed[0][1]])
    hit = index.hit(int(hits.position[0]))
    assert hit.number == listed[0][0]
    assert hit.reported_on == dt.date(2002, 1, 1)


def test_near_misses_are_found_and_labelled(
    index: DocumentIndex, listed: list[tuple[str, str]]
) -> None:
    with_zero = next((n, c) for n, c in listed if "0" in n[1:] and len(n) == 9)
    number, country = with_zero
    position = number.index("0", 1)
    typo = number[:position] + "O" + number[position + 1 :]
    hits = index.lookup(typo, country)
    assert [h.exact for h in hits] == [False] * len(hits)
    near = next(h for h in hits if h.number == number)
    assert near.variant == f"O in the query tried as 0 (position {position + 1})"
    assert index.lookup(typo, country, near_misses=False) == []

    appended = number + str(check_digit(number))
    near = next(h for h in index.lookup(appended, country) if h.number == number)
    assert near.variant == f"trailing check digit {appended[-1]} dropped"

    long_number, long_country = next((n, c) for n, c in listed if len(n) == 12 and "1" in n)
    at = long_number.index("1")
    misread = long_number[:at] + "I" + long_number[at + 1 :]
    near = next(h for h in index.lookup(misread, long_country) if h.number == long_number)
    assert near.variant == f"I in the query tried as 1 (position {at + 1})"


def test_list_number_with_check_digit_found_from_the_bare_number() -> None:
    listed_number = "L898902C3" + str(check_digit("L898902C3"))
    small = DocumentIndex.from_columns([listed_number], ["UTO"], ["stolen"])
    hits = small.lookup("L898902C3", "UTO")
    assert [(h.number, h.exact, h.variant) for h in hits] == [
        ("L898902C36", False, "listed with check digit 6 appended")
    ]


def test_duplicates_and_countries_in_other_spellings() -> None:
    small = DocumentIndex.from_columns(
        ["C01X00T47", "C01X00T47", "123456789012"],
        ["DEU", "de", "D"],
        ["lost", "stolen", "Stolen Blank"],
        ["P", "P", "ID"],
        [dt.date(2020, 1, 1), None, dt.date(2021, 2, 3)],
    )
    hits = small.lookup("c01x00t47", "D<<")
    assert sorted(h.status for h in hits if h.exact) == ["lost", "stolen"]
    batch = small.lookup_many(["C01X00T47", "123456789012"], "DEU")
    assert batch.count.tolist() == [2, 1]
    assert small.hit(int(batch.position[1])).status == "stolen_blank"


def test_unusable_queries(index: DocumentIndex) -> None:
    for number in ("", "<<<", "AB#12", "X" * 31):
        with pytest.raises(InvalidInput):
            index.lookup(number, "DEU")
    with pytest.raises(InvalidInput) as caught:
        index.lookup("C1234567", "ZZZ")
    assert "ZZZ" in str(caught.value)
    batch = index.lookup_many(["C1234567", "", "AB#12", "C1234567"], ["ZZZ", "DEU", "DEU", "DEU"])
    assert batch.valid.tolist() == [False, False, False, True]
    assert not batch.found[:3].any()
    with pytest.raises(InvalidInput):
        index.lookup_many(["A1"], ["DEU", "FRA"])


def test_scalar_and_vectorised_keys_agree() -> None:
    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits * 3 + " -./<\0\u00e9\uff11"
    numbers = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 34))) for _ in range(3000)
    ]
    issuers = np.array([rng.randrange(len(documents.issuer_codes())) for _ in numbers])
    encoded = documents._encode(numbers, issuers)
    for row, (number, issuer) in enumerate(zip(numbers, issuers.tolist(), strict=True)):
        norm = documents.normalise(number)
        if documents._number_problem(norm):
            assert row in encoded.problems
            assert not encoded.ok[row]
        else:
            assert encoded.ok[row]
            assert int(encoded.keys[row]) == documents._key(issuer, norm)


def test_hashed_keys_are_verified_against_the_stored_number() -> None:
    small = DocumentIndex.from_columns(
        ["123456789012", "123456789013"], ["BEL", "BEL"], ["stolen", "lost"]
    )
    assert small.lookup_many(["123456789012"], "BEL").found.all()
    # pretend the first long number's hash collided with another number's: the stored text
    # no longer matches, so neither lookup may report it
    forged = small._long_numbers.copy()
    position = int(small.lookup_many(["123456789012"], "BEL").position[0])
    forged[position - small._short_count] = b"BEL999999999999"
    small._long_numbers = forged
    assert not small.lookup_many(["123456789012"], "BEL").found.any()
    assert [h for h in small.lookup("123456789012", "BEL") if h.exact] == []
    assert small.lookup_many(["123456789013"], "BEL").found.all()


def test_memory_per_document(index: DocumentIndex) -> None:
    # 8-byte key + status + type + 2-byte date, plus the text of the (few) long numbers
    long_count = len(index) - int(np.searchsorted(index._keys, np.uint64(1 << 63)))
    assert index.nbytes <= 12 * len(index) + 16 * long_count


def test_save_and_load(tmp_path: Path, index: DocumentIndex, listed: list[tuple[str, str]]) -> None:
    path = tmp_path / "documents.npz"
    index.save(path)
    sample = random.Random(4).sample(listed, 2000)
    expected = index.lookup_many([n for n, _ in sample], [c for _, c in sample])
    for mmap in (True, False):
        loaded = DocumentIndex.load(path, mmap=mmap)
        assert len(loaded) == len(index)
        assert isinstance(loaded._keys, np.memmap) == mmap
        got = loaded.lookup_many([n for n, _ in sample], [c for _, c in sample])
        assert got.found.all()
        assert (got.position == expected.position).all()
        assert (got.status == expected.status).all()
        number, country = sample[0]
        assert loaded.lookup(number, country) == index.lookup(number, country)
    empty = DocumentIndex.from_columns([], [], [])
    empty.save(tmp_path / "empty.npz")
    assert DocumentIndex.load(tmp_path / "empty.npz").lookup("C1", "DEU") == []


def test_load_refuses_other_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    for path in (junk, tmp_path / "missing.npz"):
        with pytest.raises(InvalidInput) as caught:
            DocumentIndex.load(path)
        assert str(path) in str(caught.value)
    other = tmp_path / "other.npz"
    np.savez(other, meta=np.array('{"format": "x"}'))
    with pytest.raises(InvalidInput):
        DocumentIndex.load(other)


def test_from_columns_names_the_bad_row() -> None:
    cases = [
        ((["A1", "A#2"], ["DEU", "DEU"], ["lost", "lost"]), (2, "document_number")),
        ((["A1", "A2"], ["DEU", "QQQ"], ["lost", "lost"]), (2, "issuing_country")),
        ((["A1", "A2"], ["DEU", "DEU"], ["lost", "found"]), (2, "status")),
    ]
    for args, (row, column) in cases:
        with pytest.raises(InvalidInput) as caught:
            DocumentIndex.from_columns(*args)
        assert (caught.value.params["row"], caught.value.params["column"]) == (row, column)
    for day in (dt.date(1900, 1, 1), "2020-01-01"):
        with pytest.raises(InvalidInput) as caught:
            DocumentIndex.from_columns(["A1"], ["DEU"], ["lost"], None, [day])  # type: ignore[list-item]
        assert caught.value.params["column"] == "reported_on"
    with pytest.raises(InvalidInput) as caught:
        DocumentIndex.from_columns(["A1", "A2", "A3"], ["DEU", "QQQ", "ZZZ"], ["x", "y", "z"])
    assert caught.value.params["row"] == 2  # the first bad row, always


# --- CSV -------------------------------------------------------------------------------------


def _csv(*lines: str) -> io.StringIO:
    return io.StringIO(HEADER + "".join(line + "\n" for line in lines))


def test_load_csv_reads_rows(tmp_path: Path) -> None:
    path = tmp_path / "sltd.csv"
    path.write_text(
        "\ufeff" + HEADER + "L898902C3,UTO,passport,stolen,2023-04-05\n"
        '"AB 12-34",deu,id_card,Stolen Blank,\n'
        "\n"
        "123456789012,BEL,ID,revoked,2020-02-29\n",
        encoding="utf-8",
    )
    rows = documents.load_csv(path, "sltd.csv")
    assert rows[0] == DocumentRow("L898902C3", "UTO", "passport", "stolen", dt.date(2023, 4, 5), 2)
    assert rows[1] == DocumentRow("AB 12-34", "DEU", "id_card", "stolen_blank", None, 3)
    assert rows[2].line == 5
    index = DocumentIndex.build(rows)
    assert index.lookup("AB1234", "DEU")[0].status == "stolen_blank"
    # columns in another order are fine
    reordered = io.StringIO(
        "status,reported_on,document_number,document_type,issuing_country\nlost,,X1,P,FRA\n"
    )
    assert documents.load_csv(reordered, "x.csv")[0].document_number == "X1"


@pytest.mark.parametrize(
    ("lines", "line", "column", "words"),
    [
        (("L1,UTO,P,stolen,2023-01-01", "L2,UTOPIA,P,stolen,"), 3, "issuing_country", "UTOPIA"),
        (("L1,DE,P,stolen,",), 2, "issuing_country", "DEU"),  # hint: the alpha-3 code
        (("L1,UTO,P,found,",), 2, "status", "found"),
        (("L1,UTO,P,lost,05/04/2023",), 2, "reported_on", "05/04/2023"),
        (("L1,UTO,P,lost,2023-02-30",), 2, "reported_on", "2023-02-30"),
        (("L1,UTO,P,lost,2999-01-01",), 2, "reported_on", "future"),
        (("<<<,UTO,P,lost,",), 2, "document_number", "empty"),
        (("L1\u00e9,UTO,P,lost,",), 2, "document_number", "letters"),
        (("L1,UTO,P;x,lost,",), 2, "document_type", "P;x"),
    ],
)
def test_csv_errors_name_file_line_and_column(
    lines: tuple[str, ...], line: int, column: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        documents.load_csv(_csv(*lines), "sltd.csv")
    error = caught.value
    assert error.params["file"] == "sltd.csv"
    assert error.params["line"] == line
    assert error.params["column"] == column
    text = str(error) + " " + (error.render_hint() or "")
    assert words in text
    assert f"sltd.csv line {line}: {column}" in str(error)
    assert error.hint


def test_csv_header_and_shape_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        documents.load_csv(io.StringIO("document_number,country,status\n"), "a.csv")
    assert "missing column(s) issuing_country, document_type, reported_on" in str(caught.value)
    assert "unexpected column(s) country" in str(caught.value)
    assert caught.value.params["line"] == 1
    with pytest.raises(InvalidInput) as caught:
        documents.load_csv(io.StringIO(""), "empty.csv")
    assert "empty.csv is empty" in str(caught.value)
    with pytest.raises(InvalidInput) as caught:
        documents.load_csv(_csv("L1,UTO,P,lost"), "b.csv")
    assert caught.value.params["line"] == 2
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "L1,UTO,P\xe4ss,lost,\n".encode("latin-1"))
    with pytest.raises(InvalidInput) as caught:
        documents.load_csv(latin)
    assert "UTF-8" in str(caught.value)
    with pytest.raises(InvalidInput):
        documents.load_csv(tmp_path / "missing.csv")


def test_load_csv_is_all_or_nothing() -> None:
    good = [f"C{i:08d},DEU,P,lost," for i in range(50)]
    source = _csv(*good, "C99,DEU,P,misplaced,", *good)
    rows_seen: list[DocumentRow] = []
    with pytest.raises(InvalidInput):
        rows_seen = documents.load_csv(source, "c.csv")
    assert rows_seen == []
    # the streaming iterator yields what it checked before the bad line
    streamed: list[DocumentRow] = []
    rows = documents.iter_csv(_csv(*good, "C99,DEU,P,misplaced,"), "c.csv")
    streamed.extend(next(rows) for _ in range(50))
    with pytest.raises(InvalidInput) as caught:
        next(rows)
    assert len(streamed) == 50
    assert caught.value.params["line"] == 52

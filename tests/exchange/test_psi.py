"""PSI on Ristretto255 and identifier normalisation: exact intersections, nothing linkable.

No fixtures: every test builds its own small lists, so each runs in milliseconds (about 60 us
per scalar multiplication). ``_CHUNK`` is lowered where a test needs several thread chunks.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cthub.core.errors import InvalidInput
from cthub.exchange import psi
from cthub.exchange.identifiers import PsiInputError, identifier, normalise
from cthub.exchange.psi import Blinded, PsiInitiator, PsiResponder, Reply, hash_to_group


def run(a: list[bytes], b: list[bytes], *, workers: int = 1) -> list[int]:
    """The whole protocol, both messages through JSON as over HTTP."""
    initiator, responder = PsiInitiator(a, workers=workers), PsiResponder(b, workers=workers)
    blinded = Blinded.from_json(json.loads(json.dumps(initiator.blind().to_json())))
    reply = responder.respond(blinded)
    return initiator.finish(Reply.from_json(json.loads(json.dumps(reply.to_json()))))


def points(data: bytes) -> set[bytes]:
    return {data[i : i + 32] for i in range(0, len(data), 32)}


# -- identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["José Müller", "MULLER, Jose", "müller   josé", "Jose\u0301 Mu\u0308ller"]
)
def test_name_spellings_and_order_agree(spelling: str) -> None:
    assert normalise("name", spelling, birth_date="1980-01-02") == "jose muller|1980-01-02"


def test_name_transliterates_other_scripts_and_keeps_birth_date_precision() -> None:
    assert normalise("name", "Иван Петров") == normalise("name", "Petrov Ivan")
    assert normalise("name", "Ivan Petrov", birth_date=" 1975 ") == "ivan petrov|1975"
    assert identifier("name", "A B", birth_date="1975") != identifier(
        "name", "A B", birth_date="1975-03-04"
    )


@pytest.mark.parametrize("bad", ["02/01/1980", "1980-13-01", "80", ""])
def test_bad_birth_date_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="birth date"):
        normalise("name", "John Smith", birth_date=bad)


def test_documents_lose_separators_and_gain_the_country() -> None:
    assert normalise("passport", " 12ab 345-67 ", country="fr") == "FR:12AB34567"
    assert normalise("national_id", "12.AB.34567") == "12AB34567"
    assert identifier("passport", "X1234567") == b"passport:X1234567"
    assert identifier("passport", "X1234567") != identifier("national_id", "X1234567")
    with pytest.raises(ValueError, match="ISO 3166"):
        normalise("passport", "X1234567", country="FRA")
    with pytest.raises(ValueError, match="letters and digits"):
        normalise("passport", "X12#4567")


def test_iban_spaces_and_case_folded_and_mod97_checked() -> None:
    assert normalise("iban", "gb82 west 1234 5698 7654 32") == "GB82WEST12345698765432"
    with pytest.raises(ValueError, match="GB82 WEST 1234 5698 7654 33") as caught:
        normalise("iban", "GB82 WEST 1234 5698 7654 33")
    assert isinstance(caught.value, InvalidInput)
    assert "mod-97" in caught.value.message
    with pytest.raises(ValueError, match="IBAN"):
        normalise("iban", "GB82")


def test_wallets_fold_case_only_where_the_format_ignores_it() -> None:
    hex_address = "0x52908400098527886E0F7030069857D2E4169EE7"
    assert normalise("wallet", hex_address) == hex_address.lower()
    bech32 = "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"
    assert normalise("wallet", bech32) == bech32.lower()
    base58 = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
    assert normalise("wallet", f" {base58} ") == base58
    with pytest.raises(ValueError, match="wallet address"):
        normalise("wallet", "not a wallet!")


def test_unknown_kind_and_empty_name_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        normalise("email", "a@example.org")
    with pytest.raises(ValueError, match="no letters"):
        normalise("name", " -- ")


# -- protocol ------------------------------------------------------------------------------


def test_realistic_watchlists_intersect_on_every_kind() -> None:
    a = [
        identifier("name", "Nguyễn Văn An", birth_date="1979-05-06"),
        identifier("passport", "AB 123-4567", country="cn"),
        identifier("iban", "DE89 3704 0044 0532 0130 00"),
        identifier("wallet", "0x52908400098527886E0F7030069857D2E4169EE7"),
        identifier("name", "Jane Doe", birth_date="1990"),
        identifier("national_id", "99-88-77"),
    ]
    b = [
        identifier("wallet", "0x52908400098527886e0f7030069857d2e4169ee7"),
        identifier("name", "VAN AN, Nguyen", birth_date="1979-05-06"),
        identifier("iban", "de89370400440532013000"),
        identifier("passport", "AB1234567", country="CN"),
        identifier("name", "Jane Doe", birth_date="1991"),
        identifier("national_id", "998877", country="FR"),
    ]
    assert run(a, b) == [0, 1, 2, 3]


def test_duplicates_are_sent_once_and_reported_at_every_index() -> None:
    initiator = PsiInitiator([b"x", b"y", b"x", b"z", b"x"])
    blinded = initiator.blind()
    assert blinded.count == 3
    assert initiator.blind() is blinded
    reply = PsiResponder([b"x", b"x", b"q"]).respond(blinded)
    assert len(reply.own) == 2 * 32
    assert initiator.finish(reply) == [0, 2, 4]


@settings(max_examples=25, deadline=None)
@given(
    a=st.lists(st.integers(0, 40), max_size=25),
    b=st.lists(st.integers(0, 40), max_size=25),
    workers=st.sampled_from([1, 2]),
)
def test_intersection_is_exact(a: list[int], b: list[int], workers: int) -> None:
    a_items, b_items = [b"%d" % x for x in a], [b"%d" % x for x in b]
    expected = [i for i, item in enumerate(a_items) if item in set(b_items)]
    assert run(a_items, b_items, workers=workers) == expected


def test_threads_over_many_chunks_match_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psi, "_CHUNK", 3)
    a, b = [b"%d" % i for i in range(40)], [b"%d" % i for i in range(30, 70)]
    assert run(a, b, workers=4) == list(range(30, 40))


def test_responder_sees_no_raw_hashes() -> None:
    items = [b"passport:FR:12AB34567", b"iban:GB82WEST12345698765432"]
    raw = {hash_to_group(item) for item in items}
    assert all(len(point) == 32 for point in raw)
    assert not points(PsiInitiator(items).blind().points) & raw
    reply = PsiResponder(items).respond(PsiInitiator([b"other"]).blind())
    assert not points(reply.own) & raw


def test_sessions_are_unlinkable() -> None:
    items = [b"name:john smith|1980", b"wallet:0xabc"]
    first, second = PsiInitiator(items).blind(), PsiInitiator(items).blind()
    assert first.session != second.session
    assert not points(first.points) & points(second.points)
    one, two = PsiResponder(items), PsiResponder(items)
    assert not points(one.respond(first).own) & points(two.respond(first).own)


def test_a_scalar_serves_one_session() -> None:
    responder = PsiResponder([b"x"])
    responder.respond(PsiInitiator([b"x"]).blind())
    with pytest.raises(RuntimeError, match="session is over"):
        responder.respond(PsiInitiator([b"x"]).blind())
    initiator = PsiInitiator([b"x"])
    reply = PsiResponder([b"x"]).respond(initiator.blind())
    assert initiator.finish(reply) == [0]
    with pytest.raises(RuntimeError, match="session is over"):
        initiator.finish(reply)


@pytest.mark.parametrize(
    "bad",
    [b"\xff" * 32, bytes(32), b"\x01" + bytes(31)],
    ids=["not-canonical", "identity", "not-on-curve"],
)
def test_invalid_points_refused(bad: bytes) -> None:
    good = PsiInitiator([b"a", b"b"]).blind()
    tampered = Blinded(session=good.session, points=good.points + bad)
    with pytest.raises(ValueError, match="Point 2 is not a valid"):
        PsiResponder([b"a"]).respond(tampered)
    initiator = PsiInitiator([b"a", b"b"])
    reply = PsiResponder([b"a"]).respond(initiator.blind())
    for broken in (
        Reply(reply.session, reply.double, bad + reply.own),
        Reply(reply.session, reply.double[:32] + bad, reply.own),
    ):
        with pytest.raises(ValueError, match="not a valid Ristretto255"):
            initiator.finish(broken)


def test_invalid_point_index_counts_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psi, "_CHUNK", 2)
    good = PsiInitiator([b"%d" % i for i in range(7)]).blind()
    tampered = Blinded(good.session, good.points[: 5 * 32] + b"\xff" * 32 + good.points[6 * 32 :])
    with pytest.raises(ValueError, match="Point 5 "):
        PsiResponder([b"a"], workers=2).respond(tampered)


def test_wrong_lengths_refused() -> None:
    good = PsiInitiator([b"a"]).blind()
    with pytest.raises(ValueError, match="33 bytes"):
        PsiResponder([b"a"]).respond(Blinded(good.session, good.points + b"\x00"))
    message = good.to_json() | {"count": 2}
    with pytest.raises(ValueError, match="2 expected"):
        Blinded.from_json(message)
    initiator = PsiInitiator([b"a", b"b"])
    reply = PsiResponder([b"a"]).respond(initiator.blind())
    with pytest.raises(ValueError, match="1 double-blinded points for 2 sent"):
        initiator.finish(Reply(reply.session, reply.double[:32], reply.own))


def test_oversized_input_refused() -> None:
    big = PsiInitiator([b"%d" % i for i in range(5)]).blind()
    with pytest.raises(ValueError, match="of 5 points; at most 4"):
        PsiResponder([b"a"], max_points=4).respond(big)
    with pytest.raises(ValueError, match="of 5 points; at most 4"):
        Blinded.from_json(big.to_json(), max_points=4)
    with pytest.raises(ValueError, match="at most 4"):
        PsiInitiator([b"%d" % i for i in range(5)], max_points=4)
    claimed = {"version": psi.PROTOCOL, "session": "s", "count": 10**9, "points": ""}
    with pytest.raises(ValueError, match="at most 2000000"):
        Blinded.from_json(claimed)


def test_malformed_messages_refused() -> None:
    good = PsiInitiator([b"a"]).blind().to_json()
    cases = [
        (good | {"version": "cthub-psi-v0"}, "not supported"),
        (good | {"session": 7}, "session id"),
        (good | {"points": "@@not base64@@"}, "not base64"),
        (good | {"count": "1"}, "lacks points or count"),
        ({k: v for k, v in good.items() if k != "points"}, "lacks points"),
    ]
    for message, error in cases:
        with pytest.raises(PsiInputError, match=error):
            Blinded.from_json(message)
    with pytest.raises(ValueError, match="not supported"):
        PsiResponder([b"a"]).respond(Blinded("s", base64.b64decode(good["points"]), "v9"))


def test_reply_for_another_session_refused() -> None:
    initiator, other = PsiInitiator([b"a"]), PsiInitiator([b"a"])
    initiator.blind()
    reply = PsiResponder([b"a"]).respond(other.blind())
    with pytest.raises(ValueError, match="another session"):
        initiator.finish(reply)
    assert Reply.from_json(reply.to_json()) == reply

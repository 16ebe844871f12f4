"""Crypto-asset addresses: codecs against the published vectors, OFAC's real data, the index, the
service. Codec and index tests need no database; service tests run on both backends."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cthub.core import auditlog
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.lists import load as load_list
from cthub.ownership.addresses import (
    AddressIndex,
    AddressQuery,
    ListedAddress,
    address_index,
    address_report,
    base58,
    comparison_key,
    from_file,
    key_array,
    labelling_report,
    normalise,
    screen_addresses,
    screen_wallets,
)
from cthub.ownership.addresses.bech32 import (
    bech32_decode,
    cashaddr_decode,
    cashaddr_verify,
    segwit_decode,
    segwit_encode,
)
from cthub.ownership.addresses.keccak import keccak256
from tests import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ownership" / "addresses"
LIST_2025 = FIXTURES / "ofac-addresses-2025-11"
CSV_SET = FIXTURES / "ofac-csv"
XML = FIXTURES / "sdn-crypto-sample.xml"

# BIP 173 / BIP 350 test vectors (bitcoin/bips, bip-0350.mediawiki)
VALID_BECH32 = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]
VALID_BECH32M = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]
INVALID_BECH32 = [
    " 1nwldj5",
    "\x7f1axkwrx",
    "\x801eym55h",
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "pzry9x0s0muk",
    "1pzry9x0s0muk",
    "x1b4n0q5v",
    "li1dgmt3",
    "de1lg7wt\xff",
    "A1G7SGD8",
    "10a06t8",
    "1qzzfhee",
]
VALID_SEGWIT = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]
INVALID_SEGWIT = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
    "bc1pw5dgrnzv",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
    "bc1gmk9yu",
]
# EIP-55 (ethereum/EIPs, eip-55.md): all caps, all lower, and normal mixed-case
EIP55 = [
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
# Bitcoin Cash cashaddr spec (upgradespecs.bitcoincashnode.org/cashaddr)
CASH_CHECKSUMS = [
    "prefix:x64nx6hz",
    "p:gpf8m4h7",
    "bitcoincash:qpzry9x8gf2tvdw0s3jn54khce6mua7lcw20ayyn",
    "bchtest:testnetaddress4d6njnut",
    "bchreg:555555555555555555555555555555555555555555555udxmlmrz",
]
CASH_LEGACY = [  # legacy, cashaddr payload (prefix bitcoincash:)
    ("1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"),
    ("1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR", "qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy"),
    ("16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb", "qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r"),
    ("3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"),
    ("3LDsS579y7sruadqu11beEJoTjdFiFCdX4", "pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e"),
    ("31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw", "pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37"),
]
# one valid address per chain format, all from OFAC's lists except where noted
VALID = [
    ("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "XBT", "btc-p2pkh"),
    ("3Gbs4rjcVUtQd8p3CiFUCxPLZwRqurezRZ", "XBT", "btc-p2sh"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "XBT", "btc-segwit"),  # BIP 173
    ("qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq", "BCH", "bch-cashaddr"),
    ("18M8bJWMzWHDBMxoLqjHHAffdRy4SrzkfB", "BCH", "btc-p2pkh"),
    ("12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9", "BSV", "btc-p2pkh"),
    ("GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS", "BTG", "btg-p2pkh"),
    ("LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb", "LTC", "ltc-p2pkh"),
    ("M8yFL6SFC6TreATegTyuSYkDfDRbisdpT3", "LTC", "ltc-p2sh"),
    ("XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2", "DASH", "dash-p2pkh"),
    ("t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL", "ZEC", "zec-t1"),
    ("DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z", "XVG", "xvg-p2pkh"),
    ("0x7F367cC41522cE07553e823bf3be79A889DEbe1B", "ETH", "evm"),
    ("0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b", "ETC", "evm"),
    ("0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c", "ARB", "evm"),
    ("0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c", "BSC", "evm"),
    ("0x983a81ca6FB1e441266D2FbcB7D8E530AC2E05A2", "USDC", "evm"),
    ("TA3941uFAvmVibSkQ6fMJXxmaSNovX86mz", "USDT", "tron"),
    ("1KUUJPkyDhamZXgpsyXqNGc3x1QPXtdhgz", "USDT", "btc-p2pkh"),
    ("TAYhjpL8pPs8T84FSM329nffQpc6jD8GBM", "TRX", "tron"),
    ("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66", "XRP", "xrp"),
    ("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "XRP", "xrp"),  # the XRP Ledger genesis account
    ("bnb136ns6lfw4zs5hg4n85vdthaad7hq5m4gtkgf23", "BNB", "bnb-beacon"),
    ("42RLPACwZPx3vYYmxSueqsogfynBDqXK298EDsNoyoHi", "SOL", "sol"),
    ("11111111111111111111111111111111", "SOL", "sol"),  # the Solana system program
    (
        "49HqitRzdnhYjgTEAhgGpCfsjdTeMbUTU6cyR4JV1R7k2Eej9rGT8JpFiYDa4tZM6RZiFrHmMzgSrhHEqpDYKBe5B2ufNsL",
        "XMR",
        "xmr-standard",
    ),
    (
        "84AwzjeFWXNEuhj8LWinXo93AqYr6wS8ZcnaBCoGhrL7EtvBMBovdhiUSV9xLhjrPA8t64hYSaMc8bHtWXoV9129EHUjU62",
        "XMR",
        "xmr-subaddress",
    ),
]


def _flip(address: str, at: int) -> str:
    """``address`` with one character changed to another of the same class."""
    ch = address[at]
    other = {"1": "2", "2": "3", "q": "p", "p": "q"}.get(ch) or ("b" if ch != "b" else "c")
    if ch.isupper():
        other = "B" if ch != "B" else "C"
    return address[:at] + other + address[at + 1 :]


# --- codecs: published vectors --------------------------------------------------------------


def test_keccak256_vectors() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"").hex() == empty
    abc = "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    assert keccak256(b"abc").hex() == abc
    assert len(keccak256(b"x" * 300)) == 32  # more than one 136-byte block


@pytest.mark.parametrize(
    ("vectors", "spec"), [(VALID_BECH32, "bech32"), (VALID_BECH32M, "bech32m")]
)
def test_bech32_checksums(vectors: list[str], spec: str) -> None:
    for text in vectors:
        assert bech32_decode(text).spec == spec, text
        pos = text.rfind("1")
        broken = text[: pos + 1] + chr(ord(text[pos + 1]) ^ 1) + text[pos + 2 :]
        assert not bech32_decode(broken).ok, broken


@pytest.mark.parametrize("text", INVALID_BECH32)
def test_bech32_invalid(text: str) -> None:
    assert bech32_decode(text).spec != "bech32"


@pytest.mark.parametrize(("address", "script"), VALID_SEGWIT)
def test_segwit_valid(address: str, script: str) -> None:
    hrp = "bc" if address.lower().startswith("bc") else "tb"
    found = segwit_decode(hrp, address)
    assert found.ok
    assert found.version is not None
    op = found.version + 0x50 if found.version else 0
    assert bytes([op, len(found.data)]).hex() + found.data.hex() == script
    assert segwit_encode(hrp, found.version, found.data) == address.lower()


@pytest.mark.parametrize("address", INVALID_SEGWIT)
def test_segwit_invalid(address: str) -> None:
    assert not segwit_decode("bc", address).ok
    assert not segwit_decode("tb", address).ok


def test_base58check_vectors() -> None:
    # bitcoinjs-lib test/fixtures/base58.js
    payload = base58.decode("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
    assert payload is not None
    assert payload.hex() == "00751e76e8199196d454941c45d1b3a323f1433bd6510d1634"
    assert base58.encode_check(bytes.fromhex("00751e76e8199196d454941c45d1b3a323f1433bd6")) == (
        "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"
    )
    assert base58.decode_check("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMI") is None  # I: not base58


@pytest.mark.parametrize("address", EIP55)
def test_eip55_vectors(address: str) -> None:
    assert normalise(address, "ETH").valid
    body = address[2:]
    if body.lower() != body and body.upper() != body:
        at = next(i for i, ch in enumerate(address) if i > 1 and ch.isalpha())
        wrong = address[:at] + address[at].swapcase() + address[at + 1 :]
        assert [p.kind for p in normalise(wrong, "ETH").problems] == ["eip55"]
        assert comparison_key(wrong) == comparison_key(address)  # still found


def test_cashaddr_vectors() -> None:
    for text in CASH_CHECKSUMS:
        assert cashaddr_verify(text), text
        assert cashaddr_verify(text.upper()), text
    for legacy, payload in CASH_LEGACY:
        cash = "bitcoincash:" + payload
        assert normalise(legacy, "BCH").valid
        for spelling in (cash, cash.upper(), payload, payload.upper()):
            assert normalise(spelling, "BCH").formats == ("bch-cashaddr",), spelling
            assert comparison_key(spelling) == payload
        index = AddressIndex([ListedAddress(legacy, "BCH", "test", "R1")])
        assert index.lookup_one(cash)  # cashaddr <-> legacy
        assert index.lookup_one(cash.upper())
    assert not cashaddr_decode("bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6b").ok


# --- formats and chains ---------------------------------------------------------------------


@pytest.mark.parametrize(("address", "chain", "form"), VALID)
def test_every_chain_format(address: str, chain: str, form: str) -> None:
    checked = normalise(address, chain)
    assert checked.valid, checked.problems
    assert form in checked.formats
    assert chain in checked.chains


def _checksummed(address: str, form: str) -> bool:
    body = address[2:]
    return form != "sol" and (form != "evm" or body not in (body.lower(), body.upper()))


@pytest.mark.parametrize(("address", "chain", "form"), [v for v in VALID if _checksummed(*v[::2])])
def test_a_typo_is_a_bad_checksum(address: str, chain: str, form: str) -> None:
    """Solana and one-case EVM hex carry no checksum; every other format catches a typo."""
    wrong = _flip(address, len(address) - 3)
    kinds = {p.kind for p in normalise(wrong, chain).problems}
    assert kinds & {"bad_checksum", "eip55", "invalid"}, (wrong, kinds)


def test_ofac_2025_list_every_address_normalises() -> None:
    records = list(from_file(LIST_2025))
    assert len(records) == 758
    assert Counter(r.chain for r in records)["XBT"] == 517
    wrong = {}
    for record in records:
        checked = normalise(record.address, record.chain)
        assert checked.key
        assert checked.chain
        if checked.problems:
            wrong[record.address] = [p.kind for p in checked.problems]
    assert wrong == {
        "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq": ["label_mismatch"],  # TRON, filed as XBT
        "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320": ["invalid"],  # XMR
    }


def test_labelling_report_of_the_real_data() -> None:
    report = labelling_report(from_file(LIST_2025))
    assert (report.records, report.addresses) == (758, 745)
    assert report.by_kind == Counter({"label_mismatch": 1, "invalid": 1})
    assert report.mixed_case_evm > 30  # OFAC writes most of them with EIP-55 checksums
    (row,) = [r for r in report.rows() if r["kind"] == "label_mismatch"]
    assert (row["declared"], row["detected"]) == ("XBT", "tron")
    old = labelling_report(from_file(CSV_SET))
    assert old.records == 97
    assert old.by_kind == Counter({"invalid": 2})  # the 64-hex "XMR" and a 39-digit ETH
    assert "0xa7e5d5a720f06526557c513402f2e6b5fa20b00" in {r["address"] for r in old.rows()}
    assert "invalid 2" in old.summary()


def test_label_mismatch_is_reported_and_corrected() -> None:
    index = AddressIndex([ListedAddress("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq", "XBT", "ofac")])
    ((listed, chain),) = index.lookup_one("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")
    assert (listed.chain, chain) == ("XBT", "TRX")  # the list's label kept, the hit corrected
    assert [p.kind for ip in index.problems for p in ip.checked.problems] == ["label_mismatch"]
    evm_as_btc = normalise("0x7F367cC41522cE07553e823bf3be79A889DEbe1B", "BTC")
    assert [p.kind for p in evm_as_btc.problems] == ["label_mismatch"]


def test_unknown_chain_is_reported() -> None:
    checked = normalise("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "DOGEZ")
    assert [p.kind for p in checked.problems] == ["unknown_chain"]
    assert "DOGEZ" in checked.problems[0].message
    assert checked.formats == ("btc-p2pkh",)  # still read by format


def test_ofac_csv_remarks_joined_with_comments() -> None:
    records = list(from_file(CSV_SET))
    by_address = {r.address: r for r in records}
    split = by_address["0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"]  # cut mid-"Address"
    assert (split.chain, split.list_ref) == ("ETH", "29703")
    assert split.holder == "Anton Nikolaeyvich ANDREYEV"
    assert split.program == "CYBER2; ELECTION-EO13848"
    assert Counter(r.chain for r in records)["XBT"] == 65


# --- case rules and the index ---------------------------------------------------------------


@pytest.fixture(scope="module")
def index() -> AddressIndex:
    return AddressIndex([*from_file(CSV_SET), *from_file(LIST_2025)])


def test_case_rules_per_chain(index: AddressIndex) -> None:
    evm = "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"
    for spelling in (evm, evm.lower(), "0x" + evm[2:].upper(), " " + evm + "\t"):
        assert index.lookup_one(spelling), spelling
    bech = next(r.address for r in from_file(LIST_2025) if r.address.startswith("bc1q"))
    assert index.lookup_one(bech.upper())
    cash = "qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq"
    assert index.lookup_one("bitcoincash:" + cash.upper())
    for base58_address in (
        "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
        "TAYhjpL8pPs8T84FSM329nffQpc6jD8GBM",
    ):
        assert index.lookup_one(base58_address)
        assert not index.lookup_one(base58_address.swapcase())
        assert not index.lookup_one(base58_address.lower())


def test_hits_carry_reference_and_programme(index: AddressIndex) -> None:
    hits = index.lookup(["nothing", "0X901BB9583B24D97E995513C6778DC6888AB6870E", None, ""])
    assert [h.position for h in hits] == [1]
    assert hits[0].listed.list_ref == "29702"
    assert hits[0].listed.holder == "Artem Mikhaylovich LIFSHITS"
    assert hits[0].listed.program == "CYBER2; ELECTION-EO13848"
    assert hits[0].chain == "ETH"
    # the 2025 list (no holder) does not add a second, empty listing beside the referenced one
    assert len(index.lookup_one("0x901bb9583b24d97e995513c6778dc6888ab6870e")) == 1


ADDRESSY = st.one_of(
    st.text(),
    st.builds(
        lambda p, rest: p + rest,
        st.sampled_from(["0x", "0X", "bc1", "BC1", "bitcoincash:", "BitcoinCash:", "q", "ltc1"]),
        st.text(
            alphabet="qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRYX0ABCabc1: \t\x00\u00e9", max_size=60
        ),
    ),
)


@given(st.lists(ADDRESSY, max_size=30))
def test_vectorised_key_equals_scalar_key(texts: list[str]) -> None:
    assert key_array(pa.array(texts, pa.string())).to_pylist() == [comparison_key(t) for t in texts]


def test_lookup_speed(index: AddressIndex) -> None:
    """A smoke check of the order of magnitude (the benchmark measures it properly)."""
    queries = pa.array([r.address for r in from_file(LIST_2025)] * 300, pa.string())
    started = time.perf_counter()
    found = index.contains(queries)
    elapsed = time.perf_counter() - started
    assert found.true_count == len(queries)
    assert len(queries) / elapsed > 200_000


# --- hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("x" * 10_000, "too_long"),
        ("1" * 10_000, "too_long"),
        ("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\x00", "bad_characters"),
        ("12QtD5BFwRsdNsAZY76\x1bUVE1xyCGNTojH9h", "bad_characters"),
        ("12QtD5BFwRsdNsAZY76 UVE1xyCGNTojH9h", "bad_characters"),
        ("0x7F367cC41522cE07553e823bf3be79A889DEbe1\u0411", "bad_characters"),
        ("", "empty"),
        ("   \t", "empty"),
        ("hello", "invalid"),
        ("0x" + "g" * 40, "invalid"),
        ("=cmd|' /C calc'!A0", "bad_characters"),
    ],
)
def test_hostile_strings(text: str, kind: str) -> None:
    started = time.perf_counter()
    checked = normalise(text, "XBT")
    assert time.perf_counter() - started < 0.05
    assert [p.kind for p in checked.problems] == [kind]
    assert "\x00" not in checked.problems[0].message
    assert (
        AddressIndex([ListedAddress("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "XBT", "t")]).lookup(
            [text]
        )
        == []
    )


def test_bad_address_list_files(tmp_path: Path) -> None:
    (tmp_path / "wallets.txt").write_text("1abc\n")
    with pytest.raises(InvalidInput, match="chain cannot be told"):
        list(from_file(tmp_path / "wallets.txt"))
    (tmp_path / "list.csv").write_text("wallet,network\nx,y\n")
    with pytest.raises(InvalidInput, match="column address, chain is missing"):
        list(from_file(tmp_path / "list.csv"))
    with pytest.raises(InvalidInput, match="does not exist"):
        list(from_file(tmp_path / "nothing.csv"))
    (tmp_path / "ok.csv").write_text(
        "address,chain,holder\n12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h,XBT,X\n"
    )
    (record,) = from_file(tmp_path / "ok.csv", "mine")
    assert (record.list, record.holder) == ("mine", "X")


# --- the service, on both backends ----------------------------------------------------------


@pytest.fixture
def listed(hub: Hub) -> Hub:
    load_list(hub, factories.OPERATOR, "ofac-xml", XML)
    return hub


def test_addresses_from_stored_entries(listed: Hub) -> None:
    analyst = factories.member(listed, "analyst")
    rows = [
        AddressQuery("12qtd5bfwrsdnsazy76uve1xycgntojh9h", "XBT", "a", "row 1"),
        AddressQuery("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", None, "b", "row 2"),
        AddressQuery("BITCOINCASH:QPF2CPHC5DKUCLKQUR7LHJ2YUQQ9PK3HMUKLE77VHQ", "BCH", "c", "row 3"),
        AddressQuery("0x7F367cC41522cE07553e823bf3be79A889DEbe1B", "FOO", "d", "row 4"),
    ]
    result = screen_addresses(listed, analyst.actor, rows)
    assert [(q.id, h.listed.list_ref, h.listed.program) for q, h in result.hits] == [
        ("b", "25308", "SDNTK"),
        ("c", "31212", "NPWMD; CYBER2; ELECTION-EO13848"),
    ]
    assert [(p.query.id, [x.kind for x in p.problems]) for p in result.problems] == [
        ("a", ["bad_checksum"]),
        ("d", ["unknown_chain"]),
    ]
    assert result.problems[0].render().startswith('row 1 (id a): address "12qtd5bf')
    kinds = Counter(p.kind for found in result.list_problems for p in found.checked.problems)
    assert kinds == Counter({"invalid": 2})
    event = auditlog.list_events(listed, factories.OPERATOR, limit=5).events[0]
    assert event.action == "screening.screen"
    assert event.details["kind"] == "addresses"
    assert (event.details["addresses"], event.details["hits"]) == (4, 2)
    assert "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h" not in str(event.details)


def test_address_lists_and_report(listed: Hub) -> None:
    rows = [AddressQuery("TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq")]
    result = screen_addresses(listed, factories.OPERATOR, rows, address_lists=[LIST_2025])
    assert [(h.chain, h.listed.list) for _, h in result.hits] == [("TRX", "ofac-sdn")]
    report = address_report(listed, factories.OPERATOR, ["ofac-xml"], [LIST_2025])
    assert report.by_kind == Counter({"invalid": 3, "label_mismatch": 1})


def test_index_cache_follows_list_versions(listed: Hub) -> None:
    first = address_index(listed, factories.OPERATOR)
    assert address_index(listed, factories.OPERATOR) is first
    load_list(listed, factories.OPERATOR, "ofac-xml", XML, rescreen=False)  # version 2
    assert address_index(listed, factories.OPERATOR) is not first
    assert address_index(listed, factories.OPERATOR, address_lists=[CSV_SET]) is not first


def test_wallets_for_finance(listed: Hub) -> None:
    analyst = factories.member(listed, "analyst")
    southfront = "0X9F4CDA013E354B8FC285BF4B9A60460CEE7F7EA9"
    wallets = [southfront, "", "bc1qnothing", southfront]
    hits = screen_wallets(listed, analyst.actor, wallets)
    assert [(h.address, h.listed.holder) for h in hits] == [(southfront, "SOUTHFRONT")]


def test_no_addresses_listed_and_permission(hub: Hub) -> None:
    load_list(hub, factories.OPERATOR, "un")
    with pytest.raises(NotFound, match="No crypto-asset address"):
        screen_addresses(hub, factories.OPERATOR, [AddressQuery("x")])
    assert screen_wallets(hub, factories.OPERATOR, ["x"]) == []
    with pytest.raises(NotFound, match="No active version of list nope"):
        screen_addresses(hub, factories.OPERATOR, [], lists=["nope"])
    partner = factories.member(hub, "partner")
    with pytest.raises(Forbidden):
        screen_addresses(hub, partner.actor, [AddressQuery("x")])


def test_a_list_loaded_from_the_ofac_csv_set_carries_its_addresses(hub: Hub) -> None:
    """The legacy CSV set's remarks (joined with ``sdn_comments.csv``, where OFAC continues
    a remark cut mid-word) give the same addresses as the XML source."""
    load_list(hub, factories.OPERATOR, "ofac-sdn", CSV_SET, rescreen=False)
    found = address_index(hub, factories.OPERATOR)
    assert len(found) >= 90
    # 29703's ETH address is split across sdn.csv ("...Addres") and sdn_comments.csv ("s - ETH")
    hits = screen_wallets(hub, factories.OPERATOR, ["0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"])
    assert [h.listed.list_ref for h in hits] == ["29703"]

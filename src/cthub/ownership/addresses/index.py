"""``AddressIndex``: listed crypto-asset addresses by comparison key, for millions of lookups.

Built once from ``ListedAddress`` records (address, declared chain, list, reference, holder,
programme). Each record is normalised: its problems (OFAC's own labelling errors among them)
are kept in ``problems`` for the labelling report, and the record is indexed under its key
whatever they are, so an address is found as the list spells it. A Bitcoin Cash listing is also
indexed under its other spelling (cashaddr <-> legacy), the same destination.

``lookup`` takes a batch and works on Arrow: the comparison key of every address is computed
by vectorised kernels (trim, ASCII lower case where the format class says so), then
``index_in`` against the sorted unique keys; only the hits come back to Python. ``lookup_one``
is the same rule for one address. The two agree by construction: ``key_array`` is
``formats.comparison_key`` written in Arrow kernels, and a test holds them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc

from cthub.ownership.addresses.formats import (
    BARE_CASHADDR,
    BECH32_PREFIXES,
    STRIP,
    comparison_key,
    equivalent_keys,
)
from cthub.ownership.addresses.normalise import Normalised, normalise

_BECH32_RE = "^(" + "|".join(p[:-1] for p in BECH32_PREFIXES) + ")1"
_CASH_COLON = "bitcoincash:"
_MAYBE_RE = "^(?:" + "|".join(BECH32_PREFIXES) + "|bitcoincash:|[qp])"


@dataclass(frozen=True)
class ListedAddress:
    """One address a list attributes to a holder. ``chain`` as the list declares it."""

    address: str
    chain: str
    list: str
    list_ref: str = ""
    holder: str = ""
    program: str = ""


@dataclass(frozen=True)
class AddressHit:
    """A looked-up address (``position`` in the batch, as given) and the listing it matched.

    ``chain`` is the listing's chain, corrected where the list's label contradicts the format.
    """

    position: int
    address: str
    listed: ListedAddress
    chain: str


@dataclass(frozen=True)
class IndexedProblem:
    record: ListedAddress
    checked: Normalised


def key_array(addresses: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``comparison_key`` of every string of ``addresses`` (nulls stay null), vectorised.

    Most addresses are base58 (kept) or EVM (lowered) and need two cheap passes; only those
    that could be bech32 or cashaddr (a ``bc1``-like prefix, ``bitcoincash:``, a leading
    ``q``/``p``) go through the case and shape tests, on the subset alone.
    """
    if isinstance(addresses, pa.ChunkedArray):
        addresses = addresses.combine_chunks()
    s = pc.utf8_trim(addresses, characters=STRIP)
    low = pc.ascii_lower(s)
    ascii_ = pc.fill_null(pc.string_is_ascii(s), False)
    key = pc.if_else(pc.and_(ascii_, pc.starts_with(low, "0x")), low, s)
    maybe = pc.fill_null(pc.and_(ascii_, pc.match_substring_regex(low, _MAYBE_RE)), False)
    if not pc.any(maybe).as_py():
        return key
    classed = _classed_keys(pc.filter(s, maybe), pc.filter(low, maybe))
    return pc.replace_with_mask(key, maybe, classed)


def _classed_keys(s: pa.Array, low: pa.Array) -> pa.Array:
    """The bech32 / cashaddr part of the rule, for strings that may be either."""
    one_case = pc.or_(pc.equal(s, low), pc.equal(s, pc.ascii_upper(s)))
    classed = pc.or_(
        pc.match_substring_regex(low, _BECH32_RE), pc.match_substring_regex(low, BARE_CASHADDR)
    )
    body = pc.utf8_slice_codeunits(s, len(_CASH_COLON))
    body_one_case = pc.or_(
        pc.equal(body, pc.ascii_lower(body)), pc.equal(body, pc.ascii_upper(body))
    )
    prefixed = pc.and_(body_one_case, pc.starts_with(low, _CASH_COLON))
    stripped = pc.utf8_slice_codeunits(low, len(_CASH_COLON))
    return pc.if_else(pc.and_(one_case, classed), low, pc.if_else(prefixed, stripped, s))


class AddressIndex:
    """Listed addresses by comparison key. Build with ``AddressIndex(records)``."""

    def __init__(self, records: Iterable[ListedAddress]) -> None:
        by_key: dict[str, dict[tuple[str, str, str], tuple[ListedAddress, str]]] = {}
        self.problems: list[IndexedProblem] = []
        self.records = 0
        for record in records:
            checked = normalise(record.address, record.chain)
            if checked.address != record.address:
                record = replace(record, address=checked.address)
            self.records += 1
            if checked.problems:
                self.problems.append(IndexedProblem(record, checked))
            chain = checked.chain or record.chain
            for key in (checked.key, *self._aliases(checked)):
                same = (record.list, record.list_ref, chain)
                by_key.setdefault(key, {}).setdefault(same, (record, chain))
        self._by_key = {key: _best(found) for key, found in by_key.items()}
        keys = sorted(self._by_key)
        self._keys = pa.array(keys, pa.string())
        self._slots = [self._by_key[k] for k in keys]

    @staticmethod
    def _aliases(checked: Normalised) -> list[str]:
        if checked.declared == "BCH" or "bch-cashaddr" in checked.formats:
            return equivalent_keys(checked.key, checked.formats)
        return []

    def __len__(self) -> int:
        return len(self._slots)

    @property
    def lists(self) -> list[str]:
        return sorted({r.list for found in self._slots for r, _ in found})

    def lookup_one(self, address: str) -> tuple[tuple[ListedAddress, str], ...]:
        """``(listing, chain)`` pairs for one address; empty when it is not listed."""
        return self._by_key.get(comparison_key(address), ())

    def _found(self, addresses: Sequence[str | None] | pa.Array) -> tuple[pa.Array, pa.Array]:
        array = addresses if isinstance(addresses, pa.Array) else pa.array(addresses, pa.string())
        return array, pc.index_in(key_array(array), value_set=self._keys)

    def contains(self, addresses: Sequence[str | None] | pa.Array) -> pa.BooleanArray:
        """Whether each address is listed: a mask, all in Arrow (for filters and joins)."""
        _, found = self._found(addresses)
        return pc.is_valid(found)

    def lookup(self, addresses: Sequence[str | None] | pa.Array) -> list[AddressHit]:
        """Every hit of a batch, in batch order. ``None`` entries are skipped."""
        if len(addresses) == 0 or len(self._keys) == 0:
            return []
        array, found = self._found(addresses)
        where = pc.indices_nonzero(pc.is_valid(found))
        slots = pc.take(found, where).to_pylist()
        given = pc.take(array, where).to_pylist()
        return [
            AddressHit(position, text, record, chain)
            for position, text, slot in zip(where.to_pylist(), given, slots, strict=True)
            for record, chain in self._slots[slot]
        ]


def _best(
    found: dict[tuple[str, str, str], tuple[ListedAddress, str]],
) -> tuple[tuple[ListedAddress, str], ...]:
    """One key's listings; those with no reference go when another names the holder."""
    full = any(ref for _, ref, _ in found)
    kept = [pair for (_, ref, _), pair in found.items() if ref or not full]
    return tuple(sorted(kept, key=lambda pair: (pair[0].list, pair[0].list_ref, pair[1])))


__all__ = ["AddressHit", "AddressIndex", "IndexedProblem", "ListedAddress", "key_array"]

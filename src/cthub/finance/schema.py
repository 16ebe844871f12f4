"""The canonical transaction table every finance module reads: columns, types and vocabularies.

Stored as Parquet (one partition per ingest, ``<data_dir>/finance/<dataset>/part-*.parquet``)
and queried with DuckDB, or with Spark for scale-out. Amounts are integer minor units
(``amount_minor``, e.g. cents) with the ISO 4217 ``currency``; never floats.

Conventions: a cash withdrawal is ``channel = 'cash'`` with an empty ``receiver`` and the
country where the cash was taken in ``receiver_country``; a cash deposit is ``channel =
'cash'`` with an empty ``sender``. Account identifiers are opaque strings (IBAN, wallet
address, internal id); names are as the institution holds them.
"""

from __future__ import annotations

#: Required columns of an input file (after the column mapping), in canonical order.
REQUIRED = ("tx_id", "timestamp", "sender", "receiver", "amount", "currency")
#: Optional columns.
OPTIONAL = (
    "sender_name",
    "receiver_name",
    "sender_country",
    "receiver_country",
    "channel",
    "sender_type",
    "receiver_type",
    "sender_identifier",
)
#: Columns of the stored table (Parquet / DuckDB), with their DuckDB types.
STORED: dict[str, str] = {
    "tx_id": "VARCHAR",
    "ts": "TIMESTAMP",  # UTC, naive
    "sender": "VARCHAR",
    "receiver": "VARCHAR",
    "amount_minor": "BIGINT",
    "currency": "VARCHAR",  # ISO 4217 alpha-3, upper case
    "sender_name": "VARCHAR",
    "receiver_name": "VARCHAR",
    "sender_country": "VARCHAR",  # ISO 3166-1 alpha-2, upper case, '' when unknown
    "receiver_country": "VARCHAR",
    "channel": "VARCHAR",  # one of CHANNELS
    "sender_type": "VARCHAR",  # one of PARTY_TYPES, '' when unknown
    "receiver_type": "VARCHAR",
    #: an identifier the institution holds for the sender (phone, e-mail, device, ID
    #: document), '' when none: the shared-identifier rule looks for one across many senders
    "sender_identifier": "VARCHAR",
}
CHANNELS = ("transfer", "cash", "card", "crypto", "money_service", "hawala")
PARTY_TYPES = ("person", "company", "npo")

__all__ = ["CHANNELS", "OPTIONAL", "PARTY_TYPES", "REQUIRED", "STORED"]

"""Crypto-asset address screening: per-chain codecs, an index of listed addresses, the service.

``normalise`` checks one address (formats, checksums, the declared chain) and gives its
comparison key; ``AddressIndex`` holds listed addresses for batch lookups; ``labelling_report``
counts what is wrong with a list's own addresses. ``screen_addresses`` (checked, per-record
problems) and ``screen_wallets`` (finance's crypto channel) are the audited service calls;
``address_index`` builds the index from the active lists (and address-list files).
"""

from cthub.ownership.addresses.chains import CHAINS, Chain, chain_code
from cthub.ownership.addresses.extract import from_entries, from_file, from_ofac_csv
from cthub.ownership.addresses.formats import FORMATS, comparison_key, detect
from cthub.ownership.addresses.index import AddressHit, AddressIndex, ListedAddress, key_array
from cthub.ownership.addresses.normalise import PROBLEMS, Normalised, Problem, normalise
from cthub.ownership.addresses.report import LabellingReport, labelling_report
from cthub.ownership.addresses.service import (
    AddressQuery,
    AddressScreening,
    RecordProblem,
    address_index,
    address_report,
    screen_addresses,
    screen_wallets,
)

__all__ = [
    "CHAINS",
    "FORMATS",
    "PROBLEMS",
    "AddressHit",
    "AddressIndex",
    "AddressQuery",
    "AddressScreening",
    "Chain",
    "LabellingReport",
    "ListedAddress",
    "Normalised",
    "Problem",
    "RecordProblem",
    "address_index",
    "address_report",
    "chain_code",
    "comparison_key",
    "detect",
    "from_entries",
    "from_file",
    "from_ofac_csv",
    "key_array",
    "labelling_report",
    "normalise",
    "screen_addresses",
    "screen_wallets",
]

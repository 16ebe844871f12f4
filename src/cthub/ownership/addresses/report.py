"""The labelling report: what is wrong with a list's own addresses, counted by kind.

Lists are screened as published, and OFAC's crypto-asset data has errors of its own (a TRON
address filed as Bitcoin, a 64-hex-digit string filed as Monero, an Ethereum address one digit
short). The report names each one with its holder, so it can be sent back to the publisher;
the index still holds those addresses under their key, so nothing listed is dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from cthub.ownership.addresses.index import ListedAddress
from cthub.ownership.addresses.normalise import PROBLEMS, Normalised, normalise

COLUMNS = ("kind", "declared", "detected", "address", "list", "list_ref", "holder", "message")


@dataclass
class LabellingReport:
    records: int = 0
    addresses: int = 0  # distinct comparison keys
    by_chain: Counter[str] = field(default_factory=Counter)  # records per declared chain
    by_kind: Counter[str] = field(default_factory=Counter)  # problems per kind
    mixed_case_evm: int = 0  # EVM addresses written with an EIP-55 checksum (all valid or not)
    findings: list[tuple[ListedAddress, Normalised]] = field(default_factory=list)

    def rows(self) -> list[dict[str, str]]:
        """One row per problem, ``COLUMNS``, in the order found."""
        return [
            {
                "kind": problem.kind,
                "declared": record.chain,
                "detected": ",".join(checked.formats),
                "address": checked.address,
                "list": record.list,
                "list_ref": record.list_ref,
                "holder": record.holder,
                "message": problem.message,
            }
            for record, checked in self.findings
            for problem in checked.problems
        ]

    def summary(self) -> str:
        """``758 listed addresses (745 distinct): 2 problems (invalid 1, label_mismatch 1)``."""
        counts = ", ".join(f"{k} {self.by_kind[k]}" for k in PROBLEMS if self.by_kind[k])
        total = sum(self.by_kind.values())
        head = f"{self.records} listed addresses ({self.addresses} distinct)"
        return f"{head}: {total} problems ({counts})" if total else f"{head}: no problems"


def labelling_report(records: Iterable[ListedAddress]) -> LabellingReport:
    """Normalise every record against its declared chain and count what is wrong."""
    report = LabellingReport()
    keys: set[str] = set()
    for record in records:
        checked = normalise(record.address, record.chain)
        report.records += 1
        report.by_chain[record.chain] += 1
        keys.add(checked.key)
        body = checked.address[2:]
        if "evm" in checked.formats and body.lower() != body and body.upper() != body:
            report.mixed_case_evm += 1
        if checked.problems:
            report.findings.append((record, checked))
            report.by_kind.update(p.kind for p in checked.problems)
    report.addresses = len(keys)
    return report


__all__ = ["COLUMNS", "LabellingReport", "labelling_report"]

"""What the generator plants and how much: typologies, decoys and their parameters.

Typologies follow public terrorist-financing guidance: FATF *Guidance for Financial
Institutions in Detecting Terrorist Financing* (2002), FATF *Emerging Terrorist Financing
Risks* (2015) and FinCEN red flags (structuring below the 10,000 reporting threshold, funnel
and pass-through accounts, shared identifiers). Decoys are benign accounts that look like a
typology to a naive rule, so that rules have false positives to fight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cthub.core.errors import InvalidInput
from cthub.finance.synth.geo import CURRENCIES, INDEX

TYPOLOGIES: tuple[str, ...] = (
    "structuring",
    "crowdfunding",
    "pass_through",
    "high_risk_jurisdiction",
    "cash_abroad_burst",
    "npo_inconsistent",
    "dormant_reactivation",
    "shared_identifier",
    "sanctioned_counterparty",
)
DECOYS: tuple[str, ...] = (
    "card_merchant",  # many small card payments in from many payers, weekly sweep out
    "salary_below_threshold",  # one monthly salary of 9,100-9,990: below T, but monthly
    "legitimate_charity",  # NPO paying partner NPOs abroad, non-round, by bank transfer
    "fundraiser",  # many small gifts in, one domestic payment out (e.g. a funeral home)
    "savings_sweep",  # salary in, moved within hours to the holder's own account elsewhere
    "traveller",  # cash withdrawals and card payments abroad on holiday, no funding burst
    "household",  # two or three accounts sharing one phone or e-mail
    "namesake",  # payments to a person who shares a family name with a listed person
)
#: FATF-listed, conflict or conflict-adjacent countries (countries only: border provinces
#: cannot be represented in a country column)
DEFAULT_HIGH_RISK: tuple[str, ...] = ("SY", "IQ", "AF", "SO", "YE", "LY", "ML", "NE", "BF")
#: where foreign-fighter cash bursts happen in the default setting: transit countries
DEFAULT_CASH_ABROAD: tuple[str, ...] = ("TR", "JO", "LB", "IQ")


def _fractions(names: tuple[str, ...], value: float) -> dict[str, float]:
    return dict.fromkeys(names, value)


@dataclass(frozen=True)
class SynthConfig:
    """Parameters of one synthetic dataset; every default is documented in ``synth``.

    ``typology_fraction`` and ``decoy_fraction`` give the share of customer accounts planted
    with each pattern (at least one account each when the share is above zero);
    ``threshold_minor`` is the reporting threshold in minor units of ``home_currency``;
    ``listed_names`` overrides the names taken from the bundled UN list; ``activity`` scales
    every customer's rate of discretionary payments.
    """

    home_country: str = "DE"
    home_currency: str = "EUR"
    typology_fraction: Mapping[str, float] = field(
        default_factory=lambda: _fractions(TYPOLOGIES, 0.002)
    )
    decoy_fraction: Mapping[str, float] = field(default_factory=lambda: _fractions(DECOYS, 0.002))
    threshold_minor: int = 1_000_000
    structuring_window_days: int = 7
    structuring_min_count: int = 4
    high_risk_countries: tuple[str, ...] = DEFAULT_HIGH_RISK
    cash_abroad_countries: tuple[str, ...] = DEFAULT_CASH_ABROAD
    dormant_days: int = 180
    company_share: float = 0.10
    npo_share: float = 0.008
    activity: float = 1.0
    listed_names: tuple[str, ...] | None = None
    listed_name_count: int = 25
    #: rows per chunk, the unit of streaming (memory); each chunk has its own random stream,
    #: so a dataset is reproducible for a given ``chunk_rows`` (the default for all sizes)
    chunk_rows: int = 500_000

    def validate(self, accounts: int, days: int) -> None:
        """Raise ``InvalidInput`` naming the first parameter that cannot be generated."""
        _require(accounts >= 200, "accounts", "at least 200 accounts")
        _require(days >= 30, "days", "at least 30 days")
        _require(self.home_country in INDEX, "home_country", "a country the generator knows")
        _require(self.home_currency in CURRENCIES, "home_currency", "EUR, USD or GBP")
        for code in (*self.high_risk_countries, *self.cash_abroad_countries):
            _require(code in INDEX, "high_risk_countries", "countries the generator knows")
        _require(bool(self.high_risk_countries), "high_risk_countries", "at least one")
        _require(bool(self.cash_abroad_countries), "cash_abroad_countries", "at least one")
        unknown = set(self.typology_fraction) - set(TYPOLOGIES)
        _require(not unknown, "typology_fraction", "names from TYPOLOGIES")
        _require(not set(self.decoy_fraction) - set(DECOYS), "decoy_fraction", "DECOYS")
        shares = [*self.typology_fraction.values(), *self.decoy_fraction.values()]
        _require(all(0 <= s <= 0.05 for s in shares), "fractions", "shares in [0, 0.05]")
        _require(self.threshold_minor >= 10_000, "threshold_minor", "at least 100.00")
        _require(2 <= self.structuring_min_count <= 20, "structuring_min_count", "2 to 20")
        _require(1 <= self.structuring_window_days <= 31, "structuring_window_days", "1-31")
        _require(self.dormant_days >= 14, "dormant_days", "at least 14")
        _require(0 < self.activity <= 20, "activity", "in (0, 20]")
        _require(0 <= self.company_share <= 0.4, "company_share", "in [0, 0.4]")
        _require(0 <= self.npo_share <= 0.1, "npo_share", "in [0, 0.1]")
        _require(self.listed_name_count >= 1, "listed_name_count", "at least 1")
        _require(self.chunk_rows >= 1000, "chunk_rows", "at least 1,000")

    def count(self, name: str, accounts: int) -> int:
        """How many accounts (for a ring: members) carry typology or decoy ``name``."""
        share = self.typology_fraction.get(name, self.decoy_fraction.get(name, 0.0))
        return max(1, round(share * accounts)) if share > 0 else 0


def _require(ok: bool, field_name: str, expected: str) -> None:
    if not ok:
        raise InvalidInput(
            "Synthetic data parameter {field} is out of range.",
            hint="Use {expected}.",
            field=field_name,
            expected=expected,
        )

"""Declarative indicator rules for terrorist-financing monitoring over the ``tx`` table.

Rules are YAML (``library/`` ships one per indicator: structuring, gather-scatter,
pass-through, high-risk jurisdictions, cash abroad in a burst, NPO flows, dormant
reactivation, shared identifiers, sanctioned counterparties), each an instance of a rule kind
with typed, checked parameters. ``compile_rule`` makes one SQL text that DuckDB and Spark SQL
both run; ``run_rules`` runs rules on either engine and returns their hits (``HITS``: rule,
account, tx_id, ts, detail); ``score_accounts`` ranks accounts by the rules they fired.
``listed_names`` screens counterparty names for the sanctioned-counterparty rule.
"""

from __future__ import annotations

from cthub.finance.rules.compiler import compile_rule
from cthub.finance.rules.executor import (
    ENGINES,
    HITS,
    LISTED,
    counterparty_names,
    counterparty_wallets,
    run_rules,
)
from cthub.finance.rules.kinds import Example, RuleKind, registry
from cthub.finance.rules.listed import listed_names, listed_wallets
from cthub.finance.rules.loader import LIBRARY, configure, library, load_rules, parse_rule
from cthub.finance.rules.model import Params, Rule
from cthub.finance.rules.params import Duration, Param
from cthub.finance.rules.scoring import SCORES, score_accounts

__all__ = [
    "ENGINES",
    "HITS",
    "LIBRARY",
    "LISTED",
    "SCORES",
    "Duration",
    "Example",
    "Param",
    "Params",
    "Rule",
    "RuleKind",
    "compile_rule",
    "configure",
    "counterparty_names",
    "counterparty_wallets",
    "library",
    "listed_names",
    "listed_wallets",
    "load_rules",
    "parse_rule",
    "registry",
    "run_rules",
    "score_accounts",
]

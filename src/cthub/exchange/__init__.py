"""Purpose-bound, audited information exchange between partner organisations and nodes.

- Partners and audiences (``partners``, ``identity``, ``signing``, ``nodeauth``): local
  organisations or other cthub nodes, each with an Ed25519 key; every node request is signed.
- Packages and release rules (``packages``, ``release``, ``tlp``, ``decisions``, ``sharing``):
  TLP 2.0 with the official STIX marking ids, PAP, purposes, legal basis, expiry; the rule is
  decided on every query, export, sync, TAXII read and onward step, and each decision is kept.
- Formats (``formats``, ``intake``, ``export``): STIX 2.1 (validated with ``stix2``), MISP
  events, FollowTheMoney, files as artifacts; zip-bomb and size guards.
- Disclosure log (``merkle``, ``disclosure``, ``treehead``, ``logverify``, ``logcheck``): an
  RFC 6962 Merkle log per organisation, signed tree heads, inclusion and consistency proofs,
  fork detection; ``cthub exchange log verify`` is the verifier.
- Node-to-node (``sync``, ``envelopes``, ``inbox``, ``notices``, ``onward``, ``peers``):
  incremental, resumable pull and push, corrections and erasures with acknowledgements,
  onward-sharing requests to the originator.
- TAXII 2.1 (``taxii``, ``taxii_filters``), private set intersection (``psi``, ``psimatch``),
  lawful data requests (``lawful``), demo data (``demo``).
"""

from cthub.exchange.packages import ReleaseSpec, create, create_from
from cthub.exchange.partners import add_partner, create_audience
from cthub.exchange.release import Ask, Rule, Verdict, evaluate
from cthub.exchange.tlp import Tlp, parse_tlp

__all__ = [
    "Ask",
    "ReleaseSpec",
    "Rule",
    "Tlp",
    "Verdict",
    "add_partner",
    "create",
    "create_audience",
    "create_from",
    "evaluate",
    "parse_tlp",
]

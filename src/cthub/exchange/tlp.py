"""Traffic Light Protocol 2.0 labels, their official STIX 2.1 markings, and PAP.

Every exchange package carries one TLP label; objects inside may carry a stricter one. Labels
are ordered CLEAR < GREEN < AMBER < AMBER+STRICT < RED, so ``strictest`` of several labels is
the one that binds. ``parse_tlp`` accepts what people and partner systems write ("amber",
"TLP:AMBER", "tlp:amber+strict") and the TLP 1.0 name WHITE, which TLP 2.0 renamed CLEAR.

The STIX 2.1 marking definitions are the ones OASIS publishes for TLP 2.0 (property extension
``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d``), copied exactly from
github.com/oasis-open/cti-stix-common-objects, objects/marking-definition/ and
extension-definition-specifications/tlp-2.0/ (marking-definition.json, examples/tlp-*.json).
The TLP 1.0 definitions that the ``stix2`` library ships are recognised on import and mapped
to their 2.0 labels (WHITE -> CLEAR); we never write them.

PAP (Permissible Actions Protocol) says what a recipient may *do* with information (CLEAR,
GREEN, AMBER, RED); it is parsed the same way and carried alongside TLP.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import stix2

from cthub.core.errors import InvalidInput

TLP_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_TLP_CREATED = "2022-10-01T00:00:00.000Z"


class Tlp(StrEnum):
    """A TLP 2.0 label; the value is the lower-case name used in the STIX extension."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 (CLEAR) to 4 (RED): a higher rank restricts sharing more."""
        return _ORDER.index(self)

    @property
    def label(self) -> str:
        """The label as TLP 2.0 writes it, e.g. ``TLP:AMBER+STRICT``."""
        return "TLP:" + self.value.upper()

    @property
    def misp_tag(self) -> str:
        """The tag of MISP's ``tlp`` taxonomy, e.g. ``tlp:amber``."""
        return "tlp:" + self.value

    @property
    def marking_id(self) -> str:
        """The id of the official STIX 2.1 TLP 2.0 marking definition."""
        return _MARKING_IDS[self]

    def marking(self) -> dict[str, Any]:
        """The official STIX 2.1 marking-definition object, as OASIS publishes it (a copy)."""
        return {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_id,
            "created": _TLP_CREATED,
            "name": self.label,
            "extensions": {
                TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": self.value}
            },
        }


_ORDER = (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)

# Source: oasis-open/cti-stix-common-objects, extension-definition-specifications/tlp-2.0/
# marking-definition.json (the JSON schema pins each id to its name) and
# objects/marking-definition/marking-definition--<id>.json.
_MARKING_IDS = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

#: TLP 1.0 marking definitions as the STIX 2.1 specification (and ``stix2``) defines them.
TLP1_MARKING_IDS: dict[str, Tlp] = {
    str(stix2.TLP_WHITE.id): Tlp.CLEAR,
    str(stix2.TLP_GREEN.id): Tlp.GREEN,
    str(stix2.TLP_AMBER.id): Tlp.AMBER,
    str(stix2.TLP_RED.id): Tlp.RED,
}

_BY_ID: dict[str, Tlp] = {**{v: k for k, v in _MARKING_IDS.items()}, **TLP1_MARKING_IDS}
_TLP_ALIASES = {t.value: t for t in Tlp} | {"white": Tlp.CLEAR}


def _words(text: str, prefix: str) -> str:
    word = text.strip().lower()
    return word[len(prefix) :].strip() if word.startswith(prefix) else word


def parse_tlp(text: str) -> Tlp:
    """The label ``text`` names, in any case, with or without the ``TLP:`` prefix.

    ``white`` is accepted as the TLP 1.0 name of CLEAR. Anything else is ``InvalidInput``
    naming the value and listing the valid labels.
    """
    found = _TLP_ALIASES.get(_words(str(text), "tlp:"))
    if found is None:
        raise InvalidInput(
            "{value} is not a TLP label.",
            hint="Use one of: {valid}.",
            value=repr(str(text)[:80]),
            valid=", ".join(t.label for t in _ORDER),
        )
    return found


def tlp_of_marking_id(marking_id: str) -> Tlp | None:
    """The label of an official TLP 2.0 (or TLP 1.0) marking-definition id, else ``None``."""
    return _BY_ID.get(marking_id)


def tlp_of_marking(marking: dict[str, Any]) -> Tlp | None:
    """The label a marking-definition object states, by id, TLP 2.0 extension or TLP 1.0 form.

    Lets a bundle that carries its own copy of a TLP definition (under another id) keep its
    label instead of losing it. A definition that names an unknown level raises
    ``InvalidInput`` (from ``parse_tlp``): a marking we cannot read must not be dropped.
    """
    known = tlp_of_marking_id(str(marking.get("id", "")))
    if known is not None:
        return known
    extensions = marking.get("extensions")
    extension = extensions.get(TLP_EXTENSION_ID) if isinstance(extensions, dict) else None
    if isinstance(extension, dict) and "tlp_2_0" in extension:
        return parse_tlp(str(extension["tlp_2_0"]))
    definition = marking.get("definition")
    if marking.get("definition_type") == "tlp" and isinstance(definition, dict):
        return parse_tlp(str(definition.get("tlp", "")))
    return None


def strictest(labels: Iterable[Tlp], default: Tlp | None = None) -> Tlp:
    """The most restrictive of ``labels``, the one that binds when several apply.

    With no labels it returns ``default``; without a default that is a ``ValueError``, so a
    caller never gets CLEAR by accident for data that simply had no label.
    """
    found = max(labels, key=lambda t: t.rank, default=default)
    if found is None:
        raise ValueError("strictest() of no TLP labels needs a default")
    return found


class Pap(StrEnum):
    """A PAP label: what a recipient may do with the information (RED: passive use only)."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        return _PAP_ORDER.index(self)

    @property
    def label(self) -> str:
        """The label as written, e.g. ``PAP:AMBER``."""
        return "PAP:" + self.value.upper()

    @property
    def misp_tag(self) -> str:
        """The tag of MISP's ``PAP`` taxonomy, e.g. ``PAP:AMBER``."""
        return self.label


_PAP_ORDER = (Pap.CLEAR, Pap.GREEN, Pap.AMBER, Pap.RED)
_PAP_ALIASES = {p.value: p for p in Pap} | {"white": Pap.CLEAR}


def parse_pap(text: str) -> Pap:
    """The PAP label ``text`` names (``amber``, ``PAP:AMBER``; ``white`` is CLEAR)."""
    found = _PAP_ALIASES.get(_words(str(text), "pap:"))
    if found is None:
        raise InvalidInput(
            "{value} is not a PAP label.",
            hint="Use one of: {valid}.",
            value=repr(str(text)[:80]),
            valid=", ".join(p.label for p in _PAP_ORDER),
        )
    return found


__all__ = [
    "TLP1_MARKING_IDS",
    "TLP_EXTENSION_ID",
    "Pap",
    "Tlp",
    "parse_pap",
    "parse_tlp",
    "strictest",
    "tlp_of_marking",
    "tlp_of_marking_id",
]

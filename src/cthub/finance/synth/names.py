"""Names as an institution holds them: persons by region, companies, NPOs and merchants.

Pools are small and plain ASCII (e-mail identifiers are built from them); variety comes from
combining a given name with a family name of the party's region. Builders are vectorised:
they take region indices (``geo.REGIONS``) or counts and return Arrow string arrays.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cthub.finance.synth.geo import REGIONS
from cthub.finance.synth.types import IntArray

_GIVEN: dict[str, str] = {
    "de": "Anna Lukas Marie Leon Sophie Jonas Laura Felix Julia Paul Lena Max Sarah Tim Katrin"
    " Jan Sabine Thomas Petra Michael Andrea Stefan Claudia Markus Monika Juergen Heike Uwe",
    "en": "James Emma Oliver Olivia Jack Amelia Harry Isla George Ava Noah Mia Liam Grace"
    " Daniel Chloe Marco Giulia Luca Sofia Carlos Lucia Pedro Ines Joao Maria David Elena",
    "fr": "Louis Camille Hugo Chloe Lucas Manon Jules Lea Nathan Ines Arthur Sarah Moussa"
    " Aminata Ibrahim Fatoumata Seydou Mariam Adama Awa Oumar Kadiatou Boubacar Salif",
    "pl": "Piotr Anna Krzysztof Katarzyna Andrzej Magdalena Tomasz Agnieszka Marek Ewa Ivan"
    " Olena Andrii Oksana Mihai Elena Ion Ioana Luka Ana Marko Ivana",
    "tr": "Mehmet Ayse Mustafa Fatma Ahmet Emine Ali Hatice Huseyin Zeynep Hasan Elif Ibrahim"
    " Merve Yusuf Esra Murat Ozlem Emre Derya Burak Selin",
    "ar": "Mohammed Fatima Ahmed Aisha Omar Mariam Ali Layla Hassan Nour Khaled Rania Youssef"
    " Huda Ibrahim Salma Abdullah Amina Mahmoud Zainab Tariq Samira Karim Rasha",
    "af": "Ahmad Zahra Abdul Farzana Mohammad Nadia Hamid Shabana Rahim Parwana Imran Sadia"
    " Bilal Ayesha Farid Mariam Javed Nargis Wali Hosai",
    "so": "Abdi Amina Mohamed Hodan Ahmed Faduma Hassan Sahra Omar Ifrah Yusuf Asha Ali"
    " Khadija Ibrahim Halima Abdirahman Sagal",
}
_FAMILY: dict[str, str] = {
    "de": "Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch"
    " Richter Klein Wolf Schroeder Neumann Schwarz Zimmermann Braun Krueger Hofmann Hartmann"
    " Lange Schmitt Werner Krause Meier Lehmann",
    "en": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Evans Thomas Roberts Walker"
    " Rossi Russo Ferrari Garcia Martinez Lopez Silva Santos Costa Papadopoulos de Vries Jansen",
    "fr": "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent"
    " Traore Diallo Keita Coulibaly Ouedraogo Sawadogo Toure Maiga Cisse Kone",
    "pl": "Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski Shevchenko Kovalenko"
    " Bondarenko Popescu Ionescu Popa Horvat Kovacevic Babic",
    "tr": "Yilmaz Kaya Demir Sahin Celik Yildiz Yildirim Ozturk Aydin Ozdemir Arslan Dogan"
    " Kilic Aslan Cetin Kara Koc Kurt",
    "ar": "Al-Hassan Haddad Khalil Mansour Nasser Saleh Hamdan Darwish Aziz Farouk Qasim"
    " Abboud Rahman Suleiman Jaber Karim Othman Said Yassin Bakr",
    "af": "Ahmadzai Popal Karimi Rahimi Stanikzai Noori Hakimi Sultani Safi Wardak Khan Durrani"
    " Qureshi Malik Hussain Yousafzai",
    "so": "Abdi Warsame Farah Hussein Jama Omar Nur Osman Abdullahi Hassan Mohamud Ali Ismail"
    " Adan Egal",
}
_NPO_HEAD = [
    "Kinderhilfe Nord",
    "Brunnen fuer Alle",
    "Nachbarschaftshilfe",
    "Tafel",
    "Bildungswerk",
    "Hilfe ohne Grenzen",
    "Gemeinsam Stark",
    "Lichtblick",
    "Hoffnungsschimmer",
    "Sonnenstrahl",
    "Brueckenbau",
    "Medizin fuer Menschen",
    "Zukunft Bauen",
    "Waisenhilfe",
    "Humanitas",
    "Wasser ist Leben",
]
_NPO_TAIL = ("e.V.", "Stiftung", "gGmbH", "Foundation", "Association", "Hilfswerk e.V.")
_TRADE = [
    "Handel",
    "Bau",
    "Logistik",
    "Consulting",
    "Immobilien",
    "Elektro",
    "Metallbau",
    "Software",
    "Transport",
    "Import",
    "Export",
    "Textil",
    "Gastro",
    "Medizintechnik",
    "Trading",
    "Holdings",
    "Services",
    "Solutions",
    "Foods",
    "Motors",
]
_SUFFIX_BY_REGION = {
    "de": ("GmbH", "GmbH & Co. KG", "AG", "KG", "UG"),
    "en": ("Ltd", "LLC", "Inc.", "S.p.A.", "S.L.", "B.V."),
    "fr": ("SARL", "SA", "SAS"),
    "pl": ("Sp. z o.o.", "S.A.", "SRL", "d.o.o."),
    "tr": ("Ltd. Sti.", "A.S."),
    "ar": ("LLC", "Trading Est.", "FZE", "Co."),
    "af": ("Ltd", "Trading Co.", "Pvt Ltd"),
    "so": ("Ltd", "Trading Co.", "General Trading"),
}
_MERCHANTS = [
    "REWE Markt",
    "EDEKA",
    "ALDI SUED",
    "LIDL",
    "dm-drogerie markt",
    "Rossmann",
    "Aral Station",
    "Shell",
    "Amazon EU Sarl",
    "Zalando SE",
    "IKEA",
    "MediaMarkt",
    "DB Fernverkehr",
    "Deutsche Post",
    "Apotheke am Markt",
    "Baeckerei Kamps",
    "Starbucks",
    "McDonalds",
    "Netto Marken-Discount",
    "Kaufland",
    "Decathlon",
    "H&M",
    "Saturn",
    "Thalia",
    "Douglas",
    "Tchibo",
    "Lieferando",
    "Uber BV",
    "Booking.com",
    "Airbnb Ireland",
    "Ryanair",
    "Carrefour",
    "Mercadona",
    "Tesco Stores",
    "Esselunga",
    "Migros",
]


def _pool(table: dict[str, str]) -> tuple[pa.StringArray, IntArray, IntArray]:
    words = [table[r].split() for r in REGIONS]
    sizes = np.array([len(w) for w in words], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return pa.array([x for w in words for x in w], pa.string()), offsets, sizes


_GIVEN_POOL = _pool(_GIVEN)
_FAMILY_POOL = _pool(_FAMILY)


def _draw(
    pool: tuple[pa.StringArray, IntArray, IntArray], region: IntArray, rng: np.random.Generator
) -> tuple[pa.StringArray, IntArray]:
    words, offsets, sizes = pool
    pick = offsets[region] + (rng.random(region.size) * sizes[region]).astype(np.int64)
    return words.take(pa.array(pick)), pick


def persons(
    region: IntArray, rng: np.random.Generator
) -> tuple[pa.Array, pa.StringArray, pa.StringArray]:
    """``(display names, given names, family names)`` for persons of ``region``."""
    given, _ = _draw(_GIVEN_POOL, region, rng)
    family, _ = _draw(_FAMILY_POOL, region, rng)
    return pc.binary_join_element_wise(given, family, " "), given, family


def family_names(region: IntArray, rng: np.random.Generator) -> pa.StringArray:
    """Family names of ``region`` (used for company names)."""
    family, _ = _draw(_FAMILY_POOL, region, rng)
    return family


def companies(
    region: IntArray, rng: np.random.Generator, family: pa.Array | None = None
) -> pa.Array:
    """Company names: a family name (``family`` or drawn), a trade, a legal form of the region."""
    family = family_names(region, rng) if family is None else family
    trade = pa.array(_TRADE).take(pa.array(rng.integers(0, len(_TRADE), region.size)))
    forms = [_SUFFIX_BY_REGION[r] for r in REGIONS]
    flat = pa.array([f for fs in forms for f in fs])
    sizes = np.array([len(f) for f in forms], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    pick = offsets[region] + (rng.random(region.size) * sizes[region]).astype(np.int64)
    return pc.binary_join_element_wise(family, trade, flat.take(pa.array(pick)), " ")


def npos(n: int, rng: np.random.Generator) -> pa.Array:
    """NPO names such as "Brunnen fuer Alle e.V."."""
    head = pa.array(_NPO_HEAD).take(pa.array(rng.integers(0, len(_NPO_HEAD), n)))
    tail = pa.array(_NPO_TAIL).take(pa.array(rng.integers(0, len(_NPO_TAIL), n)))
    return pc.binary_join_element_wise(head, tail, " ")


def merchants(n: int, rng: np.random.Generator) -> pa.Array:
    """Card acceptor names: a brand and a four-digit store number."""
    brand = pa.array(_MERCHANTS).take(pa.array(rng.integers(0, len(_MERCHANTS), n)))
    store = pc.utf8_lpad(pa.array(rng.integers(1, 10_000, n)).cast(pa.string()), 4, "0")
    return pc.binary_join_element_wise(brand, store, " ")


def person_name(region: str, rng: np.random.Generator) -> str:
    """One person name of ``region`` (for planted counterparties)."""
    names, _, _ = persons(np.array([REGIONS.index(region)], dtype=np.int64), rng)
    return str(names[0].as_py())


def given_names(region: str) -> tuple[str, ...]:
    """The given-name pool of ``region``."""
    return tuple(_GIVEN[region].split())

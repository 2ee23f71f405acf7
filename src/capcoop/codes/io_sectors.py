"""The 35 input-output sectors of the ADB MRIO and WIOD 2013 tables (``c1`` ... ``c35``).

Both tables use the same ISIC Rev.3-based list of 35 industries (WIOD 2013 release; the ADB
MRIO extends WIOD's layout to Asian economies). The table ships as
``codes/data/io_sectors35.csv``, one row per sector:

``code``
    ``c1`` ... ``c35``, as :mod:`capcoop.sources.adb_mrio` writes them into ``sector_accounts``.
``name_en``, ``name_zh``
    English name (ADB's wording) and Chinese name.
``isic_rev3``
    The ISIC Rev.3 divisions (2-digit) the sector is made of, ``;``-joined (``'27;28'``).
``naics``
    NAICS 2017 prefixes the sector covers, ``;``-joined. Every 6-digit NAICS 2017 industry
    starts with exactly one sector's prefix (the prefixes partition NAICS), so US EPA factors by
    NAICS (:mod:`capcoop.sources.epa_ghg`) aggregate to the sectors without double counting.
``cooperation_sector``
    The :mod:`capcoop.codes.sectors` cooperation sector that holds the largest share (at least
    20%) of the sector's HS 2017 subheadings, or empty.
``tags``
    Themes from :data:`TAGS`, ``;``-joined.
``infra_driver``
    ``power``, ``transport`` or ``construction``: the WDI infrastructure gap (electricity
    access; rail and logistics; gross capital formation and urbanisation) that drives the host's
    demand for the sector; empty for the others.

``docs/io-sectors.md`` states the mapping rules and the checks that back them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from capcoop.errors import InputError, UnknownCodeError

__all__ = ["IOSector", "TAGS", "INFRA_DRIVERS", "io_sectors", "io_sector", "io_sector_of_naics"]

#: The strategic-priority themes a sector may carry.
TAGS = ("energy_conservation", "environmental_protection", "renewable_energy", "ict_digital",
        "infrastructure", "medical")
#: The infrastructure gaps that drive demand for a sector.
INFRA_DRIVERS = ("power", "transport", "construction")

_COLUMNS = ("code", "name_en", "name_zh", "isic_rev3", "naics", "cooperation_sector", "tags",
            "infra_driver")
_CODE = re.compile(r"c([1-9]|[12][0-9]|3[0-5])")


@dataclass(frozen=True)
class IOSector:
    """One of the 35 sectors.

    Attributes
    ----------
    code, name_en, name_zh
        ``'c12'``, English and Chinese names.
    isic_rev3
        ISIC Rev.3 divisions (``('27', '28')``).
    naics
        NAICS 2017 prefixes (``('331', '332')``).
    cooperation_sector
        Cooperation-sector code or ``None``.
    tags
        Themes from :data:`TAGS`.
    infra_driver
        One of :data:`INFRA_DRIVERS` or ``None``.
    """

    code: str
    name_en: str
    name_zh: str
    isic_rev3: tuple[str, ...]
    naics: tuple[str, ...]
    cooperation_sector: str | None
    tags: tuple[str, ...]
    infra_driver: str | None

    @property
    def number(self) -> int:
        """The sector's number (12 for ``'c12'``)."""
        return int(self.code[1:])


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    path = resources.files("capcoop.codes").joinpath("data", "io_sectors35.csv")
    with path.open("rb") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    _check(table)
    return table


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(";") if part)


def _check(table: pd.DataFrame) -> None:
    """The file is hand-edited: reject a wrong header, bad codes, unknown tags and overlaps."""
    if tuple(table.columns) != _COLUMNS:
        raise InputError(f"io_sectors35.csv has columns {list(table.columns)}; "
                         f"expected {list(_COLUMNS)}")
    if list(table.code) != [f"c{n}" for n in range(1, 36)]:
        raise InputError("io_sectors35.csv must list c1 ... c35 once each, in order")
    prefixes: dict[str, str] = {}
    for row in table.itertuples(index=False):
        unknown = set(_split(row.tags)) - set(TAGS)
        if unknown:
            raise InputError(f"sector {row.code}: unknown tag(s) {sorted(unknown)}",
                             hint=f"tags are {', '.join(TAGS)}")
        if row.infra_driver and row.infra_driver not in INFRA_DRIVERS:
            raise InputError(f"sector {row.code}: unknown infra_driver {row.infra_driver!r}",
                             hint=f"use one of {', '.join(INFRA_DRIVERS)} or leave it empty")
        for prefix in _split(row.naics):
            if not prefix.isdigit() or not 2 <= len(prefix) <= 6:
                raise InputError(f"sector {row.code}: bad NAICS prefix {prefix!r}")
            for other, owner in prefixes.items():
                if owner != row.code and (prefix.startswith(other) or other.startswith(prefix)):
                    raise InputError(f"NAICS prefix {prefix!r} of {row.code} overlaps "
                                     f"{other!r} of {owner}")
            prefixes[prefix] = row.code


@lru_cache(maxsize=1)
def _records() -> dict[str, IOSector]:
    return {row.code: IOSector(
        code=row.code, name_en=row.name_en, name_zh=row.name_zh,
        isic_rev3=_split(row.isic_rev3), naics=_split(row.naics),
        cooperation_sector=row.cooperation_sector or None, tags=_split(row.tags),
        infra_driver=row.infra_driver or None) for row in _table().itertuples(index=False)}


def io_sectors() -> pd.DataFrame:
    """The 35 sectors as a DataFrame (the columns of the module docstring, ``;``-joined text).

    Examples
    --------
    >>> io_sectors().set_index("code").loc["c17", "infra_driver"]
    'power'
    """
    return _table().copy()


def io_sector(code: str | int) -> IOSector:
    """One sector by code (``'c14'``, ``'C14'``, ``14``), English or Chinese name.

    Raises
    ------
    UnknownCodeError
        For anything else; ``suggestions`` lists the closest sector codes.
    """
    records = _records()
    text = str(code).strip()
    key = text.lower()
    if key.isdigit():
        key = f"c{int(key)}"
    if _CODE.fullmatch(key):
        return records[key]
    for record in records.values():
        if text.casefold() in (record.name_en.casefold(), record.name_zh):
            return record
    names = {r.name_en.casefold(): r.code for r in records.values()}
    close = difflib.get_close_matches(key, list(records) + list(names), n=3, cutoff=0.5)
    suggestions = tuple(dict.fromkeys(names.get(c, c) for c in close))
    hint = (f"did you mean {', '.join(suggestions)}? " if suggestions else "") + \
        "the sectors are c1 ... c35 (see `io_sectors()` or docs/io-sectors.md)"
    raise UnknownCodeError(f"unknown input-output sector {code!r}", hint=hint,
                           suggestions=suggestions)


def io_sector_of_naics(codes: list[str] | pd.Series) -> pd.Series:
    """The sector (``c1`` ... ``c35``) of each NAICS 2017 code, by longest matching prefix.

    Codes no sector covers (not NAICS) give ``None``. Returns a Series aligned with ``codes``.
    """
    owner = {p: r.code for r in _records().values() for p in r.naics}
    lengths = sorted({len(p) for p in owner}, reverse=True)

    def find(code: object) -> str | None:
        text = str(code).strip()
        for n in lengths:
            if text[:n] in owner:
                return owner[text[:n]]
        return None

    values = list(codes)
    index = codes.index if isinstance(codes, pd.Series) else None
    return pd.Series([find(c) for c in values], index=index, dtype=object)

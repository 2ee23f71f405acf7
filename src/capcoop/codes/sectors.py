"""The cooperation-sector taxonomy: named groups of HS codes (steel, cement, power, medical ...).

The taxonomy is the hand-maintained table ``data/cooperation_sectors.csv``: one row per HS range
with the sector's names (English, Chinese), tags and the rationale for the range, citing its
source. ``docs/products.md`` renders it. Ranges are inclusive and given as 2-, 4- or 6-digit
prefixes: ``('6801', '6811')`` covers every code from 680100 to 681199.

A code belongs to a range when all of it lies inside: ``'7208'`` is in ``('72', '73')``, but
``'8541'`` is not in ``('854140', '854140')`` (only part of heading 8541 is). Ranges are applied
to codes of any HS revision; a range naming codes that do not exist in a revision (HS22's
854142 in HS17) simply matches nothing there. ``hs_revision`` records the nomenclature each
range was written against.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from capcoop.codes.products import _CODE, HS_REVISIONS, _revision, hs_table
from capcoop.errors import InputError, UnknownProductError

__all__ = [
    "CooperationSector",
    "cooperation_sector",
    "cooperation_sector_table",
    "cooperation_sectors",
    "hs_codes_of_sector",
    "sector_of_hs",
]

_COLUMNS = ("sector", "sector_name_en", "sector_name_zh", "hs_from", "hs_to", "hs_revision",
            "tags", "rationale")


@dataclass(frozen=True)
class CooperationSector:
    """A cooperation sector and the HS ranges that define it.

    Attributes
    ----------
    code
        Short stable code (``'steel'``, ``'renewables'`` ...).
    name_en, name_zh
        English and Chinese names.
    tags
        Themes such as ``'infrastructure'``, ``'green'``, ``'digital'``, ``'health'``.
    ranges
        Inclusive ``(from, to)`` HS prefixes.
    rationale
        Why each range belongs here and where that comes from, one line per range.
    hs_revision
        The HS revisions the ranges were written against, ``;``-separated (``'HS17;HS22'``).
    """

    code: str
    name_en: str
    name_zh: str
    tags: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]
    rationale: str
    hs_revision: str = "HS17"

    def contains(self, hs_code: str) -> bool:
        """True when the whole of ``hs_code`` lies inside one of the sector's ranges."""
        return any(_inside(hs_code, lo, hi) for lo, hi in self.ranges)


def _inside(code: str, lo: str, hi: str) -> bool:
    """``code`` lies in ``[lo, hi]``: its first and last 6-digit codes fall between them."""
    return lo.ljust(6, "0") <= code.ljust(6, "0") and code.ljust(6, "9") <= hi.ljust(6, "9")


@lru_cache(maxsize=1)
def _range_bounds() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last 6-digit code of every taxonomy row (as integers) and its sector."""
    table = _rows()
    first = table.hs_from.str.ljust(6, "0").astype(int).to_numpy()
    last = table.hs_to.str.ljust(6, "9").astype(int).to_numpy()
    return first, last, table.sector.to_numpy()


def _matches(codes: list[str]) -> pd.DataFrame:
    """(position, sector) for every code wholly inside a range; vectorised ``contains``."""
    first = np.array([int(c.ljust(6, "0")) for c in codes], dtype=np.int64)
    last = np.array([int(c.ljust(6, "9")) for c in codes], dtype=np.int64)
    lo, hi, sector = _range_bounds()
    # hit[i, r] = lo_r <= first_i and last_i <= hi_r
    position, row = np.nonzero((first[:, None] >= lo) & (last[:, None] <= hi))
    found = pd.DataFrame({"position": position, "sector": sector[row]}).drop_duplicates()
    rank = {code: i for i, code in enumerate(dict.fromkeys(sector))}  # taxonomy file order
    found["rank"] = found.sector.map(rank)
    return found.sort_values(["position", "rank"], kind="stable")[["position", "sector"]]


def read_hs_range_table(file: str, columns: tuple[str, ...], *, key: str,
                        required: tuple[str, ...] = ("rationale",)) -> pd.DataFrame:
    """A hand-edited table of HS ranges shipped in ``capcoop/codes/data`` (all text), checked.

    Each row names an HS range ``hs_from``–``hs_to`` (2-, 4- or 6-digit codes with leading zeros)
    of the item in column ``key``. Rejects a file whose columns are not ``columns``, a malformed or
    empty range, and a row with an empty ``required`` column (the reasons behind each range).
    """
    path = resources.files("capcoop.codes").joinpath("data", file)
    with path.open("rb") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    if tuple(table.columns) != columns:
        raise InputError(f"{file} has columns {list(table.columns)}; expected {list(columns)}")
    for row in table.to_dict("records"):
        lo, hi, item = row["hs_from"], row["hs_to"], row[key]
        if not (_CODE.fullmatch(lo) and _CODE.fullmatch(hi)):
            raise InputError(f"{file}: {key} {item!r}: bad HS range {lo!r}-{hi!r}",
                             hint="ranges are 2-, 4- or 6-digit codes with leading zeros")
        if lo.ljust(6, "0") > hi.ljust(6, "9"):
            raise InputError(f"{file}: {key} {item!r}: range {lo!r}-{hi!r} is empty")
        empty = [c for c in required if not row[c].strip()]
        if empty:
            raise InputError(f"{file}: {key} {item!r}: range {lo}-{hi} has no {empty[0]}")
    return table


@lru_cache(maxsize=1)
def _rows() -> pd.DataFrame:
    return read_hs_range_table("cooperation_sectors.csv", _COLUMNS, key="sector")


@lru_cache(maxsize=1)
def _sectors() -> tuple[CooperationSector, ...]:
    table = _rows()
    return tuple(_sector(table[table.sector == code]) for code in table.sector.unique())


def _sector(rows: pd.DataFrame) -> CooperationSector:
    first = rows.iloc[0]
    for column in ("sector_name_en", "sector_name_zh", "tags"):
        if rows[column].nunique() != 1:
            raise InputError(f"sector {first.sector!r} has several values of {column!r}: "
                             f"{sorted(rows[column].unique())}")
    return CooperationSector(
        code=first.sector, name_en=first.sector_name_en, name_zh=first.sector_name_zh,
        tags=tuple(t for t in first.tags.split(";") if t),
        ranges=tuple(zip(rows.hs_from, rows.hs_to, strict=True)),
        rationale="\n".join(f"{lo}-{hi}: {why}" for lo, hi, why in
                            zip(rows.hs_from, rows.hs_to, rows.rationale, strict=True)),
        hs_revision=";".join(r for r in HS_REVISIONS if r in set(rows.hs_revision)))


def cooperation_sectors() -> list[CooperationSector]:
    """Every cooperation sector, in the order of the taxonomy file."""
    return list(_sectors())


def cooperation_sector_table() -> pd.DataFrame:
    """The taxonomy file as a DataFrame: one row per sector and HS range, with its rationale."""
    return _rows().copy()


def cooperation_sector(code_or_name: str) -> CooperationSector:
    """One sector by code (``'steel'``) or by English or Chinese name (case ignored).

    Raises
    ------
    UnknownProductError
        For an unknown sector; ``suggestions`` lists the closest sector codes.
    """
    key = str(code_or_name).strip().casefold()
    for sector in _sectors():
        if key in (sector.code.casefold(), sector.name_en.casefold(), sector.name_zh):
            return sector
    codes = [s.code for s in _sectors()]
    names = {s.name_en.casefold(): s.code for s in _sectors()}
    close = difflib.get_close_matches(key, codes + list(names), n=3, cutoff=0.5)
    suggestions = tuple(dict.fromkeys(names.get(c, c) for c in close))
    raise UnknownProductError(f"unknown cooperation sector {code_or_name!r}",
                              hint=f"known sectors: {', '.join(codes)}", suggestions=suggestions)


def _checked_codes(hs_codes: Iterable[str] | str) -> list[str]:
    items = [hs_codes] if isinstance(hs_codes, str) else list(hs_codes)
    for code in items:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise InputError(f"HS code {code!r} is not a 2-, 4- or 6-digit code kept as text",
                             hint="Try normalize_hs(code) from capcoop.codes.products")
    return list(dict.fromkeys(items))


def sector_of_hs(hs_codes: Iterable[str]) -> pd.DataFrame:
    """The cooperation sectors each HS code belongs to.

    Parameters
    ----------
    hs_codes
        2-, 4- or 6-digit codes (any revision) as text.

    Returns
    -------
    pandas.DataFrame
        Columns ``hs`` and ``sector``: one row per (code, sector) match, codes in input order.
        A code in no sector gets no row; a code in two sectors (an overlap the taxonomy
        declares, such as wind generating sets in ``power_grid`` and ``renewables``) gets two.

    Examples
    --------
    >>> sector_of_hs(['300220', '2523', '0101']).values.tolist()
    [['300220', 'medical'], ['2523', 'cement_building']]
    """
    codes = _checked_codes(hs_codes)
    found = _matches(codes)
    return pd.DataFrame({"hs": [codes[i] for i in found.position],
                         "sector": found.sector.tolist()}, columns=["hs", "sector"])


def hs_codes_of_sector(code: str, revision: str = "HS17", level: int = 6) -> list[str]:
    """The codes of an HS revision, at one level, that lie wholly inside a sector.

    At ``level=4`` a heading is listed only when every subheading under it is in the sector
    (heading 8541 is not in ``renewables``, whose range is the subheading 854140).

    Examples
    --------
    >>> hs_codes_of_sector('renewables', 'HS17')
    ['841011', '841012', '841013', '841090', '850231', '850760', '854140']
    """
    if level not in (2, 4, 6):
        raise InputError(f"level must be 2, 4 or 6, not {level!r}", hint="Try level=6")
    sector = cooperation_sector(code)
    table = hs_table(_revision(revision))
    codes = table.code[table.level == level].tolist()
    found = _matches(codes)
    return [codes[i] for i in found.position[found.sector == sector.code]]

"""Named product groups for supply-chain questions: every cooperation sector plus narrower groups.

A product group is a named set of HS ranges. Two kinds exist:

``sector``
    Every cooperation sector of :mod:`capcoop.codes.sectors` (``steel``, ``medical`` ...), taken
    as it is: the taxonomy stays the single definition of a sector.
``group``
    The rows of the hand-maintained table ``data/product_groups.csv``: the medical sub-groups
    (``vaccines`` HS 3002, ``medicaments`` 3003-3004, ``protective_equipment`` masks, gloves and
    gowns, ``medical_devices`` 9018-9022 ..., classified after the joint WCO/WHO HS
    classification reference for COVID-19 medical supplies), ``apis`` (active pharmaceutical
    ingredients), ``critical_minerals`` (after the EU Critical Raw Materials Act),
    ``semiconductors`` and ``li_ion_batteries`` (areas of the EU's 2021 in-depth reviews of
    strategic dependencies). Each row gives its rationale and reference; ``parent`` names the
    cooperation sector the group refines, when there is one.

Ranges follow the sector taxonomy's rules: inclusive 2-, 4- or 6-digit prefixes, a code belongs
when all of it lies inside, and ranges apply to codes of any HS revision (``hs_revision`` records
the revisions they were written against). ``docs/methods/dependencies.md`` lists the groups.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from capcoop.codes.products import _CODE
from capcoop.codes.sectors import cooperation_sectors, read_hs_range_table
from capcoop.errors import InputError, UnknownProductError

__all__ = ["ProductGroup", "ProductSelection", "product_group", "product_groups",
           "product_group_table", "select_products"]

_COLUMNS = ("group", "name_en", "name_zh", "parent", "hs_from", "hs_to", "hs_revision", "tags",
            "rationale", "reference")


@dataclass(frozen=True)
class ProductGroup:
    """A named set of HS ranges.

    Attributes
    ----------
    code
        Stable short code (``'vaccines'``, ``'steel'``).
    name_en, name_zh
        English and Chinese names.
    kind
        ``'sector'`` (a cooperation sector) or ``'group'`` (a row of ``product_groups.csv``).
    parent
        The cooperation sector a group refines (``'medical'`` for ``'vaccines'``), or None.
    tags
        Themes (``'health'``, ``'critical'``, ``'covid19'`` ...).
    ranges
        Inclusive ``(from, to)`` HS prefixes.
    rationale
        One line per range: ``from-to: why``.
    references
        The sources cited for the ranges.
    """

    code: str
    name_en: str
    name_zh: str
    kind: str
    parent: str | None
    tags: tuple[str, ...]
    ranges: tuple[tuple[str, str], ...]
    rationale: str
    references: tuple[str, ...] = ()

    def contains(self, hs_code: str) -> bool:
        """True when the whole of ``hs_code`` lies inside one of the group's ranges."""
        return bool(self.mask([hs_code])[0])

    def mask(self, hs_codes: Sequence[str]) -> np.ndarray:
        """Boolean array: which codes lie wholly inside the group (vectorised ``contains``)."""
        return _range_mask(list(hs_codes), self.ranges)

    def as_record(self) -> dict:
        """JSON-ready description (``ranges`` as ``'from-to'`` strings)."""
        return {"code": self.code, "name_en": self.name_en, "name_zh": self.name_zh,
                "kind": self.kind, "parent": self.parent, "tags": list(self.tags),
                "ranges": [f"{lo}-{hi}" for lo, hi in self.ranges],
                "rationale": self.rationale, "references": list(self.references)}


def _range_mask(codes: list[str], ranges: Sequence[tuple[str, str]]) -> np.ndarray:
    """``mask[i]`` = some range holds code ``i`` whole: ``lo <= first(i)`` and ``last(i) <= hi``."""
    if not codes:
        return np.zeros(0, dtype=bool)
    first = np.array([int(c.ljust(6, "0")) for c in codes], dtype=np.int64)
    last = np.array([int(c.ljust(6, "9")) for c in codes], dtype=np.int64)
    lo = np.array([int(a.ljust(6, "0")) for a, _ in ranges], dtype=np.int64)
    hi = np.array([int(b.ljust(6, "9")) for _, b in ranges], dtype=np.int64)
    return ((first[:, None] >= lo) & (last[:, None] <= hi)).any(axis=1)


@lru_cache(maxsize=1)
def _rows() -> pd.DataFrame:
    table = read_hs_range_table("product_groups.csv", _COLUMNS, key="group",
                                required=("rationale", "reference"))
    _check_rows(table)
    return table


def _check_rows(table: pd.DataFrame) -> None:
    """Groups extend the cooperation sectors: a group is not itself a sector, its parent is."""
    sectors = {s.code for s in cooperation_sectors()}
    for row in table.itertuples(index=False):
        if row.group in sectors or (row.parent and row.parent not in sectors):
            raise InputError(f"group {row.group!r}: its code is a cooperation sector or its "
                             f"parent {row.parent!r} is not one")


def _group(rows: pd.DataFrame) -> ProductGroup:
    first = rows.iloc[0]
    for column in ("name_en", "name_zh", "parent"):
        if rows[column].nunique() != 1:
            raise InputError(f"group {first.group!r} has several values of {column!r}")
    return ProductGroup(
        code=first.group, name_en=first.name_en, name_zh=first.name_zh, kind="group",
        parent=first.parent or None,
        tags=tuple(dict.fromkeys(t for tags in rows.tags for t in tags.split(";") if t)),
        ranges=tuple(zip(rows.hs_from, rows.hs_to, strict=True)),
        rationale="\n".join(f"{lo}-{hi}: {why}" for lo, hi, why in
                            zip(rows.hs_from, rows.hs_to, rows.rationale, strict=True)),
        references=tuple(dict.fromkeys(rows.reference)))


@lru_cache(maxsize=1)
def _groups() -> tuple[ProductGroup, ...]:
    sectors = [ProductGroup(s.code, s.name_en, s.name_zh, "sector", None, s.tags, s.ranges,
                            s.rationale, ("capcoop cooperation-sector taxonomy "
                                          "(codes/data/cooperation_sectors.csv)",))
               for s in cooperation_sectors()]
    table = _rows()
    own = [_group(table[table.group == code]) for code in table.group.unique()]
    return tuple(sectors + own)


def product_groups() -> list[ProductGroup]:
    """Every product group: the cooperation sectors first, then the groups of the table."""
    return list(_groups())


def product_group_table() -> pd.DataFrame:
    """One row per group and HS range: ``group, kind, parent, name_en, name_zh, hs_from, hs_to,
    tags, rationale, reference``."""
    rows = []
    for group in _groups():
        lines = group.rationale.split("\n")
        for i, (lo, hi) in enumerate(group.ranges):
            why = lines[i].split(": ", 1)[-1] if i < len(lines) else ""
            rows.append({"group": group.code, "kind": group.kind, "parent": group.parent,
                         "name_en": group.name_en, "name_zh": group.name_zh, "hs_from": lo,
                         "hs_to": hi, "tags": ";".join(group.tags), "rationale": why,
                         "reference": group.references[min(i, len(group.references) - 1)]})
    return pd.DataFrame(rows)


def product_group(code_or_name: str) -> ProductGroup:
    """One group by code (``'vaccines'``) or English or Chinese name (case ignored).

    Raises
    ------
    UnknownProductError
        For an unknown group; ``suggestions`` lists the closest codes.
    """
    key = str(code_or_name).strip().casefold()
    for group in _groups():
        if key in (group.code.casefold(), group.name_en.casefold(), group.name_zh):
            return group
    codes = [g.code for g in _groups()]
    close = tuple(difflib.get_close_matches(key, codes, n=3, cutoff=0.5))
    raise UnknownProductError(f"unknown product group {code_or_name!r}",
                              hint=f"known groups: {', '.join(codes)}; or give HS codes such "
                                   "as 3004,300220", suggestions=close)


@dataclass(frozen=True)
class ProductSelection:
    """What a question is about: named groups and/or HS codes, or all goods (``items`` empty).

    ``items`` are ``(label, ranges)`` pairs: a group's code with its ranges, or an HS code with
    the one range ``(code, code)``.
    """

    items: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    groups: tuple[ProductGroup, ...] = ()

    @property
    def all_goods(self) -> bool:
        """True when no product or group was named: the question is about all goods."""
        return not self.items

    @property
    def ranges(self) -> tuple[tuple[str, str], ...]:
        """Every range of every item, without repeats."""
        return tuple(dict.fromkeys(r for _, ranges in self.items for r in ranges))

    def labels(self) -> list[str]:
        """The items' labels (group codes and HS codes) in the order given."""
        return [label for label, _ in self.items]

    def membership(self, hs_codes: Sequence[str]) -> pd.DataFrame:
        """``[product, item]``: each code with every item holding it (a code may be in two)."""
        codes = list(dict.fromkeys(hs_codes))
        parts = [pd.DataFrame({"product": np.asarray(codes, dtype=object)[_range_mask(codes, r)],
                               "item": label}) for label, r in self.items]
        if not parts:
            return pd.DataFrame({"product": codes, "item": "TOTAL"})
        return pd.concat(parts, ignore_index=True)


_SPLIT = re.compile(r"[\s,;]+")


def select_products(products: str | Iterable[str] | None) -> ProductSelection:
    """Resolve a product argument: group codes or names and HS codes (2, 4 or 6 digits).

    Parameters
    ----------
    products
        None or ``''`` for all goods; a text such as ``'medical'``, ``'3004,300220'`` or
        ``'vaccines protective_equipment'``; or a list of such items.

    Raises
    ------
    UnknownProductError
        For a word that is neither a group nor an HS code.
    InputError
        For a number that is not a 2-, 4- or 6-digit HS code.

    Examples
    --------
    >>> select_products('vaccines,3004').labels()
    ['vaccines', '3004']
    """
    if products is None:
        return ProductSelection()
    words = _SPLIT.split(products) if isinstance(products, str) else \
        [w for item in products for w in _SPLIT.split(str(item))]
    items, groups = [], []
    for word in (w.strip() for w in words):
        if not word:
            continue
        if word.isdigit():
            if not _CODE.fullmatch(word):
                raise InputError(f"HS code {word!r} is not a 2-, 4- or 6-digit code",
                                 hint="write codes with their leading zeros, e.g. 0303 or 300220")
            items.append((word, ((word, word),)))
        else:
            group = product_group(word)
            items.append((group.code, group.ranges))
            groups.append(group)
    return ProductSelection(tuple(dict.fromkeys(items)), tuple(dict.fromkeys(groups)))

"""Use cases over the reference codes: look up countries, blocs, HS products and sectors.

Each function returns plain records (lists of dicts) that the CLI, the API and the web render.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from capcoop.codes.blocs import bloc, blocs
from capcoop.codes.countries import countries_table, country, search_countries
from capcoop.codes.products import hs_product, hs_table, search_products
from capcoop.codes.sectors import cooperation_sector, cooperation_sectors, hs_codes_of_sector

__all__ = ["country_records", "bloc_records", "bloc_member_records", "product_records",
           "sector_records", "sector_product_records"]

_COUNTRY_FIELDS = ("iso3", "iso2", "m49", "baci", "name_en", "name_zh", "kind", "region", "subregion")


def _country_record(item: Any) -> dict[str, Any]:
    record = asdict(item)
    return {k: record[k] for k in _COUNTRY_FIELDS} | {"dots_name": record["dots_name"]}


def country_records(search: str | None = None, *, code: str | None = None,
                    limit: int = 10, include_aggregates: bool = False) -> list[dict[str, Any]]:
    """Countries: the one ``code`` names, those matching ``search``, or all of them."""
    if code:
        return [_country_record(country(code))]
    if search:
        return [_country_record(c) for c in search_countries(search, limit=limit)]
    table = countries_table()
    if not include_aggregates:
        table = table[table["kind"] == "country"]
    return [{k: (None if v != v else v) for k, v in row.items() if k in _COUNTRY_FIELDS}
            for row in table.to_dict(orient="records")]


def bloc_records() -> list[dict[str, Any]]:
    """Every bloc (built-in and user-defined) with its current member count."""
    return [{"bloc": b.code, "name_en": b.name_en, "name_zh": b.name_zh,
             "aliases": ",".join(b.aliases), "ever_members": len(b.ever_members()),
             "source": b.source} for b in blocs()]


def bloc_member_records(name: str, *, year: int | None = None,
                        month: int | None = None) -> list[dict[str, Any]]:
    """Members of bloc ``name`` with ``joined`` and ``left`` dates.

    With ``year`` (and ``month``), only the members for that period under the period rule: a
    country counts for a period iff it is a member on the period's last day.
    """
    item = bloc(name)
    current = item.members_for_period(year, month) if year is not None else None
    rows = []
    for m in sorted(item.memberships, key=lambda m: (m.joined, m.iso3)):
        if current is not None and m.iso3 not in current:
            continue
        rows.append({"bloc": item.code, "iso3": m.iso3, "name_en": country(m.iso3).name_en,
                     "joined": m.joined.isoformat(),
                     "left": m.left.isoformat() if m.left else None})
    return rows


def product_records(code: str | None = None, *, search: str | None = None,
                    revision: str = "HS17", level: int | None = None,
                    limit: int = 20) -> list[dict[str, Any]]:
    """HS products: the one ``code`` names, those whose description matches ``search``, or a level."""
    if code:
        return [asdict(hs_product(code, revision))]
    if search:
        return search_products(search, revision, limit=limit).to_dict(orient="records")
    table = hs_table(revision)
    if level is not None:
        table = table[table["level"] == level]
    return table.to_dict(orient="records")


def sector_records() -> list[dict[str, Any]]:
    """The cooperation-sector taxonomy: one record per sector with its HS ranges and tags."""
    return [{"sector": s.code, "name_en": s.name_en, "name_zh": s.name_zh, "tags": ",".join(s.tags),
             "hs_ranges": ";".join(lo if lo == hi else f"{lo}-{hi}" for lo, hi in s.ranges),
             "rationale": s.rationale} for s in cooperation_sectors()]


def sector_product_records(name: str, *, revision: str = "HS17", level: int = 6) -> list[dict[str, Any]]:
    """The HS codes of cooperation sector ``name`` with their descriptions."""
    item = cooperation_sector(name)
    table = hs_table(revision).set_index("code")
    return [{"sector": item.code, "hs": code, "description": table.at[code, "description"]
             if code in table.index else None}
            for code in hs_codes_of_sector(item.code, revision=revision, level=level)]

"""Economies and blocs: resolving reporter, partner and ranking-bloc names.

Part of :mod:`capcoop.services.monitor`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from capcoop.analytics.trade import (
    Period,
)
from capcoop.codes.blocs import Bloc, bloc, blocs, is_bloc
from capcoop.codes.countries import countries_table, country
from capcoop.errors import InputError, UnknownCountryError
from capcoop.settings import get_setting

CIF_FOB_CAVEAT = (
    "Exports are declared FOB (valued at the exporter's border) and imports CIF (including "
    "cost, insurance and freight to the importer's border), so a partner's recorded imports "
    "from the reporter normally exceed the reporter's recorded exports to it by the CIF/FOB "
    "margin (a few per cent). Timing, re-exports through third economies (Hong Kong, "
    "Singapore), origin vs consignment rules, confidential items and publisher estimates "
    "widen the gap.")
_ARTICLE = ("United ", "Republic of", "Russian Federation", "Philippines", "Netherlands",
            "Czech Republic", "Dominican Republic", "Central African", "Democratic Republic",
            "Gambia", "Bahamas", "Maldives", "Marshall Islands", "Solomon Islands", "Comoros",
            "EU", "Holy See")


# --- economies and blocs --------------------------------------------------------------------


@dataclass(frozen=True)
class Economy:
    """A reporter or partner: a country (``bloc`` None) or a bloc with dated membership."""

    code: str
    name_en: str
    name_zh: str
    bloc: Bloc | None = None

    @property
    def is_bloc(self) -> bool:
        """True for a bloc (ASEAN, EU ...)."""
        return self.bloc is not None

    def members(self, period: Period) -> frozenset[str]:
        """ISO3 codes making up the economy in ``period`` (a bloc: members on its last day)."""
        if self.bloc is None:
            return frozenset({self.code})
        return self.bloc.members_for_period(period.year, period.membership_month)

    def ever_members(self) -> frozenset[str]:
        """Every code that is ever part of the economy."""
        return self.bloc.ever_members() if self.bloc else frozenset({self.code})

    def label(self, lang: str = "en") -> str:
        """The official name in ``lang``."""
        return self.name_zh if lang == "zh" and self.name_zh else self.name_en

    def short_name(self, lang: str = "en", *, article: bool = False) -> str:
        """A short name for sentences ("ASEAN", "the EU", "Viet Nam"; "东盟", "美国")."""
        name = _short_name(self.code, self.is_bloc, lang)
        if article and lang == "en" and name.startswith(_ARTICLE):
            return f"the {name}"
        return name


@lru_cache(maxsize=1)
def _country_rows() -> dict[str, dict[str, Any]]:
    return {row["iso3"]: row for row in countries_table().to_dict("records")}


@lru_cache(maxsize=1)
def _kinds() -> dict[str, str]:
    return {code: row["kind"] for code, row in _country_rows().items()}


@lru_cache(maxsize=1024)
def _short_name(code: str, is_a_bloc: bool, lang: str) -> str:
    if is_a_bloc:
        found = bloc(code)
        if lang != "zh":
            return found.code
        names = [n for n in (found.name_zh, *found.aliases) if n and not n.isascii()]
        return min(names, key=len) if names else found.code
    row = _country_rows()[code]
    aliases = [a for a in str(row["aliases"]).split("|") if a]
    if lang == "zh":
        names = [n for n in (row["name_zh"], *aliases) if n and not n.isascii()]
        if names:
            return min(names, key=len)
    names = [n for n in (row["name_en"], row["dots_name"], *aliases) if n and n.isascii()
             and not any(ch in n for ch in ",:()") and any(ch.islower() for ch in n)]
    return min(names, key=len) if names else str(row["name_en"])


def economy(text: str, *, role: str = "economy") -> Economy:
    """Resolve a reporter or partner: an ISO3 code, a country name or a bloc name.

    Raises
    ------
    UnknownCountryError
        When ``text`` is neither a country nor a bloc (with suggestions).
    InputError
        When ``text`` names an aggregate such as World or an IMF region.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{role} must be a country code, a country name or a bloc, got {text!r}",
                         hint="give e.g. CHN, 'Viet Nam' or ASEAN")
    if is_bloc(text):
        found = bloc(text)
        return Economy(found.code, found.name_en, found.name_zh, found)
    try:
        place = country(text)
    except UnknownCountryError as err:
        known = ", ".join(item.code for item in blocs())
        raise UnknownCountryError(f"unknown {role} {text!r}", hint=f"{err.hint}; or a bloc: {known}",
                                  suggestions=err.suggestions) from None
    if place.kind == "aggregate":
        raise InputError(f"{role} {text!r} is '{place.name_en}', an aggregate that sources "
                         "publish, not an economy",
                         hint="give a country or a bloc such as ASEAN; totals with the world "
                              "are in `capcoop partners`")
    return Economy(place.iso3, place.name_en, place.name_zh)


def ranking_blocs(names: str | Sequence[str] | None = None) -> tuple[Economy, ...]:
    """The blocs counted as one partner (default: setting ``ranking_blocs``, ASEAN and EU).

    ``"none"`` or an empty text means no bloc: every country counts on its own.
    """
    if isinstance(names, str) and names.strip().lower() in ("", "none"):
        return ()
    chosen = get_setting("ranking_blocs", names)
    found = []
    for name in chosen:  # type: ignore[union-attr]
        item = economy(name, role="bloc")
        if not item.is_bloc:
            raise InputError(f"{name!r} is a country, not a bloc",
                             hint="--blocs takes bloc names such as ASEAN,EU (or 'none')")
        found.append(item)
    return tuple(dict.fromkeys(found))


def _check_members(item: Economy, period: Period, role: str) -> frozenset[str]:
    members = item.members(period)
    if not members:
        first = min(m.joined for m in item.bloc.memberships)  # type: ignore[union-attr]
        raise InputError(f"{role} {item.code} has no members in {period.label} "
                         f"(its first members joined on {first})",
                         hint=f"choose a year from {first.year} on")
    return members


def _groups_for(groups: Sequence[Economy], partner: Economy | None) -> tuple[Economy, ...]:
    """The partner-counting blocs for ranking ``partner``: it counts as itself (a bloc), and
    chosen blocs that share members with it are dropped so it can be ranked at all."""
    if partner is None:
        return tuple(groups)
    kept = tuple(g for g in groups if g.code != partner.code
                 and not (g.ever_members() & partner.ever_members()))
    return (partner, *kept) if partner.is_bloc else kept


def _unit_name(code: str, groups: Sequence[Economy], lang: str = "en", *,
               article: bool = False) -> str:
    """Short name of a partner unit (a chosen bloc or a country); ``article``: "the EU"."""
    for group in groups:
        if group.code == code:
            return group.short_name(lang, article=article)
    name = _short_name(code, False, lang) if code in _country_rows() else code
    return f"the {name}" if article and lang == "en" and name.startswith(_ARTICLE) else name

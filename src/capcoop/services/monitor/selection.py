"""Choosing the stored rows (basis, source, periods), loading them and building partner tables.

Part of :mod:`capcoop.services.monitor`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb
import pandas as pd

from capcoop.analytics.trade import (
    INTRA,
    Period,
    add_flow_components,
    money_values,
    partner_units,
    period_gaps,
    prefer_stored_mirror,
    sum_complete_periods,
    world_totals,
)
from capcoop.errors import InputError
from capcoop.services.monitor.economies import Economy, _kinds
from capcoop.warehouse.trade_queries import (
    BASES,
    flow_coverage,
    legs_for,
    oriented_totals,
    stale_derived_totals,
)
from capcoop.warehouse.versions import warehouse_version

# --- choosing the rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which stored rows answer a question: one source, basis, classification and frequency."""

    source: str
    basis: str
    classification: str
    freq: str
    years: tuple[int, ...]
    alternatives: tuple[str, ...] = ()
    usd_complete: bool = True
    stale_totals: bool = False

    @property
    def legs(self) -> tuple:
        """How rows are read for this basis (:func:`~capcoop.warehouse.trade_queries.legs_for`)."""
        return legs_for(self.basis)

    def describe(self) -> str:
        """One line for notes: source, basis, classification and frequency."""
        freq = "annual" if self.freq == "A" else "monthly"
        text = f"source {self.source}, basis {self.basis}, {freq} {self.classification} data"
        if self.alternatives:
            text += f" (also in the warehouse: {', '.join(self.alternatives)}; choose with --source)"
        if self.stale_totals:
            text += ("; its derived totals predate its latest product load, so products are "
                     "summed (re-derive them: warehouse.trade_queries.derive_product_totals)")
        return text


def _usable(cov: pd.DataFrame, basis: str) -> pd.DataFrame:
    if basis == "reported":
        keep = (cov["basis"] == "reported") & (cov["side"] == "reporter")
    elif basis == "mirror":
        keep = ((cov["basis"] == "reported") & (cov["side"] == "partner")) | \
            ((cov["basis"] == "mirror") & (cov["side"] == "reporter"))
    else:
        keep = cov["basis"] == "reconciled"
    return cov[keep]


def _default_basis(cov: pd.DataFrame) -> str:
    if len(_usable(cov, "reported")):
        return "reported"
    return "reconciled" if len(_usable(cov, "reconciled")) else "reported"


_SELECTIONS: dict[tuple, Selection] = {}


def _warehouse_version(con: Any) -> tuple | None:
    """The open warehouse file and its :func:`~capcoop.warehouse.versions.warehouse_version`
    (None: unknown). Any committed write changes it, so the value identifies what the file holds.
    """
    cursor = con.cursor()
    try:
        row = cursor.execute("SELECT path FROM duckdb_databases() "
                             "WHERE database_name = current_database()").fetchone()
    except duckdb.Error:
        return None
    finally:
        cursor.close()
    return (row[0], *warehouse_version(row[0])) if row and row[0] else None


def _select(con: Any, item: Economy, period: Period, basis: str | None, source: str | None,
            *, product_level: bool = False, history: bool = False) -> Selection:
    """Choose source, classification and frequency (see :func:`_select_rows`).

    The choice is metadata about what the warehouse holds; it is kept per warehouse version
    (file, size and modification time, see :func:`_warehouse_version`), so a write to the
    warehouse makes it be chosen again. Figures are always computed afresh.
    """
    version = _warehouse_version(con)
    key = None if version is None else \
        (version, item.code, item.ever_members(), period, basis, source, product_level, history)
    cached = _SELECTIONS.get(key) if key is not None else None  # one lookup: threads may clear
    if cached is not None:
        return cached
    chosen = _select_rows(con, item, period, basis, source, product_level=product_level,
                          history=history)
    if key is not None:
        if len(_SELECTIONS) > 512:
            _SELECTIONS.clear()
        _SELECTIONS[key] = chosen
    return chosen


def _select_rows(con: Any, item: Economy, period: Period, basis: str | None, source: str | None,
                 *, product_level: bool = False, history: bool = False) -> Selection:
    """Choose source, classification and frequency; ``history`` looks at every year (streaks),
    else at the period's year and the one before. ``TOTAL`` rows are tried first (cheap on
    product-level warehouses); product rows only when they do not answer."""
    if basis is not None and basis not in BASES:
        raise InputError(f"unknown basis {basis!r}", hint=f"use one of {', '.join(BASES)}")
    window = None if history else (period.year - 1, period.year)
    codes = sorted(item.ever_members())
    cov = pd.DataFrame()
    for totals_only in ((False,) if product_level else (True, False)):
        cov = flow_coverage(con, codes=codes, years=window, totals_only=totals_only)
        chosen = _choose(con, cov, period, basis or _default_basis(cov), source, product_level)
        if chosen is not None:
            return chosen
    if window is not None:  # look at every year to say what there is
        return _select_rows(con, item, period, basis, source, product_level=product_level,
                            history=True)
    raise _no_data(item, period, basis or _default_basis(cov), source, cov, product_level)


def _choose(con: Any, cov: pd.DataFrame, period: Period, basis: str, source: str | None,
            product_level: bool) -> Selection | None:
    usable = _usable(cov, basis)
    if product_level:  # totals are summed from products when a source has no TOTAL rows
        usable = usable[usable["classification"] != "TOTAL"]
    if not period.is_annual:
        usable = usable[usable["freq"] == "M"]
    if source is not None:
        usable = usable[usable["source"] == source]
    stale = [s for s in sorted(set(usable["source"])) if stale_derived_totals(con, s)] \
        if (usable["classification"] == "TOTAL").any() else []
    usable = usable[~(usable["source"].isin(stale) & (usable["classification"] == "TOTAL"))]
    in_year = usable[usable["year"] == period.year]
    if in_year.empty:
        return None
    scores = in_year.groupby("source", as_index=False)["rows"].sum()
    scores = scores.sort_values(["rows", "source"], ascending=[False, True])
    chosen = scores["source"].iloc[0]
    mine = in_year[in_year["source"] == chosen]
    freq = "A" if period.is_annual and (mine["freq"] == "A").any() else "M"
    classes = mine[mine["freq"] == freq].groupby("classification")["rows"].sum()
    classification = "TOTAL" if "TOTAL" in classes.index else str(classes.idxmax())
    same = usable[(usable["source"] == chosen) & (usable["freq"] == freq)
                  & (usable["classification"] == classification)]
    return Selection(chosen, basis, classification, freq, tuple(sorted(set(same["year"]))),
                     tuple(scores["source"].iloc[1:]), bool((same["usd_rows"] == same["rows"]).all()),
                     chosen in stale)


def _no_data(item: Economy, period: Period, basis: str, source: str | None, cov: pd.DataFrame,
             product_level: bool) -> InputError:
    what = "product-level " if product_level else ("monthly " if not period.is_annual else "")
    usable = _usable(cov, basis)
    usable = usable[(usable["classification"] != "TOTAL")] if product_level else usable
    usable = usable if period.is_annual else usable[usable["freq"] == "M"]
    if source is not None:
        if not (usable["source"] == source).any():
            have = sorted(set(usable["source"])) or ["none"]
            return InputError(f"source {source!r} has no {what}{basis} data for {item.code}",
                              hint=f"sources with such data: {', '.join(have)}")
        usable = usable[usable["source"] == source]
    if len(usable):
        years = sorted(set(usable["year"]))
        hint = f"{item.code} has {what}{basis} data for {years[0]}-{years[-1]}; choose a year in that range"
    elif len(cov):
        bases = sorted({b for b in BASES if len(_usable(cov, b))})
        hint = (f"the warehouse has {', '.join(bases) or 'other'} data for {item.code}; try "
                f"--basis {bases[0]}" if bases else "load more data with `capcoop ingest`")
        if product_level:
            hint = "load product-level data (BACI or Comtrade HS files) with `capcoop ingest`"
    else:
        hint = "load data for it with `capcoop ingest` (see `capcoop sources`)"
    return InputError(f"no {what}{basis} trade data for {item.code} in {period.label}", hint=hint)


# --- loading and summing --------------------------------------------------------------------


@dataclass
class _Flows:
    """One subject's sums by year, member, counterpart and flow, with the gaps found."""

    item: Economy
    selection: Selection
    values: pd.DataFrame
    no_data: dict[int, frozenset[str]]
    missing_months: dict[int, dict[str, tuple[int, ...]]]
    currency: str
    notes: list[str] = field(default_factory=list)

    @cached_property
    def flagged(self) -> pd.DataFrame:
        """Rows with publisher estimates."""
        return self.values[self.values["estimates"] > 0]


def _load(con: Any, item: Economy, sel: Selection, periods: Sequence[Period],
          extra: frozenset[str] = frozenset()) -> _Flows:
    expected = {p.year: item.members(p) | extra for p in periods}
    months = {p.year: ((0,) if sel.freq == "A" else p.months) for p in periods}
    subjects = pd.DataFrame([(y, m, c) for y, codes in expected.items() for m in months[y]
                             for c in sorted(codes)], columns=["year", "month", "code"])
    raw = oriented_totals(con, source=sel.source, legs=sel.legs, classification=sel.classification,
                          freq=sel.freq, subjects=subjects, local=not sel.usd_complete)
    raw, currency, notes = money_values(prefer_stored_mirror(raw))
    raw = add_flow_components(raw)
    no_data, gaps = period_gaps(raw, expected, months)
    return _Flows(item, sel, sum_complete_periods(raw, gaps), no_data, gaps, currency, notes)


# --- partner tables ---------------------------------------------------------------------------


def _unit_map(period: Period, own: frozenset[str], groups: Sequence[Economy]) -> dict[str, str]:
    """Counterpart code -> the partner it counts as (the subject's own members: INTRA)."""
    mapping = {code: INTRA for code in own}
    for group in groups:
        for code in sorted(group.members(period) - own):
            if code in mapping:
                raise InputError(f"blocs {mapping[code]} and {group.code} both contain {code} "
                                 f"in {period.label}; a country can count in one partner only",
                                 hint="choose blocs that do not overlap, e.g. --blocs ASEAN,EU")
            mapping[code] = group.code
    return mapping


@dataclass(frozen=True)
class _Tables:
    """Partner units and world totals of a subject for several years (see analytics.trade)."""

    units: pd.DataFrame
    worlds: pd.DataFrame

    @cached_property
    def _world_rows(self) -> dict[int, dict[str, Any]]:
        return {int(row["year"]): row for row in self.worlds.to_dict("records")}

    def world(self, year: int) -> dict[str, Any] | None:
        """Exports, imports, total, declared and partner_sum of one year's world trade."""
        return self._world_rows.get(year)


def _tables(flows: _Flows, spans: Sequence[tuple[Period, frozenset[str], Period]],
            groups: Sequence[Economy], *, worlds: bool = True) -> _Tables:
    """Partner units and world totals for ``(data period, subject members, membership
    period)`` spans: blocs count their members of the membership period (the data period's
    own, or a later one for constant-composition growth). Data periods must differ."""
    values = flows.values[flows.values["year"].isin([p.year for p, _, _ in spans])]
    own = pd.DataFrame([(p.year, c) for p, codes, _ in spans for c in codes],
                       columns=["year", "subject"])
    units = pd.DataFrame([(p.year, code, unit) for p, codes, member_period in spans
                          for code, unit in _unit_map(member_period, codes, groups).items()],
                         columns=["year", "counterpart", "unit"])
    kinds = {**_kinds(), **{g.code: "bloc" for g in groups}}
    world = world_totals(values, own, _kinds()) if worlds else pd.DataFrame(columns=["year"])
    return _Tables(partner_units(values, own, units, kinds), world)


def _world_of(flows: _Flows, period: Period, own: frozenset[str]) -> dict[str, Any] | None:
    """World trade of the subject (its members ``own``) in one period."""
    values = flows.values[flows.values["year"] == period.year]
    frame = pd.DataFrame({"year": [period.year] * len(own), "subject": sorted(own)})
    rows = world_totals(values, frame, _kinds()).to_dict("records")
    return rows[0] if rows else None

"""Reported vs mirror comparison and product composition of bilateral trade.

Part of :mod:`capcoop.services.monitor`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.analytics.trade import (
    Period,
    parse_period,
    pct_change,
    rank_partners,
    share_pct,
)
from capcoop.errors import InputError
from capcoop.services.monitor.bilateral import (
    _estimate_note,
    _gap_notes,
    _mirror_gaps,
    _pair,
    _pair_members,
)
from capcoop.services.monitor.economies import CIF_FOB_CAVEAT, Economy, economy
from capcoop.services.monitor.selection import Selection, _load, _select
from capcoop.warehouse.connection import open_reader

# --- reported vs mirror -----------------------------------------------------------------------


@dataclass(frozen=True)
class MirrorComparison:
    """The same pair's figures from the reporter's declarations and from the partner's.

    ``table`` columns: ``partner, flow, reported, mirror, gap, gap_pct`` with
    ``gap = mirror - reported`` and ``gap_pct = 100 * gap / reported``; one block per partner
    member (a bloc partner) and one for the partner as a whole.
    """

    reporter: Economy
    partner: Economy
    period: Period
    source: str
    currency: str
    table: pd.DataFrame
    caveat: str
    notes: tuple[str, ...]
    warehouse: str

    def records(self) -> list[dict[str, Any]]:
        """One record per partner and flow."""
        return [row | {"period": self.period.label, "source": self.source,
                       "currency": self.currency} for row in self.table.to_dict("records")]


def mirror_comparison(reporter: str, partner: str, year: int, *, months: str | None = None,
                      source: str | None = None,
                      warehouse: str | Path | None = None) -> MirrorComparison:
    """Reported vs mirror figures of one pair, side by side, with the gap and the caveat."""
    period = parse_period(year, months)
    rep, par = economy(reporter, role="reporter"), economy(partner, role="partner")
    own, theirs = _pair_members(rep, par, period)
    with open_reader(warehouse) as (con, location):
        reported = _select(con, rep, period, "reported", source)
        mirrored = _select(con, rep, period, "mirror", source or reported.source)
        flows = {b: _load(con, rep, s, [period]) for b, s in
                 (("reported", reported), ("mirror", mirrored))}
        silent = _mirror_gaps(con, mirrored, theirs, period.year)
    if flows["reported"].currency != flows["mirror"].currency:
        raise InputError("reported and mirror figures are in different currencies",
                         hint="choose one source with --source")
    lines = []
    blocks = [(c, frozenset({c})) for c in sorted(theirs)] if len(theirs) > 1 else []
    for name, codes in [*blocks, (par.code, theirs)]:
        pairs = {b: _pair(f, period.year, own, codes) for b, f in flows.items()}
        for flow in ("exports", "imports", "total"):
            rep_v, mir_v = getattr(pairs["reported"], flow), getattr(pairs["mirror"], flow)
            lines.append({"partner": name, "flow": flow, "reported": rep_v, "mirror": mir_v,
                          "gap": mir_v - rep_v, "gap_pct": pct_change(mir_v, rep_v)})
    notes = [f"reported: {reported.describe()}", f"mirror: {mirrored.describe()}", *silent]
    for basis, f in flows.items():
        notes += _gap_notes(f, period.year, own, f"{period.label} ({basis})")
        notes += _estimate_note(f, period.year, own, theirs)
    return MirrorComparison(rep, par, period, mirrored.source, flows["reported"].currency,
                            pd.DataFrame(lines), CIF_FOB_CAVEAT, tuple(notes), location.label)


# --- product composition ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductComposition:
    """Top products, cooperation sectors and top movers of one pair's exports or imports.

    ``products``: ``rank, product, description, value, share_pct, previous, yoy_pct``;
    ``sectors``: ``sector, value, share_pct, products`` (a product in two sectors counts in
    both, so sector shares may add to more than 100); ``movers``: ``product, description,
    current, previous, change, change_pct`` by absolute change.
    """

    reporter: Economy
    partner: Economy
    period: Period
    flow: str
    selection: Selection
    currency: str
    products: pd.DataFrame
    sectors: pd.DataFrame
    movers: pd.DataFrame
    coverage_pct: float | None
    notes: tuple[str, ...]
    warehouse: str


def _describe_products(codes: Sequence[str], classification: str) -> list[str]:
    from capcoop.codes.products import hs_product
    revision = classification if classification.startswith("HS") and classification[2:].isdigit() \
        else "HS17"
    out = []
    for code in codes:
        try:
            out.append(hs_product(code, revision).description)
        except InputError:
            out.append("")
    return out


def _sector_table(six: pd.Series) -> pd.DataFrame:
    from capcoop.codes.sectors import sector_of_hs
    codes = [c for c in six.index if len(c) == 6 and c.isdigit()]
    found = sector_of_hs(codes) if codes else pd.DataFrame(columns=["hs", "sector"])
    found = found.assign(value=found["hs"].map(six))
    table = found.groupby("sector").agg(value=("value", "sum"), products=("hs", "nunique"))
    table = table.reset_index().sort_values("value", ascending=False, kind="mergesort")
    table["share_pct"] = [share_pct(v, float(six.sum())) for v in table["value"]]
    return table.reset_index(drop=True)


def product_composition(reporter: str, partner: str, year: int, *, months: str | None = None,
                        flow: str = "exports", digits: int = 4, top: int = 10,
                        basis: str | None = None, source: str | None = None,
                        warehouse: str | Path | None = None) -> ProductComposition:
    """Top products (HS at ``digits`` digits), cooperation sectors and top movers of the
    reporter's ``flow`` (``exports`` or ``imports``) with the partner, from product-level data.
    """
    from capcoop.warehouse.trade_queries import product_totals
    if flow not in ("exports", "imports") or digits not in (2, 4, 6) or top < 1:
        raise InputError(f"composition of {flow!r} at {digits!r} digits, top {top!r} is not "
                         "possible", hint="flow exports or imports, digits 2, 4 or 6, top >= 1")
    period = parse_period(year, months)
    rep, par = economy(reporter, role="reporter"), economy(partner, role="partner")
    own, theirs = _pair_members(rep, par, period)
    with open_reader(warehouse) as (con, location):
        sel = _select(con, rep, period, basis, source, product_level=True)
        months_ = (0,) if sel.freq == "A" else period.months
        years = (period.year - 1, period.year)
        grid = [(y, m) for y in years for m in months_]
        frame = product_totals(
            con, source=sel.source, legs=sel.legs, classification=sel.classification,
            freq=sel.freq, digits=6,
            subjects=pd.DataFrame([(y, m, c) for y, m in grid for c in own],
                                  columns=["year", "month", "code"]),
            counterparts=pd.DataFrame([(y, m, c) for y, m in grid for c in theirs],
                                      columns=["year", "month", "code"]))
        total = _total_for_coverage(con, rep, par, period, sel)
    use_local = frame["value_usd"].isna().all() and frame["value_local"].notna().any()
    frame["value"] = frame["value_local" if use_local else "value_usd"].fillna(0.0)
    frame = frame[frame["flow"] == ("X" if flow == "exports" else "M")]
    six = {y: frame[frame["year"] == y].groupby("product")["value"].sum() for y in years}
    cut = {y: s.groupby(s.index.str[:digits]).sum() for y, s in six.items()}
    now, before = cut[period.year], cut[period.year - 1]
    ranked = rank_partners(now.rename("value").rename_axis("product").reset_index(), "value",
                           key="product").head(top)
    ranked["description"] = _describe_products(list(ranked["product"]), sel.classification)
    ranked["share_pct"] = [share_pct(v, float(now.sum())) for v in ranked["value"]]
    ranked["previous"] = [before.get(p) for p in ranked["product"]]
    ranked["yoy_pct"] = [pct_change(v, before.get(p)) for p, v in
                         zip(ranked["product"], ranked["value"], strict=True)]
    from capcoop.analytics.trade import top_movers
    movers = top_movers(now, before, top).rename(columns={"item": "product"})
    movers.insert(1, "description", _describe_products(list(movers["product"]), sel.classification))
    coverage = share_pct(float(now.sum()), total)
    notes = [f"figures from {sel.describe()}"]
    if coverage is not None and coverage < 99.5:
        notes.append(f"the product rows add up to {coverage:.1f}% of the pair's total {flow}: "
                     "the source does not hold every product, so shares are of the rows loaded")
    notes.append("a product in two cooperation sectors counts in both")
    return ProductComposition(rep, par, period, flow, sel, "USD" if not use_local else "local",
                              ranked[["rank", "product", "description", "value", "share_pct",
                                      "previous", "yoy_pct"]],
                              _sector_table(six[period.year]), movers, coverage, tuple(notes),
                              location.label)


def _total_for_coverage(con: Any, rep: Economy, par: Economy, period: Period,
                        sel: Selection) -> float | None:
    try:
        tsel = _select(con, rep, period, sel.basis, sel.source)
    except InputError:
        return None
    if tsel.classification != "TOTAL":
        return None
    flows = _load(con, rep, tsel, [period])
    own = rep.members(period)
    values = _pair(flows, period.year, own, par.members(period) - own)
    return values.exports if values.exports else values.total

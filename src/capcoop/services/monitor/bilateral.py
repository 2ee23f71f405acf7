"""The bilateral summary: flow values, growth, notes and the stored rows behind them.

Part of :mod:`capcoop.services.monitor`, which re-exports the public names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.analytics.trade import (
    WORLD,
    Period,
    cagr_pct,
    parse_period,
    pct_change,
    share_pct,
)
from capcoop.errors import InputError
from capcoop.services.monitor.economies import CIF_FOB_CAVEAT, Economy, _check_members, economy
from capcoop.services.monitor.selection import Selection, _Flows, _load, _select, _world_of
from capcoop.warehouse.connection import open_reader
from capcoop.warehouse.trade_queries import (
    flow_coverage,
    source_rows,
)

# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowValues:
    """Exports and imports of one pair in one period (None: not available)."""

    exports: float | None
    imports: float | None

    @property
    def total(self) -> float | None:
        """Exports + imports."""
        return None if self.exports is None or self.imports is None else self.exports + self.imports

    @property
    def balance(self) -> float | None:
        """Exports - imports."""
        return None if self.exports is None or self.imports is None else self.exports - self.imports


def _money(prefix: str, value: float | None, currency: str) -> dict[str, Any]:
    if currency == "USD":
        return {f"{prefix}_usd": value}
    return {f"{prefix}_usd": None, f"{prefix}_{currency.lower()}": value}


@dataclass(frozen=True)
class BilateralSummary:
    """Trade between a reporter and a partner in a period, with growth and shares.

    ``series`` holds one row per year from ``cagr_since`` (when given) to the period's year;
    ``rows`` the stored rows behind the figures (filled when asked to explain).
    """

    reporter: Economy
    partner: Economy
    period: Period
    selection: Selection
    currency: str
    current: FlowValues
    previous: FlowValues | None
    reporter_total: float | None
    reporter_total_declared: bool
    reporter_partner_sum: float | None
    partner_side_total: float | None
    partner_total: float | None
    series: pd.DataFrame
    cagr_since: int | None
    complete: bool
    notes: tuple[str, ...]
    rows: pd.DataFrame
    warehouse: str

    def _yoy(self, name: str) -> float | None:
        before = None if self.previous is None else getattr(self.previous, name)
        return pct_change(getattr(self.current, name), before)

    @property
    def total_yoy_pct(self) -> float | None:
        """``100 * (T_t / T_{t-1} - 1)``."""
        return self._yoy("total")

    @property
    def total_change(self) -> float | None:
        """``T_t - T_{t-1}``."""
        before = None if self.previous is None else self.previous.total
        now = self.current.total
        return None if before is None or now is None else now - before

    @property
    def share_of_reporter_total_pct(self) -> float | None:
        """``100 * T / W``, W the reporter's trade with the world."""
        return share_pct(self.current.total, self.reporter_total)

    @property
    def share_of_partner_total_pct(self) -> float | None:
        """The partner's declared trade with the reporter over the partner's world trade."""
        return share_pct(self.partner_side_total, self.partner_total)

    @property
    def cagr_pct(self) -> float | None:
        """Compound annual growth of total trade from ``cagr_since`` to the period's year."""
        if self.cagr_since is None or self.series.empty:
            return None
        first = self.series.loc[self.series["year"] == self.cagr_since, "total"]
        return cagr_pct(first.iloc[0] if len(first) else None, self.current.total,
                        self.period.year - self.cagr_since)

    def record(self) -> dict[str, Any]:
        """The figures as one flat record (money keys end in ``_usd``; see the JSON contract)."""
        c = self.currency
        out: dict[str, Any] = {
            "reporter": self.reporter.code, "reporter_name": self.reporter.label(),
            "partner": self.partner.code, "partner_name": self.partner.label(),
            "period": self.period.label, "basis": self.selection.basis,
            "source": self.selection.source, "currency": c}
        for name in ("exports", "imports", "total", "balance"):
            out |= _money(name, getattr(self.current, name), c)
        prev = self.previous.total if self.previous else None
        out |= _money("previous_total", prev, c) | _money("total_change", self.total_change, c)
        out |= {"total_yoy_pct": self.total_yoy_pct, "exports_yoy_pct": self._yoy("exports"),
                "imports_yoy_pct": self._yoy("imports")}
        out |= _money("reporter_total", self.reporter_total, c)
        out |= {"share_of_reporter_total_pct": self.share_of_reporter_total_pct,
                "share_of_partner_total_pct": self.share_of_partner_total_pct,
                "cagr_since": self.cagr_since, "cagr_pct": self.cagr_pct,
                "complete": self.complete, "notes": list(self.notes), "warehouse": self.warehouse}
        return out


def _pair(flows: _Flows, year: int, own: frozenset[str], partner: frozenset[str]) -> FlowValues:
    v = flows.values
    v = v[(v["year"] == year) & v["subject"].isin(own) & v["counterpart"].isin(partner)]
    return FlowValues(float(v.loc[v["flow"] == "X", "value"].sum()),
                      float(v.loc[v["flow"] == "M", "value"].sum()))


def _status(flows: _Flows, year: int, own: frozenset[str]) -> str:
    """``complete``, ``partial`` (some members lack data or months) or ``missing``."""
    lacking = (flows.no_data.get(year, frozenset()) | set(flows.missing_months.get(year, {}))) & own
    if not lacking:
        return "complete"
    return "missing" if lacking == own else "partial"


def _gap_notes(flows: _Flows, year: int, own: frozenset[str], label: str) -> list[str]:
    notes = []
    absent = sorted(flows.no_data.get(year, frozenset()) & own)
    if absent:
        notes.append(f"no {flows.selection.basis} data for {label} from {', '.join(absent)}: "
                     + ("the figures leave them out" if len(absent) < len(own)
                        else "the figures are not available"))
    for code, months in sorted(flows.missing_months.get(year, {}).items()):
        if code in own:
            notes.append(f"{label} is incomplete for {code}: month(s) {', '.join(map(str, months))} "
                         "are missing, so its figures are not summed")
    return notes


def _estimate_note(flows: _Flows, year: int, own: frozenset[str],
                   partner: frozenset[str] | None) -> list[str]:
    v = flows.flagged
    if v.empty:
        return []
    flagged = v[(v["year"] == year) & v["subject"].isin(own)]
    if partner is not None:
        flagged = flagged[flagged["counterpart"].isin(partner)]
    if flagged.empty:
        return []
    v = flows.values
    v = v[(v["year"] == year) & v["subject"].isin(own)]
    if partner is not None:
        v = v[v["counterpart"].isin(partner)]
    pairs = sorted({f"{s}-{c}" for s, c in zip(flagged["subject"], flagged["counterpart"], strict=True)})
    shown = ", ".join(pairs[:6]) + (" ..." if len(pairs) > 6 else "")
    return [f"{int(flagged['estimates'].sum())} of {int(v['rows'].sum())} stored figures for "
            f"{year} are publisher estimates (IMF 'e' cells are usually derived from partner "
            f"data): {shown}"]


def _world_note(world: dict[str, Any] | None, code: str, year: int) -> list[str]:
    if world is None or not world["declared"] or world["total"] <= 0:
        return []
    gap = pct_change(world["partner_sum"], world["total"])
    if gap is None or abs(gap) < 0.5:
        return []
    return [f"{code}'s declared World total for {year} and the sum over its partner countries "
            f"differ by {gap:+.1f}% (trade not allocated to a partner, or partners reported "
            "separately); shares use the World total"]


def _flow_note(world: dict[str, Any] | None, code: str, year: int, source: str) -> list[str]:
    if world is None:
        return []
    lacking = [name for name in ("exports", "imports") if not world[name]]
    return [f"{source} holds no {' or '.join(lacking)} of {code} for {year} (a partial extract?): "
            "totals and shares cover only what is there"] if lacking else []


def _composition_note(item: Economy, period: Period, role: str) -> list[str]:
    if not item.is_bloc:
        return []
    now, before = item.members(period), item.members(period.previous())
    if now == before:
        return []
    return [f"{role} {item.code} has {len(now)} members in {period.label} and {len(before)} in "
            f"{period.previous().label}: year-on-year change compares the {len(now)} members of "
            f"{period.label} in both years"]


# --- bilateral summary ------------------------------------------------------------------------


def _pair_members(reporter: Economy, partner: Economy, period: Period) -> tuple[frozenset, frozenset]:
    own = _check_members(reporter, period, "reporter") if reporter.is_bloc else reporter.members(period)
    theirs = _check_members(partner, period, "partner") if partner.is_bloc else partner.members(period)
    if theirs <= own:
        raise InputError(f"partner {partner.code} is part of reporter {reporter.code} in "
                         f"{period.label}", hint="choose a partner outside the reporter")
    return own, theirs - own


def _history(sel: Selection, period: Period, first: int | None = None) -> list[Period]:
    start = first if first is not None else min([*sel.years, period.year])
    return [period.shifted(y - period.year) for y in range(min(start, period.year - 1), period.year + 1)]


def _summary(con: Any, flows: _Flows, partner: Economy, period: Period, *, since: int | None,
             explain: bool, warehouse: str) -> BilateralSummary:
    item, sel, year = flows.item, flows.selection, period.year
    own, theirs = _pair_members(item, partner, period)
    status = _status(flows, year, own)
    current = _pair(flows, year, own, theirs) if status != "missing" else FlowValues(None, None)
    before = _status(flows, year - 1, own)
    previous = _pair(flows, year - 1, own, theirs) if before != "missing" else None
    world = _world_of(flows, period, own) if status != "missing" else None
    notes = [f"figures from {sel.describe()}"]
    notes += _gap_notes(flows, year, own, period.label)
    notes += _gap_notes(flows, year - 1, own, period.previous().label)
    if before == "missing":
        notes.append(f"no data for {period.previous().label}: year-on-year change not available")
    notes += _estimate_note(flows, year, own, theirs) + _world_note(world, item.code, year)
    notes += _flow_note(world, item.code, year, sel.source)
    notes += _composition_note(item, period, "reporter") + _composition_note(partner, period, "partner")
    if theirs != partner.members(period):
        notes.append(f"{partner.code} counts without {', '.join(sorted(partner.members(period) - theirs))}, "
                     f"which belongs to {item.code}")
    if sel.basis == "mirror":
        notes += _mirror_gaps(con, sel, theirs, year) + [CIF_FOB_CAVEAT]
    notes += flows.notes
    side_total, partner_total, side_notes = _partner_side(con, item, partner, period, sel)
    series = _series(flows, period, own, theirs, since)
    rows = _explain_rows(con, flows, period, own, theirs) if explain else pd.DataFrame()
    return BilateralSummary(
        item, partner, period, sel, flows.currency, current, previous,
        world["total"] if world else None, bool(world and world["declared"]),
        world["partner_sum"] if world else None, side_total, partner_total, series, since,
        status == "complete", tuple(notes + side_notes), rows, warehouse)


def _series(flows: _Flows, period: Period, own: frozenset[str], theirs: frozenset[str],
            since: int | None) -> pd.DataFrame:
    if since is None:
        return pd.DataFrame(columns=["year", "exports", "imports", "total", "balance", "status"])
    v = flows.values
    v = v[v["subject"].isin(own) & v["counterpart"].isin(theirs)]
    sums = v.groupby(["year", "flow"])["value"].sum().to_dict()
    rows = []
    for year in range(since, period.year + 1):
        status = _status(flows, year, own)
        values = FlowValues(sums.get((year, "X"), 0.0), sums.get((year, "M"), 0.0)) \
            if status != "missing" else FlowValues(None, None)
        rows.append({"year": year, "exports": values.exports, "imports": values.imports,
                     "total": values.total, "balance": values.balance, "status": status})
    return pd.DataFrame(rows)


def _check_since(since: int | None, period: Period) -> None:
    if since is not None and not period.year - 100 <= since < period.year:
        raise InputError(f"--since {since} must be a year before {period.year}",
                         hint=f"e.g. --since {period.year - 10}")


def _mirror_gaps(con: Any, sel: Selection, theirs: frozenset[str], year: int) -> list[str]:
    """Partners with no declarations at all in ``year`` cannot give mirror figures."""
    cov = flow_coverage(con, codes=sorted(theirs), years=(year, year))
    cov = cov[(cov["side"] == "reporter") & (cov["source"] == sel.source)]
    silent = sorted(theirs - set(cov["code"]))
    if not silent:
        return []
    return [f"{', '.join(silent)} did not report to {sel.source} for {year}: mirror figures "
            "leave them out (their trade is not zero, it is unknown)"]


def _partner_side(con: Any, reporter: Economy, partner: Economy, period: Period,
                  sel: Selection) -> tuple[float | None, float | None, list[str]]:
    """Bilateral trade and world trade as the partner declares them (for the partner's share)."""
    mine = partner.members(period)
    counter = reporter.members(period) - mine
    psel, pflows = sel, _load(con, partner, sel, [period])  # the reporter's rows answer first
    if _status(pflows, period.year, mine) == "missing":
        try:
            psel = _select(con, partner, period, sel.basis, None)
            pflows = _load(con, partner, psel, [period])
        except InputError as err:
            return None, None, [f"{partner.code}'s own trade totals are not available "
                                f"({err.message})"]
    if _status(pflows, period.year, mine) == "missing":
        return None, None, [f"{partner.code} has no {sel.basis} data for {period.label}: its "
                            "share is not available"]
    world = _world_of(pflows, period, mine)
    notes = [] if psel.source == sel.source else [f"{partner.code}'s share uses {psel.describe()}"]
    return (_pair(pflows, period.year, mine, counter).total, world["total"] if world else None,
            notes + _gap_notes(pflows, period.year, mine, f"{partner.code} {period.label}"))


def _explain_rows(con: Any, flows: _Flows, period: Period, own: frozenset[str],
                  theirs: frozenset[str]) -> pd.DataFrame:
    sel = flows.selection
    months = (0,) if sel.freq == "A" else period.months
    years = (period.year - 1, period.year)
    subjects = pd.DataFrame([(y, m, c) for y in years for m in months for c in sorted(own)],
                            columns=["year", "month", "code"])
    wanted = sorted(theirs | {WORLD})
    counterparts = pd.DataFrame([(y, m, c) for y in years for m in months for c in wanted],
                                columns=["year", "month", "code"])
    return source_rows(con, source=sel.source, legs=sel.legs, classification=sel.classification,
                       freq=sel.freq, subjects=subjects, counterparts=counterparts)


def bilateral_summary(reporter: str, partner: str, year: int, *, months: str | None = None,
                      basis: str | None = None, source: str | None = None,
                      since: int | None = None, explain: bool = False,
                      warehouse: str | Path | None = None) -> BilateralSummary:
    """Exports, imports, total, balance, year-on-year change, CAGR and shares of one pair.

    Parameters
    ----------
    reporter, partner
        ISO3 codes, country names or blocs (a bloc reporter sums its members' trade with
        economies outside it).
    year, months
        The period: a year, or months of it (``"8"``, ``"1-8"`` for January-August).
    basis
        ``reported`` (the reporter's declarations; default when available), ``mirror`` (the
        partners' declarations) or ``reconciled`` (BACI).
    source
        A source name (``imf-dots`` ...); default: the one covering most partners.
    since
        First year of the CAGR and of ``series``.
    explain
        Also return the stored rows behind the figures.
    warehouse
        The warehouse file (default: the user's, else the embedded demo).

    Raises
    ------
    InputError
        Unknown economy, period out of range, a bloc with no members, no data.
    """
    period = parse_period(year, months)
    rep, par = economy(reporter, role="reporter"), economy(partner, role="partner")
    _pair_members(rep, par, period)
    _check_since(since, period)
    with open_reader(warehouse) as (con, location):
        sel = _select(con, rep, period, basis, source)
        periods = _history(sel, period, since if since is not None else period.year - 1)
        flows = _load(con, rep, sel, periods, extra=rep.members(period))
        return _summary(con, flows, par, period, since=since, explain=explain,
                        warehouse=location.label)

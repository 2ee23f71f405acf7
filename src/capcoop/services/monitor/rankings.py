"""Partner rankings, ranking history, rank-1 streaks and the combined monitor report.

Part of :mod:`capcoop.services.monitor`, which re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.analytics.trade import (
    Period,
    parse_period,
    rank_within,
    streak,
)
from capcoop.errors import InputError
from capcoop.services.monitor.bilateral import (
    BilateralSummary,
    _check_since,
    _composition_note,
    _estimate_note,
    _flow_note,
    _gap_notes,
    _history,
    _money,
    _pair_members,
    _status,
    _summary,
    _world_note,
)
from capcoop.services.monitor.economies import (
    CIF_FOB_CAVEAT,
    Economy,
    _check_members,
    _groups_for,
    _unit_name,
    economy,
    ranking_blocs,
)
from capcoop.services.monitor.selection import (
    Selection,
    _Flows,
    _load,
    _select,
    _tables,
    _warehouse_version,
)
from capcoop.warehouse.connection import open_reader

# --- partner ranking and streaks --------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRanking:
    """A reporter's partners in a period, largest first; chosen blocs count as one partner.

    ``table`` columns: ``rank, partner, name, members, exports, imports, total, balance,
    share_pct, yoy_pct, tied, estimates``. Shares are of the reporter's world trade, so with
    ``unallocated_share_pct`` (trade the reporter did not allocate to a partner country) they
    sum to 100.
    """

    reporter: Economy
    period: Period
    selection: Selection
    currency: str
    by: str
    groups: tuple[Economy, ...]
    table: pd.DataFrame
    world_total: float | None
    world_declared: bool
    partner_sum: float | None
    notes: tuple[str, ...]
    rows: pd.DataFrame
    warehouse: str

    @property
    def unallocated_share_pct(self) -> float | None:
        """Share of world trade not in any ranked partner: ``100 - sum(share_pct)``."""
        if self.world_total is None or self.table.empty:
            return None
        return 100.0 - float(self.table["share_pct"].sum())

    def records(self, top: int | None = None) -> list[dict[str, Any]]:
        """One record per partner (the JSON contract of ``capcoop partners``)."""
        rows = self.table if top is None else self.table.head(top)
        out = []
        for row in rows.to_dict("records"):
            record = {"rank": int(row["rank"]), "partner": row["partner"],
                      "members": list(row["members"])}
            for name in ("total", "exports", "imports", "balance"):
                record |= _money(name, row[name], self.currency)
            record |= {"share_pct": row["share_pct"], "yoy_pct": row["yoy_pct"],
                       "partner_name": row["name"],
                       "tied": bool(row["tied"]), "period": self.period.label,
                       "basis": self.selection.basis, "source": self.selection.source,
                       "warehouse": self.warehouse}
            out.append(record)
        return out


_RANKED = ("country", "historical", "bloc")
_TABLE_NUMBERS = ("exports", "imports", "total", "balance", "share_pct", "yoy_pct", "tied",
                  "estimates")


def _rankings(flows: _Flows, periods: Sequence[Period], groups: Sequence[Economy], by: str,
              warehouse: str) -> list[PartnerRanking]:
    """The rankings of several periods at once (periods with no data are left out).

    Each period ranks with its own membership; growth compares the period's members in both
    years (constant composition), from a second table of the previous years.
    """
    item = flows.item
    spans = [(p, item.members(p)) for p in periods]
    spans = [(p, own) for p, own in spans if own and _status(flows, p.year, own) != "missing"]
    if not spans:
        return []
    first = spans[0][0].previous()
    now = _tables(flows, [(p, own, p) for p, own in [(first, item.members(first)), *spans]],
                  groups)
    changed = {p.year for p, own in spans if own != item.members(p.previous())
               or any(g.members(p) != g.members(p.previous()) for g in groups)}
    kept = now.units[now.units["year"].isin([p.year - 1 for p, _ in spans if p.year not in changed])]
    extra = _tables(flows, [(p.previous(), own, p) for p, own in spans if p.year in changed],
                    groups, worlds=False).units if changed else kept.iloc[0:0]
    base = pd.concat([kept, extra])  # last year's units with this year's members
    units = now.units[now.units["year"].isin([p.year for p, _ in spans])
                      & now.units["kind"].isin(_RANKED) & (now.units["total"] > 0)]
    ranked = rank_within(units, by=by, group="year", key="unit")
    worlds = now.worlds.set_index("year")[by]
    base = base[["year", "unit", by]].assign(year=base["year"] + 1).rename(columns={by: "_before"})
    ranked = ranked.merge(base, on=["year", "unit"], how="left")
    ranked["share_pct"] = 100.0 * ranked[by] / ranked["year"].map(worlds).where(lambda w: w > 0)
    before = ranked["_before"].where(ranked["_before"] > 0)
    ranked["yoy_pct"] = 100.0 * (ranked[by] / before - 1.0)  # NaN where there is no base
    ranked["name"] = [_unit_name(u, groups) for u in ranked["unit"].tolist()]
    by_year = {int(y): part for y, part in ranked.groupby("year")}
    return [_ranking(flows, p, own, groups, by, by_year.get(p.year, ranked.iloc[0:0]),
                     now.world(p.year), warehouse) for p, own in spans]


def _ranking(flows: _Flows, period: Period, own: frozenset[str], groups: Sequence[Economy],
             by: str, ranked: pd.DataFrame, world: dict[str, Any] | None,
             warehouse: str) -> PartnerRanking:
    item = flows.item
    members = {g.code: tuple(sorted(g.members(period) - own)) for g in groups}
    units = ranked["unit"].tolist()
    table = pd.DataFrame({"rank": ranked["rank"].to_numpy(), "partner": units,
                          "name": ranked["name"].tolist(),
                          "members": [members.get(u, (u,)) for u in units],
                          **{c: ranked[c].to_numpy() for c in _TABLE_NUMBERS}})
    notes = [f"figures from {flows.selection.describe()}"]
    if period.is_annual and flows.selection.freq == "M":
        notes.append("annual figures are the sums of the twelve monthly figures")
    notes += _gap_notes(flows, period.year, own, period.label)
    notes += _estimate_note(flows, period.year, own, None) + _world_note(world, item.code, period.year)
    notes += _flow_note(world, item.code, period.year, flows.selection.source)
    notes += [f"{g.code} counts as one partner ({len(members[g.code])} members in "
              f"{period.label}{' besides ' + item.code if g.members(period) & own else ''})"
              for g in groups]
    notes += [f"{g.code}'s year-on-year change compares its {period.label} members in both years"
              for g in groups if g.members(period) != g.members(period.previous())]
    notes += _composition_note(item, period, "reporter") + flows.notes
    if flows.selection.basis == "mirror":
        notes.append(CIF_FOB_CAVEAT)
    return PartnerRanking(item, period, flows.selection, flows.currency, by, tuple(groups), table,
                          world["total"] if world else None, bool(world and world["declared"]),
                          world["partner_sum"] if world else None, tuple(notes),
                          pd.DataFrame(), warehouse)


def _group(groups: Sequence[Economy], code: str) -> Economy | None:
    return next((g for g in groups if g.code == code), None)


def _check_by(by: str) -> str:
    if by not in ("total", "exports", "imports"):
        raise InputError(f"cannot rank by {by!r}", hint="rank by total, exports or imports")
    return by


def partner_ranking(reporter: str, year: int, *, months: str | None = None,
                    blocs: str | Sequence[str] | None = None, by: str = "total",
                    basis: str | None = None, source: str | None = None,
                    warehouse: str | Path | None = None) -> PartnerRanking:
    """The reporter's partners ranked by total trade (or exports, or imports).

    Chosen blocs (default: setting ``ranking_blocs``, ASEAN and EU) count as one partner with
    their membership on the period's last day; aggregates published by the source (World,
    IMF regions) are never ranked; a bloc reporter sums its members' trade with outsiders.
    Ties share the best rank. See :func:`bilateral_summary` for the other parameters.
    """
    period, rep, groups = parse_period(year, months), economy(reporter, role="reporter"), \
        ranking_blocs(blocs)
    _check_by(by)
    own = _check_members(rep, period, "reporter") if rep.is_bloc else rep.members(period)
    with open_reader(warehouse) as (con, location):
        sel = _select(con, rep, period, basis, source)
        flows = _load(con, rep, sel, [period.previous(), period], extra=own)
        found = _rankings(flows, [period], groups, by, location.label)
    if not found:
        raise InputError(f"no {sel.basis} data for {rep.code} in {period.label} "
                         f"({'; '.join(_gap_notes(flows, period.year, own, period.label))})",
                         hint="choose another period or basis")
    return found[0]


def ranking_history(reporter: str, first_year: int, last_year: int, *,
                    blocs: str | Sequence[str] | None = None, by: str = "total",
                    basis: str | None = None, source: str | None = None,
                    warehouse: str | Path | None = None) -> list[PartnerRanking]:
    """:func:`partner_ranking` for every year from ``first_year`` to ``last_year`` (one query).

    Years without data are left out of the list.
    """
    if last_year < first_year:
        raise InputError(f"the range {first_year}-{last_year} is empty",
                         hint="give the earlier year first")
    rep, groups, last = economy(reporter, role="reporter"), ranking_blocs(blocs), Period(last_year)
    _check_by(by)
    with open_reader(warehouse) as (con, location):
        sel = _select(con, rep, last, basis, source)
        periods = [Period(y) for y in range(first_year - 1, last_year + 1)]
        flows = _load(con, rep, sel, periods)
        return _rankings(flows, periods[1:], groups, by, location.label)


@dataclass(frozen=True)
class RankStreak:
    """How a partner ranked among the reporter's partners, year by year, and its streak.

    ``ranks`` maps each year with complete data to the partner's rank (None: no trade);
    ``leaders`` to ``(largest partner, its total, runner-up, its total)``.
    """

    reporter: Economy
    partner: Economy
    period: Period
    rank: int
    ranks: dict[int, int | None]
    leaders: dict[int, tuple[str, float, str | None, float | None]]
    streak_length: int
    since: int | None
    at_least: bool
    groups: tuple[Economy, ...]

    @property
    def current_rank(self) -> int | None:
        """The partner's rank in the period (None: no data or no trade)."""
        return self.ranks.get(self.period.year)


def _rank_streak(flows: _Flows, partner: Economy, period: Period, groups: Sequence[Economy],
                 rank: int = 1, by: str = "total") -> RankStreak:
    used = _groups_for(groups, partner)
    leaders = {}
    spans = [(p, flows.item.members(p)) for p in
             (period.shifted(y - period.year) for y in sorted(flows.no_data) if y <= period.year)]
    spans = [(p, own) for p, own in spans if own and _status(flows, p.year, own) == "complete"]
    units = _tables(flows, [(p, own, p) for p, own in spans], used, worlds=False).units
    units = units[units["kind"].isin(["country", "historical", "bloc"]) & (units["total"] > 0)]
    ranked = rank_within(units, by=by, group="year", key="unit")
    hits = ranked[ranked["unit"] == partner.code].set_index("year")["rank"]
    ranks = {p.year: (int(hits[p.year]) if p.year in hits.index else None) for p, _ in spans}
    for year, top in ranked.groupby("year"):
        first, second = top.iloc[0], (top.iloc[1] if len(top) > 1 else None)
        leaders[int(year)] = (first["unit"], float(first[by]),
                              None if second is None else second["unit"],
                              None if second is None else float(second[by]))
    run = streak(ranks, end=period.year, rank=rank) if ranks else None
    return RankStreak(flows.item, partner, period, rank, ranks, leaders,
                      run.length if run else 0, run.since if run else None,
                      bool(run and run.length and run.at_least), tuple(used))


_STREAKS: dict[tuple, RankStreak] = {}


def _streak_key(con: Any, sel: Selection, item: Economy, years: Sequence[int], partner: Economy,
                period: Period, groups: Sequence[Economy], rank: int, by: str) -> tuple | None:
    """What a streak depends on: the warehouse version (None: unknown, not kept), the rows
    chosen and loaded (selection, subject, years) and the question asked."""
    version = _warehouse_version(con)
    if version is None:
        return None
    return (version, sel, item.code, item.ever_members(), tuple(sorted(years)), partner.code,
            partner.ever_members(), period, tuple((g.code, g.ever_members()) for g in groups),
            rank, by)


def _kept_streak(key: tuple | None) -> RankStreak | None:
    cached = _STREAKS.get(key) if key is not None else None  # one lookup: threads may clear
    if cached is None:
        return None
    return replace(cached, ranks=dict(cached.ranks), leaders=dict(cached.leaders))


def _keep_streak(key: tuple | None, found: RankStreak) -> RankStreak:
    if key is not None:
        if len(_STREAKS) > 256:
            _STREAKS.clear()
        _STREAKS[key] = replace(found, ranks=dict(found.ranks), leaders=dict(found.leaders))
    return found


def _streak_of(con: Any, flows: _Flows, partner: Economy, period: Period,
               groups: Sequence[Economy], rank: int = 1, by: str = "total") -> RankStreak:
    """:func:`_rank_streak`, kept per warehouse version so that :func:`monitor`,
    :func:`partner_streak` and ``headlines`` asking the same question in one process compute
    it once (the rows loaded are the same; see :func:`_streak_key`)."""
    key = _streak_key(con, flows.selection, flows.item, list(flows.no_data), partner, period,
                      groups, rank, by)
    return _kept_streak(key) or _keep_streak(key, _rank_streak(flows, partner, period, groups,
                                                               rank, by))


def partner_streak(reporter: str, partner: str, year: int, *, months: str | None = None,
                   rank: int = 1, blocs: str | Sequence[str] | None = None, by: str = "total",
                   basis: str | None = None, source: str | None = None,
                   warehouse: str | Path | None = None) -> RankStreak:
    """For how many consecutive years up to ``year`` ``partner`` held ``rank`` among the
    reporter's partners, and since when (blocs counted as one partner in each year)."""
    period = parse_period(year, months)
    rep, par, groups = economy(reporter, role="reporter"), economy(partner, role="partner"), \
        ranking_blocs(blocs)
    _pair_members(rep, par, period)
    with open_reader(warehouse) as (con, _):
        sel = _select(con, rep, period, basis, source, history=True)
        _check_by(by)
        history = _history(sel, period)
        key = _streak_key(con, sel, rep, [p.year for p in history], par, period,
                          groups, rank, by)
        kept = _kept_streak(key)
        if kept is not None:
            return kept
        flows = _load(con, rep, sel, history)
        return _keep_streak(key, _rank_streak(flows, par, period, groups, rank, by))


# --- the monitor (summary + rank + streak) ----------------------------------------------------


@dataclass(frozen=True)
class MonitorReport:
    """What ``capcoop monitor`` shows: the bilateral summary, the partner's rank and streak."""

    summary: BilateralSummary
    ranks: RankStreak

    def record(self) -> dict[str, Any]:
        """The JSON contract of ``capcoop monitor`` (plus descriptive extra keys)."""
        out = self.summary.record()
        leader = self.ranks.leaders.get(self.summary.period.year)
        notes = list(out.pop("notes"))
        if self.ranks.at_least:
            notes.append(f"{self.summary.partner.code} ranked first in every year with data "
                         f"back to {self.ranks.since}: the streak may be longer")
        return out | {
            "partner_rank": self.ranks.current_rank,
            "largest_partner": leader[0] if leader else None,
            "ranking_blocs": [g.code for g in self.ranks.groups],
            "rank1_streak_years": self.ranks.streak_length,
            "rank1_since": self.ranks.since,
            "rank1_streak_at_least": self.ranks.at_least,
            "notes": notes}


def monitor(reporter: str, partner: str, year: int, *, months: str | None = None,
            basis: str | None = None, blocs: str | Sequence[str] | None = None,
            source: str | None = None, since: int | None = None, explain: bool = False,
            warehouse: str | Path | None = None) -> MonitorReport:
    """:func:`bilateral_summary` plus the partner's rank among the reporter's partners (chosen
    blocs as one partner) and the number of consecutive years, ending with ``year``, in which
    it ranked first. One warehouse read serves all three."""
    period = parse_period(year, months)
    rep, par, groups = economy(reporter, role="reporter"), economy(partner, role="partner"), \
        ranking_blocs(blocs)
    _pair_members(rep, par, period)
    _check_since(since, period)
    with open_reader(warehouse) as (con, location):
        sel = _select(con, rep, period, basis, source, history=True)
        periods = _history(sel, period, since)
        flows = _load(con, rep, sel, periods, extra=rep.members(period))
        summary = _summary(con, flows, par, period, since=since, explain=explain,
                           warehouse=location.label)
        return MonitorReport(summary, _streak_of(con, flows, par, period, groups))

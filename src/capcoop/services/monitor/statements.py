"""Headline statements built from the summary, the ranking and the streak.

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
    change_phrase,
    format_usd,
    ordinal,
    parse_period,
    rank_phrase,
)
from capcoop.errors import InputError
from capcoop.services.monitor.bilateral import BilateralSummary, _history, _pair_members, _summary
from capcoop.services.monitor.economies import Economy, _unit_name, economy, ranking_blocs
from capcoop.services.monitor.rankings import (
    RankStreak,
    _group,
    _keep_streak,
    _kept_streak,
    _rank_streak,
    _streak_key,
    _streak_of,
)
from capcoop.services.monitor.selection import _Flows, _load, _select
from capcoop.settings import get_setting
from capcoop.warehouse.connection import open_reader
from capcoop.warehouse.trade_queries import (
    source_rows,
)

# --- headline statements ----------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One number in a statement, the formula that gave it and the rows behind it."""

    name: str
    value: Any
    formula: str
    rows: pd.DataFrame


@dataclass(frozen=True)
class Statement:
    """A sentence and the facts it states."""

    text: str
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Headlines:
    """Headline statements about a pair in a period, in English or Chinese."""

    reporter: Economy
    partner: Economy
    period: Period
    lang: str
    statements: tuple[Statement, ...]
    notes: tuple[str, ...]
    warehouse: str

    @property
    def text(self) -> str:
        """The statements as one paragraph."""
        return ("" if self.lang == "zh" else " ").join(s.text for s in self.statements)

    def record(self) -> dict[str, Any]:
        """The statements, each with its facts (values and formulas)."""
        return {"reporter": self.reporter.code, "partner": self.partner.code,
                "period": self.period.label, "lang": self.lang, "text": self.text,
                "statements": [{"text": s.text, "facts": [
                    {"name": f.name, "value": f.value, "formula": f.formula, "rows": len(f.rows)}
                    for f in s.facts]} for s in self.statements],
                "notes": list(self.notes), "warehouse": self.warehouse}

    def explain_rows(self) -> pd.DataFrame:
        """Every fact's rows, one table, with the statement number and fact name in front."""
        parts = [f.rows.assign(statement=i + 1, fact=f.name)
                 for i, s in enumerate(self.statements) for f in s.facts if len(f.rows)]
        if not parts:
            return pd.DataFrame()
        table = pd.concat(parts, ignore_index=True)
        front = ["statement", "fact"]
        return table[front + [c for c in table.columns if c not in front]]


def _poss(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(item: Economy, lang: str) -> str:
    return item.short_name(lang, article=True)


def _unit_rows(con: Any, flows: _Flows, period: Period, units: dict[str, frozenset[str]]) -> pd.DataFrame:
    own = flows.item.members(period)
    codes = sorted(set().union(*units.values())) if units else []
    if not codes:
        return pd.DataFrame()
    sel = flows.selection
    months = (0,) if sel.freq == "A" else period.months
    frame = lambda cs: pd.DataFrame([(period.year, m, c) for m in months for c in sorted(cs)],  # noqa: E731
                                    columns=["year", "month", "code"])
    return source_rows(con, source=sel.source, legs=sel.legs, classification=sel.classification,
                       freq=sel.freq, subjects=frame(own), counterparts=frame(codes))


def _members_of(code: str, groups: Sequence[Economy], period: Period, own: frozenset[str]) -> frozenset[str]:
    group = _group(groups, code)
    return (group.members(period) if group else frozenset({code})) - own


def _rank_statement(con: Any, flows: _Flows, ranks: RankStreak, summary: BilateralSummary,
                    lang: str, explain: bool = True) -> Statement:
    period, rep, par = summary.period, summary.reporter, summary.partner
    when, r_name, p_name = period.describe(lang), _names(rep, lang), _names(par, lang)
    rank, prev = ranks.current_rank, ranks.ranks.get(period.year - 1)
    leader = ranks.leaders.get(period.year)
    if rank is None or leader is None:
        text = (f"{when}{r_name}与{p_name}无贸易记录。" if lang == "zh"
                else f"In {when} {r_name} recorded no trade with {p_name}.")
        return Statement(text, ())
    other_code, other_total = (leader[2], leader[3]) if rank == 1 else (leader[0], leader[1])
    other = _unit_name(other_code, ranks.groups, lang, article=True) if other_code else "-"
    mine = summary.current.total or 0.0
    gap = format_usd(abs(mine - (other_total or 0.0)), lang)
    n, least = ranks.streak_length, ranks.at_least
    if lang == "zh":
        if rank == 1 and prev != 1:
            text = f"{when}，{p_name}成为{r_name}第一大贸易伙伴，比第二位的{other}（{format_usd(other_total, lang)}）多{gap}。"
        elif rank == 1:
            text = (f"{when}，{p_name}{'至少' if least else ''}连续{n}年保持{r_name}第一大贸易伙伴地位，"
                    f"比第二位的{other}（{format_usd(other_total, lang)}）多{gap}。")
        else:
            before = f"（{period.year - 1}年为{rank_phrase(prev, lang)}）" if prev and prev != rank else ""
            text = (f"{when}，{p_name}是{r_name}{rank_phrase(rank, lang)}贸易伙伴{before}；第一大贸易伙伴为"
                    f"{other}，贸易额{format_usd(other_total, lang)}，比{p_name}多{gap}。")
    else:
        if rank == 1 and prev != 1:
            text = (f"In {when} {p_name} became {_poss(r_name)} largest trading partner, ahead of "
                    f"{other} ({format_usd(other_total)}) by {gap}.")
        elif rank == 1:
            text = (f"In {when} {p_name} remained {_poss(r_name)} largest trading partner for "
                    f"{'at least ' if least else ''}the {ordinal(n)} consecutive year, ahead of "
                    f"{other} ({format_usd(other_total)}) by {gap}.")
        else:
            move = "" if not prev or prev == rank else \
                f" ({'up' if rank < prev else 'down'} from {rank_phrase(prev)} in {period.year - 1})"
            text = (f"In {when} {p_name} was {_poss(r_name)} {rank_phrase(rank)} trading partner{move}; "
                    f"the largest was {other}, with {format_usd(other_total)}, {gap} more.")
    own = rep.members(period)
    rows = _unit_rows(con, flows, period, {other_code: _members_of(other_code, ranks.groups, period, own)}) \
        if other_code and explain else pd.DataFrame()
    facts = (Fact("partner_rank", rank, "rank of the partner by total trade T = X + M among the "
                  "reporter's partners, chosen blocs as one partner, ties share the best rank",
                  summary.rows[summary.rows["year"] == period.year] if len(summary.rows) else summary.rows),
             Fact("other_partner_total", other_total, f"T of {other_code} in {period.label}", rows),
             Fact("difference", abs(mine - (other_total or 0.0)), f"|T(partner) - T({other_code})|",
                  pd.DataFrame()),
             Fact("rank1_streak_years", n, "consecutive years up to the period with rank 1",
                  _rank_history_rows(ranks)))
    return Statement(_cap(text), facts)


def _rank_history_rows(ranks: RankStreak) -> pd.DataFrame:
    rows = [{"year": y, "economy": ranks.reporter.code, "partner": ranks.partner.code,
             "rank": r, "largest": ranks.leaders.get(y, (None,))[0],
             "largest_total": ranks.leaders.get(y, (None, None))[1]}
            for y, r in sorted(ranks.ranks.items())]
    return pd.DataFrame(rows)


def _value_statement(summary: BilateralSummary, lang: str) -> Statement:
    rep, c = summary.reporter, summary.current
    r_name = _names(rep, lang)
    share = summary.share_of_reporter_total_pct
    if c.total is None:
        text = (f"{summary.period.describe(lang)}双边贸易数据不完整。" if lang == "zh" else
                f"Bilateral trade for {summary.period.describe()} is incomplete in the data.")
        return Statement(text, ())
    if lang == "zh":
        scope = "区外贸易总额" if rep.is_bloc else "对外贸易总额"
        text = (f"双边贸易额达{format_usd(c.total, lang)}，{change_phrase(summary.total_yoy_pct, lang)}"
                f"（{r_name}出口{format_usd(c.exports, lang)}，进口{format_usd(c.imports, lang)}），"
                f"占{r_name}{scope}的{share:.1f}%。" if share is not None else "。")
    else:
        scope = "trade with economies outside it" if rep.is_bloc else "total foreign trade"
        text = (f"Bilateral trade reached {format_usd(c.total)}, {change_phrase(summary.total_yoy_pct)} "
                f"({_poss(r_name)} exports {format_usd(c.exports)}, imports {format_usd(c.imports)})"
                + (f", accounting for {share:.1f}% of {_poss(r_name)} {scope}." if share is not None else "."))
    rows = summary.rows
    facts = (Fact("total", c.total, "T = X + M (reporter's exports + imports)", rows),
             Fact("total_yoy_pct", summary.total_yoy_pct, "100 * (T_t / T_{t-1} - 1)", rows),
             Fact("share_of_reporter_total_pct", share,
                  "100 * T / W, W = declared World total minus intra-bloc trade", rows))
    return Statement(text, facts)


def _reverse_statement(ranks: RankStreak | None, period: Period, lang: str) -> Statement | None:
    if ranks is None:
        return None
    r_name, p_name = _names(ranks.partner, lang), _names(ranks.reporter, lang)
    rank, n, since = ranks.current_rank, ranks.streak_length, ranks.since
    leader = ranks.leaders.get(period.year)
    if rank is None or leader is None:
        return None
    if lang == "zh":
        if rank == 1 and n >= 2:
            text = (f"{r_name}至少连续{n}年为{p_name}第一大贸易伙伴（数据始于{since}年）。" if ranks.at_least
                    else f"{r_name}连续{n}年保持{p_name}第一大贸易伙伴地位（自{since}年起）。")
        elif rank == 1:
            text = f"{period.describe(lang)}，{r_name}成为{p_name}第一大贸易伙伴。"
        else:
            text = (f"{r_name}是{p_name}{rank_phrase(rank, lang)}贸易伙伴；第一大贸易伙伴为"
                    f"{_unit_name(leader[0], ranks.groups, lang)}（{format_usd(leader[1], lang)}）。")
    else:
        if rank == 1 and n >= 2:
            text = (f"{r_name} has been {_poss(p_name)} largest trading partner for "
                    + (f"at least the {ordinal(n)} consecutive year (data start in {since})."
                       if ranks.at_least else f"the {ordinal(n)} consecutive year (since {since})."))
        elif rank == 1:
            text = f"In {period.describe()} {r_name} became {_poss(p_name)} largest trading partner."
        else:
            leader_name = _unit_name(leader[0], ranks.groups, article=True)
            text = (f"{r_name} was {_poss(p_name)} {rank_phrase(rank)} trading partner; the largest "
                    f"was {leader_name} ({format_usd(leader[1])}).")
    fact = Fact("reverse_rank1_streak_years", n, "consecutive years up to the period in which the "
                "reporter ranked first among the partner's partners (partner's declarations)",
                _rank_history_rows(ranks))
    return Statement(_cap(text), (fact,))


def headlines(reporter: str, partner: str, year: int, *, months: str | None = None,
              lang: str | None = None, blocs: str | Sequence[str] | None = None,
              basis: str | None = None, source: str | None = None,
              warehouse: str | Path | None = None, explain: bool = True) -> Headlines:
    """Headline statements: the partner's rank (and the gap to the next partner), bilateral
    trade with growth and share, and how long the reporter has led the partner's partners.

    Every number comes with its formula and the stored rows behind it
    (:meth:`Headlines.explain_rows`). ``explain=False`` skips reading those rows (two
    warehouse queries): the facts then carry the rows derived from the figures only (the rank
    history), for callers that show the statements alone.
    """
    language = str(get_setting("lang", lang))
    if language not in ("en", "zh"):
        raise InputError(f"unknown language {language!r}", hint="use --lang en or --lang zh")
    period = parse_period(year, months)
    rep, par, groups = economy(reporter, role="reporter"), economy(partner, role="partner"), \
        ranking_blocs(blocs)
    _pair_members(rep, par, period)
    notes: list[str] = []
    with open_reader(warehouse) as (con, location):
        sel = _select(con, rep, period, basis, source, history=True)
        flows = _load(con, rep, sel, _history(sel, period), extra=rep.members(period))
        summary = _summary(con, flows, par, period, since=None, explain=explain,
                           warehouse=location.label)
        forward = _streak_of(con, flows, par, period, groups)
        try:
            psel = _select(con, par, period, sel.basis, None, history=True)
            phistory = _history(psel, period)
            key = _streak_key(con, psel, par, [p.year for p in phistory], rep, period, groups,
                              1, "total")
            reverse = _kept_streak(key)
            if reverse is None:
                pflows = _load(con, par, psel, phistory, extra=par.members(period))
                reverse = _keep_streak(key, _rank_streak(pflows, rep, period, groups))
        except InputError as err:
            reverse = None
            notes.append(f"{par.code}'s own ranking of partners is not available ({err.message})")
        statements = [_rank_statement(con, flows, forward, summary, language, explain),
                      _value_statement(summary, language),
                      _reverse_statement(reverse, period, language)]
    return Headlines(rep, par, period, language, tuple(s for s in statements if s is not None),
                     tuple(list(summary.notes) + notes), location.label)

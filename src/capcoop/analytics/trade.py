"""Trade-monitor numerics on small frames: periods, growth, CAGR, shares, rankings, streaks.

Everything here is pure: functions take numbers or compact pandas frames (one row per partner
and period, never the warehouse) and return numbers or frames. The formulas are documented in
``docs/methods/monitor.md``; the symbols used below are

========  =====================================================================================
``X``     the reporter's exports to a partner (US$), ``M`` its imports from the partner
``T``     total trade ``X + M``; ``B`` the balance ``X - M``
``W``     the reporter's total trade with the world
``t``     a period (a year, a month or a range of months of one year); ``t-1`` the same
          months one year earlier
========  =====================================================================================

Notes
-----
- Growth: ``g = 100 * (T_t / T_{t-1} - 1)``, undefined when ``T_{t-1}`` is zero or missing.
- CAGR from year ``a`` to year ``b``: ``100 * ((T_b / T_a) ** (1 / (b - a)) - 1)``.
- Share: ``s = 100 * T / W``.
- Ranks use the "competition" rule: equal values share the best rank (1, 2, 2, 4).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = [
    "Period", "parse_period", "Streak", "pct_change", "cagr_pct", "share_pct", "flow_table",
    "shares_pct", "rank_partners", "rank_within", "streak", "missing_months", "top_movers", "format_usd",
    "ordinal", "rank_phrase", "change_phrase", "MIN_YEAR", "MAX_YEAR", "INTRA", "WORLD",
    "partner_units", "world_totals", "prefer_stored_mirror", "money_values",
    "add_flow_components", "period_gaps", "sum_complete_periods",
]

MIN_YEAR, MAX_YEAR = 1900, 2100
_MONTHS_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[-\u2013]\s*(\d{1,2})\s*)?$")
_ZH_DIGITS = "零一二三四五六七八九"
_EN_ORDINAL_WORDS = ("", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                     "ninth", "tenth")


@dataclass(frozen=True, order=True)
class Period:
    """A year, a month, or a range of months of one year (``first_month..last_month``).

    Parameters
    ----------
    year
        The calendar year.
    first_month, last_month
        Both None for the whole year (annual data); otherwise 1 <= first <= last <= 12.
        ``Period(2021, 1, 8)`` is January-August 2021 (cumulative year to date).
    """

    year: int
    first_month: int | None = None
    last_month: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int) or \
                not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InputError(f"year {self.year!r} is out of range",
                             hint=f"give a year from {MIN_YEAR} to {MAX_YEAR}, such as 2020")
        if (self.first_month is None) != (self.last_month is None):
            raise InputError(f"a month range needs both ends, got {self.first_month!r}.."
                             f"{self.last_month!r}", hint="give months as 1-8 or 8")
        if self.first_month is not None:
            ok = all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12
                     for m in (self.first_month, self.last_month))
            if not ok or self.first_month > self.last_month:  # type: ignore[operator]
                raise InputError(f"month range {self.first_month!r}-{self.last_month!r} is not "
                                 "valid", hint="months run from 1 to 12, first <= last, e.g. 1-8")

    @property
    def is_annual(self) -> bool:
        """True for a whole year (annual data)."""
        return self.first_month is None

    @property
    def months(self) -> tuple[int, ...]:
        """The months covered: 1..12 for a year."""
        if self.first_month is None:
            return tuple(range(1, 13))
        return tuple(range(self.first_month, self.last_month + 1))  # type: ignore[operator]

    @property
    def kind(self) -> str:
        """``year``, ``month`` or ``months``."""
        if self.is_annual:
            return "year"
        return "month" if self.first_month == self.last_month else "months"

    @property
    def label(self) -> str:
        """A compact, sortable label: ``2020``, ``2021-08`` or ``2021-01..2021-08``."""
        if self.is_annual:
            return str(self.year)
        first = f"{self.year}-{self.first_month:02d}"
        return first if self.kind == "month" else f"{first}..{self.year}-{self.last_month:02d}"

    def describe(self, lang: str = "en") -> str:
        """Words for statements: ``2020``, ``August 2021``, ``January-August 2021`` (or Chinese)."""
        if lang == "zh":
            if self.is_annual:
                return f"{self.year}年"
            if self.kind == "month":
                return f"{self.year}年{self.first_month}月"
            return f"{self.year}年{self.first_month}—{self.last_month}月"
        if self.is_annual:
            return str(self.year)
        first = calendar.month_name[self.first_month]  # type: ignore[index]
        if self.kind == "month":
            return f"{first} {self.year}"
        return f"{first}\u2013{calendar.month_name[self.last_month]} {self.year}"  # type: ignore[index]

    def shifted(self, years: int) -> Period:
        """The same months ``years`` years later (negative: earlier)."""
        return Period(self.year + years, self.first_month, self.last_month)

    def previous(self) -> Period:
        """The same months one year earlier (the base of year-on-year change)."""
        return self.shifted(-1)

    @property
    def membership_month(self) -> int | None:
        """The month whose last day decides bloc membership (None: 31 December)."""
        return self.last_month


def parse_period(year: int, months: str | None = None) -> Period:
    """A :class:`Period` from a year and an optional month range text (``"1-8"``, ``"8"``).

    Raises
    ------
    InputError
        When the text is not a month or a range of months of one year.
    """
    if months is None or str(months).strip() == "":
        return Period(year)
    found = _MONTHS_RE.match(str(months))
    if not found:
        raise InputError(f"months {months!r} are not a month or a range of months",
                         hint="write one month (8) or a range (1-8, January to August)")
    first = int(found[1])
    last = int(found[2]) if found[2] else first
    return Period(year, first, last)


@dataclass(frozen=True)
class Streak:
    """A run of consecutive periods ending at ``end`` in which a condition held.

    Attributes
    ----------
    length
        Number of consecutive periods (0 when the condition fails at ``end``).
    since
        First period of the run (None when ``length`` is 0).
    end
        The last period looked at.
    stopped_by
        Why the run does not go further back: ``"condition"`` (the previous period failed it),
        ``"missing"`` (the previous period has no data) or ``"data start"`` (no earlier data;
        the true run may be longer).
    """

    length: int
    since: int | None
    end: int
    stopped_by: str

    @property
    def at_least(self) -> bool:
        """True when the run may be longer than ``length`` (it reaches a gap or the data start)."""
        return self.stopped_by != "condition"


def pct_change(current: float | None, previous: float | None) -> float | None:
    """Percentage change ``100 * (current / previous - 1)``; None when undefined.

    Undefined when either value is missing (None or NaN) or ``previous`` is zero.
    """
    if _missing(current) or _missing(previous) or previous == 0:
        return None
    return 100.0 * (current / previous - 1.0)  # type: ignore[operator]


def cagr_pct(first: float | None, last: float | None, years: int) -> float | None:
    """Compound annual growth rate in percent, ``100 * ((last / first) ** (1 / years) - 1)``.

    None when a value is missing, ``first`` is not positive, ``last`` is negative or ``years``
    is not positive.
    """
    if _missing(first) or _missing(last) or years <= 0 or first <= 0 or last < 0:  # type: ignore[operator]
        return None
    return 100.0 * ((last / first) ** (1.0 / years) - 1.0)  # type: ignore[operator]


def share_pct(part: float | None, whole: float | None) -> float | None:
    """``100 * part / whole``; None when a value is missing or ``whole`` is not positive."""
    if _missing(part) or _missing(whole) or whole <= 0:  # type: ignore[operator]
        return None
    return 100.0 * part / whole  # type: ignore[operator]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def flow_table(flows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Exports, imports, total and balance per key from long ``[*keys, flow, value]`` rows.

    ``flow`` is ``X`` (exports) or ``M`` (imports); other flows are ignored. A key with no row
    for a flow gets 0 for it (no declared trade).

    Returns
    -------
    pandas.DataFrame
        ``[*keys, exports, imports, total, balance]`` with ``total = X + M`` and
        ``balance = X - M``.
    """
    kept = flows[flows["flow"].isin(["X", "M"])]
    wide = kept.pivot_table(index=keys, columns="flow", values="value", aggfunc="sum",
                            fill_value=0.0)
    wide = wide.reindex(columns=["X", "M"], fill_value=0.0).reset_index()
    wide.columns.name = None
    out = wide.rename(columns={"X": "exports", "M": "imports"})
    out["total"] = out["exports"] + out["imports"]
    out["balance"] = out["exports"] - out["imports"]
    return out


def shares_pct(values: pd.Series) -> pd.Series:
    """Each value as a percentage of the sum (``100 * v / sum(v)``); NaN when the sum is 0."""
    total = values.sum()
    if total == 0:
        return values * float("nan")
    return 100.0 * values / total


def rank_partners(table: pd.DataFrame, by: str = "total", key: str = "partner") -> pd.DataFrame:
    """Rank rows by ``by``, largest first, with ties sharing the best rank (1, 2, 2, 4).

    Returns a copy sorted by rank and then ``key``, with columns ``rank`` (int) and ``tied``
    (True where another row has the same value).
    """
    if by not in table.columns:
        raise InputError(f"cannot rank by {by!r}", hint=f"rank by one of {list(table.columns)}")
    ordered = table.sort_values([by, key], ascending=[False, True], kind="mergesort").copy()
    ordered["rank"] = ordered[by].rank(method="min", ascending=False).astype("int64")
    ordered["tied"] = ordered.duplicated(by, keep=False)
    return ordered.reset_index(drop=True)


def rank_within(table: pd.DataFrame, *, by: str, group: str, key: str) -> pd.DataFrame:
    """:func:`rank_partners` within each ``group`` (e.g. each year), vectorised.

    Returns the rows sorted by ``group``, then rank, then ``key``, with ``rank`` and ``tied``.
    """
    ordered = table.sort_values([group, by, key], ascending=[True, False, True],
                                kind="mergesort").copy()
    ordered["rank"] = ordered.groupby(group)[by].rank(method="min", ascending=False).astype("int64")
    ordered["tied"] = ordered.duplicated([group, by], keep=False)
    return ordered.reset_index(drop=True)


def streak(ranks: Mapping[int, int | None], *, end: int, rank: int = 1) -> Streak:
    """Consecutive periods up to ``end`` in which ``ranks[period] == rank``.

    Parameters
    ----------
    ranks
        Rank of the partner in each period with data (integer periods, e.g. years); a period
        with data in which the partner has no trade maps to None.
    end
        The last period of the run.
    rank
        The rank held (1: the largest partner).

    Notes
    -----
    Walks back from ``end``. The run stops at the first period whose rank differs
    (``stopped_by="condition"``), at a period absent from ``ranks`` while earlier periods exist
    (``"missing"``), or when there are no earlier periods (``"data start"``).
    """
    if ranks.get(end) != rank:
        return Streak(0, None, end, "condition" if end in ranks else "missing")
    earliest = min(ranks)
    period = end
    while True:
        before = period - 1
        if before < earliest:
            return Streak(end - period + 1, period, end, "data start")
        if before not in ranks:
            return Streak(end - period + 1, period, end, "missing")
        if ranks[before] != rank:
            return Streak(end - period + 1, period, end, "condition")
        period = before


def missing_months(present: Iterable[int], period: Period) -> tuple[int, ...]:
    """The months of ``period`` absent from ``present`` (empty: the period is complete)."""
    have = {int(m) for m in present}
    return tuple(m for m in period.months if m not in have)


def top_movers(current: pd.Series, previous: pd.Series, n: int = 5) -> pd.DataFrame:
    """The ``n`` items whose value changed most (by absolute change), aligned by label.

    Items present in only one of the two series count as 0 in the other.

    Returns
    -------
    pandas.DataFrame
        ``[item, current, previous, change, change_pct]`` sorted by ``|change|`` descending.
    """
    frame = pd.concat({"current": current, "previous": previous}, axis=1).fillna(0.0)
    frame["change"] = frame["current"] - frame["previous"]
    frame["change_pct"] = [pct_change(c, p) for c, p in zip(frame["current"], frame["previous"],
                                                             strict=True)]
    frame = frame.rename_axis("item").reset_index()
    order = frame["change"].abs().sort_values(ascending=False, kind="mergesort").index
    return frame.loc[order].head(n).reset_index(drop=True)


# --- words for statements ------------------------------------------------------------------


def format_usd(value: float | None, lang: str = "en") -> str:
    """Money for statements: ``$686.9 billion`` / ``6869亿美元`` (``n/a`` when missing).

    English uses trillion, billion and million with one decimal; Chinese uses 万亿 (10^12) and
    亿 (10^8) with the integer part, or one decimal under 100亿.
    """
    if _missing(value):
        return "n/a" if lang != "zh" else "无数据"
    v = float(value)  # type: ignore[arg-type]
    sign = "-" if v < 0 else ""
    v = abs(v)
    if lang == "zh":
        if v >= 1e12:
            return f"{sign}{v / 1e12:.2f}万亿美元"
        if v >= 1e10:
            return f"{sign}{v / 1e8:.0f}亿美元"
        if v >= 1e8:
            return f"{sign}{v / 1e8:.1f}亿美元"
        return f"{sign}{v / 1e4:.0f}万美元"
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if v >= size:
            digits = 2 if size == 1e12 else 1
            return f"{sign}${v / size:,.{digits}f} {word}"
    return f"{sign}${v:,.0f}"


def ordinal(n: int) -> str:
    """English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _zh_number(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[units] if units else "")
    return str(n)


def rank_phrase(rank: int, lang: str = "en") -> str:
    """``largest``, ``second-largest``, ``12th-largest`` / ``第一大``, ``第二大``."""
    if lang == "zh":
        return f"第{_zh_number(rank)}大"
    if rank == 1:
        return "largest"
    word = _EN_ORDINAL_WORDS[rank] if rank < len(_EN_ORDINAL_WORDS) else ordinal(rank)
    return f"{word}-largest"


def change_phrase(pct: float | None, lang: str = "en") -> str:
    """``up 7.0% year on year`` / ``同比增长7.0%`` (and the falling forms)."""
    if _missing(pct):
        return "with no comparable figure a year earlier" if lang != "zh" else "上年同期无可比数据"
    if lang == "zh":
        return f"同比增长{pct:.1f}%" if pct >= 0 else f"同比下降{abs(pct):.1f}%"  # type: ignore[operator]
    return f"up {pct:.1f}% year on year" if pct >= 0 else f"down {abs(pct):.1f}% year on year"  # type: ignore[operator]


# --- partner tables over many periods ---------------------------------------------------------

#: The unit that trade within the subject (between members of a bloc reporter) counts as.
INTRA = "(intra)"
WORLD = "WLD"


def _restrict(values: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``values`` whose (year, subject) is in ``own``."""
    keys = set(zip(own["year"].tolist(), own["subject"].tolist(), strict=True))
    mask = [k in keys for k in zip(values["year"].tolist(), values["subject"].tolist(), strict=True)]
    return values[np.asarray(mask, dtype=bool)] if len(values) else values


def _by_flow(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    value, flow = frame["value"].to_numpy(dtype=float), frame["flow"].to_numpy(dtype=object)
    return np.where(flow == "X", value, 0.0), np.where(flow == "M", value, 0.0)


def partner_units(values: pd.DataFrame, own: pd.DataFrame, units: pd.DataFrame,
                  kinds: Mapping[str, str]) -> pd.DataFrame:
    """Sum a subject's trade by partner unit (a country, or a bloc counted as one), per year.

    Parameters
    ----------
    values
        ``[year, subject, counterpart, flow, value, estimates, rows]``, one row per subject
        member, counterpart and flow.
    own
        ``[year, subject]``: the subject's members in each year (other rows are ignored).
    units
        ``[year, counterpart, unit]``: counterparts counted as another unit in a year (bloc
        members -> the bloc; the subject's own members -> :data:`INTRA`).
    kinds
        Kind of each unit code: ``country``, ``historical``, ``aggregate`` or ``bloc``;
        :data:`INTRA` gets kind ``intra``, unknown codes ``country``.

    Returns
    -------
    pandas.DataFrame
        ``[year, unit, kind, exports, imports, total, balance, estimates, rows]``.
    """
    v = _restrict(values, own)
    mapping = {(y, c): u for y, c, u in units[["year", "counterpart", "unit"]].itertuples(index=False)}
    years, counterparts = v["year"].tolist(), v["counterpart"].tolist()
    exports, imports = _by_flow(v)
    frame = pd.DataFrame({
        "year": years,
        "unit": [mapping.get(k, k[1]) for k in zip(years, counterparts, strict=True)],
        "exports": exports, "imports": imports,
        "estimates": v["estimates"].to_numpy(dtype=float), "rows": v["rows"].to_numpy()})
    table = frame.groupby(["year", "unit"], as_index=False, sort=True).sum()
    table["total"] = table["exports"] + table["imports"]  # T = X + M
    table["balance"] = table["exports"] - table["imports"]  # B = X - M
    table["kind"] = ["intra" if u == INTRA else kinds.get(u, "country") for u in table["unit"]]
    return table[["year", "unit", "kind", "exports", "imports", "total", "balance", "estimates",
                  "rows"]]


def world_totals(values: pd.DataFrame, own: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """The subject's trade with the world per year.

    For each member: its declared World (``WLD``) figure minus its trade with the subject's
    other members (intra-bloc trade), or -- a member without ``WLD`` rows -- the sum over its
    partner countries. Aggregates (IMF regions, Comtrade areas) are never added to countries.

    Returns
    -------
    pandas.DataFrame
        ``[year, exports, imports, total, declared, partner_sum]``: ``declared`` is True when
        every member has ``WLD`` rows; ``partner_sum`` is the total over partner countries.

    Notes
    -----
    ``W_f = sum_m [ WLD_{m,f} - sum_{p in S} T_{m,p,f} ]`` for members with WLD rows, plus
    ``sum_m sum_{p not in S, p a country} T_{m,p,f}`` for the others (``S`` the subject).
    """
    v = _restrict(values, own)
    members = set(zip(own["year"].tolist(), own["subject"].tolist(), strict=True))
    years, subjects = v["year"].tolist(), v["subject"].tolist()
    counterparts = v["counterpart"].tolist()
    world = np.array([c == WORLD for c in counterparts], dtype=bool)
    intra = np.array([k in members for k in zip(years, counterparts, strict=True)], dtype=bool)
    country = np.array([kinds.get(c, "country") != "aggregate" for c in counterparts], dtype=bool)
    declared = {k for k, w in zip(zip(years, subjects, strict=True), world, strict=True) if w}
    has = np.array([k in declared for k in zip(years, subjects, strict=True)], dtype=bool)
    exports, imports = _by_flow(v)
    partner = country & ~intra
    weight = world.astype(float) - (intra & has) + (partner & ~has)  # +WLD, -intra, +countries
    frame = pd.DataFrame({"year": years, "exports": exports * weight, "imports": imports * weight,
                          "partner_sum": (exports + imports) * partner})
    out = frame.groupby("year", as_index=False, sort=True).sum()
    out["total"] = out["exports"] + out["imports"]
    count = pd.Series([y for y, _ in members]).value_counts()
    have = pd.Series([y for y, _ in declared], dtype="int64").value_counts()
    out["declared"] = [bool(have.get(y, 0) == count.get(y, -1)) for y in out["year"]]
    return out[["year", "exports", "imports", "total", "declared", "partner_sum"]]


# --- stored sums to period values -------------------------------------------------------------


def prefer_stored_mirror(raw: pd.DataFrame) -> pd.DataFrame:
    """Where a row stored as ``basis='mirror'`` and a partner's turned ``reported`` row give the
    same figure (same period, subject, counterpart and flow), keep the stored one only."""
    if raw.empty or raw["basis"].nunique() < 2:
        return raw
    key = ["year", "month", "subject", "counterpart", "flow"]
    stored = raw[raw["basis"] == "mirror"][key].drop_duplicates().assign(_stored=True)
    merged = raw.merge(stored, on=key, how="left")
    drop = merged["_stored"].fillna(False).astype(bool) & (merged["basis"] != "mirror")
    return raw[~drop.to_numpy()]


def money_values(raw: pd.DataFrame) -> tuple[pd.DataFrame, str, list[str]]:
    """Add the column ``value``: US$ when every row has it, else the one local currency.

    ``raw`` has ``value_usd`` and, for sources with values in another currency, ``value_local,
    currency, currency_min, rows, usd_rows``. Returns the frame, the currency code and notes
    (rows left out, figures in a local currency).
    """
    if "usd_rows" not in raw.columns or raw.empty or (raw["usd_rows"] == raw["rows"]).all():
        return raw.assign(value=raw["value_usd"].fillna(0.0)), "USD", []
    out = raw.copy()
    currencies = set(out.loc[out["usd_rows"] == 0, "currency"])
    mixed = (out["currency"] != out["currency_min"]).any()
    if (out["usd_rows"] == 0).all() and len(currencies) == 1 and not mixed:
        code = currencies.pop()
        out["value"] = out["value_local"].fillna(0.0)
        return out, code, [f"values are in {code}: the source publishes in {code} and no US$ "
                           "conversion is loaded, so they are not comparable with US$ figures"]
    out["value"] = out["value_usd"].fillna(0.0)
    return out, "USD", [f"{int((out['rows'] - out['usd_rows']).sum())} stored rows have no US$ "
                        "value and are left out"]


def add_flow_components(raw: pd.DataFrame) -> pd.DataFrame:
    """Exports from domestic exports + re-exports (``XD + XR``, or ``MD + MR`` for turned rows)
    where a period, subject and counterpart have no total ``X`` (``M``) row; components are
    dropped otherwise, so they are never added to a total."""
    if not raw["flow"].isin(["XD", "XR", "MD", "MR"]).any():
        return raw[raw["flow"].isin(["X", "M"])]
    key = ["year", "month", "subject", "counterpart"]
    parts = [raw[raw["flow"].isin(["X", "M"])]]
    for total, pieces in (("X", ["XD", "XR"]), ("M", ["MD", "MR"])):
        comp = raw[raw["flow"].isin(pieces)]
        if comp.empty:
            continue
        has_total = raw[raw["flow"] == total][key].drop_duplicates().assign(_has=True)
        comp = comp.merge(has_total, on=key, how="left")
        comp = comp[~comp["_has"].fillna(False).astype(bool)].drop(columns="_has")
        parts.append(comp.assign(flow=total))
    return pd.concat(parts, ignore_index=True)


def period_gaps(raw: pd.DataFrame, expected: Mapping[int, frozenset[str]],
                months: Mapping[int, tuple[int, ...]]
                ) -> tuple[dict[int, frozenset[str]], dict[int, dict[str, tuple[int, ...]]]]:
    """Which subject members have no rows at all in a year, and which miss some months.

    ``raw`` has ``year, subject, month`` (month 0 for annual data); ``expected`` the members
    of each year and ``months`` the months each year's period needs (``(0,)`` for annual data).
    """
    present: dict[tuple[int, str], set[int]] = {}
    if all(m == (0,) for m in months.values()):  # annual data: only who has rows matters
        for key in set(zip(raw["year"].tolist(), raw["subject"].tolist(), strict=True)):
            present[key] = {0}
    else:
        seen = raw[["year", "subject", "month"]].drop_duplicates()
        for year, subject, month in seen.itertuples(index=False):
            present.setdefault((int(year), subject), set()).add(int(month))
    no_data = {y: frozenset(c for c in codes if (y, c) not in present) for y, codes in expected.items()}
    gaps: dict[int, dict[str, tuple[int, ...]]] = {}
    for year, codes in expected.items():
        found = {c: tuple(m for m in months[year] if m not in present[(year, c)])
                 for c in codes if (year, c) in present}
        gaps[year] = {c: m for c, m in found.items() if m}
    return no_data, gaps


def sum_complete_periods(raw: pd.DataFrame, gaps: Mapping[int, Mapping[str, tuple[int, ...]]]
                         ) -> pd.DataFrame:
    """Sum months to periods, leaving out members with missing months (never summed partially).

    Returns ``[year, subject, counterpart, flow, value, estimates, rows]``.
    """
    bad = {(y, c) for y, found in gaps.items() for c in found}
    kept = raw
    columns = ["year", "subject", "counterpart", "flow", "value", "estimates", "rows"]
    if not bad and (raw["month"] == 0).all() and \
            not raw.duplicated(["year", "subject", "counterpart", "flow"]).any():
        return raw[columns].reset_index(drop=True)  # annual rows: nothing to sum
    if bad:
        mask = [k not in bad for k in zip(raw["year"].tolist(), raw["subject"].tolist(), strict=True)]
        kept = raw[np.asarray(mask, dtype=bool)]
    return kept.groupby(["year", "subject", "counterpart", "flow"], as_index=False).agg(
        value=("value", "sum"), estimates=("estimates", "sum"), rows=("rows", "sum"))

"""Use cases of the trade monitor: bilateral summaries, partner rankings, streaks, reported vs
mirror comparisons, product composition and headline statements.

Each public function opens the warehouse read-only once, asks
:mod:`capcoop.warehouse.trade_queries` for compact sums (one row per period, subject member,
counterpart and flow) and computes the figures with :mod:`capcoop.analytics.trade`. Results are
value objects that carry their notes (data gaps, estimates, caveats), the warehouse label
(``demo`` for the embedded one) and, on request, the stored rows behind the numbers.
Definitions and formulas: ``docs/methods/monitor.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from capcoop.analytics.trade import (
    INTRA,
    WORLD,
    Period,
    add_flow_components,
    cagr_pct,
    change_phrase,
    format_usd,
    money_values,
    ordinal,
    parse_period,
    partner_units,
    pct_change,
    period_gaps,
    prefer_stored_mirror,
    rank_partners,
    rank_phrase,
    rank_within,
    share_pct,
    streak,
    sum_complete_periods,
    world_totals,
)
from capcoop.codes.blocs import Bloc, bloc, blocs, is_bloc
from capcoop.codes.countries import countries_table, country
from capcoop.errors import InputError, UnknownCountryError
from capcoop.settings import get_setting
from capcoop.warehouse.connection import open_reader
from capcoop.warehouse.trade_queries import (
    BASES,
    flow_coverage,
    legs_for,
    oriented_totals,
    source_rows,
    stale_derived_totals,
)

__all__ = ["Economy", "economy", "ranking_blocs", "Selection", "FlowValues", "BilateralSummary",
           "PartnerRanking", "RankStreak", "MonitorReport", "MirrorComparison",
           "ProductComposition", "Fact", "Statement", "Headlines", "bilateral_summary",
           "partner_ranking", "ranking_history", "partner_streak", "monitor",
           "mirror_comparison", "product_composition", "headlines", "CIF_FOB_CAVEAT"]

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
    """The open warehouse file and its WAL, with modification times and sizes (None: unknown).

    Any committed write changes one of them, so the value identifies what the file holds.
    """
    cursor = con.cursor()
    try:
        row = cursor.execute("SELECT path FROM duckdb_databases() "
                             "WHERE database_name = current_database()").fetchone()
        files = [Path(row[0]), Path(row[0] + ".wal")] if row and row[0] else []
        stats = [(f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else None for f in files]
    except (duckdb.Error, OSError):
        return None
    finally:
        cursor.close()
    return (str(files[0]), *stats) if files else None


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
    units = _tables(flows, [(p, own, p) for p, own in spans], used).units
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
        flows = _load(con, rep, sel, _history(sel, period))
        return _rank_streak(flows, par, period, groups, rank, _check_by(by))


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
        return MonitorReport(summary, _rank_streak(flows, par, period, groups))


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
        forward = _rank_streak(flows, par, period, groups)
        try:
            psel = _select(con, par, period, sel.basis, None, history=True)
            pflows = _load(con, par, psel, _history(psel, period), extra=par.members(period))
            reverse = _rank_streak(pflows, rep, period, groups)
        except InputError as err:
            reverse = None
            notes.append(f"{par.code}'s own ranking of partners is not available ({err.message})")
        statements = [_rank_statement(con, flows, forward, summary, language, explain),
                      _value_statement(summary, language),
                      _reverse_statement(reverse, period, language)]
    return Headlines(rep, par, period, language, tuple(s for s in statements if s is not None),
                     tuple(list(summary.notes) + notes), location.label)

"""Use case: which sectors or products should a provider and a host cooperate on, and why.

:func:`rank_opportunities` reads the warehouse once (ADB MRIO sector accounts or a country ×
product export matrix, WDI indicators, World Bank income groups, bilateral totals, emission
intensities), builds one candidate frame per host and hands it to the pure engine
:mod:`capcoop.analytics.opportunities`. The world-wide parts (RCA, density, PRODY) are computed
once and shared by every host of a bloc; the host-level inputs of all members of a bloc are read
in one query each over the same connection. The world-wide parts are immutable for a given
warehouse version (the file's and its write-ahead log's size and modification time), so a process
keeps the last few in memory and any committed write recomputes them. Density and RCA come from
the SciPy-free parts of the complexity module, so ranking never imports SciPy. Formulas: ``docs/methods/opportunities.md``.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capcoop.analytics import opportunities as opp
from capcoop.analytics.indicators import prody
from capcoop.codes.blocs import bloc, is_bloc, period_end
from capcoop.codes.countries import country
from capcoop.errors import CapcoopError, InputError
from capcoop.warehouse.connection import open_reader
from capcoop.warehouse.versions import warehouse_version

__all__ = ["OpportunityReport", "GroupOpportunityReport", "rank_opportunities",
           "list_scenarios", "LEVELS", "GROWTH_YEARS"]

LEVELS = ("sector", "product")
SECTOR_SOURCE = "adb-mrio"
GROWTH_YEARS = 5
GDP_PC = "NY.GDP.PCAP.PP.CD"
HOST_WDI = ("EG.ELC.ACCS.ZS", "EG.USE.ELEC.KH.PC", "LP.LPI.OVRL.XQ", "IS.RRS.TOTL.KM",
            "SP.POP.TOTL", "EN.POP.DNST", "NE.GDI.TOTL.ZS", "SP.URB.TOTL.IN.ZS",
            "EN.ATM.PM25.MC.M3", "EN.ATM.CO2E.PC", "NE.IMP.GNFS.ZS", "NY.GDP.MKTP.CD",
            "TM.VAL.MRCH.CD.WT", GDP_PC)
#: Indicators older than this many years before the ranking year are not used.
WDI_LOOKBACK = 10
_TOTAL_PRODUCTS = {"MA", "TOTAL"}
_COMPONENT_NOTE = ("z is standardised within the host; the environmental weight is negative "
                   "(a cost) and includes the penalty and the host's pollution burden")


def list_scenarios() -> list[dict[str, Any]]:
    """The scenario presets: name, description, weights and parameters.

    Example: ``[s["name"] for s in list_scenarios()]`` → ``['balanced', ...]``.
    """
    return [s.record() for s in opp.scenarios().values()]


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class OpportunityReport:
    """The ranked cooperation areas of one provider and one host.

    ``ranking`` is the engine's :class:`~capcoop.analytics.opportunities.Ranking`;
    ``p_top_n`` the sensitivity result (or None); ``host_profile`` the host-level inputs
    (income, pollution burden, infrastructure gaps, ease of trade).
    """

    provider: str
    host: str
    level: str
    year: int
    scenario: opp.Scenario
    ranking: opp.Ranking
    warehouse: str
    top: int | None = None
    p_top_n: pd.Series | None = None
    sensitivity: dict[str, Any] = field(default_factory=dict)
    host_profile: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def _rows(self) -> pd.DataFrame:
        table = self.ranking.table
        return table if self.top is None else table.head(self.top)

    def records(self) -> list[dict[str, Any]]:
        """Rows ``{"rank", "code", "name", "score", "components", "tags", "viable"[, "p_top_n"]}``."""
        out = []
        indicators = self.ranking.indicators
        for code, row in self._rows().iterrows():
            components = {k: {"value": _num(row[f"{k}_value"]), "z": _num(row[f"{k}_z"]),
                              "weight": _num(row[f"{k}_weight"]),
                              "contribution": _num(row[f"{k}_contribution"])}
                          for k in opp.COMPONENTS}
            record = {"rank": int(row["rank"]), "code": str(code),
                      "name": str(row.get("name", code)), "score": _num(row["score"]),
                      "components": components, "tags": list(indicators.at[code, "tags"]),
                      "viable": bool(row["viable"])}
            if self.p_top_n is not None:
                record["p_top_n"] = float(self.p_top_n.get(code, 0.0))
            out.append(record)
        return out

    def explain_records(self) -> list[dict[str, Any]]:
        """The raw indicators behind each row (and their within-host z), in rank order."""
        frame = self.ranking.indicators
        rows = []
        for code in self._rows().index:
            values = {k: _num(v) for k, v in frame.loc[code].items() if k != "tags"}
            rows.append({"code": str(code)} | values)
        return rows

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, effective weights, host profile, sources and notes."""
        return {"warehouse": self.warehouse,
                "parameters": {"provider": self.provider, "host": self.host,
                               "level": self.level, "year": self.year, "top": self.top,
                               "scenario": self.scenario.record()} | self.sensitivity,
                "effective_weights": dict(self.ranking.weights),
                "host_profile": self.host_profile, "sources": list(self.sources),
                "notes": list(self.notes) + list(self.ranking.notes) + [_COMPONENT_NOTE]}


@dataclass(frozen=True)
class GroupOpportunityReport:
    """Rankings for every member of a bloc host, with a cross-member summary.

    ``members`` maps each member's ISO3 to its :class:`OpportunityReport`; ``skipped`` maps
    members without data (e.g. Myanmar, absent from ADB MRIO) to the reason.
    """

    provider: str
    host: str
    level: str
    year: int
    members: dict[str, OpportunityReport]
    skipped: dict[str, str]
    warehouse: str
    top_n: int = opp.TOP_N_DEFAULT
    notes: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        """Every member's rows, each with a ``host`` key."""
        return [{"host": iso3} | row for iso3, rep in self.members.items()
                for row in rep.records()]

    def summary_records(self) -> list[dict[str, Any]]:
        """Per area across members: hosts ranking it in the top N, mean rank and score, best host."""
        frames = []
        for iso3, rep in self.members.items():
            table = rep.ranking.table
            frames.append(pd.DataFrame({"host": iso3, "code": table.index,
                                        "name": table.get("name", pd.Series(table.index,
                                                                            index=table.index)),
                                        "rank": table["rank"], "score": table["score"]}))
        if not frames:
            return []
        long = pd.concat(frames, ignore_index=True)
        rows = []
        for code, part in long.groupby("code", sort=True):
            best = part.sort_values(["rank", "host"]).iloc[0]
            top = part[part["rank"] <= self.top_n]
            rows.append({"code": str(code), "name": str(part["name"].iloc[0]),
                         "hosts_in_top_n": int(len(top)), "top_n_hosts": sorted(top["host"]),
                         "mean_rank": float(part["rank"].mean()),
                         "mean_score": float(part["score"].mean()),
                         "best_host": str(best["host"]), "best_rank": int(best["rank"])})
        rows.sort(key=lambda r: (-r["hosts_in_top_n"], r["mean_rank"], r["code"]))
        return rows

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, members ranked and skipped (with reasons), notes."""
        first = next(iter(self.members.values()), None)
        return {"warehouse": self.warehouse,
                "parameters": {"provider": self.provider, "host": self.host,
                               "level": self.level, "year": self.year, "top_n": self.top_n}
                | ({"scenario": first.scenario.record()} if first else {}),
                "members": list(self.members), "skipped": dict(self.skipped),
                "sources": sorted({s for r in self.members.values() for s in r.sources}),
                "notes": list(self.notes)}


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# --------------------------------------------------------------------------- inputs


@dataclass
class _World:
    """Everything shared by the hosts of one request."""

    level: str
    year: int
    base_year: int | None
    codes: list[str]
    names: dict[str, str]
    tags: dict[str, list[str]]
    drivers: dict[str, str]
    exports: pd.DataFrame  # countries × areas, the ranking year
    output: pd.DataFrame | None  # countries × areas (sector level)
    domestic: pd.DataFrame | None
    base_output: pd.DataFrame | None
    base_domestic: pd.DataFrame | None
    base_exports: pd.DataFrame | None
    density: pd.DataFrame | None
    rca: pd.DataFrame | None
    prody: pd.Series
    intensity: pd.Series
    host_imports: dict[str, pd.Series]
    sources: list[str]
    notes: list[str]


def _wdi_latest(con: Any, countries: list[str], codes: tuple[str, ...], year: int
                ) -> pd.DataFrame:
    frame = con.execute(
        "SELECT country, indicator, arg_max(value, year) AS value, max(year) AS year "
        "FROM country_indicators WHERE source = 'wdi' AND country IN (SELECT unnest(?)) "
        "AND indicator IN (SELECT unnest(?)) AND year <= ? AND year >= ? GROUP BY ALL",
        [countries, list(codes), year, year - WDI_LOOKBACK]).df()
    return frame


def _gdp_per_capita(con: Any, year: int) -> pd.Series:
    frame = con.execute(
        "SELECT country, arg_max(value, year) AS value FROM country_indicators "
        "WHERE source = 'wdi' AND indicator = ? AND year <= ? AND year >= ? GROUP BY country",
        [GDP_PC, year, year - 3]).df()
    return frame.set_index("country")["value"].astype(float)


def _income_groups(con: Any, hosts: list[str], year: int) -> dict[str, dict[str, Any]]:
    rows = con.execute(
        "SELECT country, arg_max(value, year), max(year) FROM country_classifications "
        "WHERE source = 'wb-income' AND country IN (SELECT unnest(?)) AND year <= ? "
        "GROUP BY country", [hosts, year + 1]).fetchall()
    found = {c: {"income_group": v, "income_group_year": int(y)} for c, v, y in rows}
    return {h: found.get(h, {"income_group": None, "income_group_year": None}) for h in hosts}


def _ease_of_trade(con: Any, provider: str, hosts: list[str], year: int
                   ) -> dict[str, tuple[float, str]]:
    """Trade intensity of each pair: host's share in P's exports / host's share of world imports.

    From the latest year <= ``year`` with P's reported exports to the world in ``trade_flows``
    (IMF DOTS in the demo) and WDI merchandise imports (``TM.VAL.MRCH.CD.WT``, host and WLD).
    """
    row = con.execute(
        "SELECT max(year) FROM trade_flows WHERE freq = 'A' AND classification = 'TOTAL' "
        "AND reporter = ? AND partner = 'WLD' AND flow = 'X' AND basis = 'reported' "
        "AND year <= ?", [provider, year]).fetchone()
    fallback = {h: (1.0, "no bilateral totals in trade_flows: ease of trade set to 1")
                for h in hosts}
    if not row or row[0] is None:
        return fallback
    used = int(row[0])
    values = dict(con.execute(
        "SELECT partner, sum(value_usd) FROM trade_flows WHERE freq = 'A' AND year = ? "
        "AND classification = 'TOTAL' AND reporter = ? AND flow = 'X' AND basis = 'reported' "
        "AND partner IN (SELECT unnest(?)) GROUP BY partner",
        [used, provider, hosts + ["WLD"]]).fetchall())
    imports = dict(con.execute(
        "SELECT country, arg_max(value, year) FROM country_indicators WHERE source = 'wdi' "
        "AND indicator = 'TM.VAL.MRCH.CD.WT' AND country IN (SELECT unnest(?)) AND year <= ? "
        "AND year >= ? GROUP BY country", [hosts + ["WLD"], used, used - 2]).fetchall())
    out = {}
    for host in hosts:
        try:
            tii = (values[host] / values["WLD"]) / (imports[host] / imports["WLD"])
        except (KeyError, TypeError, ZeroDivisionError):
            tii = float("nan")
        out[host] = (float(tii), f"ease of trade = trade intensity {tii:.2f} ({used}, "
                     "trade_flows + WDI)") if math.isfinite(tii) and tii > 0 else \
            (1.0, "trade intensity not computable: ease of trade set to 1")
    return out


#: SQL condition keeping countries (not aggregates) in a ``country`` column: codes that
#: ``ref_countries`` lists with another kind are dropped (only WLD when it is empty).
_COUNTRIES_ONLY = (
    "country NOT IN (SELECT iso3 FROM ref_countries WHERE kind IS DISTINCT FROM 'country') "
    "AND (country <> 'WLD' OR EXISTS (SELECT 1 FROM ref_countries))")


def _pivot(long: pd.DataFrame, indicator: str, year: int) -> pd.DataFrame | None:
    part = long[(long["indicator"] == indicator) & (long["year"] == year)]
    if part.empty:
        return None
    return part.groupby(["country", "sector"])["value"].sum().unstack("sector")


def _sector_years(con: Any, year: int | None) -> tuple[int, int | None]:
    years = [r[0] for r in con.execute(
        "SELECT DISTINCT year FROM sector_accounts WHERE source = ? ORDER BY 1",
        [SECTOR_SOURCE]).fetchall()]
    if not years:
        raise InputError("the warehouse has no ADB MRIO sector accounts",
                         hint="load them with `capcoop ingest adb-mrio FILE` or use --level "
                              "product")
    chosen = years[-1] if year is None else int(year)
    if chosen not in years:
        raise InputError(f"no ADB MRIO sector accounts for year {chosen}; available "
                         f"{years[0]}-{years[-1]}", hint=f"try --year {years[-1]}")
    earlier = [y for y in years if y <= chosen - GROWTH_YEARS]
    base = earlier[-1] if earlier else next((y for y in years if y < chosen), None)
    return chosen, base


def _sector_labels() -> tuple[dict[str, str], dict[str, list[str]], dict[str, str], list[str]]:
    try:
        from capcoop.codes.io_sectors import io_sectors
    except ImportError:
        return {}, {}, {}, ["sector names, tags and infrastructure drivers unavailable "
                            "(capcoop.codes.io_sectors missing)"]
    table = io_sectors().fillna("")
    names = dict(zip(table["code"], table["name_en"], strict=True))
    tags = {c: [t for t in str(v).split(";") if t] for c, v in zip(table["code"], table["tags"],
                                                                     strict=True)}
    drivers = dict(zip(table["code"], table["infra_driver"].astype(str), strict=True))
    return names, tags, drivers, []


def _intensities(level: str, warehouse: Any) -> tuple[pd.Series, list[str]]:
    try:
        from capcoop.services.environment import emission_intensity
    except ImportError:
        return pd.Series(dtype=float), ["emission intensities unavailable "
                                        "(capcoop.services.environment missing): the "
                                        "environmental component counts 0"]
    try:
        frame = emission_intensity(level, warehouse=warehouse)
    except CapcoopError as exc:
        return pd.Series(dtype=float), [f"emission intensities unavailable: {exc}"]
    series = frame.set_index(frame["code"].astype(str))["kg_co2e_per_usd"].astype(float)
    methods = sorted(set(frame.get("method", pd.Series(dtype=str)).dropna().astype(str)))
    return series, [f"emission intensity ({level}): " + "; ".join(methods[:3])] if methods else []


def _complexity_parts(exports: pd.DataFrame, notes: list[str]
                      ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Density and RCA as :func:`capcoop.analytics.complexity.economic_complexity` defines them.

    Built from its SciPy-free parts (Balassa RCA, presence strictly above 1 as in the Stata
    convention, symmetric proximity with a zero diagonal, density), so that ranking does not
    import SciPy; the agreement with ``economic_complexity`` is checked in the tests.
    """
    from capcoop.analytics.indicators import revealed_comparative_advantage
    from capcoop.analytics.proximity import density, proximity

    x = exports.fillna(0.0).clip(lower=0.0)
    x = x.loc[x.sum(axis=1) > 0, x.sum(axis=0) > 0]
    try:
        if x.shape[0] < 2 or x.shape[1] < 2:
            raise InputError(f"{x.shape[0]} locations × {x.shape[1]} areas with exports")
        rca = revealed_comparative_advantage(x)
        presence = (rca > 1.0).astype(np.float64)
        return density(presence, proximity(presence)), rca
    except InputError as exc:
        notes.append(f"density not computable on this matrix ({exc.message}): feasibility "
                     "counts 0")
        return None, None


def _prody(exports: pd.DataFrame, gdp: pd.Series, notes: list[str]) -> pd.Series:
    common = exports.index.intersection(gdp.index[gdp > 0])
    if len(common) < 2:
        notes.append("PRODY not computable (GDP per capita missing): stage fit counts 0")
        return pd.Series(np.nan, index=exports.columns)
    return prody(exports.loc[common].fillna(0.0), gdp.loc[common], join="inner")


def _sector_world(con: Any, year: int | None, warehouse: Any) -> _World:
    chosen, base = _sector_years(con, year)
    years = [y for y in (chosen, base) if y is not None]
    long = con.execute(
        "SELECT country, sector, year, indicator, value FROM sector_accounts WHERE source = ? "
        "AND year IN (SELECT unnest(?)) AND indicator IN ('output', 'exports', "
        f"'domestic_sales') AND {_COUNTRIES_ONLY}", [SECTOR_SOURCE, years]).df()
    exports = _pivot(long, "exports", chosen)
    notes: list[str] = []
    names, tags, drivers, label_notes = _sector_labels()
    notes += label_notes
    density, rca = _complexity_parts(exports, notes)
    intensity, env_notes = _intensities("io35", warehouse)
    codes = sorted(exports.columns, key=lambda c: int(c[1:]) if c[1:].isdigit() else 0)
    return _World(
        "sector", chosen, base, codes, names, tags, drivers, exports,
        _pivot(long, "output", chosen), _pivot(long, "domestic_sales", chosen),
        _pivot(long, "output", base) if base else None,
        _pivot(long, "domestic_sales", base) if base else None,
        _pivot(long, "exports", base) if base else None, density, rca,
        _prody(exports, _gdp_per_capita(con, chosen), notes), intensity, {},
        [f"ADB MRIO sector accounts ({SECTOR_SOURCE}) {chosen}"
         + (f" and {base}" if base else ""), "WDI (World Bank)", "World Bank income groups"],
        notes + env_notes)


def _product_matrix(con: Any, year: int | None, provider: str) -> tuple[str, str, int]:
    rows = con.execute(
        "SELECT source, classification, year, count(DISTINCT product) AS n "
        "FROM country_product_exports WHERE country = ? AND (? IS NULL OR year = ?) "
        "GROUP BY ALL", [provider, year, year]).fetchall()
    if not rows:
        have = con.execute("SELECT DISTINCT classification, year FROM country_product_exports "
                           "ORDER BY 2 DESC").fetchall()
        shown = ", ".join(f"{c} {y}" for c, y in have[:10]) or "none"
        raise InputError(f"no country × product export matrix with {provider} for year "
                         f"{year!r}; the warehouse has: {shown}",
                         hint="load one with `capcoop ingest export-matrix FILE` or pick a year "
                              "listed")
    # latest year; then HS before other classifications; then the most products
    rows.sort(key=lambda r: (-r[2], not str(r[1]).startswith("HS"), -r[3], r[0], r[1]))
    source, classification, chosen, _ = rows[0]
    return source, classification, int(chosen)


def _matrix(con: Any, source: str, classification: str, year: int) -> pd.DataFrame:
    long = con.execute(
        "SELECT country, product, export_usd FROM country_product_exports WHERE source = ? "
        f"AND classification = ? AND year = ? AND {_COUNTRIES_ONLY}",
        [source, classification, year]).df()
    long = long[~long["product"].isin(_TOTAL_PRODUCTS)]
    return long.groupby(["country", "product"])["export_usd"].sum().unstack("product") \
        .fillna(0.0)


def _product_labels(codes: list[str], classification: str
                    ) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    names: dict[str, str] = {}
    tags: dict[str, list[str]] = {c: [] for c in codes}
    drivers: dict[str, str] = {c: "" for c in codes}
    if classification == "WTO_MANUF":
        from capcoop.sources.export_matrix import WTO_GROUPS

        return {c: WTO_GROUPS.get(c, c) for c in codes}, tags, drivers
    if not classification.startswith("HS"):
        return names, tags, drivers
    from capcoop.codes.sectors import sector_of_hs

    attributes = opp.cooperation_sector_attributes()
    hs = [c for c in codes if c.isdigit()]
    for code, sector in sector_of_hs(hs).itertuples(index=False):
        spec = attributes.get(sector, {})
        tags[code] = sorted(set(tags[code]) | set(spec.get("tags", [])))
        if spec.get("infra_driver") and not drivers[code]:
            drivers[code] = spec["infra_driver"]
    try:
        from capcoop.codes.products import hs_table

        table = hs_table()
        level = table[table["code"].isin(hs)]
        names = dict(zip(level["code"], level.get("description", level["code"]), strict=True))
    except (ImportError, KeyError, TypeError, CapcoopError):
        names = {}
    return names, tags, drivers


def _product_world(con: Any, year: int | None, provider: str, warehouse: Any) -> _World:
    source, classification, chosen = _product_matrix(con, year, provider)
    exports = _matrix(con, source, classification, chosen)
    years = [r[0] for r in con.execute(
        "SELECT DISTINCT year FROM country_product_exports WHERE source = ? AND "
        "classification = ? AND year < ? ORDER BY 1", [source, classification, chosen]).fetchall()]
    earlier = [y for y in years if y <= chosen - GROWTH_YEARS] or years
    base = earlier[-1] if earlier else None
    notes: list[str] = [f"product level: {classification} matrix {chosen} (source {source})"]
    if classification == "WTO_MANUF":
        notes.append("WTO manufactures groups overlap (e.g. automotive within machinery and "
                     "transport equipment): RCA and density are indicative only")
    codes = sorted(exports.columns)
    names, tags, drivers = _product_labels(codes, classification)
    density, rca = _complexity_parts(exports, notes)
    level = "hs6" if classification.startswith("HS") and all(len(c) == 6 for c in codes) \
        else "hs4"
    intensity, env_notes = (_intensities(level, warehouse) if classification.startswith("HS")
                            else (pd.Series(dtype=float), [f"no emission intensities for "
                                                           f"{classification} groups"]))
    host_imports, import_notes = _bilateral_imports(con, classification, chosen)
    return _World(
        "product", chosen, base, codes, names, tags, drivers, exports, None, None, None, None,
        _matrix(con, source, classification, base) if base else None, density, rca,
        _prody(exports, _gdp_per_capita(con, chosen), notes), intensity, host_imports,
        [f"country_product_exports {source}/{classification} {chosen}", "WDI (World Bank)",
         "World Bank income groups"], notes + env_notes + import_notes)


def _bilateral_imports(con: Any, classification: str, year: int
                       ) -> tuple[dict[str, pd.Series], list[str]]:
    """Imports by importer and product from reconciled product flows (BACI), when loaded."""
    frame = con.execute(
        "SELECT partner AS host, product, sum(value_usd) AS value FROM trade_flows "
        "WHERE basis = 'reconciled' AND flow = 'X' AND freq = 'A' AND year = ? "
        "AND classification = ? GROUP BY ALL", [year, classification]).df()
    if frame.empty:
        return {}, ["host imports by product are not in the warehouse: each host's demand is "
                    "estimated as its imports of goods and services × the world's export mix "
                    "(load BACI for measured imports)"]
    return ({h: part.set_index("product")["value"] for h, part in frame.groupby("host")},
            ["host imports by product from reconciled trade flows (BACI)"])


# --------------------------------------------------------------------------- candidates


def _cagr(last: pd.Series, first: pd.Series | None, years: int) -> np.ndarray:
    """Compound annual growth in % a year (NaN where either end is not positive)."""
    end = np.asarray(last, dtype=np.float64)
    if first is None or years <= 0:
        return np.full(end.shape, np.nan)
    start = np.asarray(first, dtype=np.float64)
    ok = (start > 0) & (end > 0)
    ratio = np.divide(end, start, out=np.ones_like(end), where=ok)
    return np.where(ok, 100.0 * (ratio ** (1.0 / years) - 1.0), np.nan)


_ARRAYS: dict[int, tuple[pd.DataFrame, dict[str, int], np.ndarray]] = {}


def _row(frame: pd.DataFrame | None, code: str, columns: list[str]) -> pd.Series:
    """One country's row of a countries × areas matrix, aligned on ``columns``."""
    if frame is None:
        return pd.Series(np.nan, index=columns)
    cached = _ARRAYS.get(id(frame))
    if cached is None or cached[0] is not frame:  # numpy view of the matrix, built once
        if len(_ARRAYS) > 64:
            _ARRAYS.clear()
        aligned = frame.reindex(columns=columns)
        cached = (frame, {str(c): i for i, c in enumerate(aligned.index)},
                  aligned.to_numpy(dtype=np.float64))
        _ARRAYS[id(frame)] = cached
    position = cached[1].get(code)
    if position is None:
        return pd.Series(np.nan, index=columns)
    return pd.Series(cached[2][position], index=columns)


def _host_total_imports(wdi: dict[str, float]) -> float | None:
    share, gdp = wdi.get("NE.IMP.GNFS.ZS"), wdi.get("NY.GDP.MKTP.CD")
    if share is not None and gdp is not None:
        return share / 100.0 * gdp
    return wdi.get("TM.VAL.MRCH.CD.WT")


def _world_mix(exports: pd.DataFrame | None, columns: list[str]) -> pd.Series:
    if exports is None:
        return pd.Series(np.nan, index=columns)
    totals = exports.sum(axis=0).reindex(columns).fillna(0.0)
    return totals / totals.sum() if totals.sum() > 0 else totals * np.nan


def _candidates(world: _World, provider: str, host: str, profile: dict[str, Any],
                wdi: dict[str, float], base_wdi: dict[str, float], ease: float
                ) -> tuple[pd.DataFrame, list[str]]:
    codes, notes = world.codes, []
    span = world.year - world.base_year if world.base_year else 0
    x = _row(world.exports, provider, codes).to_numpy()
    world_x = world.exports.sum(axis=0).reindex(codes).to_numpy(dtype=np.float64)
    cols: dict[str, Any] = {"name": [world.names.get(c, c) for c in codes]}
    if world.level == "sector":
        out = _row(world.output, provider, codes).to_numpy()
        cols["provider_scale"] = out * 1e6  # ADB MRIO is in US$ million
        cols["provider_growth"] = _cagr(out, _row(world.base_output, provider, codes), span)
        dom_growth = _cagr(_row(world.domestic, provider, codes),
                           _row(world.base_domestic, provider, codes), span)
        cols["provider_surplus"] = cols["provider_growth"] - dom_growth
        absorption = _sector_absorption(world, host, wdi, codes)
        base_abs = _sector_absorption(world, host, base_wdi, codes, base=True) \
            if world.base_year else None
    else:
        cols["provider_scale"] = x
        cols["provider_growth"] = _cagr(x, _row(world.base_exports, provider, codes), span)
        cols["provider_surplus"] = np.full(len(codes), np.nan)
        absorption, base_abs = _product_absorption(world, host, wdi, base_wdi, codes, notes)
    cols["provider_rca"] = _row(world.rca, provider, codes).to_numpy()
    cols["host_absorption"] = absorption
    cols["host_growth"] = _cagr(absorption, base_abs, span) if base_abs is not None else \
        np.full(len(codes), np.nan)
    gaps = profile["infrastructure_gaps"]
    cols["infra_gap"] = [max((gaps.get(d, 0.0) for d in world.drivers.get(c, "").split(";")
                              if d), default=0.0) for c in codes]
    with np.errstate(invalid="ignore", divide="ignore"):
        supply_share = np.where(world_x > 0, x / np.where(world_x > 0, world_x, 1.0), np.nan)
    cols["export_potential"] = supply_share * absorption * ease
    cols["density"] = _row(world.density, host, codes).to_numpy()
    sophistication = world.prody.reindex(codes)
    cols["sophistication"] = sophistication.to_numpy()
    cols["stage_fit"] = opp.stage_fit(sophistication, profile.get("gdp_per_capita_ppp")
                                      ).to_numpy()
    cols["emission_intensity"] = world.intensity.reindex(codes).to_numpy()
    cols["tags"] = [";".join(world.tags.get(c, [])) for c in codes]
    if host not in world.exports.index:
        notes.append(f"{host} is not in the {world.level} matrix: feasibility and host supply "
                     "are unknown")
    return pd.DataFrame(cols, index=pd.Index(codes, name="code")), notes


def _sector_absorption(world: _World, host: str, wdi: dict[str, float], codes: list[str],
                       base: bool = False) -> np.ndarray:
    """Host absorption by sector = domestic sales + imports × the world's export mix (US$)."""
    domestic = _row(world.base_domestic if base else world.domestic, host, codes) * 1e6
    mix = _world_mix(world.base_exports if base else world.exports, codes)
    total = _host_total_imports(wdi)
    imports = mix * total if total is not None else pd.Series(0.0, index=codes)
    return (domestic.fillna(0.0) + imports.fillna(0.0)).to_numpy()


def _product_absorption(world: _World, host: str, wdi: dict[str, float],
                        base_wdi: dict[str, float], codes: list[str], notes: list[str]
                        ) -> tuple[np.ndarray, np.ndarray | None]:
    measured = world.host_imports.get(host)
    if measured is not None:
        return measured.reindex(codes).fillna(0.0).to_numpy(dtype=np.float64), None
    total = _host_total_imports(wdi)
    if total is None:
        notes.append(f"no total imports for {host} in WDI: host demand unknown")
        return np.full(len(codes), np.nan), None
    current = (_world_mix(world.exports, codes) * total).to_numpy()
    base_total = _host_total_imports(base_wdi)
    base = (_world_mix(world.base_exports, codes) * base_total).to_numpy() \
        if world.base_exports is not None and base_total is not None else None
    return current, base


def _by_country(frame: pd.DataFrame) -> dict[str, dict[str, tuple[float, int]]]:
    out: dict[str, dict[str, tuple[float, int]]] = {}
    for c, ind, value, year in frame.itertuples(index=False):
        out.setdefault(c, {})[ind] = (float(value), int(year))
    return out


def _profiles(con: Any, hosts: list[str], year: int, base_year: int | None
              ) -> dict[str, tuple[dict[str, Any], dict[str, float], dict[str, float]]]:
    """Host-level inputs of every host, read in three queries."""
    current = _by_country(_wdi_latest(con, hosts, HOST_WDI, year))
    base = _by_country(_wdi_latest(con, hosts, ("NE.IMP.GNFS.ZS", "NY.GDP.MKTP.CD",
                                                "TM.VAL.MRCH.CD.WT"), base_year)) \
        if base_year else {}
    groups = _income_groups(con, hosts, year)
    out = {}
    for host in hosts:
        wdi = {k: v for k, (v, _) in current.get(host, {}).items()}
        base_wdi = {k: v for k, (v, _) in base.get(host, {}).items()}
        burden = opp.pollution_burden(wdi.get("EN.ATM.PM25.MC.M3"), wdi.get("EN.ATM.CO2E.PC"))
        profile = {"gdp_per_capita_ppp": wdi.get(GDP_PC), **groups[host],
                   "pm25": wdi.get("EN.ATM.PM25.MC.M3"),
                   "co2_per_capita": wdi.get("EN.ATM.CO2E.PC"), "pollution_burden": burden,
                   "infrastructure_gaps": opp.infrastructure_gaps(wdi),
                   "indicator_years": {k: y for k, (_, y) in current.get(host, {}).items()}}
        out[host] = (profile, wdi, base_wdi)
    return out


# --------------------------------------------------------------------------- world cache


#: The last few worlds computed in this process, by warehouse file, version and request.
_WORLDS: OrderedDict[tuple[Any, ...], _World] = OrderedDict()
_WORLDS_MAX = 8
_WORLDS_LOCK = threading.Lock()


def _world(con: Any, path: Path, level: str, year: int | None, provider: str) -> _World:
    """The shared inputs of a request: from the in-process cache when the warehouse is unchanged."""
    key = (str(path), warehouse_version(path), level, year,
           provider if level == "product" else None)
    with _WORLDS_LOCK:
        found = _WORLDS.get(key)
        if found is not None:
            _WORLDS.move_to_end(key)
            return found
    world = _sector_world(con, year, path) if level == "sector" else \
        _product_world(con, year, provider, path)
    with _WORLDS_LOCK:
        _WORLDS[key] = world
        while len(_WORLDS) > _WORLDS_MAX:
            _WORLDS.popitem(last=False)
    return world


# --------------------------------------------------------------------------- entry point


def _resolve_hosts(host: str, year: int) -> tuple[str, list[str]]:
    if is_bloc(host):
        group = bloc(host)
        return group.code, sorted(group.members_on(period_end(year)))
    return country(host).iso3, [country(host).iso3]


def _check_options(level: str, top: int | None, draws: int) -> None:
    if level not in LEVELS:
        raise InputError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    if top is not None and (not isinstance(top, int) or top < 1):
        raise InputError(f"top must be a positive integer, got {top!r}")
    if not isinstance(draws, int) or draws < 0:
        raise InputError(f"sensitivity draws must be an integer >= 0, got {draws!r}",
                         hint="e.g. --sensitivity 200")


def rank_opportunities(provider: str = "CHN", host: str = "VNM", *, level: str = "sector",
                       year: int | None = None, scenario: str = "balanced",
                       weights: dict[str, float] | None = None, top: int | None = None,
                       sensitivity_draws: int = 0, seed: int = 0,
                       warehouse: str | Path | None = None
                       ) -> OpportunityReport | GroupOpportunityReport:
    """Rank cooperation areas for a capacity provider and a host (a country or a bloc).

    Parameters
    ----------
    provider, host
        Any spelling :mod:`capcoop.codes` resolves (``CHN``, ``Viet Nam``, ``越南``); the host
        may be a bloc (``ASEAN``): every member is ranked (its membership at the end of the
        year) and a :class:`GroupOpportunityReport` is returned.
    level
        ``"sector"`` (ADB MRIO, 35 sectors) or ``"product"`` (the country × product export
        matrix of the warehouse: HS4 when loaded, else WTO manufactures groups).
    year
        Default: the latest year with data.
    scenario, weights
        A preset of :func:`list_scenarios` and optional overrides of its component weights.
    top
        Keep the first ``top`` rows in ``records()`` (ranks are over all candidates).
    sensitivity_draws, seed
        Weight perturbations for P(stay in top N) (0: no sensitivity analysis).
    warehouse
        Warehouse path; None resolves the default (user warehouse, else the embedded demo).

    Examples
    --------
    >>> report = rank_opportunities("CHN", "VNM", level="sector", top=5)  # doctest: +SKIP
    >>> [r["code"] for r in report.records()]  # doctest: +SKIP
    """
    _check_options(level, top, sensitivity_draws)
    scen = opp.scenario(scenario).with_weights(weights)
    provider_code = country(provider).iso3
    with open_reader(warehouse) as (con, location):
        cur = con.cursor()
        world = _world(cur, location.path, level, year, provider_code)
        if provider_code not in world.exports.index:
            raise InputError(f"provider {provider_code} has no {level} data for "
                             f"{world.year} in this warehouse",
                             hint="pick another provider or year")
        host_code, members = _resolve_hosts(host, world.year)
        reports, skipped = {}, {}
        for member in members:
            if member == provider_code:
                skipped[member] = "the provider itself"
            elif level == "sector" and member not in world.exports.index:
                skipped[member] = (f"not in ADB MRIO sector accounts ({world.year})"
                                   + (": ADB MRIO has no Myanmar (it is inside the rest of "
                                      "the world)" if member == "MMR" else ""))
        ranked = [m for m in members if m not in skipped]
        profiles = _profiles(cur, ranked, world.year, world.base_year)
        eases = _ease_of_trade(cur, provider_code, ranked, world.year)
        for member in ranked:
            reports[member] = _one_host(world, provider_code, member, scen, top,
                                        sensitivity_draws, seed, location.label,
                                        profiles[member], eases[member])
    if is_bloc(host):
        return GroupOpportunityReport(provider_code, host_code, level, world.year, reports,
                                      skipped, location.label, top_n=scen.top_n,
                                      notes=tuple(f"{k} skipped: {v}" for k, v in
                                                  skipped.items()))
    if not reports:
        raise InputError(f"no {level} data for host {host_code} in {world.year}: "
                         f"{skipped.get(host_code, 'same as the provider')}",
                         hint="pick a host in the warehouse (see `capcoop db info`)")
    return reports[host_code]


def _one_host(world: _World, provider: str, host: str, scen: opp.Scenario, top: int | None,
              draws: int, seed: int, label: str,
              inputs: tuple[dict[str, Any], dict[str, float], dict[str, float]],
              ease_of_trade: tuple[float, str]) -> OpportunityReport:
    profile, wdi, base_wdi = inputs
    ease, ease_note = ease_of_trade
    profile["ease_of_trade"] = ease
    frame, notes = _candidates(world, provider, host, profile, wdi, base_wdi, ease)
    ranking = opp.score_opportunities(frame, scen, pollution=profile["pollution_burden"])
    p_top, sensitivity = None, {}
    if draws:
        p_top = opp.weight_sensitivity(ranking, draws=draws, seed=seed,
                                       sigma=scen.sensitivity_sigma, top_n=scen.top_n)
        sensitivity = {"sensitivity": {"draws": draws, "seed": seed, "top_n": scen.top_n,
                                       "sigma": scen.sensitivity_sigma}}
    return OpportunityReport(
        provider, host, world.level, world.year, scen, ranking, label, top, p_top,
        sensitivity, profile, tuple(world.sources),
        tuple(world.notes + notes + [ease_note]
              + ([f"growth over {world.base_year}-{world.year}"] if world.base_year else
                 ["no earlier year: growth unknown"])))

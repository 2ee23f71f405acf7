"""Use cases of the input-output models: describe a table, its multipliers, and a capacity shock.

``table`` is either a NAME the warehouse holds (``wiod2013``, ``pymrio-test``, ``china-nbs-153``,
``oecd-niot-chn``; a prefix such as ``china-nbs`` picks the latest, most detailed match) or a PATH
to a file or folder in a supported layout (read directly, nothing is stored; see
:func:`capcoop.sources.io_tables.detect_format`). The numbers come from
:mod:`capcoop.analytics.io` (static models) and :mod:`capcoop.analytics.ario` (dynamic recovery);
this module resolves the table, the region and the sector, and shapes the reports.
Definitions: ``docs/io-tables.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capcoop.analytics.io_system import IOSystem
from capcoop.errors import InputError, UnknownCodeError
from capcoop.warehouse.versions import warehouse_version

__all__ = ["LoadedTable", "IOInfoReport", "MultiplierReport", "ShockReport", "load_table",
           "io_info", "io_multipliers", "io_shock", "parse_share", "SHOCK_MODELS"]

#: Models :func:`io_shock` runs: two static ones (analytics.io.capacity_cut) and ARIO.
SHOCK_MODELS = ("mixed", "ghosh", "ario")
_ALIASES = {"china-oecd": "oecd-niot-chn", "oecd-niot": "oecd-niot-chn", "wiod": "wiod2013",
            "china": "china-nbs"}


# --- resolving a table --------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedTable:
    """A table ready for the models: the system, its label names and where it came from."""

    system: IOSystem
    table_name: str
    year: int
    years: tuple[int, ...]
    labels: dict[str, pd.DataFrame]
    warehouse: str
    sources: list[dict[str, Any]]

    def name_of(self, kind: str, code: str) -> str:
        """English name of a label (its code when unnamed)."""
        return self._names.get(kind, {}).get(code) or code

    @cached_property
    def _names(self) -> dict[str, dict[str, str]]:
        """``{kind: {code: English name}}``, first entry per code, built once per table."""
        names: dict[str, dict[str, str]] = {}
        for kind, frame in self.labels.items():
            if frame is None or frame.empty:
                continue
            table: dict[str, str] = {}
            for code, name in zip(frame["code"], frame["name_en"], strict=True):
                table.setdefault(code, str(name) if name is not None and name == name and name
                                 else "")
            names[kind] = table
        return names


def _pick_year(years: list[int], year: int | None, table: str) -> int:
    if not years:
        raise InputError(f"table {table!r} holds no year", hint="ingest the table again")
    if year is None:
        return max(years)
    if int(year) not in years:
        raise InputError(f"table {table!r} has no year {year}",
                         hint=f"available: {', '.join(str(y) for y in sorted(years))}")
    return int(year)


def _labels_from_frame(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {kind: part.drop(columns="kind").reset_index(drop=True)
            for kind, part in frame.groupby("kind", sort=False)}


def _from_path(path: Path, year: int | None) -> LoadedTable:
    from capcoop.sources.base import sha256_path
    from capcoop.sources.io_tables import read_io_path

    tables = read_io_path(path)
    chosen_year = _pick_year([int(t.system.year or 0) for t in tables], year, str(path))
    table = next(t for t in tables if int(t.system.year or 0) == chosen_year)
    return LoadedTable(table.system, table.table_name, chosen_year,
                       tuple(sorted(int(t.system.year or 0) for t in tables)),
                       _labels_from_frame(table.labels), f"none (read from file {path})",
                       [{"file": str(path), "sha256": sha256_path(path), **table.checks}])


def _stored_name(stored: list[str], table: str) -> str | None:
    key = _ALIASES.get(table.strip().lower(), table.strip().lower())
    if key in stored:
        return key
    matches = [name for name in stored if name.startswith(key + "-")]
    return matches[0] if len(matches) == 1 else (None if not matches else "|".join(matches))


def load_table(table: str | Path, *, year: int | None = None,
               warehouse: str | Path | None = None) -> LoadedTable:
    """Resolve ``table`` (a stored name or a path) and build its system for ``year``.

    Raises
    ------
    UnknownCodeError
        When the name is neither stored nor an existing path (with close stored names).
    InputError
        When the year is not available.
    """
    text = str(table).strip()
    path = Path(text).expanduser()
    if path.exists():
        return _from_path(path, year)
    from capcoop.warehouse.connection import open_reader
    from capcoop.warehouse.io_queries import (
        io_provenance,
        io_system,
        io_table_labels,
        io_tables,
    )

    with open_reader(warehouse) as (con, location):
        stored = io_tables(con)
        names = list(dict.fromkeys(stored["table_name"]))
        name = _stored_name(names, text)
        if name is None:
            raise _unknown_table(text, names, location.label)
        if "|" in name:  # a prefix of several tables: the latest year, then the most industries
            candidates = stored[stored["table_name"].isin(name.split("|"))]
            best = candidates.sort_values(["year", "industries"], ascending=False).iloc[0]
            name = str(best["table_name"])
        years = sorted(int(y) for y in stored.loc[stored["table_name"] == name, "year"])
        chosen = _pick_year(years, year, name)
        key = (str(Path(location.path).resolve()), warehouse_version(location.path), name, chosen)
        cached = _LOADED.get(key)
        if cached is not None and cached.warehouse == location.label:
            return cached
        system = io_system(con, name, chosen)
        labels = io_table_labels(con, name)
        sources = io_provenance(con, name, chosen)
        label = location.label
    frames = {"region": labels.regions, "sector": labels.sectors, "category": labels.categories,
              "factor": labels.factors, "stressor": labels.stressors}
    loaded = LoadedTable(system, name, chosen, tuple(years), frames, label, sources)
    if key[0] is not None:
        _LOADED[key] = loaded
        while len(_LOADED) > _LOADED_MAX:  # oldest first
            _LOADED.pop(next(iter(_LOADED)))
    return loaded


#: Tables built from a warehouse, by (warehouse file version, table, year): a long-running
#: process (the API) builds each system once. Small: a WIOD system is about 20 MB.
_LOADED: dict[tuple[Any, str, int], LoadedTable] = {}
_LOADED_MAX = 4


def _unknown_table(text: str, names: list[str], label: str) -> UnknownCodeError:
    close = tuple(difflib.get_close_matches(text.lower(), names, n=3, cutoff=0.4))
    known = ", ".join(names) if names else "none"
    return UnknownCodeError(
        f"unknown input-output table {text!r} (not a file either; warehouse {label} holds: "
        f"{known})", suggestions=close,
        hint=(f"did you mean {' or '.join(close)}? " if close else "") +
             "give a stored name or a path; load tables with `capcoop ingest wiod2013 FILE`")


# --- regions, sectors, shares -------------------------------------------------------------------


def _resolve_region(loaded: LoadedTable, text: str) -> str:
    regions = list(loaded.system.regions)
    wanted = str(text).strip()
    for code in regions:
        if code.casefold() == wanted.casefold():
            return code
    frame = loaded.labels.get("region", pd.DataFrame(columns=["code", "name_en", "name_zh"]))
    for row in frame.itertuples():
        if wanted.casefold() in (str(row.name_en).casefold(), str(row.name_zh).casefold()):
            return str(row.code)
    iso3 = None
    try:
        from capcoop.codes.countries import country

        iso3 = country(wanted).iso3
    except InputError:
        pass
    if iso3 in regions:
        return iso3
    close = tuple(difflib.get_close_matches(wanted.upper(), regions, n=3, cutoff=0.5))
    inside = f"; {iso3} is not a separate region of {loaded.table_name}" + \
        (" (it is inside ROW)" if "ROW" in regions else "") if iso3 else ""
    raise UnknownCodeError(f"unknown region {text!r} in table {loaded.table_name}{inside}",
                           suggestions=close,
                           hint=f"regions: {', '.join(regions[:50])}"
                                + (" ..." if len(regions) > 50 else ""))


def _resolve_sector(loaded: LoadedTable, text: str) -> str:
    sectors = list(loaded.system.sectors)
    wanted = str(text).strip()
    for code in sectors:
        if code.casefold() == wanted.casefold():
            return code
    frame = loaded.labels.get("sector", pd.DataFrame(columns=["code", "name_en", "name_zh"]))
    needle = wanted.casefold()
    hits = [str(r.code) for r in frame.itertuples()
            if needle and (needle in str(r.name_en).casefold() or needle in str(r.name_zh))]
    if len(hits) == 1:
        return hits[0]
    names = {str(r.code): str(r.name_en) for r in frame.itertuples()}
    if hits:
        shown = "; ".join(f"{c} ({names.get(c, c)})" for c in hits[:8])
        raise UnknownCodeError(f"sector {text!r} matches {len(hits)} sectors of "
                               f"{loaded.table_name}: {shown}", suggestions=tuple(hits[:8]),
                               hint="give the sector code, e.g. " + hits[0])
    by_name = {n.casefold(): c for c, n in names.items()}
    close = difflib.get_close_matches(needle, list(by_name), n=3, cutoff=0.4)
    suggestions = tuple(by_name[c] for c in close) or tuple(
        difflib.get_close_matches(wanted, sectors, n=3, cutoff=0.4))
    shown = "; ".join(f"{c} ({names.get(c, c)})" for c in suggestions)
    raise UnknownCodeError(f"unknown sector {text!r} in table {loaded.table_name}",
                           suggestions=suggestions,
                           hint=(f"did you mean {shown}? " if shown else "") +
                                "run `capcoop io info --table " + loaded.table_name +
                                " --format json` for the sector list")


def parse_share(value: float | str) -> float:
    """A cut as a share in (0, 1]: ``0.3``, ``"0.3"`` or ``"30%"``.

    Raises
    ------
    InputError
        For text that is no number, or a share outside (0, 1] (``30`` without ``%``).
    """
    text = str(value).strip()
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise InputError(f"cut {value!r} is not a number", hint="give 30% or 0.3") from None
    if not (0 < share <= 1) or not np.isfinite(share):
        raise InputError(f"cut {value!r} is not a share in (0, 1]",
                         hint="give 30% or 0.3 for a 30% capacity cut")
    return share


# --- io_info ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IOInfoReport:
    """What a table holds: one row per region, and the table's totals and balance in ``meta``."""

    loaded: LoadedTable
    rows: pd.DataFrame
    totals: dict[str, float]
    balance: dict[str, Any]

    def records(self) -> list[dict[str, Any]]:
        """Rows ``{"region", "region_name", "sectors", "gross_output", "intermediate_sales",
        "final_demand", "intermediate_inputs", "value_added"}`` (table money unit)."""
        return self.rows.to_dict("records")

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, sources, notes, years, labels, totals and balance check."""
        s, loaded = self.loaded.system, self.loaded
        label_list = {kind: [{"code": str(r.code), "name": str(r.name_en)}
                             for r in loaded.labels.get(kind, pd.DataFrame(
                                 columns=["code", "name_en"])).itertuples()]
                      for kind in ("sector", "category", "factor", "stressor")}
        return {"warehouse": loaded.warehouse,
                "parameters": {"table": loaded.table_name, "year": loaded.year},
                "sources": loaded.sources, "notes": list(s.notes),
                "unit": s.unit, "years": list(loaded.years), "regions": list(s.regions),
                "industries": s.n, "sectors": label_list["sector"],
                "final_demand_categories": label_list["category"],
                "factors": label_list["factor"], "stressors": label_list["stressor"],
                "totals": self.totals, "balance": self.balance}


def io_info(table: str | Path, *, year: int | None = None,
            warehouse: str | Path | None = None) -> IOInfoReport:
    """Describe ``table`` in ``year`` (default: its latest): regions, sectors, years, totals and
    the accounting balance (rows: Σ Z + Σ Y − x; columns: Σ Z + Σ V − x when V is given)."""
    loaded = load_table(table, year=year, warehouse=warehouse)
    s = loaded.system
    value_added = s.value_added()[0]
    frame = pd.DataFrame({"region": s.industries.get_level_values(0),
                          "gross_output": s.x, "intermediate_sales": s.Z.sum(axis=1),
                          "final_demand": s.Y.sum(axis=1), "intermediate_inputs": s.Z.sum(axis=0),
                          "value_added": value_added})
    rows = frame.groupby("region", sort=False).sum().reset_index()
    rows.insert(1, "region_name", [loaded.name_of("region", r) for r in rows["region"]])
    rows.insert(2, "sectors", len(s.sectors))
    totals = {k: float(frame[k].sum()) for k in ("gross_output", "intermediate_sales",
                                                 "final_demand", "value_added")}
    return IOInfoReport(loaded, rows, totals, _balance(s))


def _balance(s: IOSystem) -> dict[str, Any]:
    row_gap = s.Z.sum(axis=1) + s.Y.sum(axis=1) - s.x
    scale = np.where(s.x > 0, s.x, 1.0)
    out: dict[str, Any] = {
        "rows": "sum(Z) + sum(Y) - x per industry",
        "max_abs_row_gap": float(np.abs(row_gap).max()),
        "max_rel_row_gap": float((np.abs(row_gap) / scale).max()),
        "worst_row": "/".join(s.industries[int(np.argmax(np.abs(row_gap)))])}
    if s.V is not None and s.V.shape[0]:
        col_gap = s.Z.sum(axis=0) + s.V.sum(axis=0) - s.x
        out.update({"columns": "sum(Z) + sum(V) - x per industry",
                    "max_abs_column_gap": float(np.abs(col_gap).max()),
                    "max_rel_column_gap": float((np.abs(col_gap) / scale).max())})
    else:
        out["columns"] = "not checked: the table has no factor inputs (V)"
    return out


# --- io_multipliers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MultiplierReport:
    """Multipliers and linkages of every industry of a table."""

    loaded: LoadedTable
    rows: pd.DataFrame

    def records(self) -> list[dict[str, Any]]:
        """Rows ``{"region", "sector", "sector_name", "output_multiplier",
        "value_added_multiplier", "<factor>_multiplier" ..., "<stressor>_multiplier" ...,
        "backward_linkage", "forward_linkage"}``."""
        return self.rows.to_dict("records")

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, sources and the definitions used."""
        s = self.loaded.system
        return {"warehouse": self.loaded.warehouse,
                "parameters": {"table": self.loaded.table_name, "year": self.loaded.year},
                "sources": self.loaded.sources, "unit": s.unit,
                "notes": [*s.notes,
                          "output_multiplier: column sums of the Leontief inverse L = (I - A)^-1",
                          "value_added_multiplier: v L with v = primary inputs (all rows of V, or "
                          "the residual x - column sums of Z) per unit of output",
                          "backward_linkage: column sum of L divided by the mean column sum "
                          "(Rasmussen); forward_linkage: row sum of the Ghosh inverse G divided by "
                          "the mean row sum (Miller & Blair 2009, sec. 12.2)"]}


def io_multipliers(table: str | Path, *, year: int | None = None,
                   warehouse: str | Path | None = None) -> MultiplierReport:
    """Output, value-added, factor and stressor multipliers and normalised linkages of every
    industry of ``table`` (see :func:`capcoop.analytics.io.multipliers`)."""
    from capcoop.analytics.io import (
        ghosh_from_leontief,
        leontief_inverse,
        multipliers,
        technical_coefficients,
    )

    loaded = load_table(table, year=year, warehouse=warehouse)
    s = loaded.system
    L = leontief_inverse(technical_coefficients(s.Z, s.x))
    frame = multipliers(s, leontief=L)
    backward = L.sum(axis=0)
    forward = ghosh_from_leontief(L, s.x).sum(axis=1)
    frame["backward_linkage"] = backward / backward.mean()
    frame["forward_linkage"] = forward / forward.mean()
    frame = frame.reset_index()
    frame.insert(2, "sector_name", [loaded.name_of("sector", c) for c in frame["sector"]])
    return MultiplierReport(loaded, frame)


# --- io_shock -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShockReport:
    """Output lost everywhere when one industry's capacity is cut, by three models.

    ``rows`` has one row per industry that loses output in any model (China, then ASEAN
    members, then other regions by their static loss); ``regions`` the totals per region.
    """

    loaded: LoadedTable
    rows: pd.DataFrame
    regions: pd.DataFrame
    totals: dict[str, float | None]
    parameters: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    ario_path: list[dict[str, float]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        """Rows ``{"region", "region_name", "group", "sector", "sector_name", "shocked",
        "baseline_output", "static_loss", "static_loss_share", "ghosh_loss",
        "ghosh_loss_share", "ario_loss", "ario_loss_share"}``. Losses are in the table's money
        unit over the cut (static) or the simulated horizon (ARIO); shares divide a loss by the
        industry's baseline output during the cut's weeks."""
        return self.rows.to_dict("records")

    def region_records(self) -> list[dict[str, Any]]:
        """Totals per region, same order: ``{"region", "region_name", "group", "static_loss",
        "ghosh_loss", "ario_loss", "baseline_output"}``."""
        return self.regions.to_dict("records")

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, sources, notes, totals by model, region totals and the
        weekly ARIO loss path."""
        return {"warehouse": self.loaded.warehouse, "parameters": self.parameters,
                "sources": self.loaded.sources, "unit": self.loaded.system.unit,
                "notes": [*self.loaded.system.notes, *self.notes], "totals": self.totals,
                "regions": self.region_records(), "ario_weekly_loss": self.ario_path}


def io_shock(table: str | Path, *, year: int | None = None, region: str, sector: str,
             cut: float | str, weeks: float = 8, warehouse: str | Path | None = None,
             models: tuple[str, ...] = SHOCK_MODELS, recovery_weeks: int = 0,
             horizon_weeks: int = 104, inventory_weeks: float = 13.0,
             overproduction_max: float = 1.25, min_loss: float = 0.0) -> ShockReport:
    """Cut the capacity of ``sector`` in ``region`` by ``cut`` for ``weeks`` weeks.

    Parameters
    ----------
    table, year, warehouse
        Which table (a stored name or a path) and year (default: latest).
    region, sector
        The industry hit: a region code or country name (CHN, China, 中国), a sector code (c14)
        or a unique part of its name ("electrical").
    cut
        Capacity lost, ``0.3`` or ``"30%"``.
    weeks
        How long the full cut lasts.
    models
        Which of :data:`SHOCK_MODELS` to run: ``mixed`` (Leontief with the cut output fixed,
        equivalent to the inoperability model), ``ghosh`` (supply-driven, forward) and ``ario``
        (weekly dynamic recovery with inventories and rationing).
    recovery_weeks, horizon_weeks, inventory_weeks, overproduction_max
        ARIO options (:func:`capcoop.analytics.ario.simulate_recovery`).
    min_loss
        Leave out industries whose losses are all at or below this (table unit).

    Raises
    ------
    UnknownCodeError
        Unknown table, region or sector (with suggestions).
    InputError
        A bad cut, duration or model name.
    """
    from capcoop.analytics.io import capacity_cut

    share = parse_share(cut)
    unknown = [m for m in models if m not in SHOCK_MODELS]
    if unknown or not models:
        raise InputError(f"unknown shock model {unknown[0] if unknown else models!r}",
                         hint=f"use any of {', '.join(SHOCK_MODELS)}")
    if not np.isfinite(float(weeks)) or float(weeks) <= 0:
        raise InputError(f"weeks must be positive; got {weeks!r}", hint="e.g. --weeks 8")
    loaded = load_table(table, year=year, warehouse=warehouse)
    s = loaded.system
    where = (_resolve_region(loaded, region), _resolve_sector(loaded, sector))
    scale = s.x * float(weeks) / 52.0
    frame = pd.DataFrame({"baseline_output": s.x}, index=s.industries)
    notes: list[str] = []
    for model, column in (("mixed", "static_loss"), ("ghosh", "ghosh_loss")):
        if model in models:
            result = capacity_cut(s, {where: share}, weeks=float(weeks), model=model)
            frame[column] = result.table["loss"].to_numpy()
            notes.append(f"{model}: {result.description}")
    path: list[dict[str, float]] = []
    if "ario" in models:
        path = _ario(s, where, share, weeks, recovery_weeks, horizon_weeks, inventory_weeks,
                     overproduction_max, frame, notes)
    for column in ("static_loss", "ghosh_loss", "ario_loss"):
        if column in frame:
            with np.errstate(divide="ignore", invalid="ignore"):
                frame[column.replace("loss", "loss_share")] = np.where(
                    scale > 0, frame[column].to_numpy() / np.where(scale > 0, scale, 1), 0.0)
    frame["shocked"] = [pair == where for pair in s.industries]
    return _shock_report(loaded, frame, where, share, weeks, models, path, notes, min_loss,
                         {"recovery_weeks": recovery_weeks, "horizon_weeks": horizon_weeks,
                          "inventory_weeks": inventory_weeks,
                          "overproduction_max": overproduction_max})


def _ario(s: IOSystem, where: tuple[str, str], share: float, weeks: float, recovery_weeks: int,
          horizon_weeks: int, inventory_weeks: float, overproduction_max: float,
          frame: pd.DataFrame, notes: list[str]) -> list[dict[str, float]]:
    from capcoop.analytics.ario import ARIOParameters, simulate_recovery

    if float(weeks) != int(weeks):
        raise InputError(f"the dynamic model runs whole weeks; got weeks={weeks!r}",
                         hint="give a whole number of weeks, or models without 'ario'")
    s = _nonnegative_final_demand(s, notes)
    result = simulate_recovery(
        s, {where: share}, weeks=int(weeks), recovery_weeks=int(recovery_weeks),
        horizon_weeks=int(horizon_weeks),
        parameters=ARIOParameters(inventory_weeks=inventory_weeks,
                                  overproduction_max=overproduction_max))
    frame["ario_loss"] = result.cumulative_loss.to_numpy()
    recovered = result.weeks_to_recover()
    notes.append("ario: weekly adaptive regional input-output model (Hallegatte 2008): capacity "
                 "loss, inventories, proportional rationing and overproduction; loss summed over "
                 f"{int(horizon_weeks)} weeks; output back within 0.1% of baseline "
                 + (f"in week {recovered}" if recovered is not None else "not within the horizon")
                 + _early_stop_note(result.parameters))
    return [{"week": int(w), "loss": float(v)} for w, v in result.loss_path.items()]


def _early_stop_note(parameters: dict[str, Any]) -> str:
    simulated, horizon = parameters["weeks_simulated"], parameters["horizon_weeks"]
    if simulated >= horizon:
        return f"; all {horizon} weeks simulated"
    return (f"; {simulated} of {horizon} weeks simulated, the economy being back at baseline "
            f"(within {parameters['stop_tolerance']:g} of the largest cumulative deviation) "
            "for the rest")


def _nonnegative_final_demand(s: IOSystem, notes: list[str]) -> IOSystem:
    """The system the dynamic model can run: output at least intermediate sales.

    ARIO needs net final demand x − Σ_j Z_ij ≥ 0. Inventory drawdowns (WIOD's INVEN) and
    imports entered as negative final demand (competitive-import tables) break it for a few
    industries; their output is raised to their intermediate sales (x' = max(x, Σ_j Z_ij)).
    """
    sales = s.Z.sum(axis=1)
    short = sales > s.x
    if not short.any():
        return s
    x = np.maximum(s.x, sales)
    notes.append(f"ario: {int(short.sum())} industries sell more to other industries than they "
                 "produce (negative net final demand: inventory drawdowns or imports); for the "
                 "dynamic model their output is raised to their intermediate sales, adding "
                 f"{float((x - s.x).sum()):.6g} {s.unit} ({float((x - s.x).sum() / s.x.sum()):.2e} "
                 "of total output)")
    return IOSystem(s.Z, s.Y, s.industries, s.final_demand, x=x, name=s.name, year=s.year,
                    unit=s.unit)


def _groups(regions: list[str]) -> dict[str, str]:
    from capcoop.codes.blocs import bloc

    asean = bloc("ASEAN").members_on(dt.date.today())
    return {r: "China" if r == "CHN" else "ASEAN" if r in asean else "other" for r in regions}


def _shock_report(loaded: LoadedTable, frame: pd.DataFrame, where: tuple[str, str], share: float,
                  weeks: float, models: tuple[str, ...], path: list[dict[str, float]],
                  notes: list[str], min_loss: float, options: dict[str, Any]) -> ShockReport:
    losses = [c for c in ("static_loss", "ghosh_loss", "ario_loss") if c in frame]
    frame = frame.reset_index()
    groups = _groups(list(loaded.system.regions))
    frame.insert(1, "region_name", [loaded.name_of("region", r) for r in frame["region"]])
    frame.insert(2, "group", frame["region"].map(groups))
    frame.insert(4, "sector_name", [loaded.name_of("sector", c) for c in frame["sector"]])
    by_region = frame.groupby(["region", "region_name", "group"], sort=False)[
        [*losses, "baseline_output"]].sum().reset_index()
    rank = {"China": 0, "ASEAN": 1, "other": 2}
    key = losses[0]
    by_region = by_region.assign(_g=by_region["group"].map(rank)).sort_values(
        ["_g", key], ascending=[True, False], kind="stable").drop(columns="_g")
    order = {r: k for k, r in enumerate(by_region["region"])}
    keep = frame[losses].abs().max(axis=1) > min_loss
    rows = frame[keep].assign(_r=frame["region"].map(order)).sort_values(
        ["_r", key], ascending=[True, False], kind="stable").drop(columns="_r")
    columns = ["region", "region_name", "group", "sector", "sector_name", "shocked",
               "baseline_output"] + [c for c in ("static_loss", "static_loss_share", "ghosh_loss",
                                                 "ghosh_loss_share", "ario_loss",
                                                 "ario_loss_share") if c in rows]
    totals: dict[str, float | None] = {c: float(frame[c].sum()) if c in frame else None
                                       for c in ("static_loss", "ghosh_loss", "ario_loss")}
    parameters = {"table": loaded.table_name, "year": loaded.year, "region": where[0],
                  "sector": where[1], "sector_name": loaded.name_of("sector", where[1]),
                  "cut": share, "weeks": weeks, "models": list(models), **options}
    return ShockReport(loaded, rows[columns].reset_index(drop=True),
                       by_region.reset_index(drop=True), totals, parameters, notes, path)

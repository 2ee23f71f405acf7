"""Development goals of a cooperation and their progress against the data.

A goal says what is measured (a *metric* of :data:`METRICS`), for which provider and host (and
sector, group or indicator), the target and its kind (:data:`TARGET_TYPES`), the base year and
the deadline. Goals are rows of the warehouse table ``goals`` (schema v3). The embedded demo is
read-only: when the resolved warehouse is the demo, goals are kept in a small goals store in the
user data directory (:func:`goals_store_path`, a DuckDB file with the same schema) while progress
reads its data from the demo. ``docs/goals.md`` documents every metric and the progress rules.

Public API (the CLI and the HTTP API call exactly these):
:func:`add_goal`, :func:`list_goals`, :func:`goal_progress`, :func:`remove_goal`, :func:`metrics`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.errors import InputError, UnknownCodeError, WarehouseError

__all__ = ["METRICS", "TARGET_TYPES", "Metric", "GoalProgressReport", "add_goal", "list_goals",
           "goal_progress", "remove_goal", "metrics", "goals_store_path", "sector_group"]

GOALS_FILE = "goals.duckdb"
#: Years before the base year whose trend is used while no data after the base year exist.
TREND_YEARS = 5

#: Target kinds: a level (or share, in %) reached by the deadline, or an annual growth rate (%).
TARGET_TYPES = ("level", "share", "growth")


@dataclass(frozen=True)
class Metric:
    """A measurable quantity of a cooperation: name, unit, what ``sector`` means, how measured."""

    name: str
    description: str
    unit: str
    sector: str  # "none", "group" (cooperation sectors), "io35" or "indicator"
    targets: tuple[str, ...]
    measured: str
    percent: bool = False


#: Every metric a goal may track.
METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("trade_total", "Trade (exports + imports) between provider and host", "USD",
           "none", ("level", "growth"),
           "trade_flows TOTAL rows through capcoop.services.monitor.bilateral_summary (provider as "
           "reporter, its declarations when available)"),
    Metric("exports", "Provider's exports to the host", "USD", "none", ("level", "growth"),
           "as trade_total, the exports column"),
    Metric("imports", "Provider's imports from the host", "USD", "none", ("level", "growth"),
           "as trade_total, the imports column"),
    Metric("export_share", "Share of a cooperation-sector group in the provider's exports to "
           "the host", "%", "group", ("share",),
           "product-level trade_flows (HS): provider's exports to the host (else the host's "
           "imports from the provider), products of the group's cooperation sectors over all "
           "products", percent=True),
    Metric("sector_imports", "Host's imports from the provider of a cooperation-sector group",
           "USD", "group", ("level", "growth"),
           "product-level trade_flows (HS): host's imports from the provider (else the "
           "provider's exports to the host), products of the group's cooperation sectors"),
    Metric("sector_output", "Host's gross output of an input-output sector (c1..c35)",
           "USD million current", "io35", ("level", "growth"),
           "sector_accounts (ADB MRIO), indicator output"),
    Metric("indicator", "Host's level of a WDI indicator (e.g. EG.ELC.ACCS.ZS, access to "
           "electricity, % of population)", "indicator unit", "indicator", ("level", "growth"),
           "country_indicators (WDI)"),
)}


def metrics() -> list[dict[str, Any]]:
    """Every metric: name, description, unit, what ``sector`` names, targets, how it is measured."""
    return [{"metric": m.name, "description": m.description, "unit": m.unit,
             "sector": m.sector, "targets": list(m.targets), "measured": m.measured}
            for m in METRICS.values()]


def _today() -> _dt.date:
    return _dt.date.today()


def goals_store_path() -> Path:
    """The goals store used when the resolved warehouse is the read-only demo."""
    from capcoop.settings import user_data_dir

    return user_data_dir() / GOALS_FILE


# --- sector groups ------------------------------------------------------------------------------


def sector_group(text: str) -> tuple[str, tuple[str, ...]]:
    """Resolve a cooperation-sector group to (label, sector codes).

    ``text`` is a sector code or name (``power_grid``), a tag (``green``, ``digital``), or tags
    and codes joined by ``-and-``, ``+`` or ``,`` (``green-and-digital``).

    Raises
    ------
    UnknownCodeError
        When a part is neither a sector nor a tag.
    """
    from capcoop.codes.sectors import cooperation_sector, cooperation_sectors

    sectors = cooperation_sectors()
    tags = sorted({t for s in sectors for t in s.tags})
    label = str(text).strip()
    parts = [p.strip() for p in label.replace("-and-", ",").replace("+", ",").split(",")
             if p.strip()]
    if not parts:
        raise InputError("the sector group is empty", hint="e.g. green-and-digital or power_grid")
    chosen: list[str] = []
    for part in parts:
        key = part.casefold()
        if key in tags:
            chosen += [s.code for s in sectors if key in s.tags]
            continue
        try:
            chosen.append(cooperation_sector(part).code)
        except UnknownCodeError as exc:
            raise UnknownCodeError(
                f"unknown cooperation sector or tag {part!r}",
                hint=f"use a sector ({', '.join(s.code for s in sectors)}) or a tag "
                     f"({', '.join(tags)}), e.g. green-and-digital",
                suggestions=exc.suggestions) from None
    return label, tuple(dict.fromkeys(chosen))


# --- validation -------------------------------------------------------------------------------


def _number(spec: dict[str, Any], key: str, *, required: bool = True) -> float | None:
    value = spec.get(key)
    if value is None or value == "":
        if required:
            raise InputError(f"the goal has no {key!r}", hint=f"give {key}, e.g. {key}=2025")
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{key} {value!r} is not a number", hint=f"give {key} as a number") \
            from None
    if not math.isfinite(number):
        raise InputError(f"{key} {value!r} is not a finite number", hint="give a plain number")
    return number


def _year(spec: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    number = _number(spec, key, required=required)
    if number is None:
        return None
    if number != int(number) or not 1950 <= number <= 2100:
        raise InputError(f"{key} {spec[key]!r} is not a year", hint="give a year such as 2030")
    return int(number)


def _economy(text: str, role: str, *, bloc_ok: bool) -> str:
    if bloc_ok:
        from capcoop.services.monitor import economy

        return economy(str(text), role=role).code
    from capcoop.codes.countries import country

    return country(str(text)).iso3


def _validate(spec: dict[str, Any]) -> dict[str, Any]:
    """A complete, checked goal (everything but data-dependent checks)."""
    if not isinstance(spec, dict):
        raise InputError(f"a goal is a mapping of fields, not {type(spec).__name__}",
                         hint="e.g. {'metric': 'exports', 'host': 'VNM', ...}")
    name = str(spec.get("metric", "")).strip().lower().replace("-", "_")
    if name not in METRICS:
        import difflib

        close = difflib.get_close_matches(name, METRICS, n=2)
        raise UnknownCodeError(f"unknown metric {spec.get('metric')!r}",
                               hint=(f"did you mean {' or '.join(close)}? " if close else "")
                               + f"metrics: {', '.join(METRICS)}", suggestions=tuple(close))
    metric = METRICS[name]
    from capcoop.settings import get_setting

    trade = metric.sector in ("none",)
    provider = _economy(spec.get("provider") or get_setting("provider"), "provider",
                        bloc_ok=trade)
    if not spec.get("host"):
        raise InputError("the goal has no host", hint="give host, e.g. host=VNM")
    host = _economy(spec["host"], "host", bloc_ok=trade)
    sector = spec.get("sector")
    sector = None if sector in (None, "") else str(sector).strip()
    if metric.sector == "none" and sector:
        raise InputError(f"metric {name!r} takes no sector (got {sector!r})",
                         hint="leave sector out, or use sector_imports / export_share")
    if metric.sector != "none" and not sector:
        raise InputError(f"metric {name!r} needs a sector", hint={
            "group": "e.g. sector=green-and-digital or sector=power_grid",
            "io35": "e.g. sector=c17 (see capcoop.codes.io_sectors)",
            "indicator": "e.g. sector=EG.ELC.ACCS.ZS"}[metric.sector])
    if metric.sector == "group":
        sector = sector_group(sector)[0]
    elif metric.sector == "io35":
        from capcoop.codes.io_sectors import io_sector

        sector = io_sector(sector).code
    elif metric.sector == "indicator":
        sector = sector.upper()
    target_type = str(spec.get("target_type") or ("share" if metric.percent and
                                                  name == "export_share" else "level")).lower()
    if target_type not in metric.targets:
        raise InputError(f"metric {name!r} takes no {target_type!r} target",
                         hint=f"its targets: {', '.join(metric.targets)}")
    target = _number(spec, "target")
    if target_type == "share" and not 0 <= target <= 100:
        raise InputError(f"share target {target:g}% is impossible",
                         hint="a share lies between 0 and 100 (per cent)")
    if target_type == "level" and target < 0:
        raise InputError(f"level target {target:g} is negative",
                         hint="a level (trade, output, indicator) cannot be below 0")
    if target_type == "level" and name == "indicator" and sector.endswith(".ZS") and target > 100:
        raise InputError(f"target {target:g} for {sector} is impossible",
                         hint=f"{sector} is a percentage: give at most 100")
    if target_type == "growth" and target <= -100:
        raise InputError(f"growth target {target:g}% a year is impossible",
                         hint="an annual growth rate is above -100%")
    deadline = _year(spec, "deadline")
    today = _today()
    if deadline < today.year:
        raise InputError(f"deadline {deadline} is in the past (today is {today.isoformat()})",
                         hint=f"give a deadline of {today.year} or later")
    base_year = _year(spec, "base_year", required=False)
    if base_year is not None and base_year >= deadline:
        raise InputError(f"base year {base_year} is not before the deadline {deadline}",
                         hint="the base year is the year progress is measured from")
    label = str(spec.get("label") or "").strip()
    return {"metric": name, "provider": provider, "host": host, "sector": sector,
            "target_type": target_type, "target": target, "deadline": deadline,
            "base_year": base_year, "label": label}


# --- storage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Places:
    data: str | Path | None  # the warehouse progress reads
    data_label: str
    store: Path  # the file holding the goals table
    store_label: str
    demo: bool


def _places(warehouse: str | Path | None) -> _Places:
    from capcoop.warehouse.connection import locate_warehouse

    location = locate_warehouse(warehouse)
    if location.is_demo:
        store = goals_store_path()
        return _Places(location.path, location.label, store, f"goals store {store}", True)
    return _Places(location.path, location.label, location.path, location.label, False)


def _read_goals(places: _Places) -> pd.DataFrame:
    from capcoop.warehouse.connection import open_reader

    columns = ["goal_id", "label", "metric", "provider", "host", "sector", "target",
               "base_year", "deadline", "spec", "created_at"]
    if not places.store.exists():
        if places.demo:
            return pd.DataFrame(columns=columns)
        raise WarehouseError(f"warehouse file '{places.store}' does not exist",
                             hint="add a goal first, or pass --warehouse PATH")
    with open_reader(places.store) as (con, _):
        return con.execute(f"SELECT {', '.join(columns)} FROM goals ORDER BY goal_id").df()


def _record(row: Any, places: _Places) -> dict[str, Any]:
    spec = json.loads(row["spec"])
    return {"goal_id": int(row["goal_id"]), "label": row["label"], "metric": row["metric"],
            "provider": row["provider"], "host": row["host"],
            "sector": row["sector"] if isinstance(row["sector"], str) and row["sector"] else None,
            "target_type": spec["target_type"], "target": float(row["target"]),
            "unit": _unit(spec), "value_unit": _value_unit(spec),
            "base_year": int(row["base_year"]),
            "deadline": int(row["deadline"]),
            "created_at": pd.Timestamp(row["created_at"]).isoformat(timespec="seconds"),
            "stored_in": places.store_label}


def _value_unit(spec: dict[str, Any]) -> str:
    """The unit of the metric's values (an indicator's own unit when known)."""
    if spec["metric"] == "export_share":
        return "%"
    return spec.get("value_unit") or METRICS[spec["metric"]].unit


def _unit(spec: dict[str, Any]) -> str:
    """The unit of the target."""
    return "% a year" if spec["target_type"] == "growth" else _value_unit(spec)


def list_goals(*, warehouse: str | Path | None = None) -> list[dict[str, Any]]:
    """Every recorded goal, by id.

    Returns
    -------
    list of dict
        ``goal_id, label, metric, provider, host, sector, target_type, target, unit (of the
        target), value_unit (of the metric), base_year, deadline, created_at, stored_in`` (the warehouse or goals store holding it).
    """
    places = _places(warehouse)
    return [_record(row, places) for _, row in _read_goals(places).iterrows()]


def add_goal(spec: dict[str, Any], *, warehouse: str | Path | None = None) -> dict[str, Any]:
    """Validate and record a goal; return it as :func:`list_goals` shows it.

    Parameters
    ----------
    spec
        ``metric`` (see :data:`METRICS`), ``host``, ``provider`` (default: setting
        ``provider``), ``sector`` (group, IO sector or indicator, as the metric needs),
        ``target_type`` (``level``, ``share`` or ``growth``; default ``share`` for
        export_share, else ``level``), ``target`` (level in the metric's unit, share in %,
        growth in % a year), ``deadline`` (year), optional ``base_year`` (default: the latest
        year with data) and ``label``.
    warehouse
        Warehouse file; ``None`` for the default resolution (the demo keeps goals in
        :func:`goals_store_path`).

    Raises
    ------
    InputError
        Unknown metric, country, sector, group or indicator; a deadline in the past; an
        impossible target (share outside 0-100, negative level, growth <= -100%); a base year
        with no data; no data at all for the metric.
    """
    from capcoop.warehouse.connection import open_writer

    goal = _validate(spec)
    places = _places(warehouse)
    series, source = _series(goal, places.data)
    if series.empty:
        raise InputError(f"the warehouse ({places.data_label}) has no data for {_what(goal)}",
                         hint=f"load it first ({METRICS[goal['metric']].measured})")
    if goal["metric"] == "indicator":
        goal["value_unit"] = _indicator_unit(goal["sector"], places.data)
    if goal["base_year"] is None:
        goal["base_year"] = int(min(series.index.max(), goal["deadline"] - 1))
    elif goal["base_year"] not in series.index:
        years = f"{int(series.index.min())}-{int(series.index.max())}"
        raise InputError(f"no data for base year {goal['base_year']} of {_what(goal)} "
                         f"(data: {years})", hint="choose a base year with data")
    if not goal["label"]:
        goal["label"] = _describe(goal)
    with open_writer(places.store) as (con, _):
        next_id = int(con.execute("SELECT coalesce(max(goal_id), 0) + 1 FROM goals").fetchone()[0])
        con.execute("INSERT INTO goals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                    [next_id, goal["label"], goal["metric"], goal["provider"], goal["host"],
                     goal["sector"], goal["target"], goal["base_year"], goal["deadline"],
                     json.dumps(goal | {"source": source}, ensure_ascii=False)])
    return next(g for g in list_goals(warehouse=warehouse) if g["goal_id"] == next_id)


def remove_goal(goal_id: int, *, warehouse: str | Path | None = None) -> dict[str, Any]:
    """Delete a goal; return it. :class:`InputError` when no goal has this id."""
    from capcoop.warehouse.connection import open_writer

    goal = _find(goal_id, warehouse)
    with open_writer(_places(warehouse).store) as (con, _):
        con.execute("DELETE FROM goals WHERE goal_id = ?", [goal["goal_id"]])
    return goal


def _find(goal_id: Any, warehouse: str | Path | None) -> dict[str, Any]:
    try:
        wanted = int(goal_id)
    except (TypeError, ValueError):
        raise InputError(f"goal id {goal_id!r} is not a number", hint="see `capcoop goals list`") \
            from None
    goals = list_goals(warehouse=warehouse)
    for goal in goals:
        if goal["goal_id"] == wanted:
            return goal
    ids = ", ".join(str(g["goal_id"]) for g in goals) or "none"
    raise InputError(f"no goal with id {goal_id!r} (goals: {ids})",
                     hint="see `capcoop goals list`")


# --- measurement --------------------------------------------------------------------------------


def _what(goal: dict[str, Any]) -> str:
    metric, sector = goal["metric"], goal.get("sector")
    pair = f"{goal['provider']}-{goal['host']}"
    return {"trade_total": f"trade {pair}", "exports": f"exports {pair}",
            "imports": f"imports {pair}",
            "export_share": f"share of {sector} in {goal['provider']}'s exports to {goal['host']}",
            "sector_imports": f"{goal['host']}'s imports of {sector} from {goal['provider']}",
            "sector_output": f"{goal['host']}'s output of sector {sector}",
            "indicator": f"{goal['host']}'s {sector}"}[metric]


def _describe(goal: dict[str, Any]) -> str:
    target = goal["target"]
    if goal["target_type"] == "growth":
        return f"{_what(goal)} grows {target:g}% a year from {goal['base_year']} to " \
               f"{goal['deadline']}"
    return f"{_what(goal)} reaches {_fmt(target, _value_unit(goal))} by {goal['deadline']}"


def _series(goal: dict[str, Any], data: str | Path | None) -> tuple[pd.Series, str]:
    """Annual values of the goal's metric (index: year) and a description of the source."""
    reader: Callable[[dict[str, Any], Any], tuple[pd.Series, str]] = {
        "trade_total": _trade, "exports": _trade, "imports": _trade,
        "export_share": _products, "sector_imports": _products,
        "sector_output": _output, "indicator": _indicator}[goal["metric"]]
    series, source = reader(goal, data)
    series = series.dropna().astype(float).sort_index()
    series.index = series.index.astype(int)
    return series, source


def _trade(goal: dict[str, Any], data: Any) -> tuple[pd.Series, str]:
    from capcoop.services.monitor import bilateral_summary, economy
    from capcoop.warehouse.connection import open_reader

    members = sorted(economy(goal["provider"]).ever_members())
    with open_reader(data) as (con, _):
        last = con.execute(
            "SELECT max(year) FROM trade_flows WHERE classification = 'TOTAL' AND reporter IN "
            f"({', '.join('?' * len(members))})", members).fetchone()[0]
    if last is None:
        return pd.Series(dtype=float), "no TOTAL trade_flows"
    first = min(int(goal.get("base_year") or last), int(last)) - TREND_YEARS
    for year in (int(last), int(last) - 1):
        try:
            summary = bilateral_summary(goal["provider"], goal["host"], year, since=first,
                                        warehouse=data)
        except InputError:
            continue
        column = {"trade_total": "total", "exports": "exports", "imports": "imports"}[
            goal["metric"]]
        frame = summary.series
        frame = frame[frame.status == "complete"] if "status" in frame else frame
        return (frame.set_index("year")[column],
                f"trade_flows via capcoop.services.monitor ({summary.selection.describe()})")
    return pd.Series(dtype=float), "no usable TOTAL trade_flows"


def _products(goal: dict[str, Any], data: Any) -> tuple[pd.Series, str]:
    from capcoop.codes.sectors import sector_of_hs
    from capcoop.warehouse.connection import open_reader

    _, sectors = sector_group(goal["sector"])
    provider, host = goal["provider"], goal["host"]
    if goal["metric"] == "export_share":
        legs = [("reported", provider, host, "X"), ("mirror", host, provider, "M")]
    else:
        legs = [("reported", host, provider, "M"), ("mirror", provider, host, "X")]
    with open_reader(data) as (con, location):
        for leg in legs:
            _, reporter, partner, flow = leg
            frame = con.execute(
                "SELECT source, basis, classification, year, product, sum(value_usd) AS value "
                "FROM trade_flows WHERE freq = 'A' AND classification LIKE 'HS%' AND "
                "reporter = ? AND partner = ? AND flow = ? AND value_usd IS NOT NULL "
                "GROUP BY ALL", [reporter, partner, flow]).df()
            if not frame.empty:
                break
        else:
            raise InputError(
                f"the warehouse ({location.label}) has no product-level (HS) trade between "
                f"{provider} and {host}, which {goal['metric']} needs",
                hint="load product-level trade, e.g. capcoop ingest baci FILE --warehouse PATH "
                     "(the embedded demo has totals only)")
    # one source/basis/classification: the one covering most years
    best = (frame.groupby(["source", "basis", "classification"]).year.nunique()
            .sort_values(ascending=False, kind="stable").index[0])
    frame = frame[(frame.source == best[0]) & (frame.basis == best[1])
                  & (frame.classification == best[2])]
    codes = sorted(c for c in frame["product"].unique() if c.isdigit())
    matched = sector_of_hs(codes)
    inside = set(matched[matched.sector.isin(sectors)].hs)
    frame = frame.assign(inside=frame["product"].isin(inside))
    group = frame[frame.inside].groupby("year").value.sum()
    if goal["metric"] == "export_share":
        total = frame.groupby("year").value.sum()
        series = 100 * group.reindex(total.index, fill_value=0.0) / total
    else:
        years = frame.year.unique()
        series = group.reindex(sorted(years), fill_value=0.0)
    side = "declared by" if leg[0] == "reported" else "mirror: declared by"
    return series, (f"trade_flows {best[2]} products, source {best[0]} ({best[1]}), {side} "
                    f"{reporter}; sectors {', '.join(sectors)}")


def _indicator_unit(code: str, data: Any) -> str | None:
    from capcoop.warehouse.connection import open_reader

    with open_reader(data) as (con, _):
        row = con.execute("SELECT unit FROM indicator_definitions WHERE upper(indicator) = ? "
                          "AND unit IS NOT NULL LIMIT 1", [code]).fetchone()
    return row[0] if row and row[0] else None


def _output(goal: dict[str, Any], data: Any) -> tuple[pd.Series, str]:
    from capcoop.warehouse.connection import open_reader

    with open_reader(data) as (con, _):
        frame = con.execute("SELECT year, value, source FROM sector_accounts WHERE country = ? "
                            "AND sector = ? AND indicator = 'output'",
                            [goal["host"], goal["sector"]]).df()
    sources = ", ".join(sorted(frame.source.unique())) if not frame.empty else "none"
    return frame.set_index("year").value, f"sector_accounts output (source {sources})"


def _indicator(goal: dict[str, Any], data: Any) -> tuple[pd.Series, str]:
    from capcoop.warehouse.connection import open_reader

    with open_reader(data) as (con, _):
        known = con.execute("SELECT count(*) FROM country_indicators WHERE upper(indicator) = ?",
                            [goal["sector"]]).fetchone()[0]
        if not known:
            raise InputError(f"unknown indicator {goal['sector']!r}: the warehouse has no values "
                             "of it", hint="check the WDI code (e.g. EG.ELC.ACCS.ZS) or load it "
                                           "with capcoop ingest wdi FILE")
        frame = con.execute("SELECT year, value, source FROM country_indicators WHERE "
                            "country = ? AND upper(indicator) = ?",
                            [goal["host"], goal["sector"]]).df()
    sources = ", ".join(sorted(frame.source.unique())) if not frame.empty else "none"
    return frame.set_index("year").value, f"country_indicators {goal['sector']} (source {sources})"


# --- progress ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgressReport:
    """Progress of recorded goals against the data.

    ``rows``: one dict per goal (see :meth:`records`). ``warehouse`` is the data warehouse label;
    ``store`` where the goals are kept; ``today`` the date deadlines were checked against.
    """

    rows: tuple[dict[str, Any], ...]
    warehouse: str
    store: str
    today: str
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        """One row per goal: ``goal_id, label, metric, provider, host, sector, target_type,
        target, unit, value_unit, base_year, base_value, latest_year, latest_value, trend_from,
        observed_growth_pct, required_growth_pct, required_value_latest,
        projected_value_deadline, target_value_deadline, deadline, status, on_track,
        statement, source``. Growth figures are % a year for money metrics and points a year
        for percentages. ``status`` is ``achieved``, ``on track``, ``off track``,
        ``no trend`` (a single year of data) or ``no data``."""
        return [dict(row) for row in self.rows]

    def meta(self) -> dict[str, Any]:
        """Warehouse label, goals store, parameters, sources and notes."""
        return {"warehouse": self.warehouse, "goals_store": self.store, "today": self.today,
                "parameters": self.parameters,
                "sources": sorted({r["source"] for r in self.rows if r.get("source")}),
                "notes": list(self.notes)}


def goal_progress(goal_id: int | None = None, *,
                  warehouse: str | Path | None = None) -> GoalProgressReport:
    """Compare one goal (or all) with the data: base, latest, path, projection, on/off track.

    Rules (``docs/goals.md``): money metrics (trade, sector imports, output) follow compound
    growth: the observed CAGR from the base year to the latest year projects the deadline value,
    the required CAGR takes the base value to the target. Percentages (shares, WDI indicators
    in %) follow straight lines (a CAGR on a share can exceed 100%), projections capped at 100.
    A growth target is on track when the observed CAGR is at least the target rate.
    """
    places = _places(warehouse)
    goals = [_find(goal_id, warehouse)] if goal_id is not None else list_goals(
        warehouse=warehouse)
    stored = _read_goals(places).set_index("goal_id")
    rows = []
    for goal in goals:
        spec = json.loads(stored.loc[goal["goal_id"], "spec"])
        spec["base_year"] = goal["base_year"]
        try:
            series, source = _series(spec, places.data)
        except InputError as exc:
            series, source = pd.Series(dtype=float), str(exc)
        rows.append(_progress(goal, spec, series, source))
    notes = ("goals kept in the user goals store; data read from the embedded demo",) \
        if places.demo else ()
    return GoalProgressReport(tuple(rows), places.data_label, places.store_label,
                              _today().isoformat(), {"goal_id": goal_id}, notes)


def _linear(metric: str, spec: dict[str, Any]) -> bool:
    return METRICS[metric].percent or (metric == "indicator" and
                                       str(spec.get("sector", "")).endswith(".ZS"))


def _progress(goal: dict[str, Any], spec: dict[str, Any], series: pd.Series,
              source: str) -> dict[str, Any]:
    base_year, deadline, target = goal["base_year"], goal["deadline"], goal["target"]
    row = {key: goal[key] for key in ("goal_id", "label", "metric", "provider", "host", "sector",
                                      "target_type", "target", "unit", "value_unit", "base_year")}
    row |= {"base_value": None, "latest_year": None, "latest_value": None, "trend_from": None,
            "observed_growth_pct": None, "required_growth_pct": None,
            "required_value_latest": None, "projected_value_deadline": None,
            "target_value_deadline": None, "deadline": deadline, "status": "no data",
            "on_track": None, "statement": "", "source": source}
    if base_year not in series.index:
        row["statement"] = f"{goal['label']}: no data for the base year {base_year} ({source})"
        return row
    base = float(series[base_year])
    latest_year = int(series.index.max())
    latest = float(series[latest_year])
    # the trend: from the base year; with no year after it yet, the TREND_YEARS before it
    trend_from = base_year if latest_year > base_year else int(
        series.index[series.index >= base_year - TREND_YEARS].min())
    row |= {"base_value": base, "latest_year": latest_year, "latest_value": latest,
            "trend_from": trend_from}
    linear = _linear(goal["metric"], spec)
    span, left, total = latest_year - base_year, deadline - latest_year, deadline - base_year
    first, years = float(series[trend_from]), latest_year - trend_from
    observed = None
    if years > 0:
        if linear:
            observed = (latest - first) / years  # points a year
        elif first > 0 and latest > 0:
            observed = (latest / first) ** (1 / years) - 1
    required_latest = None
    if goal["target_type"] == "growth":
        rate = target / 100
        goal_value = base * (1 + rate) ** total
        required_latest = base * (1 + rate) ** span
        row["required_growth_pct"] = target
    else:
        goal_value = target
        if linear:
            required_latest = base + (target - base) * span / total
            row["required_growth_pct"] = (target - base) / total  # points a year
        elif base > 0 and target > 0:
            rate = (target / base) ** (1 / total) - 1
            required_latest = base * (1 + rate) ** span
            row["required_growth_pct"] = 100 * rate
    projected = None
    if observed is not None:
        if linear:
            projected = latest + observed * left
            if str(row["value_unit"]).startswith("%"):
                projected = min(max(projected, 0.0), 100.0)
        else:
            projected = latest * (1 + observed) ** left
    row["observed_growth_pct"] = None if observed is None else (
        observed if linear else 100 * observed)
    row |= {"required_value_latest": required_latest, "projected_value_deadline": projected,
            "target_value_deadline": goal_value}
    rising = goal_value >= base
    reached = latest >= goal_value if rising else latest <= goal_value
    if goal["target_type"] != "growth" and reached:
        row |= {"status": "achieved", "on_track": True}
    elif projected is not None:
        ok = projected >= goal_value if rising else projected <= goal_value
        row |= {"status": "on track" if ok else "off track", "on_track": bool(ok)}
    else:
        row["status"] = "no trend"
    row["statement"] = _statement(row, linear)
    return row


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "USD":
        from capcoop.analytics.trade import format_usd

        return format_usd(value)
    if unit.startswith("%"):
        return f"{value:.1f}%" + unit[1:]
    return f"{value:,.4g} {unit}"


def _statement(row: dict[str, Any], linear: bool) -> str:
    unit = row["value_unit"]
    head = (f"{row['label']}: {_fmt(row['base_value'], unit)} in {row['base_year']}, "
            f"{_fmt(row['latest_value'], unit)} in {row['latest_year']}")
    if row["observed_growth_pct"] is None:
        return head + f"; {row['status']} (too few years to measure a trend)"
    since = "" if row["trend_from"] == row["base_year"] else \
        f" over {row['trend_from']}-{row['latest_year']}, before the base year"
    pace = (f"{row['observed_growth_pct']:+.2f} points a year" if linear
            else f"{row['observed_growth_pct']:+.1f}% a year") + since
    if row["required_growth_pct"] is None:
        need = ""
    elif linear and row["target_type"] != "growth":
        need = f", needs {row['required_growth_pct']:+.2f} points a year"
    else:
        need = f", needs {row['required_growth_pct']:+.1f}% a year"
    return (f"{head} ({pace}{need}); projected {_fmt(row['projected_value_deadline'], unit)} "
            f"in {row['deadline']} against {_fmt(row['target_value_deadline'], unit)}: "
            f"{row['status']}")

"""Critical supplies: the vaccine ledger by country (coverage) and the scarce-dose planner (allocate).

Both read ``vaccine_supplies`` (source ``undp-vaccines``, see
:mod:`capcoop.sources.undp_vaccines`) with values "as of" a date: for each country and series the
latest snapshot on or before it. Population comes from the ledger (the dashboard's UN 2020
figure) or, when a country has none, from WDI ``SP.POP.TOTL`` (``country_indicators``, source
``wdi``, latest year not after the date). Formulas and the allocation algorithm:
``docs/methods/supplies.md`` and :mod:`capcoop.analytics.allocation`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.analytics.allocation import allocate_doses, doses_to_reach
from capcoop.codes.blocs import bloc, is_bloc
from capcoop.codes.countries import country
from capcoop.errors import InputError
from capcoop.warehouse.connection import open_reader

__all__ = ["CoverageReport", "AllocationReport", "coverage", "allocate", "resolve_region",
           "METHODS", "LEDGER_SOURCE"]

LEDGER_SOURCE = "undp-vaccines"
METHODS = ("population", "need")
_COUNTS = ("doses_delivered", "doses_donated", "doses_administered", "people_vaccinated",
           "people_fully_vaccinated", "boosters")


@dataclass(frozen=True)
class CoverageReport:
    """The vaccine ledger of a region's countries as of a date; rows by country."""

    rows: tuple[dict[str, Any], ...]
    region: str
    as_of: str | None
    warehouse: str
    sources: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())

    def records(self) -> list[dict[str, Any]]:
        """One dict per country: ``country``, ``name``, ``date`` (the data's snapshot date),
        ``doses_secured``, ``doses_delivered``, ``doses_donated``, ``donated_pct``,
        ``doses_administered``, ``people_vaccinated``, ``people_fully_vaccinated``,
        ``boosters``, ``population``, ``population_source``, the ``*_per100`` coverages and
        ``source``."""
        return [dict(row) for row in self.rows]

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, sources (loads behind the figures), notes and region totals."""
        return {"warehouse": self.warehouse, "parameters": {"region": self.region,
                                                            "date": self.as_of},
                "sources": list(self.sources), "notes": list(self.notes),
                "total": _totals(self.rows, self.region)}


@dataclass(frozen=True)
class AllocationReport:
    """A plan for sharing ``requested`` doses; rows by recipient add up to ``allocated``."""

    rows: tuple[dict[str, Any], ...]
    requested: int
    allocated: int
    absorbable: float
    parameters: dict[str, Any]
    warehouse: str
    sources: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def undistributable(self) -> int:
        """Doses no recipient can absorb (``requested - allocated``)."""
        return self.requested - self.allocated

    def records(self) -> list[dict[str, Any]]:
        """One dict per recipient: ``recipient``, ``name``, ``doses``, ``exact_share``,
        ``share_pct``, ``weight``, ``tier``, ``floor``, ``capacity``, ``population``,
        ``fully_vaccinated_per100`` (before) and ``fully_vaccinated_per100_after``, ``date``."""
        return [dict(row) for row in self.rows]

    def meta(self) -> dict[str, Any]:
        """Warehouse, parameters, totals (requested, allocated, undistributable), sources, notes."""
        absorbable = None if math.isinf(self.absorbable) else int(self.absorbable)
        return {"warehouse": self.warehouse, "parameters": self.parameters,
                "requested": self.requested, "allocated": self.allocated,
                "undistributable": self.undistributable, "absorbable": absorbable,
                "sources": list(self.sources), "notes": list(self.notes)}


def resolve_region(region: str | Sequence[str], on: dt.date) -> list[str]:
    """ISO3 codes of a region: blocs (members on ``on``) and countries, comma-separated or listed.

    ``"ASEAN"``, ``"ASEAN,CHN"``, ``["Viet Nam", "Laos"]``; order kept, duplicates dropped.
    """
    parts = [p.strip() for p in (region.split(",") if isinstance(region, str) else region)]
    parts = [p for p in parts if p]
    if not parts:
        raise InputError(f"empty region {region!r}", hint="give a bloc or countries, e.g. ASEAN,CHN")
    codes: list[str] = []
    for part in parts:
        if is_bloc(part):
            codes += sorted(bloc(part).members_on(on))
        else:
            codes.append(country(part).iso3)
    return list(dict.fromkeys(codes))


def coverage(region: str | Sequence[str] = "ASEAN", *, date: str | dt.date | None = None,
             warehouse: str | Path | None = None) -> CoverageReport:
    """The vaccine ledger of ``region``'s countries as of ``date`` (default: the latest data).

    Example: ``coverage("ASEAN,CHN", date="2022-12-31")``. Bloc membership is taken on the
    as-of date. Raises :class:`InputError` when the warehouse has no vaccine data or the date
    precedes it.
    """
    with open_reader(warehouse) as (con, location):
        as_of = _as_of(con, date)
        codes = resolve_region(region, as_of)
        ledger = _ledger(con, codes, as_of)
        population = _populations(con, codes, as_of, ledger)
        sources = _sources(con, population)
    rows, notes = _coverage_rows(codes, ledger, population)
    notes.append("dates are the days the dashboard refreshed its data (values as of then), not "
                 "observation dates; each source lags differently")
    return CoverageReport(tuple(rows), _region_label(region), as_of.isoformat(), location.label,
                          tuple(sources), tuple(notes))


def allocate(doses: int, region: str | Sequence[str] = "ASEAN", *, method: str = "population",
             target: float = 70.0, doses_per_person: int = 2,
             floors: int | str | Mapping[str, int] | None = None,
             caps: int | str | Mapping[str, int] | None = None,
             tiers: str | Sequence[Sequence[str]] | None = None,
             date: str | dt.date | None = None,
             warehouse: str | Path | None = None) -> AllocationReport:
    """Share ``doses`` among ``region``'s countries in proportion to population or to need.

    Parameters
    ----------
    doses
        Doses to share (whole number).
    region
        Bloc or countries (members of a bloc: today's, or on ``date``).
    method
        ``population`` (weights = population) or ``need`` (weights = doses to bring people fully
        vaccinated to ``target`` per 100, ``doses_per_person`` each).
    target, doses_per_person
        The need method's coverage target (people per 100) and doses per person.
    floors, caps
        A number for every recipient, ``"KHM=500000,LAO=200000"`` or a mapping. A uniform floor
        is lowered to what a recipient can absorb; an explicit one that exceeds it is an error.
    tiers
        Priority groups, first served first: ``"KHM,LAO,MMR;IDN"`` (unlisted recipients last).
    date
        Data as of this date (default: the latest).

    Every recipient's capacity is the doses that bring people fully vaccinated to 100 per 100
    (``doses_per_person`` each), lowered by its cap. Rows add up to ``min(doses, capacity)``; the
    rest is reported as undistributable in :meth:`AllocationReport.meta`.
    """
    method = _method(method)
    today = dt.date.fromisoformat(str(date)) if date else dt.date.today()
    with open_reader(warehouse) as (con, location):
        as_of = _as_of(con, date)
        codes = resolve_region(region, today)
        ledger = _ledger(con, codes, as_of)
        population = _populations(con, codes, as_of, ledger)
        sources = _sources(con, population)
    frame, notes = _recipients(codes, ledger, population, target, doses_per_person)
    weights = frame["population"] if method == "population" else frame["need"]
    floor_map, cap_map, notes = _bounds(floors, caps, frame, notes)
    result = allocate_doses(int(doses), weights, floors=floor_map, caps=cap_map,
                            tiers=_tiers(tiers, list(frame.index)))
    rows = _allocation_rows(result.table, frame, doses_per_person)
    if result.undistributable:
        notes.append(f"{result.undistributable:,} of {int(doses):,} doses cannot be absorbed by "
                     f"these recipients (capacity {int(result.absorbable):,}); the rows add up to "
                     f"the {result.allocated:,} allocated")
    notes.append("integers by the Webster/Sainte-Lague divisor method with floors and caps: "
                 "totals are exact and no recipient receives less when more doses are shared")
    parameters = {"doses": int(doses), "region": _region_label(region), "method": method,
                  "target_per100": target, "doses_per_person": doses_per_person,
                  "floors": floors, "caps": caps, "tiers": tiers, "date": as_of.isoformat(),
                  "membership_date": today.isoformat()}
    return AllocationReport(tuple(rows), result.requested, result.allocated, result.absorbable,
                            _jsonable(parameters), location.label, tuple(sources), tuple(notes))


# --- warehouse reads -----------------------------------------------------------------------


def _as_of(con, date: str | dt.date | None) -> dt.date:
    first, last = con.execute("SELECT min(date), max(date) FROM vaccine_supplies WHERE source = ?",
                              [LEDGER_SOURCE]).fetchone()
    if last is None:
        raise InputError("this warehouse has no vaccine supply data",
                         hint="load it with `capcoop ingest undp-vaccines "
                              "PATH/undp_vaccine_equity`")
    if date is None:
        return last
    try:
        day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date).strip())
    except ValueError:
        raise InputError(f"not a date: {date!r}", hint="give YYYY-MM-DD, e.g. 2022-12-31") from None
    if day < first:
        raise InputError(f"no vaccine data as of {day.isoformat()}: the ledger starts on "
                         f"{first.isoformat()}", hint=f"give a date from {first.isoformat()} on")
    return day


def _ledger(con, codes: list[str], as_of: dt.date) -> pd.DataFrame:
    """Latest value on or before ``as_of`` per country and indicator, with its date."""
    return con.execute(
        "SELECT country, indicator, arg_max(value, date) AS value, "
        "strftime(max(date), '%Y-%m-%d') AS date "
        "FROM vaccine_supplies WHERE source = ? AND date <= ? AND list_contains(?, country) "
        "GROUP BY country, indicator", [LEDGER_SOURCE, as_of, codes]).df()


def _populations(con, codes: list[str], as_of: dt.date, ledger: pd.DataFrame) -> dict[str, tuple]:
    """``{iso3: (population, source label)}``: the ledger's, else WDI SP.POP.TOTL."""
    found = {r.country: (float(r.value), "UNDP dashboard (UN WPP 2020)")
             for r in ledger[ledger["indicator"] == "population"].itertuples()}
    missing = [c for c in codes if c not in found]
    if missing:
        wdi = con.execute(
            "SELECT country, arg_max(value, year), max(year) FROM country_indicators "
            "WHERE source = 'wdi' AND upper(indicator) = 'SP.POP.TOTL' AND year <= ? "
            "AND list_contains(?, country) GROUP BY country", [as_of.year, missing]).fetchall()
        found |= {c: (float(v), f"WDI SP.POP.TOTL {y}") for c, v, y in wdi}
    return found


def _sources(con, population: dict[str, tuple]) -> list[dict[str, Any]]:
    names = [LEDGER_SOURCE] + (["wdi"] if any(s.startswith("WDI") for _, s in
                                              population.values()) else [])
    rows = con.execute(
        "SELECT source, release, file, sha256, loaded_at FROM provenance WHERE target IN "
        "('vaccine_supplies', 'country_indicators') AND list_contains(?, source) "
        "ORDER BY load_id", [names]).fetchall()
    return [{"source": s, "release": r, "file": f, "sha256": h, "loaded_at": str(t)}
            for s, r, f, h, t in rows]


# --- rows ----------------------------------------------------------------------------------


def _coverage_rows(codes, ledger, population) -> tuple[list[dict[str, Any]], list[str]]:
    notes, rows = [], []
    for code in codes:
        part = ledger[ledger["country"] == code].set_index("indicator")
        value = {k: (float(part.at[k, "value"]) if k in part.index else None)
                 for k in (*_COUNTS, "doses_secured_per100")}
        pop, pop_source = population.get(code, (None, None))
        if part.empty:
            notes.append(f"{code}: no vaccine data in the ledger")
        row = {"country": code, "name": country(code).name_en,
               "date": part["date"].max() if not part.empty else None,
               "doses_secured": _times(value["doses_secured_per100"], pop, 1 / 100)}
        row |= {k: value[k] for k in _COUNTS}
        row |= {"donated_pct": _pct(value["doses_donated"], value["doses_delivered"]),
                "population": pop, "population_source": pop_source,
                "doses_secured_per100": value["doses_secured_per100"],
                "doses_delivered_per100": _pct(value["doses_delivered"], pop),
                "people_vaccinated_per100": _pct(value["people_vaccinated"], pop),
                "people_fully_vaccinated_per100": _pct(value["people_fully_vaccinated"], pop),
                "boosters_per100": _pct(value["boosters"], pop),
                "source": "UNDP Global Dashboard for Vaccine Equity (UNICEF, WHO, IMF-WHO, OWID)"}
        rows.append(row)
    return rows, notes


def _recipients(codes, ledger, population, target, doses_per_person):
    if doses_per_person < 1 or int(doses_per_person) != doses_per_person:
        raise InputError(f"doses per person must be a whole number >= 1, got {doses_per_person!r}",
                         hint="give 2 for a two-dose primary course")
    rows, notes = [], []
    for code in codes:
        pop = population.get(code, (None, None))[0]
        if pop is None:
            notes.append(f"{code} left out: no population in the ledger or in WDI")
            continue
        part = ledger[(ledger["country"] == code) & (ledger["indicator"] == "people_fully_vaccinated")]
        covered = float(part["value"].iloc[0]) if len(part) else 0.0
        if not len(part):
            notes.append(f"{code}: no vaccination data; counted as nobody vaccinated")
        date = part["date"].iloc[0] if len(part) else None
        rows.append({"recipient": code, "population": pop, "covered": covered, "date": date,
                     "need": doses_to_reach(pop, covered, target, doses_per_person),
                     "absorb": doses_to_reach(pop, covered, 100.0, doses_per_person)})
    if not rows:
        raise InputError("no recipient has the data the planner needs",
                         hint="load the vaccine ledger and WDI population")
    return pd.DataFrame(rows).set_index("recipient"), notes


def _bounds(floors, caps, frame, notes):
    absorb = frame["absorb"]
    floor_map = _per_recipient(floors, list(frame.index), "floor")
    cap_given = _per_recipient(caps, list(frame.index), "cap")
    cap_map = {k: min(absorb[k], cap_given.get(k, math.inf)) for k in frame.index}
    if isinstance(floors, (int, float)) or (isinstance(floors, str) and "=" not in floors):
        lowered = [k for k, v in floor_map.items() if v > cap_map[k]]
        if lowered:
            notes.append(f"the uniform floor is lowered to what {', '.join(lowered)} can absorb")
        floor_map = {k: min(v, cap_map[k]) for k, v in floor_map.items()}
    return floor_map, cap_map, notes


def _per_recipient(value, labels: list[str], what: str) -> dict[str, float]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, Mapping):
        return {country(k).iso3: _whole(v, what) for k, v in value.items()}
    if isinstance(value, (int, float)) or "=" not in str(value):
        number = _whole(value, what)
        return dict.fromkeys(labels, number)
    pairs = {}
    for item in str(value).split(","):
        key, _, number = item.partition("=")
        if not number:
            raise InputError(f"{what} entry {item!r} is not CODE=DOSES",
                             hint="give e.g. KHM=500000,LAO=200000 or one number for all")
        pairs[country(key.strip()).iso3] = _whole(number, what)
    return pairs


def _whole(value, what: str) -> float:
    try:
        number = float(str(value).replace("_", "").strip())
    except ValueError:
        raise InputError(f"{what} {value!r} is not a number", hint="give doses, e.g. 100000") from None
    if number < 0 or number % 1:
        raise InputError(f"{what} {value!r} must be a whole number >= 0", hint="give e.g. 100000")
    return number


def _tiers(tiers, labels: list[str]) -> dict[str, int] | None:
    if tiers is None or (isinstance(tiers, str) and not tiers.strip()):
        return None
    groups = [g.split(",") for g in tiers.split(";")] if isinstance(tiers, str) else tiers
    levels: dict[str, int] = {}
    for level, group in enumerate(groups, start=1):
        for name in group:
            if not str(name).strip():
                continue
            code = country(str(name).strip()).iso3
            if code not in labels:
                raise InputError(f"tier member {name!r} ({code}) is not a recipient",
                                 hint=f"recipients are {', '.join(labels)}")
            levels.setdefault(code, level)
    last = len(groups) + 1
    return {code: levels.get(code, last) for code in labels}


def _allocation_rows(table, frame, doses_per_person) -> list[dict[str, Any]]:
    allocated = int(table["doses"].sum())
    rows = []
    for r in table.itertuples():
        info = frame.loc[r.recipient]
        pop = float(info["population"])
        rows.append({"recipient": r.recipient, "name": country(r.recipient).name_en,
                     "doses": int(r.doses), "exact_share": round(float(r.exact), 3),
                     "share_pct": _pct(r.doses, allocated), "weight": float(r.weight),
                     "tier": int(r.tier), "floor": int(r.floor),
                     "capacity": None if math.isinf(r.capacity) else int(r.capacity),
                     "population": pop,
                     "fully_vaccinated_per100": _pct(info["covered"], pop),
                     "fully_vaccinated_per100_after":
                         _pct(info["covered"] + r.doses / doses_per_person, pop),
                     "date": info["date"]})
    return rows


# --- small helpers -------------------------------------------------------------------------


def _method(method: str) -> str:
    key = str(method).strip().lower()
    if key not in METHODS:
        raise InputError(f"unknown method {method!r}", hint=f"use one of {', '.join(METHODS)}")
    return key


def _times(a: float | None, b: float | None, factor: float) -> float | None:
    return None if a is None or b is None else round(a * b * factor)


def _pct(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0 or pd.isna(part):
        return None
    return round(100.0 * float(part) / float(whole), 3)


def _region_label(region: str | Sequence[str]) -> str:
    return region if isinstance(region, str) else ",".join(region)


def _totals(rows, region: str) -> dict[str, Any]:
    total: dict[str, Any] = {"region": region, "countries": len(rows)}
    for key in ("doses_secured", *_COUNTS, "population"):
        values = [r[key] for r in rows if r[key] is not None]
        total[key] = sum(values) if values else None
        total[f"{key}_countries"] = len(values)
    for key in ("people_vaccinated", "people_fully_vaccinated", "doses_delivered"):
        both = [r for r in rows if r[key] is not None and r["population"]]
        total[f"{key}_per100"] = _pct(sum(r[key] for r in both),
                                      sum(r["population"] for r in both)) if both else None
    return total


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value

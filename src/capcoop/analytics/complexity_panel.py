"""Economic complexity of a long table (time, location, product, value), period by period.

The everyday entry point for a researcher's own file: one call computes every period with the
definitions of :mod:`capcoop.analytics.complexity` and returns one long table. Output columns are
allocated once for all periods and filled period by period, so memory holds the output plus one
period's working set (O(locations × products); no products × products matrix is formed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from capcoop.analytics.complexity import (
    OUTPUT_COLUMNS,
    Convention,
    PresenceTest,
    _Settings,
    _Solution,
    _solve,
)
from capcoop.analytics.indicators import _preview
from capcoop.analytics.proximity import ProximityKind
from capcoop.errors import CapcoopError, InputError

__all__ = ["ComplexityPanel", "complexity_table"]


@dataclass(frozen=True)
class ComplexityPanel:
    """Long results of :func:`complexity_table` and what was left out of each period."""

    table: pd.DataFrame
    excluded: pd.DataFrame
    parameters: dict[str, Any]


def complexity_table(data: pd.DataFrame, *, location: str, product: str, value: str,
                     time: str | None = None, value_is_presence: bool = False,
                     rca_threshold: float = 1.0, presence_test: PresenceTest = "rca",
                     population: pd.DataFrame | pd.Series | None = None,
                     population_value: str = "population", rpop_threshold: float = 1.0,
                     proximity: ProximityKind = "symmetric", convention: Convention = "stata",
                     missing: Literal["raise", "zero"] = "raise") -> ComplexityPanel:
    r"""Economic complexity of a long table, period by period, in one call.

    The everyday entry point for any table a researcher brings (one row per time, location
    and product; absent rows mean zero exports). Each period is computed on its own matrix
    exactly like :func:`economic_complexity`; memory holds one period's working set plus the
    output, which is allocated once.

    Parameters
    ----------
    data
        Long rows. Repeated (time, location, product) keys are an error (aggregate first).
    location, product, value, time
        Column names; ``time=None`` treats the whole table as one period.
    value_is_presence
        The value column already is M (0/1), e.g. from another presence test.
    population, population_value
        For the RPOP test: a Series by location, or a DataFrame with the ``location`` (and
        ``time``) columns and a ``population_value`` column.
    missing
        ``"raise"`` rejects missing values; ``"zero"`` reads them as no exports.
    rca_threshold, presence_test, rpop_threshold, proximity, convention
        As in :func:`economic_complexity`.

    Returns
    -------
    ComplexityPanel
        ``table``: the keys as given (location/product as categoricals) and ``rca`` [``rpop``]
        ``mcp eci pci diversity ubiquity density coi cog``; ``excluded``: locations/products
        left out of a period because their total was zero (columns ``time, kind, label``).

    Examples
    --------
    >>> x = pd.DataFrame([[5, 7, 7, 9, 0], [0, 1, 8, 2, 6], [0, 1, 0, 0, 8], [8, 1, 1, 6, 6]],
    ...                  index=pd.Index(list("ABCD"), name="c"),
    ...                  columns=pd.Index(["p1", "p2", "p3", "p4", "p5"], name="p"))
    >>> rows = x.stack().rename("v").reset_index().assign(year=2020)
    >>> panel = complexity_table(rows, time="year", location="c", product="p", value="v")
    >>> panel.table.groupby("c", observed=True)["eci"].first().round(3).to_dict()
    {'A': 1.308, 'B': -0.436, 'C': -1.308, 'D': 0.436}
    >>> panel.excluded.empty
    True
    """
    settings = _Settings(rca_threshold, presence_test, rpop_threshold, proximity, convention)
    rules = settings.validate()
    if presence_test != "rca" and population is None and not value_is_presence:
        raise InputError(f"presence_test={presence_test!r} needs population")
    keys = [c for c in (time, location, product) if c is not None]
    codes, labels, values = _encode(data, keys, value, missing, value_is_presence)
    periods = _periods(codes, labels, time)
    sizes = [_kept_shape(values[sel], codes[location][sel], codes[product][sel],
                         len(labels[location]), len(labels[product])) for _, sel in periods]
    out = _Output(sum(r * c for r, c in sizes), value_is_presence, population is not None)
    excluded: list[tuple[Any, str, Any]] = []
    for label, sel in periods:
        rows_u, r_inv = _compact(codes[location][sel], len(labels[location]))
        cols_u, c_inv = _compact(codes[product][sel], len(labels[product]))
        matrix = np.zeros((len(rows_u), len(cols_u)))
        matrix[r_inv, c_inv] = values[sel]
        row_labels, col_labels = labels[location][rows_u], labels[product][cols_u]
        pop = None if population is None or value_is_presence else _population_for(
            population, population_value, location, time, label, row_labels)
        try:
            sol = _solve(matrix, row_labels, col_labels, settings=settings, rules=rules,
                         population=pop, supplied=value_is_presence)
        except CapcoopError as exc:
            where = f"{time} {label}: " if time is not None else ""
            raise InputError(where + exc.message, hint=exc.hint) from None
        out.add(sol, rows_u, cols_u, labels[time].get_loc(label) if time else 0)
        excluded += [(label, "location", v) for v in row_labels.delete(sol.rows)]
        excluded += [(label, "product", v) for v in col_labels.delete(sol.cols)]
    table = out.frame(labels, time, location, product)
    return ComplexityPanel(table, pd.DataFrame(excluded, columns=["time", "kind", "label"]),
                           settings.__dict__ | {"value_is_presence": value_is_presence})


def _encode(data: pd.DataFrame, keys: list[str], value: str, missing: str, presence: bool):
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"data must be a DataFrame of long rows, got {type(data).__name__}")
    absent = [c for c in keys + [value] if c not in data.columns]
    if absent:
        raise InputError(f"column(s) {_preview(absent)} not found; the table has "
                         f"{_preview(data.columns, 12)}",
                         hint="name the columns with --time-col/--location-col/--product-col/"
                              "--value-col")
    if len(data) == 0:
        raise InputError("the table has no rows", hint="check the file and the filters")
    numbers = pd.to_numeric(data[value], errors="coerce").to_numpy(dtype=np.float64)
    _check_long_values(data, value, numbers, missing, keys, presence)
    codes: dict[str, np.ndarray] = {}
    labels: dict[str, pd.Index] = {}
    for key in keys:
        if data[key].isna().any():
            row = int(np.flatnonzero(data[key].isna().to_numpy())[0])
            raise InputError(f"column {key!r} is empty on row {row + 1}",
                             hint="every row needs its time, location and product")
        codes[key], labels[key] = pd.factorize(data[key], sort=True)
    flat = np.zeros(len(data), dtype=np.int64)
    space = 1
    for key in keys:
        flat = flat * len(labels[key]) + codes[key]
        space *= len(labels[key])
    repeated = (np.bincount(flat, minlength=space).max() > 1 if space <= 50_000_000
                else len(np.unique(flat)) < len(flat))
    if repeated:
        first = tuple(v.item() if hasattr(v, "item") else v
                      for v in data[keys][data.duplicated(keys)].iloc[0].tolist())
        raise InputError(f"the key {first!r} appears more than once",
                         hint="aggregate first (e.g. sum over partners) so that each "
                              f"({', '.join(keys)}) appears once")
    return codes, labels, np.nan_to_num(numbers, nan=0.0)


def _check_long_values(data, value, numbers, missing, keys, presence) -> None:
    raw = data[value]
    text = np.isnan(numbers) & raw.notna().to_numpy()
    if text.any():
        row = int(np.flatnonzero(text)[0])
        raise InputError(f"column {value!r} holds a non-numeric value {raw.iloc[row]!r} "
                         f"(row {row + 1})", hint="clean the value column")
    if missing not in ("raise", "zero"):
        raise InputError(f"missing={missing!r} is not supported; expected 'raise' or 'zero'")
    nan = np.isnan(numbers)
    if nan.any() and missing == "raise":
        row = int(np.flatnonzero(nan)[0])
        raise InputError(f"column {value!r} has {int(nan.sum())} missing value(s), first on row "
                         f"{row + 1} ({', '.join(f'{k}={data[k].iloc[row]!r}' for k in keys)})",
                         hint="read missing values as no exports (--missing zero) or drop them")
    bad = np.isinf(numbers) | (numbers < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"column {value!r} has {int(bad.sum())} negative or infinite value(s), "
                         f"first {numbers[row]!r} on row {row + 1}",
                         hint="export values must be >= 0")
    if presence and not np.isin(numbers[~nan], (0.0, 1.0)).all():
        odd = numbers[~nan][~np.isin(numbers[~nan], (0.0, 1.0))][0]
        raise InputError(f"a presence column holds only 0 and 1; found {odd!r}",
                         hint="drop --value-is-presence to compute M from the values")


def _periods(codes, labels, time):
    if time is None:
        return [(None, np.arange(len(next(iter(codes.values())))))]
    order = np.argsort(codes[time], kind="stable")
    bounds = np.searchsorted(codes[time][order], np.arange(len(labels[time]) + 1))
    return [(labels[time][i], order[bounds[i]:bounds[i + 1]]) for i in range(len(labels[time]))]


def _compact(codes: np.ndarray, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """The labels used (sorted) and each row's position among them (np.unique, by counting)."""
    used = np.bincount(codes, minlength=n_labels) > 0
    position = np.cumsum(used) - 1
    return np.flatnonzero(used), position[codes]


def _kept_shape(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, n_rows: int,
                n_cols: int) -> tuple[int, int]:
    positive = values > 0
    return (int((np.bincount(rows[positive], minlength=n_rows) > 0).sum()),
            int((np.bincount(cols[positive], minlength=n_cols) > 0).sum()))


def _population_for(population, column: str, location: str, time: str | None, label,
                    wanted: pd.Index) -> np.ndarray:
    if isinstance(population, pd.Series):
        series = population
    else:
        frame = population
        if time is not None and time in frame.columns:
            frame = frame[frame[time] == label]
        missing_cols = [c for c in (location, column) if c not in frame.columns]
        if missing_cols:
            raise InputError(f"population needs the column(s) {_preview(missing_cols)}")
        series = frame.set_index(location)[column]
    found = pd.to_numeric(series.reindex(wanted), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~(np.isfinite(found) & (found > 0))
    if bad.any():
        raise InputError(f"no positive population for {wanted[bad][0]!r}"
                         + (f" in {label!r}" if time is not None else ""),
                         hint="the RPOP test needs a population for every location")
    return found


class _Output:
    """Output columns allocated once for all periods, filled period by period."""

    def __init__(self, n: int, supplied: bool, with_rpop: bool) -> None:
        self.n, self.at = n, 0
        self.codes = {k: np.empty(n, np.int32) for k in ("time", "location", "product")}
        floats = ([] if supplied else ["rca"]) + (["rpop"] if with_rpop and not supplied else [])
        floats += ["eci", "pci", "density", "coi", "cog"]
        self.cols: dict[str, np.ndarray] = {k: np.empty(n) for k in floats}
        self.cols |= {"mcp": np.empty(n, np.int8), "diversity": np.empty(n, np.int32),
                      "ubiquity": np.empty(n, np.int32)}

    def add(self, sol: _Solution, rows_u: np.ndarray, cols_u: np.ndarray, period: int) -> None:
        n_c, n_p = len(sol.rows), len(sol.cols)
        block = slice(self.at, self.at + n_c * n_p)
        self.at += n_c * n_p
        self.codes["time"][block] = period
        self.codes["location"][block] = np.repeat(rows_u[sol.rows], n_p)
        self.codes["product"][block] = np.tile(cols_u[sol.cols], n_c)
        per_cell = {"rca": sol.rca, "rpop": sol.rpop, "mcp": sol.presence,
                    "density": sol.density, "cog": sol.cog}
        for name, matrix in per_cell.items():
            if name in self.cols:
                self.cols[name][block] = matrix.ravel()
        for name, vector in (("eci", sol.eci), ("coi", sol.coi), ("diversity", sol.diversity)):
            self.cols[name][block] = np.repeat(vector, n_p)
        for name, vector in (("pci", sol.pci), ("ubiquity", sol.ubiquity)):
            self.cols[name][block] = np.tile(vector, n_c)

    def frame(self, labels: dict[str, pd.Index], time: str | None, location: str,
              product: str) -> pd.DataFrame:
        columns: dict[str, Any] = {}
        if time is not None:
            columns[time] = labels[time].take(self.codes["time"]).to_numpy()
        columns[location] = pd.Categorical.from_codes(self.codes["location"], labels[location])
        columns[product] = pd.Categorical.from_codes(self.codes["product"], labels[product])
        order = [c for c in ("rca", "rpop") if c in self.cols] + [c for c in OUTPUT_COLUMNS
                                                                    if c not in ("rca", "rpop")]
        columns |= {name: self.cols[name] for name in order}
        return pd.DataFrame(columns, copy=False)

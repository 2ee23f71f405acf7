"""An input-output system as plain arrays with labels: the value object every IO model takes.

Pure: numpy and pandas only, no warehouse. Readers (:mod:`capcoop.sources.io_tables`) and the
warehouse build :class:`IOSystem` values; :mod:`capcoop.analytics.io` computes with them.

Conventions (Miller & Blair 2009): ``n`` = regions × sectors, industries in region-major order
(``(region, sector)`` pairs, all sectors of the first region first). ``Z[i, j]`` is what industry
``i`` sells to industry ``j`` for intermediate use; ``Y[i, k]`` what it sells to final-demand
column ``k`` (a ``(region, category)`` pair); ``x`` gross output. ``V`` (factor inputs, e.g. value
added) and ``F`` (satellite accounts, e.g. emissions) have one column per industry; ``F_Y``
holds the stressors emitted by final demand directly (households' own emissions), one column per
final-demand column. Money is in ``unit`` (e.g. ``USD million``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = ["IOSystem"]


def _labels(pairs: pd.MultiIndex | list[tuple[str, str]], names: tuple[str, str]) -> pd.MultiIndex:
    index = pairs if isinstance(pairs, pd.MultiIndex) else pd.MultiIndex.from_tuples(list(pairs))
    return index.set_names(list(names))


@dataclass(frozen=True)
class IOSystem:
    """An input-output table: flows, output and their labels.

    Parameters
    ----------
    Z
        ``n × n`` intermediate flows.
    Y
        ``n × k`` final demand (``k`` may be 0 only when ``x`` is given).
    industries
        ``n`` ``(region, sector)`` labels, region-major.
    final_demand
        ``k`` ``(region, category)`` labels.
    x
        Gross output (``n``); default: row sums of ``Z`` and ``Y``.
    V, factors
        Optional ``m × n`` factor inputs and their ``m`` names (e.g. ``value_added``).
    F, stressors, F_Y
        Optional ``s × n`` satellite accounts, their names and units, and ``s × k`` direct
        final-demand stressors.
    name, year, unit
        What the table is (``wiod2013``), its year and its money unit.
    """

    Z: np.ndarray
    Y: np.ndarray
    industries: pd.MultiIndex
    final_demand: pd.MultiIndex
    x: np.ndarray | None = None
    V: np.ndarray | None = None
    factors: tuple[str, ...] = ()
    F: np.ndarray | None = None
    stressors: tuple[str, ...] = ()
    stressor_units: tuple[str, ...] = ()
    F_Y: np.ndarray | None = None
    name: str = "table"
    year: int | None = None
    unit: str = "USD million"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        Z = np.asarray(self.Z, dtype=float)
        if Z.ndim != 2 or Z.shape[0] != Z.shape[1]:
            raise InputError(f"Z must be square; got shape {Z.shape}",
                             hint="pass the intermediate-use block only, industries × industries")
        n = Z.shape[0]
        Y = np.asarray(self.Y, dtype=float).reshape(n, -1) if np.size(self.Y) else np.zeros((n, 0))
        if Y.shape[0] != n:
            raise InputError(f"Y has {Y.shape[0]} rows but Z has {n}", hint="align Y with Z's rows")
        industries = _labels(self.industries, ("region", "sector"))
        final_demand = _labels(self.final_demand, ("region", "category")) if len(self.final_demand) \
            else pd.MultiIndex.from_tuples([], names=["region", "category"])
        if len(industries) != n:
            raise InputError(f"{len(industries)} industry labels for {n} rows of Z",
                             hint="give one (region, sector) label per row")
        if industries.has_duplicates:
            dup = industries[industries.duplicated()][0]
            raise InputError(f"industry label {dup} appears twice", hint="labels must be unique")
        if len(final_demand) != Y.shape[1]:
            raise InputError(f"{len(final_demand)} final-demand labels for {Y.shape[1]} columns of Y",
                             hint="give one (region, category) label per column")
        x = Z.sum(axis=1) + Y.sum(axis=1) if self.x is None else np.asarray(self.x, dtype=float)
        if x.shape != (n,):
            raise InputError(f"x has shape {x.shape}; expected ({n},)", hint="one output per industry")
        if not np.all(np.isfinite(Z)) or not np.all(np.isfinite(Y)) or not np.all(np.isfinite(x)):
            raise InputError("the table contains NaN or infinite values",
                             hint="fill missing cells with 0 before building the system")
        if np.any(x < 0):
            i = int(np.argmin(x))
            raise InputError(f"negative gross output {x[i]:g} for {industries[i]}",
                             hint="gross output must be >= 0; check the table's sign convention")
        object.__setattr__(self, "Z", Z)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "industries", industries)
        object.__setattr__(self, "final_demand", final_demand)
        for attr, names in (("V", "factors"), ("F", "stressors")):
            value = getattr(self, attr)
            if value is None:
                continue
            arr = np.asarray(value, dtype=float).reshape(-1, n)
            if arr.shape[0] != len(getattr(self, names)):
                raise InputError(f"{attr} has {arr.shape[0]} rows but {len(getattr(self, names))} "
                                 f"{names} were named", hint=f"name every row of {attr}")
            object.__setattr__(self, attr, arr)
        if self.F_Y is not None:
            object.__setattr__(self, "F_Y", np.asarray(self.F_Y, dtype=float).reshape(-1, Y.shape[1]))

    @property
    def n(self) -> int:
        """Number of industries (regions × sectors)."""
        return self.Z.shape[0]

    @property
    def regions(self) -> tuple[str, ...]:
        """Regions in table order."""
        return tuple(dict.fromkeys(self.industries.get_level_values("region")))

    @property
    def sectors(self) -> tuple[str, ...]:
        """Sectors in table order (of the first region)."""
        return tuple(dict.fromkeys(self.industries.get_level_values("sector")))

    @property
    def y(self) -> np.ndarray:
        """Total final demand per industry (row sums of ``Y``)."""
        return self.Y.sum(axis=1)

    def position(self, region: str, sector: str) -> int:
        """Row of industry ``(region, sector)``; matching is exact, then case-insensitive.

        Raises :class:`~capcoop.errors.InputError` naming the unknown region or sector and
        listing the table's ones.
        """
        try:
            return int(self.industries.get_loc((region, sector)))
        except KeyError:
            pass
        folded = {(str(r).casefold(), str(s).casefold()): i
                  for i, (r, s) in enumerate(self.industries)}
        found = folded.get((str(region).casefold(), str(sector).casefold()))
        if found is not None:
            return found
        regions, sectors = self.regions, self.sectors
        if str(region).casefold() not in {str(r).casefold() for r in regions}:
            raise InputError(f"unknown region {region!r} in table {self.name!r}",
                             hint=f"use one of {_preview(regions)}")
        raise InputError(f"unknown sector {sector!r} in region {region!r} of table {self.name!r}",
                         hint=f"use one of {_preview(sectors)}")

    def factor(self, name: str) -> np.ndarray:
        """Row ``name`` of ``V`` as a ``1 × n`` array (case-insensitive match)."""
        wanted = name.casefold()
        for i, factor in enumerate(self.factors):
            if factor.casefold() == wanted and self.V is not None:
                return self.V[i:i + 1]
        raise InputError(f"no factor {name!r} in table {self.name!r}",
                         hint=f"use one of {_preview(self.factors) or '(none: V is empty)'}")

    def value_added(self) -> np.ndarray:
        """Value added per industry as a ``1 × n`` array.

        The sum of the rows of ``V`` when factor inputs are given; otherwise the residual
        ``x − Σᵢ Z[i, j]`` (which then also holds net taxes and margins, and is negative where the
        table does not balance).
        """
        if self.V is not None and self.V.shape[0]:
            return self.V.sum(axis=0, keepdims=True)
        return (self.x - self.Z.sum(axis=0))[None, :]


def _preview(items: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")

"""Read input-output tables back from ``io_cells``/``io_labels``.

:func:`io_tables` lists what is stored; :func:`io_system` rebuilds an
:class:`~capcoop.analytics.io_system.IOSystem` for one (table, year). Industries are all
regions × all sectors of the table's labels, in the order the labels were loaded (the file's
order); cell positions are computed in SQL so only integers and values cross into Python (WIOD's
1,435 industries and ~470,000 stored cells take well under a second).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from capcoop.analytics.io_system import IOSystem

__all__ = ["IOTableLabels", "io_tables", "io_table_labels", "io_system", "io_provenance"]


@dataclass(frozen=True)
class IOTableLabels:
    """The labels of a stored table, each a frame ``code, name_en, name_zh, unit`` in order."""

    regions: pd.DataFrame
    sectors: pd.DataFrame
    categories: pd.DataFrame
    factors: pd.DataFrame
    stressors: pd.DataFrame

    @property
    def unit(self) -> str:
        """The money unit of the table (from its sector labels)."""
        units = [u for u in self.sectors["unit"] if u]
        return str(units[0]) if units else ""


def io_tables(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Stored tables: ``table_name, source, year, industries, cells`` (industries = x rows)."""
    return con.execute("""
        SELECT table_name, source, year,
               count(*) FILTER (WHERE matrix = 'x') AS industries, count(*) AS cells
        FROM io_cells GROUP BY ALL ORDER BY table_name, year""").df()


def io_table_labels(con: duckdb.DuckDBPyConnection, table_name: str) -> IOTableLabels:
    """The labels of ``table_name`` by kind, in load order."""
    frame = con.execute("""
        SELECT kind, code, coalesce(name_en, code) AS name_en, coalesce(name_zh, '') AS name_zh,
               coalesce(unit, '') AS unit
        FROM io_labels WHERE table_name = ? ORDER BY load_id, rowid""", [table_name]).df()
    parts = {kind: frame[frame["kind"] == kind].drop(columns="kind").reset_index(drop=True)
             for kind in ("region", "sector", "category", "factor", "stressor")}
    return IOTableLabels(parts["region"], parts["sector"], parts["category"], parts["factor"],
                         parts["stressor"])


def io_provenance(con: duckdb.DuckDBPyConnection, table_name: str, year: int) -> list[dict]:
    """The loads behind (table, year): source, release, file, sha256, loaded_at."""
    frame = con.execute("""
        SELECT DISTINCT p.source, p.release, p.file, p.sha256, p.loaded_at::VARCHAR AS loaded_at
        FROM provenance p WHERE p.target = 'io_cells' AND p.load_id IN (
            SELECT DISTINCT load_id FROM io_cells WHERE table_name = ? AND year = ?)
        ORDER BY loaded_at""", [table_name, year]).df()
    return frame.to_dict("records")


_CELLS_SQL = """
WITH lab AS (
    SELECT kind, code, row_number() OVER (PARTITION BY kind ORDER BY load_id, rowid) - 1 AS p
    FROM io_labels WHERE table_name = $name),
r AS (SELECT code, p FROM lab WHERE kind = 'region'),
s AS (SELECT code, p FROM lab WHERE kind = 'sector'),
k AS (SELECT code, p FROM lab WHERE kind = 'category'),
f AS (SELECT kind, code, p FROM lab WHERE kind IN ('factor', 'stressor'))
SELECT c.matrix,
       CASE WHEN c.matrix IN ('V', 'F', 'F_Y') THEN rf.p ELSE rr.p * $ns + rs.p END AS i,
       CASE WHEN c.matrix IN ('Y', 'F_Y') THEN cr.p * $nk + ck.p
            WHEN c.matrix = 'x' THEN 0 ELSE cr.p * $ns + cs.p END AS j,
       c.value
FROM io_cells c
LEFT JOIN r rr ON c.row_region = rr.code LEFT JOIN s rs ON c.row_sector = rs.code
LEFT JOIN f rf ON c.row_sector = rf.code
    AND rf.kind = CASE WHEN c.matrix = 'V' THEN 'factor' ELSE 'stressor' END
LEFT JOIN r cr ON c.col_region = cr.code LEFT JOIN s cs ON c.col_sector = cs.code
LEFT JOIN k ck ON c.col_sector = ck.code
WHERE c.table_name = $name AND c.year = $year
"""


def io_system(con: duckdb.DuckDBPyConnection, table_name: str, year: int) -> IOSystem:
    """Rebuild the :class:`IOSystem` of ``table_name`` in ``year`` from the stored cells.

    Cells whose labels are not among the table's labels raise :class:`ValueError` (a damaged
    warehouse); absent cells are zero.
    """
    labels = io_table_labels(con, table_name)
    regions, sectors = list(labels.regions["code"]), list(labels.sectors["code"])
    categories = list(labels.categories["code"])
    ns, nk, n = len(sectors), len(categories), len(regions) * len(sectors)
    data = con.execute(_CELLS_SQL, {"name": table_name, "year": int(year), "ns": ns,
                                    "nk": nk}).fetchnumpy()
    matrix = np.asarray(data["matrix"], dtype=object)
    i = np.asarray(data["i"], dtype=float)
    j = np.asarray(data["j"], dtype=float)
    values = np.asarray(data["value"], dtype=float)
    if np.isnan(i).any() or np.isnan(j).any():
        bad = str(matrix[np.flatnonzero(np.isnan(i) | np.isnan(j))[0]])
        raise ValueError(f"table {table_name!r} {year}: cells of {bad} name labels that "
                         "io_labels does not hold")
    factors, stressors = list(labels.factors["code"]), list(labels.stressors["code"])
    n_factors = len(factors)
    blocks = {"Z": np.zeros((n, n)), "Y": np.zeros((n, len(regions) * nk)),
              "x": np.zeros((n, 1)), "V": np.zeros((n_factors, n)),
              "F": np.zeros((len(stressors), n)),
              "F_Y": np.zeros((len(stressors), len(regions) * nk))}
    for name, block in blocks.items():
        pick = matrix == name
        if pick.any():
            block[i[pick].astype(np.int64), j[pick].astype(np.int64)] = values[pick]
    industries = pd.MultiIndex.from_product([regions, sectors])
    final = pd.MultiIndex.from_product([regions, categories])
    has_f = bool((matrix == "F").any())
    return IOSystem(
        blocks["Z"], blocks["Y"], industries, final, x=blocks["x"][:, 0],
        V=blocks["V"] if n_factors else None, factors=tuple(factors),
        F=blocks["F"] if has_f else None,
        stressors=tuple(stressors) if has_f else (),
        stressor_units=tuple(labels.stressors["unit"]) if has_f else (),
        F_Y=blocks["F_Y"] if bool((matrix == "F_Y").any()) else None,
        name=table_name, year=int(year), unit=labels.unit or "unknown")

"""Copies of the reference codes inside the warehouse, for joins in SQL.

The codes themselves live in :mod:`capcoop.codes` (package data); these tables mirror them so that
SQL users and Spark jobs can join on country, bloc membership and cooperation sector. They are
rewritten as a whole in one transaction (never partially).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from capcoop.codes.blocs import blocs
from capcoop.codes.countries import countries_table
from capcoop.codes.sectors import cooperation_sectors

__all__ = ["refresh_reference_tables", "reference_frames"]

_COUNTRY_COLUMNS = ("iso3", "iso2", "m49", "baci", "name_en", "name_zh", "kind", "region",
                    "subregion")


def _countries() -> pd.DataFrame:
    table = countries_table()
    frame = pd.DataFrame({c: table[c] if c in table else None for c in _COUNTRY_COLUMNS})
    frame["baci"] = pd.to_numeric(frame["baci"], errors="coerce").astype("Int64")
    return frame


def _memberships() -> pd.DataFrame:
    rows = [{"bloc": b.code, "iso3": m.iso3, "joined": m.joined, "left": m.left}
            for b in blocs() for m in b.memberships]
    return pd.DataFrame(rows, columns=["bloc", "iso3", "joined", "left"])


def _sectors() -> pd.DataFrame:
    rows = [{"sector": s.code, "name_en": s.name_en, "name_zh": s.name_zh, "tags": ";".join(s.tags),
             "hs_revision": getattr(s, "hs_revision", None), "hs_from": lo, "hs_to": hi}
            for s in cooperation_sectors() for lo, hi in s.ranges]
    return pd.DataFrame(rows, columns=["sector", "name_en", "name_zh", "tags", "hs_revision",
                                       "hs_from", "hs_to"])


def reference_frames() -> dict[str, pd.DataFrame]:
    """The reference tables as DataFrames, keyed by warehouse table name."""
    return {"ref_countries": _countries(), "ref_bloc_memberships": _memberships(),
            "ref_cooperation_sectors": _sectors()}


def refresh_reference_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rewrite the reference tables from the package's codes in one transaction; return row counts."""
    frames = reference_frames()
    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in frames.items():
            con.execute(f"DELETE FROM {name}")
            con.register("_ref", frame)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _ref")
            con.unregister("_ref")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {name: len(frame) for name, frame in frames.items()}

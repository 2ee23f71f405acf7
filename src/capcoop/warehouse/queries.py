"""Relational queries over the warehouse, written once with Ibis so they run on any backend.

Functions take an open DuckDB connection (read-only is enough) and return plain Python data.
Ibis is imported on first use: :func:`list_loads` reads the one ``provenance`` table with a
plain SQL query, so the commands that list loads (``capcoop brief``) do not pay Ibis's import.
"""

from __future__ import annotations

from typing import Any

import duckdb

from capcoop.warehouse.schema import TABLE_KEYS

__all__ = ["ibis_backend", "table_row_counts", "list_loads"]


def ibis_backend(con: duckdb.DuckDBPyConnection) -> Any:
    """An Ibis backend over an existing DuckDB connection."""
    import ibis

    return ibis.duckdb.from_connection(con)


def table_row_counts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """``[{"name", "rows"}]`` for every canonical table and the provenance table."""
    backend = ibis_backend(con)
    names = [*TABLE_KEYS, "provenance", "ref_countries", "ref_bloc_memberships",
             "ref_cooperation_sectors"]
    return [{"name": name, "rows": int(backend.table(name).count().execute())} for name in names]


def list_loads(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every load, oldest first: source, release, file, sha256, target, rows, loaded_at."""
    cursor = con.cursor()
    try:
        frame = cursor.execute(
            "SELECT load_id, source, release, file, sha256, target, rows, replaced_rows, "
            "loaded_at FROM provenance ORDER BY load_id, target").df()
    finally:
        cursor.close()
    for column in ("source", "release", "file", "sha256", "target"):  # missing text: NaN
        frame[column] = frame[column].astype(object).where(frame[column].notna(), float("nan"))
    frame["loaded_at"] = frame["loaded_at"].astype(str)
    return frame.to_dict(orient="records")

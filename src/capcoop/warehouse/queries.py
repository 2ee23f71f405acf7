"""Relational queries over the warehouse, written once with Ibis so they run on any backend.

Functions take an open DuckDB connection (read-only is enough) and return plain Python data.
"""

from __future__ import annotations

from typing import Any

import duckdb
import ibis

from capcoop.warehouse.schema import TABLE_KEYS

__all__ = ["ibis_backend", "table_row_counts", "list_loads"]


def ibis_backend(con: duckdb.DuckDBPyConnection) -> Any:
    """An Ibis backend over an existing DuckDB connection."""
    return ibis.duckdb.from_connection(con)


def table_row_counts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """``[{"name", "rows"}]`` for every canonical table and the provenance table."""
    backend = ibis_backend(con)
    names = [*TABLE_KEYS, "provenance", "ref_countries", "ref_bloc_memberships",
             "ref_cooperation_sectors"]
    return [{"name": name, "rows": int(backend.table(name).count().execute())} for name in names]


def list_loads(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every load, oldest first: source, release, file, sha256, target, rows, loaded_at."""
    prov = ibis_backend(con).table("provenance")
    frame = prov.select("load_id", "source", "release", "file", "sha256", "target", "rows",
                        "replaced_rows", "loaded_at").order_by(["load_id", "target"]).execute()
    frame["loaded_at"] = frame["loaded_at"].astype(str)
    return frame.to_dict(orient="records")

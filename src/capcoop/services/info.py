"""Use case: what is in the warehouse (tables, row counts, loads with provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from capcoop.warehouse.connection import open_reader
from capcoop.warehouse.queries import list_loads, table_row_counts

__all__ = ["warehouse_info"]


def warehouse_info(warehouse: str | Path | None = None) -> dict[str, Any]:
    """Tables with row counts, every load's provenance, and which warehouse answered."""
    with open_reader(warehouse) as (con, location):
        return {
            "warehouse": {"path": str(location.path), "kind": location.kind,
                          "label": location.label},
            "tables": table_row_counts(con),
            "loads": list_loads(con),
        }

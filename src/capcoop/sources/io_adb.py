"""ADB Multi-Regional Input-Output tables in the publisher's Excel layout (full tables).

ADB publishes the MRIO as one workbook per year behind https://kidb.adb.org/mrio (sign-in page,
so there is no ``fetch``): download a workbook and ingest it. ``parse`` reads it with
:func:`capcoop.sources.io_tables.read_adb_mrio` and stores it as ``adb-mrio-<economies>``
(``adb-mrio-63`` for 62 economies and the rest of the world). The summary tables of the same
database are source ``adb-mrio``.
"""

from __future__ import annotations

from pathlib import Path

from capcoop.sources.base import ParsedFile, SourceInfo
from capcoop.sources.io_tables import read_adb_mrio, table_batches

__all__ = ["SOURCE", "parse"]

SOURCE = SourceInfo(
    name="adb-mrio-table",
    title="ADB Multi-Regional Input-Output tables (full workbooks)",
    publisher="Asian Development Bank",
    licence="ADB terms of use (CC BY 3.0 IGO)",
    url="https://kidb.adb.org/mrio",
    formats="Excel workbook as published (data from row 8, column E)",
    targets=("io_cells", "io_labels"),
)


def parse(path: str | Path) -> ParsedFile:
    """Validate an ADB MRIO workbook into ``io_cells`` and ``io_labels`` rows."""
    table = read_adb_mrio(path)
    return ParsedFile(SOURCE.name, f"ADB MRIO {table.system.year}, {len(table.system.regions)} "
                      "economies", table_batches([table]),
                      {"table_name": table.table_name, "year": table.system.year,
                       **table.checks})

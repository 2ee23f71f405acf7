"""OECD Inter-Country Input-Output tables in the publisher's CSV layout (one year per file).

OECD publishes the ICIO as zip archives of yearly CSVs (https://www.oecd.org/en/data/datasets/
inter-country-input-output-tables.html); unzip and ingest the CSVs (no ``fetch``: the archive
names change with each edition). ``parse`` reads one CSV with
:func:`capcoop.sources.io_tables.read_oecd_icio` and stores it as ``oecd-icio``.
"""

from __future__ import annotations

from pathlib import Path

from capcoop.sources.base import ParsedFile, SourceInfo
from capcoop.sources.io_tables import read_oecd_icio, table_batches

__all__ = ["SOURCE", "parse"]

SOURCE = SourceInfo(
    name="oecd-icio",
    title="OECD Inter-Country Input-Output tables",
    publisher="OECD",
    licence="OECD terms and conditions: reuse with attribution",
    url="https://www.oecd.org/en/data/datasets/inter-country-input-output-tables.html",
    formats="CSV per year (2023 and 2021 editions)",
    targets=("io_cells", "io_labels"),
)


def parse(path: str | Path) -> ParsedFile:
    """Validate one year's ICIO CSV into ``io_cells`` and ``io_labels`` rows."""
    table = read_oecd_icio(path)
    return ParsedFile(SOURCE.name, f"OECD ICIO {table.system.year}, "
                      f"{len(table.system.regions)} regions", table_batches([table]),
                      {"table_name": table.table_name, "year": table.system.year,
                       **table.checks})

"""WIOD 2013 release world input-output tables (41 regions × 35 sectors), one CSV per year.

Reads the tables converted from the R package ``wiod`` (B. Quast, O. Reiter) into
``io_cells``/``io_labels`` as table ``wiod2013``; layout and checks in
:func:`capcoop.sources.io_tables.read_wiod2013`. Regions are ISO3 (WIOD's ``ROM`` becomes
``ROU``, ``RoW`` becomes ``ROW``). The package publishes R data files only, so there is no
``fetch``: convert ``data/wiot_<year>.RData`` to the CSV layout documented in docs/io-tables.md.
"""

from __future__ import annotations

from pathlib import Path

from capcoop.sources.base import ParsedFile, SourceInfo
from capcoop.sources.io_tables import read_wiod2013, table_batches

__all__ = ["SOURCE", "parse"]

SOURCE = SourceInfo(
    name="wiod2013",
    title="World Input-Output Database, 2013 release (world input-output tables 1995-2011)",
    publisher="WIOD consortium (Timmer et al. 2015); R package wiod by B. Quast and O. Reiter",
    licence="WIOD: free to use with citation of Timmer et al. (2015); package GPL-3",
    url="https://www.rug.nl/ggdc/valuechain/wiod/wiod-2013-release",
    formats="wide CSV(.gz) per year: row, <country>_c<k> ..., <country>_<FD category> ..., GO",
    targets=("io_cells", "io_labels"),
)


def parse(path: str | Path) -> ParsedFile:
    """Validate one year's WIOD 2013 table into ``io_cells`` and ``io_labels`` rows."""
    table = read_wiod2013(path)
    return ParsedFile(SOURCE.name, f"WIOD 2013 release, {table.system.year}",
                      table_batches([table]),
                      {"table_name": table.table_name, "year": table.system.year,
                       **table.checks})

"""Multi-regional input-output tables in pymrio's text format (a folder of tab-separated files).

``parse`` reads the folder with :func:`capcoop.sources.io_tables.read_pymrio_text`; the table
is stored as ``pymrio-<name>`` (``pymrio-test`` for pymrio's test MRIO). :func:`fetch`
downloads pymrio's test MRIO at a pinned commit.
"""

from __future__ import annotations

from pathlib import Path

from capcoop.sources.base import ParsedFile, SourceInfo, Transport, fetch_url
from capcoop.sources.io_tables import read_pymrio_text, table_batches

__all__ = ["SOURCE", "TEST_MRIO_FILES", "parse", "fetch"]

SOURCE = SourceInfo(
    name="pymrio-text",
    title="Input-output tables in pymrio's text format (e.g. pymrio's test MRIO)",
    publisher="pymrio (K. Stadler) or any pymrio user",
    licence="pymrio test MRIO: LGPL-3.0 (synthetic data); others: as their publisher's",
    url="https://github.com/IndEcol/pymrio",
    formats="folder: *_Z.txt, *_Y.txt, factor_input.txt, emissions.txt, FDemissions.txt",
    targets=("io_cells", "io_labels"),
)

#: Files of pymrio's test MRIO (``pymrio/mrio_models/test_mrio/mrio_data``).
TEST_MRIO_FILES = ("trade_flows_Z.txt", "finald_demand_Y.txt", "factor_input.txt",
                   "emissions.txt", "FDemissions.txt", "population.txt", "metadata.json")
_TEST_MRIO_URL = ("https://raw.githubusercontent.com/IndEcol/pymrio/{commit}/pymrio/mrio_models/"
                  "test_mrio/mrio_data/{name}")


def parse(path: str | Path) -> ParsedFile:
    """Validate a pymrio text folder into ``io_cells`` and ``io_labels`` rows."""
    table = read_pymrio_text(path)
    return ParsedFile(SOURCE.name, f"pymrio text table {table.table_name}",
                      table_batches([table]),
                      {"table_name": table.table_name, "year": table.system.year})


def fetch(*, commit: str = "89c9b97ff949f56a32ea5eebd578191657a676d3",
          cache_dir: str | Path | None = None, transport: Transport | None = None,
          refresh: bool = False) -> Path:
    """Download pymrio's test MRIO (folder ``test_mrio``) at a pinned commit; return the folder."""
    if cache_dir is None:
        from capcoop.settings import get_setting

        cache_dir = Path(str(get_setting("cache_dir"))) / "pymrio-text"
    folder = Path(cache_dir) / "test_mrio"
    for name in TEST_MRIO_FILES:
        fetch_url(_TEST_MRIO_URL.format(commit=commit, name=name), folder, filename=name,
                  transport=transport, refresh=refresh)
    return folder

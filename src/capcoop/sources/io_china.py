"""China's national input-output tables: NBS benchmark and extension tables (10,000 CNY) and
the OECD 2021-edition national IOTs (US$ million), as packaged by the R package ``ionet``.

``parse`` reads one NBS table (``china_<year>_<sectors>.csv``; stored as ``china-nbs-<sectors>``
or ``china-nbs-<sectors>-domestic`` for the non-competitive-import tables) or one OECD file of
all years (``OECD21ed_<ISO3>_1995to2018_long_by_year.csv``; stored as ``oecd-niot-<iso3>``).
Layouts and checks: :mod:`capcoop.sources.io_tables`. The package ships R data only, so there
is no ``fetch``.
"""

from __future__ import annotations

from pathlib import Path

from capcoop.sources.base import ParsedFile, SourceInfo
from capcoop.sources.io_tables import detect_format, read_china_nbs, read_oecd_niot, table_batches

__all__ = ["SOURCE", "parse"]

SOURCE = SourceInfo(
    name="china-io",
    title="China national input-output tables (NBS 2002-2020; OECD national IOTs 1995-2018)",
    publisher="National Bureau of Statistics of China; OECD (via the R package ionet)",
    licence="NBS official statistics and OECD IOTs (reuse with attribution); ionet package GPL-3",
    url="https://github.com/Carol-seven/ionet",
    formats="ionet CSV: NBS table per year, or OECD national IOTs stacked by year",
    targets=("io_cells", "io_labels"),
)


def parse(path: str | Path) -> ParsedFile:
    """Validate an NBS table or an OECD national IOT file into ``io_cells``/``io_labels`` rows."""
    path = Path(path)
    kind = detect_format(path)
    if kind == "oecd-niot":
        tables = read_oecd_niot(path)
        release = f"OECD national IOTs 2021 ed., {tables[0].system.year}-{tables[-1].system.year}"
    elif kind == "china-nbs":
        tables = [read_china_nbs(path)]
        release = f"NBS input-output table {tables[0].system.year}, {tables[0].system.n} sectors"
    else:
        from capcoop.errors import SourceFormatError

        raise SourceFormatError("not an NBS table nor an OECD national IOT", file=path.name,
                                hint=f"this file looks like {kind!r}: ingest it with that source")
    return ParsedFile(SOURCE.name, release, table_batches(tables),
                      {"table_name": tables[0].table_name,
                       "years": [t.system.year for t in tables],
                       "max_row_imbalance": max(float(t.checks["max_row_imbalance"])
                                                for t in tables)})

"""SingStat Table Builder: Singapore's monthly merchandise trade by market, in Singapore dollars.

Tables read (by their title; the CSV export or the Table Builder API JSON that :func:`fetch`
downloads):

- M451491 "Merchandise Trade By Region And Selected Market (Imports), Monthly" -> flow ``M``;
- M451501 "... (Domestic Exports) ..." -> flow ``XD`` (goods of Singapore origin);
- M451511 "... (Re-Exports) ..." -> flow ``XR``.

Singapore's total exports are ``XD + XR``; no ``X`` row is made up here (sum the two flows when
you need it). Other tables are rejected with a message, among them M451001 (by commodity section):
it has no partner dimension and its groups (oil / non-oil, "Miscellaneous (Excluding Oil
Bunkers)") cut across the SITC sections, so they are not a product classification.

The CSV export is wide: title lines (``Table Title: ...``, ``Data last updated: dd/mm/yyyy``,
the unit, e.g. ``Million Dollars``), a ``Data Series`` header row with one column per month, newest
first (``2025 Jan``), one row per market indented by two spaces per level, then footnotes.
``-`` is nil (0); ``na`` is not available (no row). The unit must be ``Million Dollars`` or
``Thousand Dollars``; anything else is rejected.

Rows (table ``trade_flows``): ``reporter='SGP'``, ``basis='reported'``, ``freq='M'``,
``classification = product = 'TOTAL'``, ``currency='SGD'``, ``value_local`` in S$ (not millions)
and ``value_usd`` NULL: converting S$ to US$ needs a monthly exchange rate and is a later,
explicit step, never done silently here.

Partners. "Total All Markets" becomes World (``WLD``, an aggregate: never add it to the markets).
The continental rows (America, Asia, Europe, Oceania, Africa) and the residual "Other Markets
<region>" rows are skipped and counted in the load's parameters: they are SingStat's own sums of
the markets below them, not the IMF or UN groups of the same name. Markets resolve through
:func:`capcoop.codes.countries.country`; a few SingStat abbreviations (``Korea, Rep Of``,
``Czech Rep``) are first spelled out.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from capcoop.errors import InputError, SourceFormatError
from capcoop.settings import get_setting
from capcoop.sources._trade_flows import (
    check_unique,
    open_text,
    parse_amounts,
    resolve_countries,
    trade_batch,
)
from capcoop.sources.base import ParsedFile, SourceInfo, TableBatch, Transport, fetch_url

__all__ = ["SOURCE", "TABLES", "UNITS", "parse", "fetch"]

SOURCE = SourceInfo(
    name="singstat",
    title="SingStat: Singapore merchandise trade by market, monthly (imports, domestic exports, "
          "re-exports), S$",
    publisher="Singapore Department of Statistics (data: Enterprise Singapore)",
    licence="Singapore Open Data Licence (attribution)",
    url="https://tablebuilder.singstat.gov.sg/table/TS/M451491",
    formats="Table Builder CSV export (wide, months newest first) or API JSON",
    targets=("trade_flows",),
)

API_URL = "https://tablebuilder.singstat.gov.sg/api/table/tabledata/{table}"
#: Table id -> (flow, the words in its title naming the flow).
TABLES = {"M451491": ("M", "Imports"), "M451501": ("XD", "Domestic Exports"),
          "M451511": ("XR", "Re-Exports")}
UNITS = {"Million Dollars": 1e6, "Thousand Dollars": 1e3}
TITLE = re.compile(r"Merchandise Trade By Region And Selected Market \((.+)\), Monthly")
WORLD = "Total All Markets"
#: SingStat abbreviations the country table does not know, spelled out for ``country()``.
SPELLINGS = {"Korea, Rep Of": "Republic of Korea",
             "Korea, Dem Peo Rep Of": "Democratic People's Republic of Korea",
             "Congo, Dem Rep Of": "Democratic Republic of the Congo",
             "Dominican Rep": "Dominican Republic", "Czech Rep": "Czechia"}


def parse(path: str | Path) -> ParsedFile:
    """Read and validate a SingStat by-market table; see the module docstring.

    Raises
    ------
    SourceFormatError
        On another table, a unit other than S$ million/thousand, a bad month header, an
        unknown market, a non-numeric or negative value or a market listed twice; the message
        names the file, the line, the column (the month) and the value.
    """
    path = Path(path)
    is_json = path.suffix.lower() == ".json"
    table = _read_json(path) if is_json else _read_csv(path)
    flow = _flow(table["title"], path.name, table["title_line"])
    try:
        cells, skipped = _market_cells(table["cells"], path.name)
        batch = _batch(cells, flow, path.name)
    except SourceFormatError as exc:
        if not is_json or exc.line is None:
            raise
        # JSON has no useful lines: name the API's data row instead
        raise SourceFormatError(f"{exc.message.split(' (file ')[0]} in data row {exc.line}",
                                file=path.name, column=exc.column, value=exc.value,
                                hint=exc.hint) from None
    parameters = {"table": table["title"], "flow": flow, "skipped_region_rows": skipped}
    return ParsedFile(SOURCE.name, table["release"], [batch], parameters)


def fetch(table: str = "M451491", *, cache_dir: str | Path | None = None,
          transport: Transport | None = None, refresh: bool = False) -> Path:
    """Download one table from the SingStat Table Builder API (JSON) and return its path.

    Parameters
    ----------
    table
        ``M451491`` (imports), ``M451501`` (domestic exports) or ``M451511`` (re-exports).
    cache_dir
        Download folder; default ``<cache_dir setting>/singstat``.
    transport
        Callable ``url -> bytes`` (tests inject a fake one); default urllib.
    refresh
        Download again even when the file is cached.
    """
    if table not in TABLES:
        raise InputError(f"unsupported SingStat table {table!r}",
                         hint=f"choose one of {sorted(TABLES)}")
    folder = Path(cache_dir) if cache_dir else Path(str(get_setting("cache_dir"))) / SOURCE.name
    return fetch_url(API_URL.format(table=table), folder, filename=f"{table}.json",
                     transport=transport, refresh=refresh)


# --- reading: a title, a release and long cells (level, name, period, cell, unit, line) -----


def _read_csv(path: Path) -> dict:
    with open_text(path) as handle:
        reader = csv.reader(handle)
        rows = [(reader.line_num, row) for row in reader]
    start = next((i for i, (_, row) in enumerate(rows) if row and row[0].strip() == "Data Series"),
                 None)
    if start is None:
        raise SourceFormatError("no 'Data Series' header row", file=path.name,
                                hint="export the table from SingStat Table Builder as CSV")
    meta = _metadata(rows[:start], path.name)
    header_line, header = rows[start]
    periods = _periods(header[1:], path.name, header_line)
    records = []
    for line, row in rows[start + 1:]:
        if not row or not row[0].strip():
            break
        if any(cell.strip() for cell in row[len(header):]):
            raise SourceFormatError("more values than month columns", file=path.name, line=line,
                                    column=f"column {len(header) + 1}", value=row[len(header)])
        records += [(_level(row[0]), row[0].strip(), *period, cell, meta["unit"], line, text)
                    for period, cell, text in zip(periods, row[1:], header[1:], strict=False)]
    return meta | {"cells": _cells(records)}


def _periods(texts: list[str], file: str, line: int) -> list[tuple[int, int]]:
    """(year, month) of each month column; a repeated month raises."""
    periods = [_period(text, file, line) for text in texts]
    for at, period in enumerate(periods):
        if period in periods[:at]:
            raise SourceFormatError("month column repeated", file=file, line=line,
                                    column=texts[at], value=texts[at])
    return periods


def _metadata(rows: list[tuple[int, list[str]]], file: str) -> dict:
    """Title, release date and unit from the lines above ``Data Series``."""
    found: dict[str, object] = {"title": "", "title_line": None, "release": "unknown",
                                "unit": None}
    for line, row in rows:
        first = row[0].strip() if row else ""
        if first.startswith("Table Title:"):
            found["title"], found["title_line"] = first.removeprefix("Table Title:").strip(), line
        elif first.startswith("Data last updated:"):
            found["release"] = _date(first.removeprefix("Data last updated:").strip())
        elif not first and any(c.strip() for c in row):
            unit = next(c.strip() for c in row if c.strip())
            _check_unit(unit, file, line)
            found["unit"] = unit
    if found["unit"] is None:
        raise SourceFormatError("no unit line above 'Data Series'", file=file,
                                hint=f"expected one of {sorted(UNITS)}")
    return found


def _read_json(path: Path) -> dict:
    with open_text(path) as handle:
        body = json.load(handle)
    data = body.get("Data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("row"), list):
        raise SourceFormatError("expected a Table Builder API response with Data.row",
                                file=path.name, column="Data")
    records = []
    for number, row in enumerate(data["row"], start=1):
        series = str(row.get("seriesNo") or "")
        level = series.count(".") if series else _level(str(row.get("rowText", "")))
        _check_unit(row.get("uoM", ""), path.name, None, record=number)
        records += [(level, str(row.get("rowText", "")).strip(),
                     *_period(c.get("key", ""), path.name, None), str(c.get("value", "")),
                     row.get("uoM"), number, c.get("key", "")) for c in row.get("columns", [])]
    return {"title": str(data.get("title", "")), "title_line": None,
            "release": _date(str(data.get("dataLastUpdated", ""))), "cells": _cells(records)}


def _cells(records: list[tuple]) -> pd.DataFrame:
    columns = ["level", "name", "year", "month", "cell", "unit", "line", "column"]
    return pd.DataFrame(records, columns=columns).astype({"name": "string", "cell": "string"})


def _check_unit(unit: str, file: str, line: int | None, record: int | None = None) -> None:
    if unit not in UNITS:
        where = f" in data row {record}" if record else ""
        raise SourceFormatError(f"unsupported unit{where}", file=file, line=line, value=unit,
                                hint=f"expected S$ values in {sorted(UNITS)}")


def _date(text: str) -> str:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date().isoformat()
    except ValueError:
        return "unknown"


def _period(text: str, file: str, line: int | None) -> tuple[int, int]:
    try:
        stamp = datetime.strptime(text.strip(), "%Y %b")
    except ValueError:
        raise SourceFormatError("not a month", file=file, line=line, column=text, value=text,
                                hint="month columns look like '2025 Jan'") from None
    return stamp.year, stamp.month


def _level(name: str) -> int:
    return (len(name) - len(name.lstrip(" "))) // 2


def _flow(title: str, file: str, line: int | None) -> str:
    found = TITLE.fullmatch(title)
    flows = {words: flow for flow, words in TABLES.values()}
    if not found or found[1] not in flows:
        raise SourceFormatError(
            "not a SingStat by-market trade table", file=file, line=line, value=title,
            hint=f"load {', '.join(f'{k} ({w})' for k, (_, w) in TABLES.items())}; "
                 "M451001 (by commodity section) has no partner and is not supported")
    return flows[found[1]]


# --- from cells to trade_flows rows --------------------------------------------------------


def _market_cells(cells: pd.DataFrame, file: str) -> tuple[pd.DataFrame, int]:
    """Keep World and the markets; skip regions and residuals; check the indentation."""
    top = cells["level"] == 0
    bad_top = top & (cells["name"] != WORLD)
    if bad_top.any() or (cells["level"] > 2).any():
        at = int((bad_top | (cells["level"] > 2)).to_numpy().argmax())
        raise SourceFormatError("unexpected row: the table should be Total > region > market",
                                file=file, line=int(cells["line"].iloc[at]),
                                column="Data Series", value=cells["name"].iloc[at])
    skip = (cells["level"] == 1) | cells["name"].str.startswith("Other Markets")
    skipped_rows = cells.loc[skip, ["name", "line"]].drop_duplicates()
    return cells[~skip].reset_index(drop=True), len(skipped_rows)


def _batch(cells: pd.DataFrame, flow: str, file: str) -> TableBatch:
    """Rows of World and the markets; ``-`` is nil (0), ``na`` and blanks give no row."""
    cells = cells[~cells["cell"].str.strip().str.lower().isin(["na", ""])].reset_index(drop=True)
    nil = cells["cell"].str.strip() == "-"
    amounts = parse_amounts(cells["cell"].mask(nil, "0"), cells["line"], file=file,
                            column=cells["column"])
    names = cells["name"].map(lambda n: SPELLINGS.get(n, n)).where(cells["name"] != WORLD,
                                                                   "WLD")
    columns = {
        "basis": "reported", "freq": "M", "reporter": "SGP", "flow": flow,
        "year": cells["year"], "month": cells["month"],
        "partner": resolve_countries(names, cells["line"], file=file, column="Data Series",
                                     role="market"),
        "classification": "TOTAL", "product": "TOTAL", "currency": "SGD",
        "value_usd": float("nan"), "value_local": amounts * cells["unit"].map(UNITS),
    }
    batch = trade_batch(columns, length=len(cells))
    check_unique(batch.data, cells["line"], file=file)
    return batch

"""IMF Direction of Trade Statistics (DOTS): annual bilateral goods trade, as each reporter declares it.

Two layouts are read; :func:`parse` tells them apart by the header.

``long``
    ``year, reporter, flow, partner, value_usd_mn, imf_estimate_flag`` -- the long CSV (optionally
    gzipped) converted from the IMF portal's per-reporter workbooks (shared data folder
    ``trade2/imf_dots_samleblanc``). Codes are ISO3, ``WLD`` or IMF pseudo-codes (``AGG_EU``,
    ``HIST_SACCA`` ...); ``flow`` is ``X_FOB`` or ``M_CIF``; values are US$ **millions** (the
    column name carries the unit: a file in another unit is rejected as lacking ``value_usd_mn``);
    ``imf_estimate_flag`` is 1 where the IMF cell was an estimate (``"0.41 e"``).
``bulk``
    The IMF bulk-download layout: ``Country Name, Country Code, Indicator Name, Indicator Code,
    Counterpart Country Name, Counterpart Country Code, Attribute`` then either one column per
    period (``1948`` ... ``2020``, or ``2020M01`` for months: *wide*) or ``year, value_usd``
    (*long*, one row per cell). Values are full US dollars; the indicator must be in US dollars.
    Countries are resolved **by name** (the IMF numeric codes are not M49: 534 is India at the
    IMF but Sint Maarten in M49). ``Attribute`` rows ``Status`` mark estimates (a cell with
    ``e``); indicators ``TMG_FOB_USD`` (imports FOB, an IMF conversion of the CIF figure) and
    ``TBG_USD`` (a balance) are derived and are skipped, counted in the load's parameters.

Rows produced (table ``trade_flows``): ``basis='reported'`` (the reporter's own declaration; mirror
figures are the partner's rows read the other way round), ``freq='A'`` (or ``'M'``),
``classification = product = 'TOTAL'``, ``flow`` ``X`` (exports FOB) or ``M`` (imports CIF),
``value_usd`` in US dollars (not millions), ``estimate`` from the IMF flag.

Values must not be negative, with one exception: an aggregate *reporter*'s row (the IMF's area
tables are computed by subtraction) may be negative -- DOTS has World and Advanced Economies
imports from / exports to Malaysia 1960-63 below zero, a residual of Malaysia's formation. Such
rows are not trade and are skipped, counted in the load's parameters
(``skipped_negative_aggregate_rows``); a negative value of a country reporter rejects the file.

Aggregates are kept: World (``WLD``) and the IMF groups (``AGG_ADV`` Advanced Economies,
``AGG_EU`` European Union, ...) appear as partners -- and as reporters of the IMF's area tables --
so queries can use the published World totals. They are rows of kind ``aggregate`` in the country
table (``capcoop codes countries``); sum over partners of kind ``country`` only, or use ``WLD``,
never both, or trade is counted twice.

Release: a date in the file name (IMF bulk files are named like ``DOT_02-15-2022 ...``), else
``"unknown"`` (the long files do not record the IMF vintage).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from capcoop.errors import InputError, SourceFormatError
from capcoop.settings import get_setting
from capcoop.sources._trade_flows import (
    check_columns,
    check_unique,
    country_kinds,
    open_text,
    parse_amounts,
    read_text_cells,
    resolve_countries,
    trade_batch,
)
from capcoop.sources.base import ParsedFile, SourceInfo, Transport, fetch_url

__all__ = ["SOURCE", "parse", "fetch", "LONG_COLUMNS", "BULK_ID_COLUMNS"]

SOURCE = SourceInfo(
    name="imf-dots",
    title="IMF Direction of Trade Statistics (DOTS): bilateral goods exports FOB / imports CIF",
    publisher="International Monetary Fund",
    licence="IMF data: free reuse with attribution (see imf.org copyright and usage)",
    url="https://data.imf.org/?sk=9D6028D4-F14A-464C-A2F2-59B2CD424B85",
    formats="long CSV(.gz) (year, reporter, flow, partner, value_usd_mn, imf_estimate_flag); "
            "IMF bulk CSV, long or wide",
    targets=("trade_flows",),
)

LONG_COLUMNS = ["year", "reporter", "flow", "partner", "value_usd_mn", "imf_estimate_flag"]
BULK_ID_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code",
                   "Counterpart Country Name", "Counterpart Country Code", "Attribute"]
LONG_FLOWS = {"X_FOB": "X", "M_CIF": "M"}
BULK_FLOWS = {"TXG_FOB_USD": "X", "TMG_CIF_USD": "M"}
BULK_DERIVED = ("TMG_FOB_USD", "TBG_USD")
_PERIOD = re.compile(r"^(\d{4})(?:M(\d{1,2}))?$")
_RELEASE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


def parse(path: str | Path) -> ParsedFile:
    """Read and validate a DOTS file; see the module docstring for layouts and conventions.

    Raises
    ------
    SourceFormatError
        On an unknown layout, missing or extra columns, an unknown country code or name, a
        non-numeric or negative value, a value not in US dollars or a repeated key; the message
        names the file, the line, the column and the value.
    """
    path = Path(path)
    header = _header(path)
    if header[:len(BULK_ID_COLUMNS)] == BULK_ID_COLUMNS:
        columns, parameters = _parse_bulk(path)
    else:
        check_columns(header, LONG_COLUMNS, file=path.name, layout="IMF DOTS long CSV")
        columns, parameters = _parse_long(path)
    lines = columns.pop("line")
    batch = trade_batch(columns | {"basis": "reported", "classification": "TOTAL",
                                   "product": "TOTAL"}, length=len(lines))
    check_unique(batch.data, lines.reset_index(drop=True), file=path.name)
    return ParsedFile(SOURCE.name, _release(path), [batch], parameters)


def fetch(url: str, *, cache_dir: str | Path | None = None, transport: Transport | None = None,
          sha256: str | None = None, refresh: bool = False) -> Path:
    """Download a DOTS file (IMF bulk CSV) into the cache and return its path.

    The IMF portal hands out bulk-download links per request (and DOTS continues as IMTS), so
    there is no fixed URL: pass the link the portal gave, e.g. from
    ``https://data.imf.org/?sk=9D6028D4-F14A-464C-A2F2-59B2CD424B85``.

    Parameters
    ----------
    url
        The publisher's file URL.
    cache_dir
        Download folder; default ``<cache_dir setting>/imf-dots``.
    transport
        Callable ``url -> bytes`` (tests inject a fake one); default urllib.
    sha256
        Expected checksum of the file, verified after download.
    refresh
        Download again even when the file is cached.
    """
    if not url.startswith(("https://", "http://")):
        raise InputError(f"not a download URL: {url!r}",
                         hint="pass the https:// link of the IMF bulk file")
    folder = Path(cache_dir) if cache_dir else Path(str(get_setting("cache_dir"))) / SOURCE.name
    return fetch_url(url, folder, transport=transport, sha256=sha256, refresh=refresh)


def _header(path: Path) -> list[str]:
    with open_text(path) as handle:
        first = next(csv.reader(handle), None)
    if not first:
        raise SourceFormatError("empty file: no header line", file=path.name, line=1)
    return [c.strip() for c in first]


def _release(path: Path) -> str:
    found = _RELEASE.search(path.name)
    return f"{found[3]}-{found[1]}-{found[2]}" if found else "unknown"


def _read_strings(path: Path) -> pd.DataFrame:
    """Every cell as text, with each row's 1-based file line in column ``line``; blank rows dropped."""
    table = read_text_cells(path)
    table.columns = [str(c).strip() for c in table.columns]
    table["line"] = range(2, len(table) + 2)
    blank = (table.drop(columns="line") == "").all(axis=1)
    return table[~blank].reset_index(drop=True)


def _years(raw: pd.Series, lines: pd.Series, *, file: str, column: str) -> pd.Series:
    years = pd.to_numeric(raw.str.strip(), errors="coerce")
    bad = years.isna() | (years % 1 != 0) | (years < 1900) | (years > 2100)
    if bad.any():
        first = bad.idxmax()
        raise SourceFormatError("not a year", file=file, line=int(lines[first]), column=column,
                                value=raw[first], hint="years are four digits such as 2020")
    return years.astype("int64")


def _coded(raw: pd.Series, codes: dict[str, str], lines: pd.Series, *, file: str,
           column: str, what: str) -> pd.Series:
    mapped = raw.str.strip().map(codes)
    if mapped.isna().any():
        first = mapped.isna().idxmax()
        raise SourceFormatError(f"unknown {what}", file=file, line=int(lines[first]),
                                column=column, value=raw[first],
                                hint=f"expected one of {sorted(codes)}")
    return mapped


def _parse_long(path: Path) -> tuple[dict, dict]:
    """The long layout: one row per year, reporter, flow and partner, in US$ millions."""
    table, file = _read_strings(path), path.name
    lines = table["line"]
    reporter = resolve_countries(table["reporter"].str.strip(), lines, file=file,
                                 column="reporter", role="reporter")
    aggregate = country_kinds(reporter) == "aggregate"
    values = parse_amounts(table["value_usd_mn"], lines, file=file, column="value_usd_mn",
                           negative_ok=aggregate)
    if values.isna().any():
        first = values.isna().idxmax()
        raise SourceFormatError("missing value", file=file, line=int(lines[first]),
                                column="value_usd_mn", value="")
    frame = pd.DataFrame({
        "line": lines, "freq": "A", "reporter": reporter,
        "year": _years(table["year"], lines, file=file, column="year"),
        "partner": resolve_countries(table["partner"].str.strip(), lines, file=file,
                                     column="partner", role="partner"),
        "flow": _coded(table["flow"], LONG_FLOWS, lines, file=file, column="flow", what="flow"),
        "value_usd": values * 1e6,
        "estimate": _coded(table["imf_estimate_flag"], {"0": "0", "1": "1"}, lines, file=file,
                           column="imf_estimate_flag", what="estimate flag") == "1",
    })
    kept = frame[frame["value_usd"] >= 0].reset_index(drop=True)
    parameters = {"layout": "long",
                  "skipped_negative_aggregate_rows": len(frame) - len(kept)}
    return {c: kept[c] for c in kept.columns}, parameters


def _parse_bulk(path: Path) -> tuple[dict, dict]:
    """The IMF bulk layout (wide or long): value rows, estimate flags from ``Status`` rows."""
    table, file = _read_strings(path), path.name
    table = _drop_empty_trailing(table)
    period_columns = [c for c in table.columns if c not in BULK_ID_COLUMNS + ["line"]]
    if period_columns == ["year", "value_usd"]:
        cells = table.rename(columns={"year": "period", "value_usd": "cell"})
        cells, layout = cells.assign(cell_column="value_usd"), "bulk-long"
    else:
        _check_periods(period_columns, file)
        cells, layout = _melt(table, period_columns), "bulk-wide"
        cells["cell_column"] = cells["period"]
    cells = cells[cells["cell"].str.strip() != ""].reset_index(drop=True)
    _check_attributes(cells, file)
    cells, skipped = _keep_trade_indicators(cells, file)
    status = cells["Attribute"].str.strip() == "Status"
    values, flags = cells[~status].reset_index(drop=True), cells[status]
    columns = _bulk_columns(values, file)
    columns["estimate"] = _estimates(values, flags)
    return columns, {"layout": layout, "skipped_derived_indicator_cells": skipped}


def _drop_empty_trailing(table: pd.DataFrame) -> pd.DataFrame:
    """IMF files end each line with a comma: drop unnamed columns that hold nothing."""
    empty = [c for c in table.columns if (c == "" or c.startswith("Unnamed:"))
             and (table[c] == "").all()]
    return table.drop(columns=empty)


def _check_periods(columns: list[str], file: str) -> None:
    bad = [c for c in columns if not _PERIOD.match(c)]
    if bad or not columns:
        raise SourceFormatError(
            "IMF bulk layout: unexpected column(s) after 'Attribute'" if bad
            else "IMF bulk layout: no period columns", file=file, line=1,
            column=bad[0] if bad else "Attribute",
            hint="expected annual columns such as '2020', monthly such as '2020M01', "
                 "or the two columns 'year, value_usd'")


def _melt(table: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    long = table.melt(id_vars=BULK_ID_COLUMNS + ["line"], value_vars=periods,
                      var_name="period", value_name="cell")
    return long.sort_values(["line", "period"], kind="stable").reset_index(drop=True)


def _check_attributes(cells: pd.DataFrame, file: str) -> None:
    attribute = cells["Attribute"].str.strip()
    bad = ~attribute.isin(["Value", "Status"])
    if bad.any():
        first = bad.idxmax()
        raise SourceFormatError("unknown attribute", file=file, line=int(cells["line"][first]),
                                column="Attribute", value=attribute[first],
                                hint="expected 'Value' or 'Status'")


def _keep_trade_indicators(cells: pd.DataFrame, file: str) -> tuple[pd.DataFrame, int]:
    """Keep exports FOB and imports CIF in US dollars; drop derived ones; reject the rest."""
    code = cells["Indicator Code"].str.strip()
    derived = code.isin(BULK_DERIVED)
    unknown = ~derived & ~code.isin(list(BULK_FLOWS))
    if unknown.any():
        first = unknown.idxmax()
        raise SourceFormatError("unsupported indicator", file=file,
                                line=int(cells["line"][first]), column="Indicator Code",
                                value=code[first],
                                hint=f"DOTS indicators read: {sorted(BULK_FLOWS)} (skipped: "
                                     f"{list(BULK_DERIVED)})")
    kept = cells[~derived].reset_index(drop=True)
    not_usd = ~kept["Indicator Name"].str.contains("US Dollars", regex=False)
    if not_usd.any():
        first = not_usd.idxmax()
        raise SourceFormatError("indicator not in US dollars", file=file,
                                line=int(kept["line"][first]), column="Indicator Name",
                                value=kept["Indicator Name"][first],
                                hint="download the series in US Dollars (not national currency)")
    return kept, int(derived.sum())


def _bulk_columns(values: pd.DataFrame, file: str) -> dict:
    lines = values["line"]
    period = values["period"].str.strip().str.extract(_PERIOD)
    if period[0].isna().any():
        first = period[0].isna().idxmax()
        raise SourceFormatError("not a period", file=file, line=int(lines[first]),
                                column="year", value=values["period"][first],
                                hint="periods are years such as 2020 or months such as 2020M01")
    month = pd.to_numeric(period[1]).astype("Int8")
    return {
        "line": lines,
        "year": pd.to_numeric(period[0]).astype("int64"),
        "month": month, "freq": month.isna().map({True: "A", False: "M"}),
        "reporter": resolve_countries(values["Country Name"].str.strip(), lines, file=file,
                                      column="Country Name", role="reporter"),
        "partner": resolve_countries(values["Counterpart Country Name"].str.strip(), lines,
                                     file=file, column="Counterpart Country Name",
                                     role="partner"),
        "flow": _coded(values["Indicator Code"], BULK_FLOWS, lines, file=file,
                       column="Indicator Code", what="indicator"),
        "value_usd": parse_amounts(values["cell"], lines, file=file,
                                   column=values["cell_column"]),
    }


def _estimates(values: pd.DataFrame, flags: pd.DataFrame) -> pd.Series:
    """True where the matching ``Status`` cell contains the IMF estimate mark ``e``."""
    key = ["Country Name", "Indicator Code", "Counterpart Country Name", "period"]
    marked = flags[flags["cell"].str.contains("e", case=False, regex=False)][key]
    merged = values[key].merge(marked.drop_duplicates().assign(_e=True), on=key, how="left")
    return merged["_e"].fillna(False).astype(bool)

"""World Bank World Development Indicators (WDI): long country × year series, one file per indicator.

Layouts :func:`parse` accepts
-----------------------------
indicator CSV
    ``Country Name,Country Code,Year,Value`` (the datahub.io ``world-development-indicators`` copy
    of the WB API), one row per economy-year. The indicator code is the file name
    (``ny.gdp.pcap.cd.csv``, or the folder of a datahub ``<code>/data.csv``), upper-cased as the
    World Bank writes it (``NY.GDP.PCAP.CD``).
index CSV (``indicators_index.csv``) or a folder holding one
    Means "every indicator it lists": each listed ``indicators/<code>.csv`` is parsed and all of
    them load in **one transaction**. The index also gives each indicator's title, from which
    ``indicator_definitions`` takes the name and the unit. The load is keyed by the index file's
    sha256 (plus a combined digest of the member files in the provenance parameters): re-ingesting
    an unchanged index is a no-op, so after replacing member files, replace the index too (its
    ``rows`` and ``last_commit_date`` columns change with every data update). Each member's row
    count must equal the index's ``rows``, which catches truncated copies.
API v2 JSON (``*.json``)
    The response of ``https://api.worldbank.org/v2/country/all/indicator/<CODE>?format=json&per_page=20000``
    as :func:`fetch` saves it; it must be a single page. ``line`` in errors is the record number.

Rules
-----
* **Aggregates.** ``WLD`` (World) is kept; it is in the country table as an aggregate. The other
  World Bank aggregates (regions, income and lending groups, demographic-dividend groups, ...)
  are not economies and are skipped: they are the codes of :data:`WB_AGGREGATES`, which is the
  "aggregates" block of the WB's CLASS.xlsx (FY2025 edition, 49 codes besides WLD) plus ``INX``
  ("Not classified", used by the API). Any other code must resolve through
  :func:`capcoop.codes.countries.country` or the file is rejected with suggestions, except the
  WB-only codes of :data:`WB_CODE_ALIASES` (``CHI`` Channel Islands is looked up by name).
* **Units** come from the title: the text inside its last parenthesis that is not an estimate
  qualifier ("GDP per capita (current US$)" -> ``current US$``, see :func:`unit_from_title`);
  titles without one ("Population, total") have no unit (a count).
* **Negative values** are rejected for :data:`NONNEGATIVE_INDICATORS` (levels, counts and
  shares that cannot be negative). Other series may legitimately be negative (growth rates, net
  flows, savings, inventories) and the published data has a few negative shares that are kept.
* A file carries an indicator's whole series: loading it replaces every row of that indicator
  previously loaded from WDI (``replace_by=("indicator",)``), so revised-away years disappear.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from capcoop.errors import SourceFormatError
from capcoop.sources._checks import (
    detect_layout,
    parse_numbers,
    parse_years,
    read_header,
    read_text_table,
    reject_duplicates,
    require_columns,
    resolve_countries,
)
from capcoop.sources.base import (
    ParsedFile,
    SourceInfo,
    TableBatch,
    Transport,
    fetch_url,
    sha256_file,
)

__all__ = ["SOURCE", "WB_AGGREGATES", "WB_CODE_ALIASES", "NONNEGATIVE_INDICATORS", "API_URL",
           "parse", "fetch", "unit_from_title"]

SOURCE = SourceInfo(
    name="wdi",
    title="World Development Indicators",
    publisher="World Bank",
    licence="CC-BY-4.0",
    url="https://datacatalog.worldbank.org/search/dataset/0037712",
    formats="indicator CSV, indicators_index.csv (all), WB API v2 JSON",
    targets=("country_indicators", "indicator_definitions"),
)

#: The WB API v2 endpoint for one indicator, all economies and years, one page.
API_URL = "https://api.worldbank.org/v2/country/all/indicator/{code}?format=json&per_page=20000"

#: World Bank aggregate codes that are not economies (CLASS.xlsx FY2025 "aggregates", minus WLD,
#: plus the API's INX "Not classified").
WB_AGGREGATES = frozenset({
    "AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU", "FCS",
    "HIC", "HPC", "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC", "LIC", "LMC",
    "LMY", "LTE", "MEA", "MIC", "MNA", "NAC", "OED", "OSS", "PRE", "PSS", "PST", "SAS", "SSA",
    "SSF", "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC",
})

#: World Bank codes the country table does not know, and what to look up instead: the Channel
#: Islands (no ISO3 code; the table has them as an area) and the former SFR Yugoslavia ("f" flag).
WB_CODE_ALIASES = {"CHI": "Channel Islands", "YUGf": "YUG"}

#: Indicators whose values cannot be negative (levels, counts, shares of a total).
NONNEGATIVE_INDICATORS = frozenset({
    "NY.GDP.MKTP.CD", "NY.GDP.PCAP.CD", "NY.GDP.PCAP.PP.CD", "NY.GNP.PCAP.CD", "NY.GNP.ATLS.CD",
    "TX.VAL.MRCH.CD.WT", "TM.VAL.MRCH.CD.WT", "PA.NUS.FCRF", "SL.TLF.TOTL.IN", "SP.POP.TOTL",
    "SP.URB.TOTL", "SP.URB.TOTL.IN.ZS", "EN.POP.DNST", "EG.ELC.ACCS.ZS", "EG.USE.ELEC.KH.PC",
    "EG.USE.PCAP.KG.OE", "IS.RRS.TOTL.KM", "IS.AIR.DPRT", "IS.SHP.GOOD.TU", "IT.CEL.SETS.P2",
    "IT.NET.BBND.P2", "IT.NET.SECR.P6", "LP.LPI.OVRL.XQ", "EN.ATM.PM25.MC.M3", "AG.LND.FRST.ZS",
})

_INDICATOR_COLUMNS = ("Country Name", "Country Code", "Year", "Value")
_INDEX_COLUMNS = ("code", "title", "license", "rows", "min_year", "max_year", "n_country_codes",
                  "last_commit_date", "original_path")
_LAYOUTS = {"WDI indicator CSV": _INDICATOR_COLUMNS, "WDI indicators_index.csv": _INDEX_COLUMNS}
_CODE = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)+$")
_VALUE_COLUMNS = ["country", "indicator", "year", "value"]


def parse(path: str | Path) -> ParsedFile:
    """Validate a WDI file (or the index / folder of all of them) into canonical rows.

    Parameters
    ----------
    path
        An indicator CSV, ``indicators_index.csv``, a folder holding the index, or an API v2
        JSON response (see the module docstring).

    Returns
    -------
    ParsedFile
        Batches for ``country_indicators`` and, when titles are known, ``indicator_definitions``.

    Raises
    ------
    SourceFormatError
        On a wrong header, unknown country code, non-numeric or impossible value, or duplicate
        (country, year).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "indicators_index.csv"
        if not path.is_file():
            raise SourceFormatError("the folder has no indicators_index.csv", file=str(path.parent),
                                    hint="pass one indicator CSV, or the folder of the WDI copy")
    if path.suffix.lower() == ".json":
        return _parse_api_json(path)
    layout = detect_layout(read_header(path), _LAYOUTS, path.name)
    return _parse_index(path) if layout == "WDI indicators_index.csv" else _parse_single(path)


def fetch(indicator: str, *, cache_dir: str | Path | None = None,
          transport: Transport | None = None, refresh: bool = False) -> Path:
    """Download one indicator (all economies, all years) from the WB API v2 as JSON.

    Parameters
    ----------
    indicator
        A WDI code such as ``"NY.GDP.PCAP.CD"`` (any case).
    cache_dir
        Where to keep the download; default: the capcoop cache folder.
    transport
        Replaces the HTTP GET (tests pass a fake one).
    refresh
        Download again even when the file is cached.

    Returns
    -------
    Path
        ``<cache_dir>/wdi_<CODE>.json``, ready for :func:`parse`.
    """
    code = _indicator_code(indicator, where="indicator")
    url = API_URL.format(code=code)
    return fetch_url(url, _cache_dir(cache_dir), filename=f"wdi_{code}.json", transport=transport,
                     refresh=refresh)


def unit_from_title(title: str) -> str | None:
    """The unit in a WDI title: its last parenthesis that is not a qualifier, else None.

    Qualifiers are parentheses about the estimate ("(modeled ILO estimate)"), so
    "Unemployment, total (% of total labor force) (modeled ILO estimate)" gives
    ``% of total labor force`` and "Industry (including construction), value added (% of GDP)"
    gives ``% of GDP``. Titles without a parenthesis ("Population, total") are counts: None.
    """
    groups = [g.strip() for g in re.findall(r"\(([^()]*)\)", title)]
    units = [g for g in groups if "estimate" not in g.lower()]
    return units[-1] if units else None


def _parse_single(path: Path) -> ParsedFile:
    stem = path.parent.name if path.stem.lower() == "data" else path.stem
    code = _indicator_code(stem, where=path.name)
    values = _indicator_rows(path, code)
    batches = [_values_batch(values)]
    index = _index_next_to(path)
    titles = _read_index(index) if index is not None else None
    if titles is not None and (titles["code"] == code).any():
        batches.append(_definitions_batch(titles[titles["code"] == code]))
    return ParsedFile(SOURCE.name, None, batches, {"indicators": [code]})


def _parse_index(index: Path) -> ParsedFile:
    titles = _read_index(index)
    frames, digest = [], hashlib.sha256()
    for line, row in titles.iterrows():
        member = _member_path(index, row, line)
        digest.update(sha256_file(member).encode())
        frame = _indicator_rows(member, row["code"], expected_rows=int(row["rows"]))
        frames.append(frame)
    values = pd.concat(frames, ignore_index=True)
    release = f"datahub world-development-indicators {titles['last_commit_date'].max()}"
    parameters = {"indicators": len(titles), "members_sha256": digest.hexdigest()}
    return ParsedFile(SOURCE.name, release, [_values_batch(values), _definitions_batch(titles)],
                      parameters)


def _read_index(index: Path) -> pd.DataFrame:
    titles = read_text_table(index)
    require_columns(titles.columns, _INDEX_COLUMNS, index.name)
    titles["code"] = [_indicator_code(c, where=index.name, line=line)
                      for line, c in titles["code"].items()]
    parse_numbers(titles, "rows", index.name, nonnegative=True)
    empty = titles["title"].str.strip() == ""
    if empty.any():
        line = int(titles.index[empty.to_numpy()][0])
        raise SourceFormatError("empty indicator title", file=index.name, line=line,
                                column="title", value="")
    reject_duplicates(titles, ["code"], index.name)
    return titles


def _member_path(index: Path, row: pd.Series, line: int) -> Path:
    candidates = [index.parent / "indicators" / f"{row['code'].lower()}.csv",
                  index.parent / row["original_path"]]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise SourceFormatError(f"indicator file not found: {candidates[0]}", file=index.name,
                            line=line, column="code", value=row["code"],
                            hint="keep the index next to its indicators/ folder")


def _indicator_rows(path: Path, code: str, expected_rows: int | None = None) -> pd.DataFrame:
    raw = read_text_table(path)
    require_columns(raw.columns, _INDICATOR_COLUMNS, path.name)
    if expected_rows is not None and len(raw) != expected_rows:
        raise SourceFormatError(f"{len(raw)} data rows but the index says {expected_rows}",
                                file=path.name, hint="the file is truncated or from another "
                                                     "release; copy it again with its index")
    return _validated(raw, code, path.name, country_col="Country Code", year_col="Year",
                      value_col="Value")


def _validated(raw: pd.DataFrame, code: str, file: str, *, country_col: str, year_col: str,
               value_col: str) -> pd.DataFrame:
    years = parse_years(raw, year_col, file)
    values = parse_numbers(raw, value_col, file, nonnegative=code in NONNEGATIVE_INDICATORS)
    countries = resolve_countries(raw[country_col], file, country_col, skip=WB_AGGREGATES,
                                  aliases=WB_CODE_ALIASES)
    frame = pd.DataFrame({"country": countries, "indicator": code, "year": years,
                          "value": values}, index=raw.index)
    frame = frame[frame["country"].notna()]
    reject_duplicates(frame, ["country", "year"], file)
    return frame[_VALUE_COLUMNS]


def _parse_api_json(path: Path) -> ParsedFile:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFormatError(f"not a WB API JSON response: {exc}", file=path.name) from None
    if not (isinstance(body, list) and len(body) == 2 and isinstance(body[1], list)):
        raise SourceFormatError("not a WB API v2 data response ([metadata, records] expected)",
                                file=path.name, value=str(body)[:120])
    meta, records = body
    if int(meta.get("pages", 1)) > 1:
        raise SourceFormatError(f"partial response: page {meta.get('page')} of {meta['pages']}",
                                file=path.name, hint="fetch again with a larger per_page")
    raw = pd.DataFrame.from_records([_flat_record(r) for r in records],
                                    columns=["code", "title", "iso3", "date", "value"])
    raw.index = pd.RangeIndex(1, len(raw) + 1, name="record")
    codes = {_indicator_code(c, where=path.name) for c in raw["code"]}
    if len(codes) != 1:
        raise SourceFormatError(f"expected one indicator, found {sorted(codes)}", file=path.name)
    code = codes.pop()
    raw = raw[(raw["value"] != "") & (raw["iso3"] != "")]
    values = _validated(raw, code, path.name, country_col="iso3", year_col="date",
                        value_col="value")
    titles = pd.DataFrame({"code": [code], "title": [records[0]["indicator"]["value"]]})
    release = f"WB API v2, last updated {meta.get('lastupdated', 'unknown')}"
    return ParsedFile(SOURCE.name, release, [_values_batch(values), _definitions_batch(titles)],
                      {"indicators": [code]})


def _flat_record(record: dict) -> dict[str, str]:
    value = record.get("value")
    return {"code": str(record["indicator"]["id"]), "title": str(record["indicator"]["value"]),
            "iso3": str(record.get("countryiso3code") or ""), "date": str(record["date"]),
            "value": "" if value is None else str(value)}


def _values_batch(values: pd.DataFrame) -> TableBatch:
    return TableBatch("country_indicators", values.reset_index(drop=True),
                      replace_by=("indicator",))


def _definitions_batch(titles: pd.DataFrame) -> TableBatch:
    frame = pd.DataFrame({"indicator": titles["code"].to_numpy(),
                          "name": titles["title"].str.strip().to_numpy(),
                          "unit": pd.Series([unit_from_title(t) for t in titles["title"]],
                                            dtype=object)})
    return TableBatch("indicator_definitions", frame)


def _indicator_code(text: str, *, where: str, line: int | None = None) -> str:
    code = str(text).strip()
    if not _CODE.match(code):
        raise SourceFormatError("not a WDI indicator code (such as NY.GDP.PCAP.CD)", file=where,
                                line=line, value=code,
                                hint="name indicator files after their code, e.g. ny.gdp.pcap.cd.csv")
    return code.upper()


def _index_next_to(path: Path) -> Path | None:
    for folder in (path.parent, path.parent.parent):
        if (folder / "indicators_index.csv").is_file():
            return folder / "indicators_index.csv"
    return None


def _cache_dir(cache_dir: str | Path | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    from capcoop.settings import get_setting

    return Path(str(get_setting("cache_dir"))) / "wdi"

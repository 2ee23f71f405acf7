"""World Bank income groups (L, LM, UM, H) by economy and year: current list and history.

Layouts :func:`parse` accepts
-----------------------------
current list (CLASS)
    ``CLASS.xlsx`` (sheet "List of economies") or its CSV export with the columns
    ``Economy,Code,Region,Income group,Lending category``. The fiscal year is read from the
    workbook's "Notes" sheet ("... according to 2023 gross national income ...") or, for a CSV,
    from the file name (``class_fy2025_list_of_economies.csv``, ``CLASS_FY25.csv``).
history (OGHIST)
    ``OGHIST.xlsx`` (sheet "Country Analytical History", one column per fiscal year) or the long
    CSV ``iso3,country,fiscal_year,gni_reference_year,income_group``.

Rules
-----
* **Year.** The World Bank's fiscal year FYyy runs from July of yy-1 to June of yy, and its
  income groups are set from GNI per capita (Atlas method) of calendar year **yy-2**. ``year`` is
  that GNI year: FY2025 -> 2023, FY12 -> 2010, FY89 -> 1987 (two-digit years from 50 are 19yy).
  The OGHIST history states the GNI year next to each fiscal year; a file where they disagree
  is rejected.
* **Values** are ``L``, ``LM``, ``UM``, ``H`` (the CLASS list's "Low income", ... are mapped;
  OGHIST's ``LM*``, a footnoted LM, is LM). Economies not classified that year (".." or blank,
  e.g. Venezuela since FY22) have no row. Anything else is rejected.
* **Countries.** Aggregates (the CLASS list's regions and groups, see
  :data:`capcoop.sources.wdi.WB_AGGREGATES`, and WLD) carry no income group and are skipped.
  Historical economies (SUN, YUG, CSK, ANT) keep their codes; the WB-only codes ``CHI`` (Channel
  Islands) and ``YUGf`` (SFR Yugoslavia, FY89-FY93) are looked up as in :mod:`~capcoop.sources.wdi`,
  and the CLASS list's ``SCG`` -- which it labels "Serbia" -- is Serbia (``SRB``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from capcoop.errors import SourceFormatError
from capcoop.sources._checks import (
    HEADER_LINE,
    detect_layout,
    read_text_table,
    reject_duplicates,
    resolve_countries,
)
from capcoop.sources.base import ParsedFile, SourceInfo, TableBatch, Transport, fetch_url
from capcoop.sources.wdi import WB_AGGREGATES, WB_CODE_ALIASES

__all__ = ["SOURCE", "SCHEME", "INCOME_GROUPS", "CLASS_URL", "OGHIST_URL", "parse", "fetch",
           "gni_year"]

SOURCE = SourceInfo(
    name="wb-income",
    title="World Bank income groups",
    publisher="World Bank",
    licence="CC-BY-4.0",
    url="https://datahelpdesk.worldbank.org/knowledgebase/articles/906519",
    formats="CLASS.xlsx or CSV, OGHIST.xlsx or long CSV",
    targets=("country_classifications",),
)

#: The ``scheme`` of every row this source writes.
SCHEME = "wb_income"
#: The allowed values, lowest to highest.
INCOME_GROUPS = ("L", "LM", "UM", "H")
#: The current classification (CLASS.xlsx), same link every year (WB data catalog 0037712).
CLASS_URL = "https://ddh-openapi.worldbank.org/resources/DR0095333/download/"
#: The history since FY89 (OGHIST.xlsx).
OGHIST_URL = "https://datacatalogfiles.worldbank.org/ddh-published/0037712/DR0090754/OGHIST.xlsx"

_CLASS_COLUMNS = ("Economy", "Code", "Region", "Income group", "Lending category")
_HISTORY_COLUMNS = ("iso3", "country", "fiscal_year", "gni_reference_year", "income_group")
_LAYOUTS = {"CLASS list of economies": _CLASS_COLUMNS, "OGHIST long history": _HISTORY_COLUMNS}
_CLASS_NAMES = {"low income": "L", "lower middle income": "LM", "upper middle income": "UM",
                "high income": "H"}
_HISTORY_CODES = {"L": "L", "LM": "LM", "LM*": "LM", "UM": "UM", "H": "H"}
_NOT_CLASSIFIED = {"", ".."}
#: The CLASS list files Serbia under SCG (the old Serbia and Montenegro code).
_CLASS_ALIASES = {**WB_CODE_ALIASES, "SCG": "Serbia"}
_SKIP = WB_AGGREGATES | {"WLD"}


def gni_year(fiscal_year: str) -> int:
    """The GNI year behind a WB fiscal year: ``"FY2025"`` -> 2023, ``"FY12"`` -> 2010.

    Raises
    ------
    ValueError
        When ``fiscal_year`` is not ``FYyy`` or ``FYyyyy``.
    """
    match = re.fullmatch(r"\s*FY\s*(\d{2}|\d{4})\s*", str(fiscal_year), flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"not a fiscal year such as 'FY2025' or 'FY89': {fiscal_year!r}")
    digits = int(match.group(1))
    year = digits if digits >= 1000 else (1900 + digits if digits >= 50 else 2000 + digits)
    return year - 2


def parse(path: str | Path) -> ParsedFile:
    """Validate a WB income-classification file into ``country_classifications`` rows.

    Parameters
    ----------
    path
        CLASS or OGHIST, as ``.xlsx`` or as the CSV layouts in the module docstring.

    Returns
    -------
    ParsedFile
        One ``country_classifications`` batch (scheme ``wb_income``).

    Raises
    ------
    SourceFormatError
        On a wrong header, unknown country code or income group, a fiscal year that cannot be
        told or disagrees with its GNI year, or a repeated (country, year).
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _parse_workbook(path)
    raw = read_text_table(path)
    layout = detect_layout(raw.columns, _LAYOUTS, path.name)
    if layout == "CLASS list of economies":
        fiscal = _fiscal_year_from_name(path)
        return _class_rows(raw, path.name, year=gni_year(fiscal), release=f"CLASS {fiscal}")
    return _history_rows(raw, path.name)


def fetch(edition: str = "current", *, cache_dir: str | Path | None = None,
          transport: Transport | None = None, refresh: bool = False) -> Path:
    """Download the World Bank's CLASS.xlsx (``"current"``) or OGHIST.xlsx (``"history"``).

    Parameters
    ----------
    edition
        ``"current"`` or ``"history"``.
    cache_dir, transport, refresh
        As for :func:`capcoop.sources.base.fetch_url` (default cache: the capcoop cache folder).

    Returns
    -------
    Path
        The workbook in the cache, ready for :func:`parse`.
    """
    urls = {"current": (CLASS_URL, "CLASS.xlsx"), "history": (OGHIST_URL, "OGHIST.xlsx")}
    if edition not in urls:
        raise SourceFormatError(f"unknown edition {edition!r}; expected 'current' or 'history'")
    url, name = urls[edition]
    folder = Path(cache_dir) if cache_dir is not None else _default_cache()
    return fetch_url(url, folder, filename=name, transport=transport, refresh=refresh)


def _class_rows(raw: pd.DataFrame, file: str, *, year: int, release: str) -> ParsedFile:
    raw = raw[(raw["Code"].str.strip() != "") & ~raw["Code"].str.strip().isin(_SKIP)]
    group = raw["Income group"].str.strip()
    known = group.str.lower().isin(_CLASS_NAMES) | (group == "")
    _reject_values(group, known, file, "Income group",
                   "expected 'Low income', 'Lower middle income', 'Upper middle income', "
                   "'High income' or blank (not classified)")
    raw = raw[group != ""]
    countries = resolve_countries(raw["Code"], file, "Code", aliases=_CLASS_ALIASES)
    frame = pd.DataFrame({"country": countries, "scheme": SCHEME, "year": year,
                          "value": raw["Income group"].str.strip().str.lower().map(_CLASS_NAMES)},
                         index=raw.index)
    return _parsed(frame, file, release, {"fiscal_year_gni_year": year})


def _history_rows(raw: pd.DataFrame, file: str) -> ParsedFile:
    code = raw["income_group"].str.strip()
    _reject_values(code, code.isin(_HISTORY_CODES) | code.isin(_NOT_CLASSIFIED), file,
                   "income_group", "expected L, LM, LM*, UM, H, '..' or blank")
    years = _checked_years(raw, file)
    keep = ~code.isin(_NOT_CLASSIFIED)
    raw, years, code = raw[keep], years[keep], code[keep]
    countries = resolve_countries(raw["iso3"], file, "iso3", aliases=WB_CODE_ALIASES)
    frame = pd.DataFrame({"country": countries, "scheme": SCHEME, "year": years,
                          "value": code.map(_HISTORY_CODES)}, index=raw.index)
    span = f"GNI years {years.min()}-{years.max()}" if len(years) else "no classified rows"
    return _parsed(frame, file, f"OGHIST ({span})", {})


def _checked_years(raw: pd.DataFrame, file: str) -> pd.Series:
    years = []
    for line, fiscal, stated in zip(raw.index, raw["fiscal_year"], raw["gni_reference_year"],
                                    strict=True):
        try:
            year = gni_year(fiscal)
        except ValueError:
            raise SourceFormatError("not a fiscal year such as FY2025 or FY89", file=file,
                                    line=int(line), column="fiscal_year", value=fiscal) from None
        if str(stated).strip() != str(year):
            raise SourceFormatError(f"GNI year disagrees with {fiscal} (expected {year})", file=file,
                                    line=int(line), column="gni_reference_year", value=stated,
                                    hint="FYyy groups use GNI of calendar year yy-2")
        years.append(year)
    return pd.Series(years, index=raw.index, dtype="int16")


def _reject_values(values: pd.Series, ok: pd.Series, file: str, column: str, expected: str) -> None:
    if ok.all():
        return
    at = int(np.argmax((~ok).to_numpy()))
    raise SourceFormatError(f"unknown income group; {expected}", file=file,
                            line=int(values.index[at]), column=column, value=values.iloc[at])


def _parsed(frame: pd.DataFrame, file: str, release: str, parameters: dict) -> ParsedFile:
    frame["year"] = frame["year"].astype("int16")
    reject_duplicates(frame, ["country", "year"], file)
    batch = TableBatch("country_classifications", frame.reset_index(drop=True))
    return ParsedFile(SOURCE.name, release, [batch], parameters)


def _fiscal_year_from_name(path: Path) -> str:
    match = re.search(r"FY[\s_-]?(\d{4}|\d{2})(?!\d)", path.stem, flags=re.IGNORECASE)
    if not match:
        raise SourceFormatError("cannot tell the fiscal year of this CLASS list", file=path.name,
                                hint="put it in the file name, e.g. CLASS_FY2025.csv, or load "
                                     "the original CLASS.xlsx (its Notes sheet states it)")
    return f"FY{match.group(1)}"


def _parse_workbook(path: Path) -> ParsedFile:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise SourceFormatError(f"cannot open the workbook: {exc}", file=path.name) from None
    try:
        if "List of economies" in book.sheetnames:
            raw = _sheet_frame(book["List of economies"], path.name)
            detect_layout(raw.columns, {"CLASS list of economies": _CLASS_COLUMNS}, path.name)
            year, fiscal = _workbook_year(book, path)
            return _class_rows(raw, path.name, year=year, release=f"CLASS {fiscal}")
        if "Country Analytical History" in book.sheetnames:
            return _history_rows(_history_sheet(book["Country Analytical History"], path.name),
                                 path.name)
    finally:
        book.close()
    raise SourceFormatError("no 'List of economies' or 'Country Analytical History' sheet",
                            file=path.name, value=book.sheetnames,
                            hint="pass the World Bank's CLASS.xlsx or OGHIST.xlsx")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_frame(sheet, file: str) -> pd.DataFrame:
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if not rows:
        raise SourceFormatError("the sheet is empty", file=file)
    header = [h for h in rows[0] if h]
    body = [r[:len(header)] + [""] * (len(header) - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=str)
    frame.index = pd.RangeIndex(HEADER_LINE + 1, HEADER_LINE + 1 + len(frame), name="line")
    return frame


def _workbook_year(book, path: Path) -> tuple[int, str]:
    notes = " ".join(_cell(r[0]) for r in book["Notes"].iter_rows(values_only=True)
                     if r and r[0]) if "Notes" in book.sheetnames else ""
    match = re.search(r"according to (\d{4}) gross national income", notes)
    if match:
        year = int(match.group(1))
        return year, f"FY{year + 2}"
    fiscal = _fiscal_year_from_name(path)
    return gni_year(fiscal), fiscal


def _history_sheet(sheet, file: str) -> pd.DataFrame:
    """OGHIST's wide sheet as the long CSV layout, indexed by the Excel row of each value."""
    records, fiscal, gni = [], None, None
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in row]
        label = cells[1] if len(cells) > 1 else ""
        if label.startswith("Bank's fiscal year"):
            fiscal = cells[2:]
        elif label.startswith("Data for calendar year"):
            gni = cells[2:]
        elif fiscal and gni and re.fullmatch(r"[A-Z]{3}[a-z]?", cells[0]):
            records += [(number, cells[0], label, fy, gy, value) for fy, gy, value
                        in zip(fiscal, gni, cells[2:], strict=False) if fy]
    if not records:
        raise SourceFormatError("no fiscal-year header row (\"Bank's fiscal year:\") or no "
                                "economy rows in 'Country Analytical History'", file=file)
    frame = pd.DataFrame.from_records(records, columns=("line",) + _HISTORY_COLUMNS)
    return frame.set_index("line")


def _default_cache() -> Path:
    from capcoop.settings import get_setting

    return Path(str(get_setting("cache_dir"))) / "wb-income"

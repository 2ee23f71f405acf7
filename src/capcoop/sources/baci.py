"""CEPII BACI: reconciled bilateral trade by HS6 product, one file per HS revision and year.

BACI harmonises what exporters and importers declare to UN Comtrade into one value per
(year, exporter, importer, product). The publisher ships one zip per HS revision and release
(``BACI_HS92_V202301.zip``) holding one CSV per year (``BACI_HS92_Y2021_V202301.csv``) plus the
release's code lists (``country_codes_V202301.csv``, ``product_codes_HS92_V202301.csv``).

Layout of a year file: ``t,i,j,k,v,q``

``t``
    Year.
``i``, ``j``
    Exporter and importer, as BACI numeric country codes: mostly UN M49, but 699 is India,
    842 the United States, 251 France, 579 Norway and 490 ("Other Asia, nes") Taiwan.
``k``
    HS6 product code of the file's revision, written as an integer (``10111`` is ``010111``).
``v``
    Value in **thousands** of current US$.
``q``
    Quantity in metric tons; space-padded text (``"       13.235"``), ``NA`` when unknown.

Rows produced (table ``trade_flows``): ``basis='reconciled'``, ``freq='A'``, ``year=t``, ``month``
NULL, ``reporter`` = ISO3 of ``i`` (through :func:`capcoop.codes.countries.from_baci`'s table:
490 becomes ``TWN``, historical entities keep capcoop's code such as ``SUN``), ``partner`` = ISO3
of ``j``, ``flow='X'``, ``classification`` = the revision (``HS92`` ... ``HS22``), ``product`` = ``k``
zero-padded to 6 characters, ``value_usd = v * 1000``, ``quantity = q`` (NULL for ``NA``) with
``quantity_unit='t'``, ``currency='USD'``, ``estimate`` false, ``value_local`` NULL.

The revision and the release are read from the file name, so keep the publisher's names
(``BACI_HS92_Y2021_V202301.csv``; a suffix such as ``_exporters_AFG_ZAF`` is allowed).

Scale and validation: a year holds about 10 million rows, so :func:`parse` does not read the rows
in Python. It checks the header, then returns a :class:`~capcoop.sources.base.SqlStage` (DuckDB
reads the CSV with typed columns) and SQL ``checks`` that the warehouse runs on the staged rows
before anything is written. Each rejection names the file, the line (the header is line 1), the
column and the value: unreadable cells and rows with too few or too many fields (DuckDB's own
reject log of the scan), unknown country codes, negative or non-finite values, negative
quantities, HS codes that are not 6 digits, years outside 1988-2100 or other than the year in the
file name, and repeated (t, i, j, k) rows. Line numbers assume one row per line, which holds for
BACI files (no quoted field spans lines).

Replacement rule: a load replaces the rows of the same **revision, year and exporter** loaded
before from BACI (``replace_by=("classification", "year", "reporter")``). A file covering only
some exporters (such as an extract) therefore leaves the other exporters of that year alone, and
a newer release of a full year replaces every exporter it contains. An exporter that disappears
from a newer release keeps its older rows (visible in ``capcoop db info`` by release).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import tempfile
import weakref
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import IO

import pandas as pd

from capcoop.codes.countries import countries_table
from capcoop.errors import InputError, SourceFormatError
from capcoop.settings import get_setting
from capcoop.sources.base import ParsedFile, SourceInfo, SqlStage, TableBatch, Transport, fetch_url

__all__ = ["SOURCE", "HS_REVISIONS", "COLUMNS", "parse", "fetch", "download_url",
           "parse_country_codes", "parse_product_codes", "baci_to_iso3"]

SOURCE = SourceInfo(
    name="baci",
    title="CEPII BACI: reconciled bilateral trade flows by HS6 product (value and quantity)",
    publisher="CEPII",
    licence="Etalab Open Licence 2.0 (cite Gaulier & Zignago 2010)",
    url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    formats="zip or CSV: t,i,j,k,v,q",
    targets=("trade_flows",),
)

#: HS revisions BACI is published in, as they appear in file names.
HS_REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
#: The columns of a BACI year file, with the type DuckDB reads each as. A cell that does not
#: convert (``abc``, a year beyond 32767) lands in DuckDB's reject log with its line.
COLUMNS = {"t": "SMALLINT", "i": "INTEGER", "j": "INTEGER", "k": "INTEGER", "v": "DOUBLE",
           "q": "DOUBLE"}
DOWNLOAD_URL = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_{revision}_{release}.zip"
FIRST_YEAR, LAST_YEAR = 1988, 2100
REPLACE_BY = ("classification", "year", "reporter")

_NAME = re.compile(r"BACI_(HS\d\d)(?:_Y(\d{4}))?_(V\d{6}[a-z]?)", re.IGNORECASE)
_YEAR_MEMBER = re.compile(r"^BACI_HS\d\d_Y\d{4}_V\d{6}[a-z]?\.csv$", re.IGNORECASE)
_RELEASE = re.compile(r"^V\d{6}[a-z]?$")
#: Spellings of a missing cell: empty, ``NA``, and ``NA`` right-aligned as BACI writes ``q``
#: (13 characters); other paddings found at the top of the file are added per file. The list is
#: short on purpose: DuckDB compares every cell of the file with each entry.
_MISSING = ("", "NA", "NA".rjust(13))
_PADDED_NA = re.compile(rb'"( +NA)"')
_REJECTS, _SCANS = "_baci_rejects", "_baci_scans"
#: A staged row's line in the file: the stage keeps the file's row order (DuckDB preserves
#: insertion order), the header is line 1, and rows DuckDB rejected fail the first check.
_LINE = "(rowid - (SELECT min(rowid) FROM _stage) + 2)"
#: Stand-in for an empty or NA year, so the row reaches the checks (``year`` is NOT NULL).
_NO_YEAR = -32768


def parse(path: str | Path) -> ParsedFile:
    """Describe a BACI year CSV, or a publisher's zip of them, as ``trade_flows`` rows.

    Parameters
    ----------
    path
        ``BACI_HS92_Y2021_V202301.csv`` (optionally with a suffix before ``.csv``) or
        ``BACI_HS92_V202301.zip``. The name gives the HS revision and the release.

    Returns
    -------
    ParsedFile
        One :class:`TableBatch` per year file: a :class:`SqlStage` over the CSV plus SQL checks
        the warehouse runs before writing (see the module docstring).

    Raises
    ------
    SourceFormatError
        When the name does not give the revision and release, or a header is not ``t,i,j,k,v,q``.
    """
    path = Path(path)
    if path.is_dir():
        raise SourceFormatError("a folder was given; BACI is read file by file", file=path.name,
                                hint="pass BACI_HSxx_Yyyyy_Vyyyymm.csv files or the publisher's zip")
    revision, year, release = _name_parts(path.name, file=path.name)
    if path.suffix.lower() == ".zip":
        return _parse_zip(path, revision, release)
    batch = _year_batch(path, revision=revision, year=year, label=None, file=path.name)
    return ParsedFile(SOURCE.name, release, [batch],
                      {"revision": revision, "replace_by": list(REPLACE_BY)})


def _name_parts(name: str, *, file: str) -> tuple[str, int | None, str]:
    """(revision, year or None, release) from a publisher's file name."""
    found = _NAME.search(name)
    if found is None or found.group(1).upper() not in HS_REVISIONS:
        raise SourceFormatError(
            "cannot tell the HS revision and release from the file name", file=file,
            hint="keep the publisher's file name, e.g. BACI_HS92_Y2021_V202301.csv or "
                 f"BACI_HS92_V202301.zip (revisions: {', '.join(HS_REVISIONS)})")
    year = int(found.group(2)) if found.group(2) else None
    return found.group(1).upper(), year, found.group(3)[0].upper() + found.group(3)[1:]


def _parse_zip(path: Path, revision: str, release: str) -> ParsedFile:
    with zipfile.ZipFile(path) as archive:
        members = sorted(n for n in archive.namelist() if _YEAR_MEMBER.match(Path(n).name))
        if not members:
            raise SourceFormatError(
                "the zip holds no BACI year file (BACI_HSxx_Yyyyy_Vyyyymm.csv)", file=path.name,
                hint="pass the publisher's zip, e.g. BACI_HS92_V202301.zip, or one year CSV")
        folder = Path(tempfile.mkdtemp(prefix="capcoop-baci-"))
        try:
            extracted = [Path(archive.extract(member, folder)) for member in members]
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    batches = []
    for csv_path in extracted:
        name_revision, year, _ = _name_parts(csv_path.name, file=f"{path.name}:{csv_path.name}")
        if name_revision != revision:
            raise SourceFormatError(f"{csv_path.name} is {name_revision} data in a {revision} zip",
                                    file=path.name, hint="use the publisher's zip unchanged")
        batches.append(_year_batch(csv_path, revision=revision, year=year, label=csv_path.name,
                                   file=f"{path.name}:{csv_path.name}"))
    parsed = ParsedFile(SOURCE.name, release, batches,
                        {"revision": revision, "replace_by": list(REPLACE_BY),
                         "members": [p.name for p in extracted]})
    weakref.finalize(parsed, shutil.rmtree, folder, True)  # the stages read the extracted files
    return parsed


def _year_batch(path: Path, *, revision: str, year: int | None, label: str | None,
                file: str) -> TableBatch:
    order = _header(path, file=file)
    return TableBatch("trade_flows", _stage(path, order, revision), replace_by=REPLACE_BY,
                      checks=_checks(year, label), unique_key_checked=True)


def _header(path: Path, *, file: str) -> list[str]:
    """The header's column names, in file order; raises unless they are exactly t,i,j,k,v,q."""
    with _open_bytes(path) as handle:
        first = handle.readline(4096).decode("utf-8-sig", errors="replace")
    found = [c.strip() for c in next(csv.reader(io.StringIO(first)), [])]
    missing = [c for c in COLUMNS if c not in found]
    extra = [c for c in found if c not in COLUMNS]
    if missing or extra or len(found) != len(COLUMNS):
        parts = ([f"missing column(s) {missing}"] if missing else []) + \
            ([f"unexpected column(s) {extra}"] if extra else []) + \
            (["repeated column(s)"] if not missing and not extra else [])
        raise SourceFormatError(
            f"{' and '.join(parts)}; found {found}, expected {list(COLUMNS)} "
            "(t year, i exporter, j importer, k HS6, v value in thousand US$, q quantity in tons)",
            file=file, line=1, column=next(iter(missing + extra), None),
            hint="pass the publisher's BACI year file unchanged")
    return found


def _stage(path: Path, order: list[str], revision: str) -> SqlStage:
    """The typed read of one year file, mapped to ``trade_flows`` columns.

    ``month``, ``value_local``, ``currency`` and ``estimate`` are left to the table's defaults
    (NULL, NULL, 'USD', false) so the stage does not carry ten million copies of constants.
    Unknown or missing country codes become ``?<code>`` and a missing year ``-32768``, never
    NULL, so every row reaches the checks, which reject them with their line.
    """
    columns = "{" + ", ".join(f"'{c}': '{COLUMNS[c]}'" for c in order) + "}"
    missing = "[" + ", ".join(f"'{m}'" for m in _missing_spellings(path)) + "]"
    sql = f"""
        SELECT 'reconciled' AS basis, 'A' AS freq, coalesce(t, {_NO_YEAR}) AS year,
               {_iso3('i')} AS reporter, {_iso3('j')} AS partner, 'X' AS flow,
               ?::VARCHAR AS classification,
               CASE WHEN k BETWEEN 0 AND 999999 THEN lpad(k::VARCHAR, 6, '0')
                    ELSE coalesce(k::VARCHAR, '') END AS product,
               v * 1000 AS value_usd, q AS quantity, 't' AS quantity_unit
        FROM read_csv(?, columns = {columns}, header = true, auto_detect = false,
                      delim = ',', quote = '"', escape = '"', nullstr = {missing},
                      store_rejects = true, rejects_table = '{_REJECTS}',
                      rejects_scan = '{_SCANS}')"""
    codes = list(baci_to_iso3())
    return SqlStage(sql, (codes, codes, revision, str(path)))


def _missing_spellings(path: Path) -> list[str]:
    """:data:`_MISSING` plus any other right-aligned ``NA`` in the first megabyte of the file."""
    with _open_bytes(path) as handle:
        head = handle.read(1 << 20)
    found = {m.decode("ascii") for m in _PADDED_NA.findall(head)}
    return list(_MISSING) + sorted(found - set(_MISSING))


def _open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped for ``.gz`` (DuckDB reads ``.csv.gz`` itself)."""
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _iso3(column: str) -> str:
    """SQL: capcoop code of a BACI code via the ``?`` list (item ``code + 1``), else ``?<code>``."""
    lookup = f"(?::VARCHAR[])[{column} + 1]"
    return (f"coalesce(CASE WHEN {column} BETWEEN 0 AND 999 THEN {lookup} END, "
            f"'?' || coalesce({column}::VARCHAR, ''))")


@lru_cache(maxsize=1)
def baci_to_iso3() -> tuple[str | None, ...]:
    """Capcoop code by BACI country code: element ``c`` is the code of BACI country ``c`` or None.

    Built from :func:`capcoop.codes.countries.countries_table`: current BACI codes first, then
    retired ones (381 Italy, 280 Germany). 490 ("Other Asia, nes") is Taiwan (``TWN``).
    """
    table = countries_table()
    lookup: list[str | None] = [None] * 1000
    for column in ("baci", "baci_other"):
        for iso3, cell in zip(table["iso3"], table[column], strict=True):
            for code in _codes(cell):
                if 0 <= code < len(lookup) and lookup[code] is None:
                    lookup[code] = iso3
    return tuple(lookup)


def _codes(cell: object) -> list[int]:
    if isinstance(cell, str):
        return [int(part) for part in cell.split()]
    return [] if pd.isna(cell) else [int(cell)]  # type: ignore[call-overload]


def _checks(year: int | None, label: str | None) -> tuple[str, ...]:
    """SQL checks over ``_stage`` (and the scan's reject log), each ``(message, line, column, value)``.

    ``label`` (a zip member's name, already matched against ``_YEAR_MEMBER``: letters, digits,
    ``_`` and ``.`` only) prefixes the messages; checks take no parameters, so it is inlined.
    """
    where = f"{label}: " if label else ""
    return (_rejects_check(where), _row_check(year, where), _duplicate_check(where))


_CAST_MESSAGES = {
    "t": "year (t) is not a whole number from 1988 to 2100",
    "i": "exporter code (i) is not a whole number",
    "j": "importer code (j) is not a whole number",
    "k": "HS6 code (k) is not a whole number",
    "v": "value (v, thousand US$) is not a number",
    "q": "quantity (q, tons) is not a number or NA",
}


def _rejects_check(where: str) -> str:
    """Cells DuckDB could not convert, and rows with too few or too many fields or bad quotes."""
    cast = " ".join(f"WHEN '{c}' THEN '{m}'" for c, m in _CAST_MESSAGES.items())
    return f"""
        SELECT '{where}' || CASE error_type
                 WHEN 'CAST' THEN CASE column_name {cast} ELSE 'not a number' END
                 WHEN 'MISSING COLUMNS' THEN 'the row has fewer fields than t,i,j,k,v,q'
                 WHEN 'TOO MANY COLUMNS' THEN 'the row has more fields than t,i,j,k,v,q'
                 WHEN 'UNQUOTED VALUE' THEN 'a quoted value is not closed properly'
                 ELSE 'unreadable row: ' || error_message END,
               line, column_name,
               CASE error_type WHEN 'CAST'
                   THEN regexp_extract(error_message, 'string "(.*)" to', 1)
                   ELSE trim(csv_line, chr(10) || chr(13)) END
        FROM {_REJECTS}
        WHERE scan_id = (SELECT max(scan_id) FROM {_SCANS})
        ORDER BY line"""


def _row_check(year: int | None, where: str) -> str:
    """One pass over the staged rows for the row-level rules; the first offending line wins."""
    name_year = f"year <> {int(year)}" if year is not None else "FALSE"
    search = "; look it up with `capcoop codes countries --search ' || {c} || '`"
    # (condition, message, column, value) -- all SQL; checked in this order
    rules = [
        (f"year = {_NO_YEAR}", "'missing year (t is empty or NA)'", "'t'", "NULL"),
        (f"year NOT BETWEEN {FIRST_YEAR} AND {LAST_YEAR}",
         f"'year outside {FIRST_YEAR}-{LAST_YEAR}'", "'t'", "year::VARCHAR"),
        (name_year, f"'year differs from the year in the file name ({year})'", "'t'",
         "year::VARCHAR"),
        ("reporter = '?'", "'missing exporter code (i is empty or NA)'", "'i'", "NULL"),
        ("reporter[1] = '?'", "'unknown BACI country code ' || reporter[2:] || ' (exporter)"
         + search.format(c="reporter[2:]") + "'", "'i'", "reporter[2:]"),
        ("partner = '?'", "'missing importer code (j is empty or NA)'", "'j'", "NULL"),
        ("partner[1] = '?'", "'unknown BACI country code ' || partner[2:] || ' (importer)"
         + search.format(c="partner[2:]") + "'", "'j'", "partner[2:]"),
        ("product = ''", "'missing HS6 code (k is empty or NA)'", "'k'", "NULL"),
        ("length(product) <> 6 OR product < '010000'",
         "'HS6 code (k) is not 6 digits with a chapter 01-99'", "'k'", "product"),
        ("value_usd IS NULL", "'missing value (v is empty or NA)'", "'v'", "NULL"),
        ("NOT isfinite(value_usd) OR value_usd < 0",
         "'value (v, thousand US$) is negative or not finite'", "'v'",
         "(value_usd / 1000)::VARCHAR"),
        ("NOT isfinite(quantity) OR quantity < 0",
         "'quantity (q, tons) is negative or not finite'", "'q'", "quantity::VARCHAR"),
    ]
    condition = " OR ".join(f"({rule})" for rule, *_ in rules)
    message, column, value = (
        "CASE " + " ".join(f"WHEN {rule[0]} THEN {rule[part]}" for rule in rules) + " END"
        for part in (1, 2, 3))
    return f"""
        SELECT '{where}' || {message}, {_LINE}, {column}, {value}
        FROM _stage WHERE {condition}"""


def _duplicate_check(where: str) -> str:
    """A (year, exporter, importer, product) that appears twice, with both lines.

    Publisher's files are sorted by exporter, importer and product, so a repeat sits next to
    its first occurrence: one sequential pass compares each row with the one before
    (``lag() OVER ()``, in file order) and proves the file has no repeat when every
    (year, exporter, importer) forms one run with increasing products. Only a file not sorted
    that way pays for the full ``GROUP BY`` over all keys. (A hash aggregate over ten million
    distinct keys costs about seven times the sequential pass.)
    """
    keys = "year, reporter, partner, product"
    message = (f"'{where}duplicate row: exporter ' || reporter || ', importer ' || partner || "
               "', product ' || product || ' in ' || year || ' repeats line ' || ")
    return f"""
        WITH seq AS (
            SELECT {keys}, {_LINE} AS line, lag(product) OVER () AS previous,
                   coalesce(year = lag(year) OVER () AND reporter = lag(reporter) OVER ()
                            AND partner = lag(partner) OVER (), FALSE) AS same_run
            FROM _stage),
        summary AS (
            SELECT min(line) FILTER (WHERE same_run AND product = previous) AS repeat_line,
                   bool_or(same_run AND product < previous) AS unsorted,
                   count(*) FILTER (WHERE NOT same_run) AS runs
            FROM seq),
        pairs AS (SELECT count(*) AS n FROM (SELECT DISTINCT year, reporter, partner FROM _stage)),
        exhaustive AS (SELECT unsorted OR runs <> n AS needed FROM summary, pairs)
        SELECT {message} (line - 1), line, 'k', product
        FROM (SELECT {keys}, {_LINE} AS line FROM _stage)
        WHERE line = (SELECT repeat_line FROM summary)
        UNION ALL
        SELECT {message} min(line), max(line), 'k', product
        FROM (SELECT {keys}, {_LINE} AS line FROM _stage
              WHERE (SELECT needed FROM exhaustive))
        GROUP BY {keys} HAVING count(*) > 1"""


def download_url(revision: str = "HS92", release: str = "V202301") -> str:
    """The publisher's URL of the zip of one HS revision and release."""
    revision = str(revision).upper()
    if revision not in HS_REVISIONS:
        raise InputError(f"unknown HS revision {revision!r}; expected one of {list(HS_REVISIONS)}")
    if not _RELEASE.match(str(release)):
        raise InputError(f"invalid BACI release {release!r}; expected 'V' and yyyymm, e.g. 'V202301'",
                         hint="see the release list on the CEPII BACI page")
    return DOWNLOAD_URL.format(revision=revision, release=release)


def fetch(revision: str = "HS92", release: str = "V202301", *,
          cache_dir: str | Path | None = None, transport: Transport | None = None,
          sha256: str | None = None, refresh: bool = False) -> Path:
    """Download the publisher's zip of one HS revision and release into the cache.

    Parameters
    ----------
    revision
        ``HS92``, ``HS96``, ``HS02``, ``HS07``, ``HS12``, ``HS17`` or ``HS22``.
    release
        The BACI version, ``V`` and yyyymm (``V202301``).
    cache_dir
        Download folder; default ``<cache_dir setting>/baci``.
    transport
        Callable ``url -> bytes`` (tests inject a fake one); default urllib.
    sha256
        Expected checksum of the zip, verified after download (a mismatch deletes the file).
    refresh
        Download again even when the file is cached.

    Returns
    -------
    Path
        ``<cache_dir>/BACI_<revision>_<release>.zip``, ready for :func:`parse`. The full HS92
        zip is about 2 GB.
    """
    url = download_url(revision, release)
    folder = Path(cache_dir) if cache_dir else Path(str(get_setting("cache_dir"))) / SOURCE.name
    return fetch_url(url, folder, transport=transport, sha256=sha256, refresh=refresh)


_COUNTRY_LAYOUTS = {
    "V2023": {"country_code": "code", "country_name_abbreviation": "name",
              "country_name_full": "name_full", "iso_2digit_alpha": "iso2",
              "iso_3digit_alpha": "iso3"},
    "V2024": {"country_code": "code", "country_name": "name", "country_iso2": "iso2",
              "country_iso3": "iso3"},
}


def parse_country_codes(path: str | Path) -> pd.DataFrame:
    """The publisher's country list (``country_codes_V202301.csv``) as a DataFrame.

    Both layouts are read: up to V202301 ``country_code, country_name_abbreviation,
    country_name_full, iso_2digit_alpha, iso_3digit_alpha``; later ``country_code, country_name,
    country_iso2, country_iso3``.

    Returns
    -------
    pandas.DataFrame
        ``code`` (int), ``name``, ``name_full`` (None in the newer layout), ``iso2``, ``iso3``;
        the publisher's ``N/A`` (490 "Other Asia, nes") becomes None. Namibia's ISO2 ``NA`` is
        kept as text.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip() for c in frame.columns]
    layout = next((cols for cols in _COUNTRY_LAYOUTS.values() if set(cols) == set(frame.columns)),
                  None)
    if layout is None:
        raise SourceFormatError(
            f"not a BACI country list: found columns {list(frame.columns)}, expected "
            f"{list(_COUNTRY_LAYOUTS['V2023'])} or {list(_COUNTRY_LAYOUTS['V2024'])}",
            file=path.name, line=1, hint="pass the country_codes_Vyyyymm.csv of a BACI release")
    frame = frame.rename(columns=layout)
    out = pd.DataFrame({"code": _integers(frame["code"], file=path.name, column="country_code"),
                        "name": frame["name"]})
    for column in ("name_full", "iso2", "iso3"):
        values = frame[column].tolist() if column in frame else [None] * len(frame)
        out[column] = pd.Series([None if v in ("", "N/A", None) else v for v in values],
                                dtype=object, index=frame.index)
    return out


def parse_product_codes(path: str | Path) -> pd.DataFrame:
    """The publisher's product list (``product_codes_HS92_V202301.csv``) as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        ``code`` as 6-character text with its leading zero (``010111``) and ``description``.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip() for c in frame.columns]
    if set(frame.columns) != {"code", "description"}:
        raise SourceFormatError(
            f"not a BACI product list: found columns {list(frame.columns)}, expected "
            "['code', 'description']", file=path.name, line=1,
            hint="pass the product_codes_HSxx_Vyyyymm.csv of a BACI release")
    codes = frame["code"].str.strip()
    bad = ~codes.str.fullmatch(r"\d{1,6}")
    if bad.any():
        first = int(bad.to_numpy().argmax())
        raise SourceFormatError("HS6 code is not 1 to 6 digits", file=path.name, line=first + 2,
                                column="code", value=codes.iloc[first])
    return pd.DataFrame({"code": codes.str.zfill(6), "description": frame["description"]})


def _integers(text: pd.Series, *, file: str, column: str) -> pd.Series:
    clean = text.str.strip()
    bad = ~clean.str.fullmatch(r"\d+")
    if bad.any():
        first = int(bad.to_numpy().argmax())
        raise SourceFormatError("not a whole number", file=file, line=first + 2, column=column,
                                value=clean.iloc[first])
    return clean.astype("int64")

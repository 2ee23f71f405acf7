"""UNDP Global Dashboard for Vaccine Equity: COVID-19 vaccine supply and coverage by country.

The dashboard (UNDP, WHO and the University of Oxford) republishes, per country, doses secured,
delivered and donated, doses administered and people vaccinated, with the population it divides
by. capcoop keeps the supply-ledger series in ``vaccine_supplies`` (country × date × indicator,
long form); every other series of the file (policy, cost, cases) is ignored.

Layouts :func:`parse` accepts
-----------------------------
latest ``Data.csv``
    One row per country (``iso3``), 52 columns, as in the publisher's repository. The file has
    no date column, so its name must carry the snapshot date (``Data_latest_2023-11-15.csv``;
    :func:`fetch` names downloads that way); rows are dated with it.
history snapshots (``Data_history_snapshots_long.csv``)
    One row per (``commit_date``, ``iso3``) from successive versions of ``Data.csv`` (19 columns).
    ``commit_date`` is the day the dashboard was refreshed, not an observation date; a row
    identical to the country's previous snapshot was dropped, so the value "as of" a day is the
    latest row on or before it.
a folder
    Holding the history file (preferred: it contains every version, the latest included) or
    else one ``Data_latest_<date>.csv``.

Indicators (:data:`INDICATORS`: name, upstream column, unit, original publisher)
---------------------------------------------------------------------------------
``doses_delivered`` (UNICEF), ``doses_donated`` (UNICEF), ``doses_secured_per100`` (IMF-WHO
Vaccine Supply Tracker; secured or expected doses per 100 people, which the dashboard calls
"% of population"), ``doses_administered``, ``people_vaccinated`` (at least one dose),
``people_fully_vaccinated`` (WHO), ``boosters`` (OWID) and ``population`` (the dashboard's
``pop_total``, UN World Population Prospects 2020, the denominator of its per-100 figures).
Absolute secured doses and coverage per 100 people are derived from these by
:mod:`capcoop.services.supplies` (see ``docs/methods/supplies.md``).

Rules
-----
* Blank cells are missing values and produce no row; values must be numbers, never negative.
* Rows without an ``iso3`` (blank or ``N/A``: Sark) are skipped. ``WBG`` (West Bank and Gaza) is
  Palestine (``PSE``). ``XAA``, ``XBA``, ``XCA`` (Bonaire, Sint Eustatius, Saba: parts of
  ``BES``) are skipped: their per-100 figures cannot be summed into BES. Any other unknown code
  rejects the file.
* Two snapshots of the same country on the same day (two refreshes on 2022-07-20) keep the later
  one in file order (file order follows the git history).
* A file supersedes the same source's rows with the same (country, date, indicator).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from capcoop.errors import SourceFormatError
from capcoop.sources._checks import (
    detect_layout,
    parse_numbers,
    read_header,
    read_text_table,
    resolve_countries,
)
from capcoop.sources.base import ParsedFile, SourceInfo, TableBatch, Transport, fetch_url

__all__ = ["SOURCE", "INDICATORS", "Indicator", "DATA_URL", "HISTORY_FILE", "parse", "fetch",
           "snapshot_date"]

SOURCE = SourceInfo(
    name="undp-vaccines",
    title="Global Dashboard for Vaccine Equity (COVID-19 vaccine supply and coverage)",
    publisher="UNDP, WHO and University of Oxford (data from UNICEF, WHO, IMF, OWID, UN DESA)",
    licence="no licence file; public, attribution to UNDP and each original source required; "
            "third-party data under its publishers' terms",
    url="https://github.com/UNDP-Data/Vaccine-Equity-Dashboard-Data",
    formats="Data.csv named Data_latest_<YYYY-MM-DD>.csv, history snapshots CSV, or a folder",
    targets=("vaccine_supplies",),
)

#: The publisher's current file (one row per country, no date column).
DATA_URL = "https://raw.githubusercontent.com/UNDP-Data/Vaccine-Equity-Dashboard-Data/main/Data.csv"
#: Name of the history file :func:`parse` looks for in a folder.
HISTORY_FILE = "Data_history_snapshots_long.csv"


@dataclass(frozen=True)
class Indicator:
    """One series of the ledger: capcoop name, upstream column, unit and original publisher."""

    name: str
    column: str
    unit: str
    publisher: str
    description: str


#: The series kept in ``vaccine_supplies``, in display order.
INDICATORS: tuple[Indicator, ...] = (
    Indicator("doses_secured_per100", "securedvaccineofpopulation", "doses per 100 people",
              "IMF-WHO COVID-19 Vaccine Supply Tracker",
              "secured and/or expected doses (bilateral deals, donations, COVAX, domestic supply)"),
    Indicator("doses_delivered", "vaccinesdelivered", "doses", "UNICEF COVID-19 Market Dashboard",
              "doses delivered to the country"),
    Indicator("doses_donated", "total_donations", "doses", "UNICEF COVID-19 Market Dashboard",
              "doses received through bilateral or multilateral donations"),
    Indicator("doses_administered", "total_vaccinations", "doses", "WHO",
              "doses administered"),
    Indicator("people_vaccinated", "persons_vaccinated_1plus_dose", "people", "WHO",
              "people with at least one dose"),
    Indicator("people_fully_vaccinated", "persons_fully_vaccinated", "people", "WHO",
              "people with a full primary course"),
    Indicator("boosters", "total_boosters", "doses", "Our World in Data",
              "booster doses administered"),
    Indicator("population", "pop_total", "people", "UN World Population Prospects 2020",
              "population the dashboard divides by"),
)

_HISTORY_COLUMNS = ("commit_date", "commit", "countryname", "iso3", "vaccinesdelivered",
                    "total_donations", "total_vaccinations", "persons_vaccinated_1plus_dose",
                    "persons_fully_vaccinated", "total_boosters", "vaccines_used",
                    "number_vaccines_types_used", "first_vaccine_date",
                    "securedvaccineofpopulation", "donationsoftotal", "deliveredpopulation",
                    "utilrate_lag", "pop_total", "population")
_LATEST_REQUIRED = ("countryname", "iso3") + tuple(i.column for i in INDICATORS)
_ALIASES = {"WBG": "PSE"}
_SKIP = frozenset({"XAA", "XBA", "XCA"})
_NO_CODE = frozenset({"", "N/A"})
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_COLUMNS = ["country", "date", "indicator", "value"]


def parse(path: str | Path) -> ParsedFile:
    """Validate a Vaccine Equity file (latest, history or a folder) into ledger rows.

    Parameters
    ----------
    path
        ``Data_latest_<YYYY-MM-DD>.csv``, ``Data_history_snapshots_long.csv`` or a folder holding
        them (see the module docstring).

    Returns
    -------
    ParsedFile
        One ``vaccine_supplies`` batch (country, date, indicator, value); parameters record
        the snapshot dates and the rows skipped.

    Raises
    ------
    SourceFormatError
        On a wrong header, a latest file whose name has no date, an unknown country code, a
        non-numeric or negative value, or a malformed ``commit_date``.
    """
    path = _resolve_folder(Path(path))
    columns = read_header(path)
    if set(columns) == set(_HISTORY_COLUMNS):
        return _parse_history(path)
    if set(_LATEST_REQUIRED) <= set(columns):
        return _parse_latest(path)
    detect_layout(columns, {"history snapshots": _HISTORY_COLUMNS}, path.name)
    raise AssertionError("unreachable")  # detect_layout raised


def fetch(*, cache_dir: str | Path | None = None, transport: Transport | None = None,
          refresh: bool = False, today: dt.date | None = None) -> Path:
    """Download the publisher's current ``Data.csv`` as ``Data_latest_<today>.csv``.

    The file has no date column, so the download date names it (the dashboard's own refresh
    date may be earlier). ``today`` replaces the clock (tests).
    """
    day = (today or dt.date.today()).isoformat()
    return fetch_url(DATA_URL, _cache_dir(cache_dir), filename=f"Data_latest_{day}.csv",
                     transport=transport, refresh=refresh)


def snapshot_date(path: str | Path) -> dt.date:
    """The date in a latest file's name (``Data_latest_2023-11-15.csv`` -> 2023-11-15)."""
    name = Path(path).name
    match = _DATE.search(name)
    if match is None:
        raise SourceFormatError("the file name carries no snapshot date", file=name,
                                hint="Data.csv has no date column: rename it with its date, "
                                     "e.g. Data_latest_2023-11-15.csv")
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise SourceFormatError("not a valid date in the file name", file=name,
                                value=match.group(1)) from None


def _resolve_folder(path: Path) -> Path:
    if not path.is_dir():
        return path
    if (path / HISTORY_FILE).is_file():
        return path / HISTORY_FILE
    latest = sorted(path.glob("Data_latest_*.csv"))
    if not latest:
        raise SourceFormatError(f"the folder has neither {HISTORY_FILE} nor Data_latest_<date>.csv",
                                file=str(path), hint="pass the file itself")
    return latest[-1]


def _parse_latest(path: Path) -> ParsedFile:
    day = snapshot_date(path)
    raw = read_text_table(path)
    raw["_date"] = day
    rows, skipped = _long_rows(raw, path.name)
    parameters = {"layout": "latest", "snapshot_dates": [day.isoformat()],
                  "skipped_rows": skipped}
    return ParsedFile(SOURCE.name, f"Data.csv as of {day.isoformat()}",
                      [TableBatch("vaccine_supplies", rows)], parameters)


def _parse_history(path: Path) -> ParsedFile:
    raw = read_text_table(path)
    text = raw["commit_date"].str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        line = int(dates.index[dates.isna().to_numpy()][0])
        raise SourceFormatError("not a date (YYYY-MM-DD)", file=path.name, line=line,
                                column="commit_date", value=text.loc[line])
    raw["_date"] = dates.dt.date
    before = len(raw)
    raw = raw[~raw.duplicated(["_date", "iso3"], keep="last")]
    rows, skipped = _long_rows(raw, path.name)
    days = sorted({d.isoformat() for d in raw["_date"]})
    parameters = {"layout": "history", "snapshots": len(days), "first": days[0], "last": days[-1],
                  "same_day_repeats_dropped": before - len(raw), "skipped_rows": skipped}
    return ParsedFile(SOURCE.name, f"history snapshots {days[0]}..{days[-1]}",
                      [TableBatch("vaccine_supplies", rows)], parameters)


def _long_rows(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, int]:
    """Melt the kept columns into (country, date, indicator, value); blanks give no row."""
    raw = raw[~raw["iso3"].str.strip().isin(_NO_CODE)]
    countries = resolve_countries(raw["iso3"], file, "iso3", skip=_SKIP, aliases=_ALIASES)
    kept = raw[countries.notna()]
    skipped = int((countries.isna()).sum())
    parts = []
    for item in INDICATORS:
        values = parse_numbers(kept, item.column, file, nonnegative=True, blank_ok=True)
        present = values.notna()
        parts.append(pd.DataFrame({"country": countries[kept.index][present],
                                   "date": kept["_date"][present], "indicator": item.name,
                                   "value": values[present]}))
    rows = pd.concat(parts, ignore_index=True)[_COLUMNS]
    rows["date"] = pd.to_datetime(rows["date"]).dt.date
    duplicated = rows.duplicated(["country", "date", "indicator"])
    if duplicated.any():
        first = rows[duplicated].iloc[0]
        raise SourceFormatError("two rows for the same country and date", file=file,
                                column="iso3", value=first["country"],
                                hint="each country may appear once per snapshot")
    return rows, skipped


def _cache_dir(cache_dir: str | Path | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    from capcoop.settings import get_setting

    return Path(str(get_setting("cache_dir"))) / "undp-vaccines"

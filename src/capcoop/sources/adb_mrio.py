"""ADB Multiregional Input-Output (MRIO) country × sector accounts (summary tables).

The files are the per country-sector aggregates that K. S. Reyes's ``mrio-processing`` derives
from the ADB MRIO tables (62 economies 2000-2022, current and constant 2010 prices; 72 economies
2017-2022), and its GVC-participation table. Money is in **US$ million**.

Layouts :func:`parse` accepts
-----------------------------
summary
    ``t,s,adb_code,iso_a3,i,i5,i15,x,zuse,va,zsales,y,dom_sales,dom_sales_interm,dom_sales_final,
    exports,exports_interm,exports_final``. The layout does not say its price basis; the file
    name does: a name containing ``const<YEAR>`` (``summary_62econ_const2010_2007_2022.csv``) holds
    constant <YEAR> prices, any other name current prices.
GVC participation
    ``t,s,adb_code,iso_a3,agg,i,Exports,va,GVC_trade_f,GVC_trade_b,GVC_trade,GVC_prod,GVCP_*``
    (current prices) at four sector levels ``agg``: 0 (the economy total), 5, 15 and 35 sectors.
upstream summary (CSV or Parquet, as :func:`fetch` downloads it)
    ``t,s,i,i5,i15,x,zuse,va,zsales,y,e,ez,ey``: economies by index ``s`` only (in the order of
    :data:`ECONOMIES`; the last index is ROW, so 63 means the 62-economy and 73 the 72-economy
    table), and ``e``/``ez``/``ey`` hold *domestic* sales despite their names (the upstream
    notebook keeps the diagonal blocks). They are read as ``dom_sales*`` and exports are
    x - e, zsales - ez, y - ey, as the shared PROVENANCE.md corrects them. For Parquet files
    ``line`` in errors is the row number.

Canonical rows (``sector_accounts``)
------------------------------------
* ``country``: ISO3 from ``iso_a3``, checked against ``adb_code`` (ADB's own codes, such as PRC
  for China and VIE for Viet Nam, see :data:`ADB_CODES`). ``ROW`` (rest of the world) is skipped:
  it is a residual whose content depends on the table edition (62 or 72 economies), so it is no
  economy and would collide between editions.
* ``sector``: ADB's codes ``c1`` ... ``c35``; at GVC aggregation levels ``c15_1`` ... ``c15_15``,
  ``c5_1`` ... ``c5_5`` and ``TOTAL``. Sector names are not in the warehouse; they ship here as
  :data:`SECTORS` and :func:`sector_names`.
* ``indicator`` (see :data:`SUMMARY_INDICATORS`, :data:`GVC_INDICATORS`): output, value_added,
  exports, domestic_sales, ... **Price basis in the name**: constant-price files add
  ``_const<YEAR>`` (``output_const2010``) so they never collide with current prices on the key
  (country, sector, year, indicator); ``unit`` is ``USD million current`` or ``USD million
  constant 2010`` (GVC shares: ``share``).
* The 62- and 72-economy current-price tables overlap in 2017-2022 with values identical (to
  rounding) for every economy they share (ROW aside), so loading both keeps one row per key (the
  later load supersedes the earlier). The GVC file's ``Exports`` and ``va`` at the 35-sector
  level repeat the summary's ``exports`` and ``value_added`` (to 1e-6) and are not loaded; at
  the aggregated levels (TOTAL, c5_*, c15_*) they are, as ``exports`` and ``value_added``.

Checks: amounts are numbers; quantities that cannot be negative (output, intermediate inputs
and sales, exports of intermediates, GVC trade) are not; sectors and their 5/15-sector groups
match :data:`SECTORS`; each row satisfies the accounting identities x = zuse + va and
x = zsales + y (to 1e-4 US$ million); no (economy, sector, year) repeats.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from capcoop.errors import SourceFormatError
from capcoop.sources._checks import (
    detect_layout,
    parse_numbers,
    parse_years,
    read_text_table,
    reject_duplicates,
    resolve_countries,
)
from capcoop.sources.base import ParsedFile, SourceInfo, TableBatch, Transport, fetch_url

__all__ = ["SOURCE", "SECTORS", "ADB_CODES", "ECONOMIES", "UPSTREAM_FILES", "SUMMARY_INDICATORS",
           "GVC_INDICATORS", "sector_names", "parse", "fetch", "REPO_URL"]

SOURCE = SourceInfo(
    name="adb-mrio",
    title="ADB MRIO country-sector accounts",
    publisher="Asian Development Bank (summaries by K. S. Reyes)",
    licence="ADB terms of use (CC BY 3.0 IGO); code MIT",
    url="https://kidb.adb.org/mrio",
    formats="summary CSV, GVC participation CSV, upstream summary Parquet",
    targets=("sector_accounts",),
)

#: Where the processed summary files were published (data removed from HEAD; see PROVENANCE).
REPO_URL = "https://raw.githubusercontent.com/ksreyes/mrio-processing/{commit}/data/{name}"
#: Upstream file -> the cache name, which states the price basis :func:`parse` reads from it.
UPSTREAM_FILES = {"summary.parquet": "summary_72econ_current.parquet",
                  "summary62.parquet": "summary_62econ_current.parquet",
                  "summary62-const.parquet": "summary_62econ_const2010.parquet"}

#: The 35 ADB MRIO sectors: (number, name, abbreviation, 15-sector group, 5-sector group).
SECTORS: tuple[tuple[int, str, str, int, int], ...] = (
    (1, "Agriculture, hunting, forestry and fishing", "AHF", 1, 1),
    (2, "Mining and quarrying", "MIN", 2, 1),
    (3, "Food, beverages and tobacco", "FBT", 3, 2),
    (4, "Textiles and textile products", "TEX", 3, 2),
    (5, "Leather, leather products and footwear", "LTH", 3, 2),
    (6, "Wood and products of wood and cork", "WDC", 3, 2),
    (7, "Pulp, paper, printing and publishing", "PPP", 3, 2),
    (8, "Coke, refined petroleum and nuclear fuel", "CRP", 4, 3),
    (9, "Chemicals and chemical products", "CCP", 4, 3),
    (10, "Rubber and plastics", "RBP", 3, 2),
    (11, "Other non-metallic mineral", "ONM", 3, 3),
    (12, "Basic metals and fabricated metal", "MFM", 4, 3),
    (13, "Machinery, not elsewhere classified", "MCH", 4, 3),
    (14, "Electrical and optical equipment", "EOE", 4, 3),
    (15, "Transport equipment", "TRE", 4, 3),
    (16, "Manufacturing, not elsewhere classified; recycling", "MFG", 3, 2),
    (17, "Electricity, gas and water supply", "UTL", 5, 2),
    (18, "Construction", "CON", 6, 2),
    (19, "Sale and repair of motor vehicles and motorcycles; retail sale of fuel", "MTV", 7, 4),
    (20, "Wholesale trade, except of motor vehicles and motorcycles", "WST", 7, 4),
    (21, "Retail trade and repair, except of motor vehicles and motorcycles", "RTR", 7, 4),
    (22, "Hotels and restaurants", "HRS", 8, 4),
    (23, "Inland transport", "ITR", 9, 4),
    (24, "Water transport", "WTR", 9, 4),
    (25, "Air transport", "ATR", 9, 4),
    (26, "Other supporting transport activities", "OTR", 9, 4),
    (27, "Post and telecommunications", "TEL", 10, 4),
    (28, "Financial intermediation", "FIN", 11, 4),
    (29, "Real estate activities", "REA", 12, 4),
    (30, "Renting of machinery & equipment and other business activities", "OBA", 12, 4),
    (31, "Public administration and defence; compulsory social security", "PAD", 13, 5),
    (32, "Education", "EDU", 14, 5),
    (33, "Health and social work", "HSW", 14, 5),
    (34, "Other community, social and personal services", "OSV", 15, 5),
    (35, "Private households with employed persons", "PHE", 15, 5),
)
_GROUPS_15 = ("Agriculture, hunting, forestry, and fishing", "Mining and quarrying",
              "Light manufacturing", "Heavy manufacturing", "Utilities", "Construction",
              "Trade services", "Hotels and restaurants", "Transport services",
              "Telecommunications", "Financial intermediation",
              "Real estate, renting, and business activities", "Public administration and defense",
              "Education, health, and social work", "Other personal services")
_GROUPS_5 = ("Primary", "Low-technology manufacturing", "Medium- to high-technology manufacturing",
             "Business services", "Personal and public services")

#: ADB economy codes that differ from ISO3 (all others are the ISO3 code itself).
ADB_CODES = {
    "SWI": "CHE", "PRC": "CHN", "GER": "DEU", "DEN": "DNK", "SPA": "ESP", "UKG": "GBR",
    "INO": "IDN", "IRE": "IRL", "NET": "NLD", "POR": "PRT", "ROM": "ROU", "TAP": "TWN",
    "BAN": "BGD", "MAL": "MYS", "PHI": "PHL", "VIE": "VNM", "MON": "MNG", "SRI": "LKA",
    "FIJ": "FJI", "BRU": "BRN", "BHU": "BTN", "CAM": "KHM", "MLD": "MDV", "NEP": "NPL",
    "SIN": "SGP", "KUW": "KWT", "UAE": "ARE",
}
_REST_OF_WORLD = "ROW"
#: ADB economy codes by MRIO index ``s`` (72-economy order; the 62-economy table is the first 62).
ECONOMIES = tuple("""
    AUS AUT BEL BGR BRA CAN SWI PRC CYP CZE GER DEN SPA EST FIN FRA UKG GRC HRV HUN INO IND IRE
    ITA JPN KOR LTU LUX LVA MEX MLT NET NOR POL POR ROM RUS SVK SVN SWE TUR TAP USA BAN MAL PHI
    THA VIE KAZ MON SRI PAK FIJ LAO BRU BHU KGZ CAM MLD NEP SIN HKG ARG COL ECU ARM GEO EGY KUW
    SAU UAE NZL""".split())

#: Summary column -> (indicator, cannot be negative).
SUMMARY_INDICATORS: dict[str, tuple[str, bool]] = {
    "x": ("output", True), "zuse": ("intermediate_inputs", True), "va": ("value_added", False),
    "zsales": ("intermediate_sales", True), "y": ("final_demand_sales", False),
    "dom_sales": ("domestic_sales", False),
    "dom_sales_interm": ("domestic_sales_intermediate", True),
    "dom_sales_final": ("domestic_sales_final", False), "exports": ("exports", True),
    "exports_interm": ("exports_intermediate", True), "exports_final": ("exports_final", False),
}
#: GVC column -> (indicator, cannot be negative, unit); shares may be blank (no exports).
GVC_INDICATORS: dict[str, tuple[str, bool, str]] = {
    "Exports": ("exports", True, "USD million current"),
    "va": ("value_added", False, "USD million current"),
    "GVC_trade_f": ("gvc_trade_forward", False, "USD million current"),
    "GVC_trade_b": ("gvc_trade_backward", True, "USD million current"),
    "GVC_trade": ("gvc_trade", True, "USD million current"),
    "GVC_prod": ("gvc_production", False, "USD million current"),
    "GVCP_trade_f": ("gvc_participation_trade_forward", False, "share"),
    "GVCP_trade_b": ("gvc_participation_trade_backward", True, "share"),
    "GVCP_trade": ("gvc_participation_trade", True, "share"),
    "GVCP_prod": ("gvc_participation_production", True, "share"),
}
_ID_COLUMNS = ("t", "s", "adb_code", "iso_a3")
_LAYOUTS = {
    "ADB MRIO summary": _ID_COLUMNS + ("i", "i5", "i15") + tuple(SUMMARY_INDICATORS),
    "ADB MRIO GVC participation": _ID_COLUMNS + ("agg", "i") + tuple(GVC_INDICATORS),
    "mrio-processing upstream summary": ("t", "s", "i", "i5", "i15", "x", "zuse", "va", "zsales",
                                         "y", "e", "ez", "ey"),
}
_TOLERANCE = 1e-4  # US$ million; the files round to 1e-6
_SECTOR_PREFIX = {0: "TOTAL", 5: "c5_", 15: "c15_", 35: "c"}
_OUTPUT_COLUMNS = ["country", "sector", "year", "indicator", "value", "unit"]


def sector_names() -> pd.DataFrame:
    """Every sector code this source writes with its name and level.

    Returns
    -------
    pandas.DataFrame
        Columns ``sector`` (``c1``..``c35``, ``c15_1``.., ``c5_1``.., ``TOTAL``), ``name``,
        ``level`` (35, 15, 5 or 0) and ``abbreviation`` (ADB's three letters, 35 level only).
    """
    rows = [(f"c{n}", name, 35, abbr) for n, name, abbr, _, _ in SECTORS]
    rows += [(f"c15_{k}", name, 15, "") for k, name in enumerate(_GROUPS_15, start=1)]
    rows += [(f"c5_{k}", name, 5, "") for k, name in enumerate(_GROUPS_5, start=1)]
    rows.append(("TOTAL", "All sectors", 0, ""))
    return pd.DataFrame(rows, columns=["sector", "name", "level", "abbreviation"])


def parse(path: str | Path) -> ParsedFile:
    """Validate an ADB MRIO summary or GVC-participation file into ``sector_accounts`` rows.

    Parameters
    ----------
    path
        A CSV in one of the layouts of the module docstring.

    Returns
    -------
    ParsedFile
        One ``sector_accounts`` batch; ``parameters`` records the price basis.

    Raises
    ------
    SourceFormatError
        On a wrong header, an ADB code that disagrees with its ISO3 code, an unknown country, a
        non-numeric or impossible value, a broken accounting identity, or a repeated row.
    """
    path = Path(path)
    raw = _read_parquet(path) if path.suffix.lower() == ".parquet" else read_text_table(path)
    layout = detect_layout(raw.columns, _LAYOUTS, path.name)
    if layout == "mrio-processing upstream summary":
        raw, layout = _from_upstream(raw, path.name), "ADB MRIO summary"
    raw = raw[raw["adb_code"].str.strip() != _REST_OF_WORLD]
    countries = _countries(raw, path.name)
    years = parse_years(raw, "t", path.name)
    if layout == "ADB MRIO summary":
        frame, basis = _summary(raw, path, countries, years)
    else:
        frame, basis = _gvc(raw, path.name, countries, years), "current"
    economies = int(countries.nunique())
    return ParsedFile(SOURCE.name, f"ADB MRIO, {economies} economies, {basis} prices",
                      [TableBatch("sector_accounts", frame.reset_index(drop=True))],
                      {"price_basis": basis, "layout": layout})


def fetch(name: str = "summary62.parquet", *,
          commit: str = "fc12ede6aa7c12104101da76d94d69c291373f18",
          cache_dir: str | Path | None = None, transport: Transport | None = None,
          refresh: bool = False) -> Path:
    """Download a summary table from the mrio-processing repository at a pinned commit.

    ADB itself publishes the MRIO only as workbooks behind https://kidb.adb.org/mrio; the
    processed summaries were removed from the repository's HEAD but stay in its history.

    Parameters
    ----------
    name
        One of :data:`UPSTREAM_FILES` (72-economy current, 62-economy current or constant 2010).
    commit
        The repository commit to read (default: "Updated to include 2022", 2023-07-26).
    cache_dir, transport, refresh
        As for :func:`capcoop.sources.base.fetch_url` (default cache: the capcoop cache folder).

    Returns
    -------
    Path
        The Parquet file, saved under a name that states its price basis, ready for
        :func:`parse` (upstream layout).
    """
    if name not in UPSTREAM_FILES:
        raise SourceFormatError(f"unknown ADB MRIO summary {name!r}; expected one of "
                                f"{sorted(UPSTREAM_FILES)}")
    url = REPO_URL.format(commit=commit, name=name)
    folder = Path(cache_dir) if cache_dir is not None else _default_cache()
    return fetch_url(url, folder, filename=UPSTREAM_FILES[name], transport=transport,
                     refresh=refresh)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise SourceFormatError(f"cannot read the file as Parquet: {exc}", file=path.name) from None
    frame = table.astype(str).replace({"nan": "", "None": ""})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame


def _from_upstream(raw: pd.DataFrame, file: str) -> pd.DataFrame:
    """The upstream layout as the summary layout: economies from ``s``, corrected sales."""
    index = _sector_numbers(raw, file, column="s", allowed=range(1, len(ECONOMIES) + 2))
    rest = int(index.max())
    if rest not in (63, len(ECONOMIES) + 1):
        raise SourceFormatError(f"the last economy index is {rest}; expected 63 (62-economy "
                                f"table + ROW) or {len(ECONOMIES) + 1}", file=file, column="s",
                                value=rest)
    adb = index.map(lambda s: _REST_OF_WORLD if s == rest else ECONOMIES[s - 1])
    out = raw.rename(columns={"e": "dom_sales", "ez": "dom_sales_interm", "ey": "dom_sales_final"})
    out.insert(2, "adb_code", adb)
    out.insert(3, "iso_a3", adb.map(lambda code: ADB_CODES.get(code, code)))
    for total, part, exports in (("x", "dom_sales", "exports"),
                                 ("zsales", "dom_sales_interm", "exports_interm"),
                                 ("y", "dom_sales_final", "exports_final")):
        difference = (parse_numbers(out, total, file) - parse_numbers(out, part, file))
        out[exports] = difference.round(6).astype(str)
    return out


def _countries(raw: pd.DataFrame, file: str) -> pd.Series:
    adb = raw["adb_code"].str.strip()
    iso = raw["iso_a3"].str.strip()
    countries = resolve_countries(iso, file, "iso_a3")
    expected = adb.map(lambda code: ADB_CODES.get(code, code))
    wrong = (expected != iso).to_numpy()
    if wrong.any():
        at = int(np.argmax(wrong))
        raise SourceFormatError(f"ADB code {adb.iloc[at]!r} is {expected.iloc[at]!r}, not "
                                f"{iso.iloc[at]!r}", file=file, line=int(raw.index[at]),
                                column="iso_a3", value=iso.iloc[at],
                                hint="adb_code and iso_a3 must name the same economy")
    return countries


def _summary(raw: pd.DataFrame, path: Path, countries: pd.Series,
             years: pd.Series) -> tuple[pd.DataFrame, str]:
    match = re.search(r"const[_-]?(\d{4})", path.stem, flags=re.IGNORECASE)
    basis = f"constant {match.group(1)}" if match else "current"
    suffix = f"_const{match.group(1)}" if match else ""
    sector = _sector_numbers(raw, path.name, column="i", allowed=range(1, 36))
    _check_groups(raw, sector, path.name)
    values = {col: parse_numbers(raw, col, path.name, nonnegative=nonneg)
              for col, (_, nonneg) in SUMMARY_INDICATORS.items()}
    _check_identity(values["x"], values["zuse"] + values["va"], "x = zuse + va", path.name)
    _check_identity(values["x"], values["zsales"] + values["y"], "x = zsales + y", path.name)
    wide = pd.DataFrame({"country": countries, "sector": "c" + sector.astype(str),
                         "year": years}, index=raw.index)
    reject_duplicates(wide, ["country", "sector", "year"], path.name)
    frames = [wide.assign(indicator=name + suffix, value=values[col])
              for col, (name, _) in SUMMARY_INDICATORS.items()]
    long = pd.concat(frames)
    long["unit"] = f"USD million {basis}"
    return long[_OUTPUT_COLUMNS], basis


def _gvc(raw: pd.DataFrame, file: str, countries: pd.Series, years: pd.Series) -> pd.DataFrame:
    level = _sector_numbers(raw, file, column="agg", allowed=_SECTOR_PREFIX)
    number = _sector_numbers(raw, file, column="i", allowed=range(0, 36))
    wrong = ((level == 0) & (number != 0)) | ((level > 0) & ((number < 1) | (number > level)))
    if wrong.any():
        at = int(np.argmax(wrong.to_numpy()))
        raise SourceFormatError(f"no sector {number.iloc[at]} at aggregation level "
                                f"{level.iloc[at]}", file=file, line=int(raw.index[at]),
                                column="i", value=raw["i"].iloc[at],
                                hint="agg 0 has i = 0; agg 5, 15, 35 have i from 1 to agg")
    sector = level.map(_SECTOR_PREFIX) + number.astype(str).where(level > 0, "")
    wide = pd.DataFrame({"country": countries, "sector": sector, "year": years}, index=raw.index)
    reject_duplicates(wide, ["country", "sector", "year"], file)
    frames = []
    for col, (name, nonneg, unit) in GVC_INDICATORS.items():
        values = parse_numbers(raw, col, file, nonnegative=nonneg, blank_ok=unit == "share")
        keep = values.notna() & ((level != 35) | (col not in {"Exports", "va"}))
        frames.append(wide[keep].assign(indicator=name, value=values[keep], unit=unit))
    return pd.concat(frames)[_OUTPUT_COLUMNS]


def _sector_numbers(raw: pd.DataFrame, file: str, *, column: str,
                    allowed: range | dict[int, str]) -> pd.Series:
    text = raw[column].str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (numbers.isna() | ~numbers.isin(list(allowed))).to_numpy()
    if bad.any():
        at = int(np.argmax(bad))
        raise SourceFormatError(f"not a sector code of ADB MRIO (expected one of "
                                f"{sorted(allowed)[0]}..{sorted(allowed)[-1]})", file=file,
                                line=int(raw.index[at]), column=column, value=text.iloc[at])
    return numbers.astype(int)


def _check_groups(raw: pd.DataFrame, sector: pd.Series, file: str) -> None:
    for column, position in (("i15", 3), ("i5", 4)):
        expected = sector.map({s[0]: str(s[position]) for s in SECTORS})
        wrong = (raw[column].str.strip() != expected).to_numpy()
        if wrong.any():
            at = int(np.argmax(wrong))
            raise SourceFormatError(f"sector c{sector.iloc[at]} belongs to group "
                                    f"{expected.iloc[at]} of {column}", file=file,
                                    line=int(raw.index[at]), column=column,
                                    value=raw[column].iloc[at])


def _check_identity(left: pd.Series, right: pd.Series, identity: str, file: str) -> None:
    broken = ((left - right).abs() > _TOLERANCE + 1e-9 * left.abs()).to_numpy()
    if broken.any():
        at = int(np.argmax(broken))
        raise SourceFormatError(f"the row breaks the accounting identity {identity} "
                                f"({left.iloc[at]:.6f} vs {right.iloc[at]:.6f})", file=file,
                                line=int(left.index[at]), column=identity.split()[0],
                                value=float(left.iloc[at]),
                                hint="a value was altered; use the file as published")


def _default_cache() -> Path:
    from capcoop.settings import get_setting

    return Path(str(get_setting("cache_dir"))) / "adb-mrio"

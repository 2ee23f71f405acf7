"""Country × product export matrices (exports to the world, US$) for RCA and complexity.

Layouts :func:`parse` detects from the header
---------------------------------------------
Atlas (``HS92``)
    ``country_code,country_name,hs92_code,product_name,export_value_usd,country_label,
    product_label`` -- the Harvard Growth Lab's Atlas HS 1992 4-digit matrix as shipped by the R
    package sccar (non-zero cells only, whole US$). Its column for HS 5209 and 5211 is one
    (the Atlas gives both the same name); it keeps the product code ``5209+5211``.
Open Trade Statistics (``HS07``)
    ``reporter_iso,product_code,export_value_usd`` -- the R package economiccomplexity's
    ``world_trade_2017`` (HS 2007 4-digit, lower-case ISO3). Blank values (R ``NA``, no recorded
    exports) have no row.
WTO manufactures (``WTO_MANUF``)
    The WTO Data export of indicator ``ITS_MTV_AX`` (merchandise exports by product group, partner
    World, SITC Rev.3 aggregates, million US$; 24 columns starting ``Indicator Category``; may be
    gzip-compressed). ``product`` is one of the 13 manufactures groups of :data:`WTO_GROUPS`;
    values are converted to US$ (x 1e6). Value flags (E estimate, B break) are not kept.
generic
    ``classification,year,country,product,export_usd`` -- any matrix in these canonical terms;
    ``classification`` is one of :data:`CLASSIFICATIONS`; ``country`` may be any code or name
    :func:`~capcoop.codes.countries.country` resolves (ISO3, ISO2, M49, "Viet Nam").

The Atlas and OTS files carry no year column: the year is the one four-digit year in the file
name (``atlas_exports_2016_country_hs4.csv``); a name without exactly one year is rejected.

Licences differ by file (see the shared PROVENANCE.md): the Atlas data is to be cited as The
Growth Lab at Harvard University, International Trade Data (HS, 92), doi:10.7910/DVN/T4CHWJ, with
no open licence stated; Open Trade Statistics is CC BY-NC 4.0 over UN Comtrade's non-commercial
terms; WTO data may be reused with attribution to the WTO.

Checks: header exactly one layout; countries resolve through
:func:`capcoop.codes.countries.country` (WTO: its numeric code, else its ISO3A code); HS products
are 4 digits (2 or 6 allowed in the generic layout; leading zeros lost in a spreadsheet are
caught), WTO groups are known; values are numbers and not negative; WTO rows are exports to the
World in ``USM``; no (classification, year, country, product) repeats.

WTO reporter codes the country table does not know: 201 (Czech and Slovak Federal Republic,
1990) is Czechoslovakia (``CSK``); 280 (Federal Republic of Germany) and 230 (Ethiopia incl.
Eritrea) are skipped -- the table folds them into DEU and ETH, which the file also reports for
1990, so keeping them would double the key.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from capcoop.errors import InputError, SourceFormatError
from capcoop.sources._checks import (
    detect_layout,
    parse_numbers,
    parse_years,
    read_text_table,
    reject_duplicates,
    resolve_countries,
)
from capcoop.sources.base import ParsedFile, SourceInfo, TableBatch, Transport, fetch_url

__all__ = ["SOURCE", "CLASSIFICATIONS", "WTO_GROUPS", "DATASETS", "parse", "fetch"]

SOURCE = SourceInfo(
    name="export-matrix",
    title="Country x product export matrices",
    publisher="Growth Lab (Atlas), Open Trade Statistics, WTO",
    licence="per file: Atlas cite-only; OTS CC BY-NC 4.0; WTO attribution",
    url="https://atlas.hks.harvard.edu/",
    formats="Atlas HS92, OTS HS07, WTO ITS_MTV_AX, generic CSV",
    targets=("country_product_exports",),
)

#: Classifications a matrix may use; HS revisions name their vintage (HS92 = HS 1992).
CLASSIFICATIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22", "WTO_MANUF")

#: WTO manufactures groups (SITC Rev.3 aggregates); they nest (MA > MAMT > MAMTOF > ...).
WTO_GROUPS = {
    "MA": "Manufactures", "MACH": "Chemicals", "MACHPH": "Pharmaceuticals",
    "MACL": "Clothing", "MAIS": "Iron and steel", "MAMT": "Machinery and transport equipment",
    "MAMTAU": "Automotive products", "MAMTOF": "Office and telecom equipment",
    "MAMTOTEP": "EDP and office equipment",
    "MAMTOTIC": "Integrated circuits and electronic components",
    "MAMTOTTL": "Telecommunications equipment", "MAMTTE": "Transport equipment",
    "MATE": "Textiles",
}

#: Downloadable copies: name -> (URL, file name). The Atlas and OTS matrices ship inside R
#: packages (.rda); convert them as the shared PROVENANCE.md describes.
DATASETS = {
    "wto-manufactures": (
        "https://raw.githubusercontent.com/mitsuoxv/wto-export/"
        "c1d9d0b733912083de647f0a3cbf23c67a966bed/data/WtoData_20200510015454.csv",
        "WtoData_20200510015454.csv"),
}

_WTO_COLUMNS = (
    "Indicator Category", "Indicator Code", "Indicator", "Reporting Economy Code",
    "Reporting Economy ISO3A Code", "Reporting Economy", "Partner Economy Code",
    "Partner Economy ISO3A Code", "Partner Economy", "Product/Sector Classification Code",
    "Product/Sector Classification", "Product/Sector Code", "Product/Sector", "Period Code",
    "Period", "Frequency Code", "Frequency", "Unit Code", "Unit", "Year", "Value Flag Code",
    "Value Flag", "Text Value", "Value")
_LAYOUTS = {
    "Atlas HS92": ("country_code", "country_name", "hs92_code", "product_name",
                   "export_value_usd", "country_label", "product_label"),
    "Open Trade Statistics HS07": ("reporter_iso", "product_code", "export_value_usd"),
    "WTO merchandise exports by product group": _WTO_COLUMNS,
    "generic": ("classification", "year", "country", "product", "export_usd"),
}
#: WTO rows must have these values (column -> required value, what it means).
_WTO_FIXED = {
    "Indicator Code": ("ITS_MTV_AX", "merchandise exports by product group"),
    "Partner Economy Code": ("000", "exports to the World"),
    "Product/Sector Classification Code": ("SITC3", "SITC Rev.3 aggregates"),
    "Frequency Code": ("A", "annual"),
    "Unit Code": ("USM", "million US dollars"),
}
_WTO_ALIASES = {"201": "CSK"}
_WTO_SKIPPED = frozenset({"280", "230"})
_ATLAS_COMBINED = "5209+5211"
_OUTPUT_COLUMNS = ["classification", "year", "country", "product", "export_usd"]


def parse(path: str | Path) -> ParsedFile:
    """Validate an export matrix file into ``country_product_exports`` rows.

    Parameters
    ----------
    path
        A CSV (optionally ``.gz``) in one of the layouts of the module docstring.

    Returns
    -------
    ParsedFile
        One ``country_product_exports`` batch; ``parameters`` names the layout.

    Raises
    ------
    SourceFormatError
        On a header matching no layout, an unknown country, a malformed product code, a
        non-numeric or negative value, a WTO row in other units or of another flow, or a
        repeated (classification, year, country, product).
    """
    path = Path(path)
    raw = read_text_table(path)
    layout = detect_layout(raw.columns, _LAYOUTS, path.name)
    reader = {"Atlas HS92": _atlas, "Open Trade Statistics HS07": _ots,
              "WTO merchandise exports by product group": _wto, "generic": _generic}[layout]
    frame = reader(raw, path)
    frame["year"] = frame["year"].astype("int16")
    reject_duplicates(frame, ["classification", "year", "country", "product"], path.name)
    years = sorted(frame["year"].unique().tolist())
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "empty")
    classes = ", ".join(sorted(frame["classification"].unique()))
    return ParsedFile(SOURCE.name, f"{layout}, {classes} {span}",
                      [TableBatch("country_product_exports",
                                  frame[_OUTPUT_COLUMNS].reset_index(drop=True))],
                      {"layout": layout})


def fetch(dataset: str = "wto-manufactures", *, cache_dir: str | Path | None = None,
          transport: Transport | None = None, refresh: bool = False) -> Path:
    """Download a matrix that is published as a CSV (see :data:`DATASETS`).

    Parameters
    ----------
    dataset
        ``"wto-manufactures"``: the WTO Data export (ITS_MTV_AX, 2020-05-10) kept in
        mitsuoxv/wto-export at a pinned commit.
    cache_dir, transport, refresh
        As for :func:`capcoop.sources.base.fetch_url` (default cache: the capcoop cache folder).

    Returns
    -------
    Path
        The CSV in the cache, ready for :func:`parse`.
    """
    if dataset not in DATASETS:
        raise InputError(f"unknown dataset {dataset!r}; expected one of {sorted(DATASETS)}",
                         hint="the Atlas (sccar) and OTS (economiccomplexity) matrices ship as R "
                              ".rda files: convert them to CSV and pass the CSV to parse")
    url, name = DATASETS[dataset]
    if cache_dir is None:
        from capcoop.settings import get_setting

        cache_dir = Path(str(get_setting("cache_dir"))) / "export-matrix"
    return fetch_url(url, Path(cache_dir), filename=name, transport=transport, refresh=refresh)


def _atlas(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    product = raw["hs92_code"].str.strip()
    _check_products(product, path.name, "hs92_code", "HS92", allowed=frozenset({_ATLAS_COMBINED}))
    return pd.DataFrame({
        "classification": "HS92", "year": _year_from_name(path),
        "country": resolve_countries(raw["country_code"], path.name, "country_code"),
        "product": product,
        "export_usd": parse_numbers(raw, "export_value_usd", path.name, nonnegative=True),
    }, index=raw.index)


def _ots(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    values = parse_numbers(raw, "export_value_usd", path.name, nonnegative=True, blank_ok=True)
    raw, values = raw[values.notna()], values[values.notna()]
    product = raw["product_code"].str.strip()
    _check_products(product, path.name, "product_code", "HS07")
    return pd.DataFrame({
        "classification": "HS07", "year": _year_from_name(path),
        "country": resolve_countries(raw["reporter_iso"].str.upper(), path.name, "reporter_iso"),
        "product": product, "export_usd": values,
    }, index=raw.index)


def _wto(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    for column, (required, meaning) in _WTO_FIXED.items():
        wrong = (raw[column].str.strip() != required).to_numpy()
        if wrong.any():
            at = int(np.argmax(wrong))
            raise SourceFormatError(f"expected {required!r} ({meaning})", file=path.name,
                                    line=int(raw.index[at]), column=column,
                                    value=raw[column].iloc[at],
                                    hint="export exports to the World in million US$ by "
                                         "product group (ITS_MTV_AX) from WTO Data")
    raw = raw[~raw["Reporting Economy Code"].str.strip().isin(_WTO_SKIPPED)]
    product = raw["Product/Sector Code"].str.strip()
    _check_products(product, path.name, "Product/Sector Code", "WTO_MANUF")
    millions = parse_numbers(raw, "Value", path.name, nonnegative=True)
    countries = resolve_countries(raw["Reporting Economy Code"], path.name,
                                  "Reporting Economy Code", aliases=_WTO_ALIASES,
                                  fallback=raw["Reporting Economy ISO3A Code"], pattern=r"\d{3}")
    return pd.DataFrame({
        "classification": "WTO_MANUF", "year": parse_years(raw, "Year", path.name),
        "country": countries, "product": product, "export_usd": millions * 1e6,
    }, index=raw.index)


def _generic(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    classification = raw["classification"].str.strip().str.upper()
    unknown = (~classification.isin(CLASSIFICATIONS)).to_numpy()
    if unknown.any():
        at = int(np.argmax(unknown))
        raise SourceFormatError(f"unknown classification; expected one of {list(CLASSIFICATIONS)}",
                                file=path.name, line=int(raw.index[at]), column="classification",
                                value=raw["classification"].iloc[at])
    product = raw["product"].str.strip()
    for name in classification.unique():
        rows = classification == name
        _check_products(product[rows], path.name, "product", name, generic=True)
    return pd.DataFrame({
        "classification": classification, "year": parse_years(raw, "year", path.name),
        "country": resolve_countries(raw["country"], path.name, "country", pattern=None),
        "product": product,
        "export_usd": parse_numbers(raw, "export_usd", path.name, nonnegative=True),
    }, index=raw.index)


def _check_products(product: pd.Series, file: str, column: str, classification: str, *,
                    allowed: frozenset[str] = frozenset(), generic: bool = False) -> None:
    if classification == "WTO_MANUF":
        ok = product.isin(list(WTO_GROUPS))
        expected = f"one of the WTO manufactures groups {sorted(WTO_GROUPS)}"
    else:
        pattern = r"\d{2}|\d{4}|\d{6}" if generic else r"\d{4}"
        ok = product.str.fullmatch(pattern) | product.isin(list(allowed))
        expected = ("an HS code of 2, 4 or 6 digits" if generic else "a 4-digit HS code") + \
            " written with its leading zeros (0101, not 101)"
    if not ok.all():
        at = int(np.argmax((~ok).to_numpy()))
        raise SourceFormatError(f"not a {classification} product code; expected {expected}",
                                file=file, line=int(product.index[at]), column=column,
                                value=product.iloc[at],
                                hint="read codes as text: a spreadsheet drops leading zeros")


def _year_from_name(path: Path) -> int:
    years = set(re.findall(r"(?<!\d)(19[6-9]\d|20\d\d)(?!\d)", path.name))
    if len(years) != 1:
        raise SourceFormatError("cannot tell the year of this matrix from its file name "
                                f"(found {sorted(years) or 'no year'})", file=path.name,
                                hint="this layout has no year column: name the file with its "
                                     "year, e.g. atlas_exports_2016_country_hs4.csv")
    return int(years.pop())

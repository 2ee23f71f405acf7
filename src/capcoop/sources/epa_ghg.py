"""US EPA Supply Chain Greenhouse Gas Emission Factors v1.2 by NAICS-6 (USEEIO v2.0, 2019 data).

The EPA publishes, for each of 1,016 US commodities (2017 NAICS, 6 digits; electricity,
government and households excluded), the greenhouse gases emitted along the supply chain per
US dollar spent, in 2021 US$ at purchaser prices (doi:10.23719/1528686, public domain). Two files:

all gases (``..._NAICS_CO2e_USD2021.csv``)
    one row per NAICS code, ``GHG`` = ``All GHGs``, unit ``kg CO2e/2021 USD, purchaser price``
    (AR4 100-year GWPs);
by gas (``..._NAICS_byGHG_USD2021.csv``)
    one row per NAICS code and gas (16 gases), unit ``kg/2021 USD, purchaser price``.

Both have the columns ``NAICS Code 2017, NAICS Title 2017, GHG, Unit, Supply Chain Emission
Factors without Margins, Margins of Supply Chain Emission Factors, Supply Chain Emission Factors
with Margins, Reference USEEIO Code``. *Without margins* is cradle to factory gate; *margins*
are the transport, wholesale and retail emissions between the factory and the purchaser; *with
margins* is their sum.

Canonical rows (``code_attributes``, classification ``NAICS2017``, ``code`` the 6-digit code)
-------------------------------------------------------------------------------------------
* all-gases file: ``ghg_kg_co2e_per_usd`` (with margins), ``ghg_kg_co2e_per_usd_no_margins``
  and ``ghg_kg_co2e_per_usd_margins``; unit ``kg CO2e per 2021 USD`` (purchaser price);
* by-gas file: ``ghg_kg_per_usd_<gas>``, ``..._no_margins`` and ``..._margins`` where ``<gas>``
  is the gas name in lower case with ``_`` for other characters (``carbon_dioxide``,
  ``hfcs_and_pfcs_unspecified``); unit ``kg per 2021 USD``.

Titles and USEEIO codes are not kept (``code_attributes`` holds numbers); NAICS titles ship with
the concordance data.

Checks: the header; 6-digit NAICS codes; the ``GHG`` and ``Unit`` a file must have; factors are
non-negative numbers; with margins = without + margins (to the files' rounding: 0.0015 kg for
the all-gases file's three decimals, 1.5% for the by-gas file's three significant figures); no
(code, gas) repeats.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from capcoop.errors import SourceFormatError
from capcoop.sources._checks import (
    first_line,
    parse_numbers,
    read_text_table,
    reject_duplicates,
    require_columns,
)
from capcoop.sources.base import ParsedFile, SourceInfo, TableBatch, Transport, fetch_url

__all__ = ["SOURCE", "FILES", "URL", "CLASSIFICATION", "ATTRIBUTE", "parse", "fetch",
           "gas_attribute"]

SOURCE = SourceInfo(
    name="epa-ghg",
    title="US EPA Supply Chain GHG Emission Factors v1.2 by NAICS",
    publisher="US Environmental Protection Agency, Office of Research and Development",
    licence="public domain (US government work; EPA ScienceHub licence); cite doi:10.23719/1528686",
    url="https://doi.org/10.23719/1528686",
    formats="CSV (all GHGs in CO2e, or by gas)",
    targets=("code_attributes",),
)

#: The publisher's download folder.
URL = "https://pasteur.epa.gov/uploads/10.23719/1528686/{name}"
#: Edition -> file name as published.
FILES = {"co2e": "SupplyChainGHGEmissionFactors_v1.2_NAICS_CO2e_USD2021.csv",
         "by-gas": "SupplyChainGHGEmissionFactors_v1.2_NAICS_byGHG_USD2021.csv"}
CLASSIFICATION = "NAICS2017"
#: The headline attribute: all GHGs, kg CO2e per 2021 US$ (purchaser price), with margins.
ATTRIBUTE = "ghg_kg_co2e_per_usd"

_CODE, _TITLE, _GAS, _UNIT = "NAICS Code 2017", "NAICS Title 2017", "GHG", "Unit"
_WITHOUT = "Supply Chain Emission Factors without Margins"
_MARGINS = "Margins of Supply Chain Emission Factors"
_WITH = "Supply Chain Emission Factors with Margins"
_COLUMNS = (_CODE, _TITLE, _GAS, _UNIT, _WITHOUT, _MARGINS, _WITH, "Reference USEEIO Code")
_ALL_GASES = "All GHGs"
_UNITS = {"co2e": "kg CO2e/2021 USD, purchaser price", "by-gas": "kg/2021 USD, purchaser price"}
_OUT_UNITS = {"co2e": "kg CO2e per 2021 USD", "by-gas": "kg per 2021 USD"}


def gas_attribute(gas: str) -> str:
    """The attribute name of a gas's factor with margins (``'Methane'`` -> ``ghg_kg_per_usd_methane``)."""
    return "ghg_kg_per_usd_" + re.sub(r"[^a-z0-9]+", "_", gas.strip().lower()).strip("_")


def parse(path: str | Path) -> ParsedFile:
    """Validate an EPA supply-chain factor file into ``code_attributes`` rows.

    Parameters
    ----------
    path
        The all-gases (CO2e) or the by-gas CSV, as published (layout in the module docstring).

    Returns
    -------
    ParsedFile
        One ``code_attributes`` batch, three attributes per NAICS code (and gas).

    Raises
    ------
    SourceFormatError
        On a wrong header, a code that is not 6 digits, a wrong gas or unit, a missing,
        non-numeric or negative factor, factors that do not add up, or a repeated code.
    """
    path = Path(path)
    raw = read_text_table(path)
    require_columns(raw.columns, _COLUMNS, path.name)
    codes = raw[_CODE].str.strip()
    _reject(~codes.str.fullmatch(r"\d{6}"), codes, path.name, _CODE,
            "not a 6-digit NAICS 2017 code")
    gases = raw[_GAS].str.strip()
    edition = "co2e" if (gases == _ALL_GASES).all() else "by-gas"
    if edition == "by-gas":
        _reject(gases.isin([_ALL_GASES, ""]), gases, path.name, _GAS,
                f"a by-gas file names one gas per row (not {_ALL_GASES!r} or blank)")
    units = raw[_UNIT].str.strip()
    _reject(units != _UNITS[edition], units, path.name, _UNIT,
            f"unexpected unit; expected {_UNITS[edition]!r}")
    values = {col: parse_numbers(raw, col, path.name, nonnegative=True)
              for col in (_WITHOUT, _MARGINS, _WITH)}
    total = values[_WITHOUT] + values[_MARGINS]
    tolerance = 0.0015 + 1e-9 if edition == "co2e" else 0.015 * values[_WITH] + 1e-15
    broken = (total - values[_WITH]).abs() > tolerance
    _reject(broken, raw[_WITH].str.strip(), path.name, _WITH,
            "the factor with margins is not the sum of the factor without margins and the margins")
    keys = pd.DataFrame({"code": codes, "gas": gases}, index=raw.index)
    reject_duplicates(keys, ["code", "gas"], path.name)
    stem = (pd.Series(ATTRIBUTE, index=raw.index) if edition == "co2e"
            else gases.map(gas_attribute))
    frames = [pd.DataFrame({"classification": CLASSIFICATION, "code": codes,
                            "attribute": stem + suffix, "value": values[col],
                            "unit": _OUT_UNITS[edition]})
              for col, suffix in ((_WITH, ""), (_WITHOUT, "_no_margins"),
                                  (_MARGINS, "_margins"))]
    frame = pd.concat(frames, ignore_index=True)
    release = "v1.2 (2019 GHG data, 2021 USD), " + ("all GHGs" if edition == "co2e" else "by gas")
    return ParsedFile(SOURCE.name, release, [TableBatch("code_attributes", frame)],
                      {"edition": edition, "codes": int(codes.nunique())})


def fetch(edition: str = "co2e", *, cache_dir: str | Path | None = None,
          transport: Transport | None = None, refresh: bool = False) -> Path:
    """Download the all-gases (``"co2e"``) or the by-gas (``"by-gas"``) file from the EPA.

    Parameters
    ----------
    edition
        ``"co2e"`` or ``"by-gas"``.
    cache_dir, transport, refresh
        As for :func:`capcoop.sources.base.fetch_url` (default cache: the capcoop cache folder).

    Returns
    -------
    Path
        The CSV, ready for :func:`parse`.
    """
    if edition not in FILES:
        raise SourceFormatError(f"unknown edition {edition!r}; expected one of {sorted(FILES)}")
    if cache_dir is None:
        from capcoop.settings import get_setting

        cache_dir = Path(str(get_setting("cache_dir"))) / "epa-ghg"
    return fetch_url(URL.format(name=FILES[edition]), Path(cache_dir), transport=transport,
                     refresh=refresh)


def _reject(bad: pd.Series, text: pd.Series, file: str, column: str, message: str) -> None:
    if bool(np.any(bad.to_numpy())):
        at = first_line(bad)
        raise SourceFormatError(message, file=file, line=at, column=column,
                                value=str(text.loc[at]),
                                hint="use the file as the EPA publishes it")

"""Environmental data for the opportunity engine: emission intensity of areas, host pollution.

:func:`emission_intensity` turns the US EPA supply-chain GHG factors by NAICS 2017 (source
``epa-ghg`` in ``code_attributes``) into an intensity per input-output sector (``io35``, the
ADB MRIO / WIOD sectors) or per HS heading / subheading. :func:`host_pollution` reads a host's
PM2.5 exposure and GHG emissions per capita (WDI). ``docs/io-sectors.md`` documents the method.

Aggregation
-----------
* ``hs6``: the concordance weights of :func:`capcoop.codes.naics.hs_to_naics` (an HS code linked
  to several NAICS industries splits equally) give a weighted mean of the linked industries'
  factors; industries without a factor are dropped and the weights renormalised (``coverage``
  reports the weight that had a factor).
* ``hs4``: the simple mean of its subheadings' ``hs6`` intensities.
* ``io35``: the **simple mean** of the factors of the NAICS 2017 industries the sector covers
  (:mod:`capcoop.codes.io_sectors`). An output-weighted mean would be better in principle, but
  no US output by 6-digit NAICS industry is in the warehouse or the shared data; the EPA's own
  factor for a USEEIO summary sector is an output-weighted mean, and the NAICS-level factors
  repeat the factor of their USEEIO detail commodity, so a simple mean over NAICS codes weights
  USEEIO commodities by the number of NAICS codes they span. ``median``, ``min`` and ``max``
  come with it so a reader can judge the spread.

Electricity
-----------
The EPA excludes electricity (NAICS 2211), government (c31) and households (c35). For
electricity (sector ``c17``, HS 271600 electrical energy, and any HS code linked to NAICS 2211) :data:`ELECTRICITY_FALLBACK` gives the United States' direct CO2 from
electricity and heat (CAIT, via Our World in Data) divided by the gross output of the US
electricity, gas and water sector (ADB MRIO c17) in 2016, deflated to 2021 US$ with the WDI GDP
deflator: 4.91 kg CO2 per 2021 US$. It is direct CO2 at basic prices, not a supply-chain CO2e
factor at purchaser prices, so ``method`` says so. Cross-check: US power emitted about 0.43 kg
CO2 per kWh in 2016 and sold at about 0.10 US$ per kWh, i.e. about 4 kg per US$. Sectors c31
and c35 are reported with a missing intensity and ``method`` ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capcoop.errors import InputError, WarehouseError

__all__ = ["ELECTRICITY_FALLBACK", "LEVELS", "POLLUTION_INDICATORS", "HostPollutionReport",
           "emission_intensity", "host_pollution"]

LEVELS = ("io35", "hs4", "hs6")
_ATTRIBUTE = "ghg_kg_co2e_per_usd"
_SOURCE = "epa-ghg"

#: The electricity fallback and how it is derived (tests recompute it from the shared data).
ELECTRICITY_FALLBACK: dict[str, Any] = {
    "kg_co2e_per_usd": 4.907,
    "year": 2016,
    "emissions_mt_co2": 2145.5,  # CAIT (OWID CO2_by_sector), United States, Electricity & Heat
    "output_usd_million": 389833.518147,  # ADB MRIO 62-economy summary, USA c17 output x
    "deflator_2016_to_2021": 1.12159,  # product of 1 + WDI NY.GDP.DEFL.KD.ZG/100, USA 2017-2021
    "method": "fallback: US direct CO2 of electricity & heat (CAIT 2016) / US c17 gross output "
              "(ADB MRIO 2016), deflated to 2021 USD",
}
_ELECTRICITY_NAICS = "2211"
#: HS subheadings that are electricity itself (the concordance files 271600 under Census's
#: special code 990000, so it gets no NAICS industry).
_ELECTRICITY_HS = ("271600",)

#: WDI indicators read by :func:`host_pollution`: key -> (indicator, unit).
POLLUTION_INDICATORS = {
    "pm25": ("EN.ATM.PM25.MC.M3", "micrograms per cubic metre (mean annual exposure)"),
    "co2e_per_capita": ("EN.ATM.CO2E.PC", "t CO2 per capita"),
}


def _factors(con) -> pd.DataFrame:
    frame = con.execute(
        "SELECT code AS naics, value FROM code_attributes WHERE source = ? AND "
        "classification = 'NAICS2017' AND attribute = ?", [_SOURCE, _ATTRIBUTE]).df()
    return frame


def emission_intensity(level: str = "io35", *, revision: str = "HS17",
                       warehouse: str | Path | None = None) -> pd.DataFrame:
    """Supply-chain GHG intensity (kg CO2e per 2021 US$) of IO sectors or HS products.

    Parameters
    ----------
    level
        ``'io35'`` (sectors c1..c35), ``'hs4'`` or ``'hs6'``.
    revision
        The HS revision of the product codes (``HS92`` ... ``HS22``; ``hs`` levels only).
    warehouse
        Warehouse file; ``None`` for the default resolution.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``name``, ``kg_co2e_per_usd`` (NaN when missing), ``method``, ``n_naics``
        (industries with a factor behind the value), ``coverage`` (share of the code's
        concordance weight that had a factor; 1 for io35), ``median``, ``min``, ``max`` (io35;
        NaN otherwise). ``attrs`` holds ``warehouse``, ``unit``, ``sources`` and ``notes``.

    Raises
    ------
    InputError
        For an unknown level.
    WarehouseError
        When the warehouse holds no EPA factors (hint: ingest them).
    """
    from capcoop.warehouse.connection import open_reader

    key = str(level).strip().lower()
    if key not in LEVELS:
        raise InputError(f"unknown level {level!r}", hint=f"use one of {', '.join(LEVELS)}")
    with open_reader(warehouse) as (con, location):
        factors = _factors(con)
    if factors.empty:
        raise WarehouseError(
            f"the warehouse ({location.label}) holds no EPA supply-chain GHG factors",
            hint="load them: capcoop ingest epa-ghg "
                 "SupplyChainGHGEmissionFactors_v1.2_NAICS_CO2e_USD2021.csv --warehouse PATH")
    table = _io35(factors) if key == "io35" else _hs(factors, key, revision)
    table.attrs = {
        "warehouse": location.label, "level": key, "unit": "kg CO2e per 2021 USD (purchaser "
        "price, supply chain with margins)",
        "sources": ["US EPA Supply Chain GHG Emission Factors v1.2 (doi:10.23719/1528686)",
                    "HS-NAICS: Pierce & Schott (2018) via the R package concordance"
                    if key != "io35" else "capcoop io_sectors NAICS prefixes"],
        "notes": ["US intensities (US technology and electricity mix): use them to rank areas, "
                  "not as a host's absolute emissions",
                  "electricity: " + ELECTRICITY_FALLBACK["method"]],
    }
    return table


def _io35(factors: pd.DataFrame) -> pd.DataFrame:
    from capcoop.codes.io_sectors import io_sector_of_naics, io_sectors

    sectors = io_sectors()
    factors = factors.assign(sector=io_sector_of_naics(factors.naics).to_numpy())
    stats = factors.groupby("sector").value.agg(["mean", "median", "min", "max", "count"])
    out = sectors[["code", "name_en"]].rename(columns={"name_en": "name"})
    out = out.merge(stats, left_on="code", right_index=True, how="left")
    out["method"] = np.where(out["count"].fillna(0) > 0, "simple mean of NAICS factors",
                             "missing")
    electricity = out.code == "c17"
    out.loc[electricity, ["mean", "median", "min", "max"]] = ELECTRICITY_FALLBACK[
        "kg_co2e_per_usd"]
    out.loc[electricity, "method"] = ELECTRICITY_FALLBACK["method"]
    out.loc[electricity, "count"] = 0
    out = out.rename(columns={"mean": "kg_co2e_per_usd", "count": "n_naics"})
    out["n_naics"] = out.n_naics.fillna(0).astype(int)
    out["coverage"] = np.where(out.method == "missing", 0.0, 1.0)
    return out[["code", "name", "kg_co2e_per_usd", "method", "n_naics", "coverage", "median",
                "min", "max"]].reset_index(drop=True)


def _hs(factors: pd.DataFrame, level: str, revision: str) -> pd.DataFrame:
    from capcoop.codes.naics import hs_to_naics
    from capcoop.codes.products import hs_table

    table = hs_table(revision)
    six = table[table.code.str.len() == 6]
    links = hs_to_naics(six.code.tolist(), revision)
    value = dict(zip(factors.naics, factors.value, strict=True))
    links["factor"] = links.naics.map(value)
    is_power = ((links.naics.fillna("").str.startswith(_ELECTRICITY_NAICS)
                 | links.code.isin(_ELECTRICITY_HS)) & links.factor.isna())
    links.loc[is_power, "factor"] = ELECTRICITY_FALLBACK["kg_co2e_per_usd"]
    known = links[links.factor.notna()]
    weighted = (known.factor * known.weight).groupby(known.code).sum()
    weight = known.weight.groupby(known.code).sum()
    per = pd.DataFrame({"code": six.code.to_numpy()}).set_index("code")
    per["kg_co2e_per_usd"] = weighted / weight
    per["coverage"] = weight.reindex(per.index).fillna(0.0).clip(upper=1.0)
    per["n_naics"] = known.groupby("code").naics.nunique().reindex(per.index).fillna(0)
    power = links[is_power].code.unique()
    per["method"] = np.where(per.kg_co2e_per_usd.isna(), "missing",
                             "concordance-weighted mean of NAICS factors")
    per.loc[per.index.isin(power), "method"] = ELECTRICITY_FALLBACK["method"]
    per = per.reset_index()
    if level == "hs4":
        per["heading"] = per.code.str[:4]
        grouped = per.groupby("heading")
        per = pd.DataFrame({
            "kg_co2e_per_usd": grouped.kg_co2e_per_usd.mean(),
            "coverage": grouped.coverage.mean(),
            "n_naics": grouped.n_naics.sum(),
            "method": np.where(grouped.kg_co2e_per_usd.count() > 0,
                               "simple mean of subheading intensities", "missing"),
        }).rename_axis("code").reset_index()
    names = dict(zip(table.code, table.description, strict=True))
    per["name"] = per.code.map(names)
    per["n_naics"] = per.n_naics.astype(int)
    for column in ("median", "min", "max"):
        per[column] = np.nan
    return per[["code", "name", "kg_co2e_per_usd", "method", "n_naics", "coverage", "median",
                "min", "max"]].reset_index(drop=True)


@dataclass(frozen=True)
class HostPollutionReport:
    """A host's pollution burden: PM2.5 exposure and GHG per capita, latest year <= ``year``.

    ``values`` maps each key of :data:`POLLUTION_INDICATORS` to ``{"indicator", "value",
    "year", "unit"}`` (``value`` and ``year`` None when the warehouse has no data).
    """

    country: str
    year: int | None
    values: dict[str, dict[str, Any]]
    warehouse: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def records(self) -> list[dict[str, Any]]:
        """One row per indicator: country, key, indicator, value, year, unit."""
        return [{"country": self.country, "key": key, **entry}
                for key, entry in self.values.items()]

    def meta(self) -> dict[str, Any]:
        """Warehouse label, parameters, sources and notes."""
        return {"warehouse": self.warehouse,
                "parameters": {"country": self.country, "year": self.year},
                "sources": ["World Bank WDI (source wdi)"], "notes": list(self.notes)}

    def value(self, key: str) -> float | None:
        """The value of ``key`` (``'pm25'`` or ``'co2e_per_capita'``), None when missing."""
        return self.values[key]["value"]


def host_pollution(country: str, year: int | None = None, *,
                   warehouse: str | Path | None = None) -> HostPollutionReport:
    """PM2.5 exposure and CO2e per capita of ``country`` in ``year`` (or the latest before).

    Parameters
    ----------
    country
        Any spelling :func:`capcoop.codes.countries.country` resolves.
    year
        The reference year; the latest value at or before it is used (``None``: the latest).
    warehouse
        Warehouse file; ``None`` for the default resolution.

    Returns
    -------
    HostPollutionReport
        Values with the year they come from; missing values are None and named in ``notes``.
    """
    from capcoop.codes.countries import country as resolve
    from capcoop.warehouse.connection import open_reader

    iso3 = resolve(country).iso3
    if year is not None and not 1900 <= int(year) <= 2100:
        raise InputError(f"year {year!r} is out of range", hint="give a year such as 2020")
    values: dict[str, dict[str, Any]] = {}
    notes = []
    with open_reader(warehouse) as (con, location):
        for key, (indicator, unit) in POLLUTION_INDICATORS.items():
            row = con.execute(
                "SELECT value, year FROM country_indicators WHERE country = ? AND "
                "upper(indicator) = ? AND (? IS NULL OR year <= ?) ORDER BY year DESC LIMIT 1",
                [iso3, indicator, year, year]).fetchone()
            values[key] = {"indicator": indicator, "value": float(row[0]) if row else None,
                           "year": int(row[1]) if row else None, "unit": unit}
            if row is None:
                notes.append(f"no {indicator} for {iso3} in the warehouse"
                             + (f" at or before {year}" if year is not None else "")
                             + "; load WDI (capcoop ingest wdi ...)")
            elif year is not None and int(row[1]) < int(year):
                notes.append(f"{indicator}: latest value is for {int(row[1])}, not {year}")
    return HostPollutionReport(iso3, None if year is None else int(year), values,
                               location.label, tuple(notes))

"""Emission intensity by IO sector / HS product and host pollution, on synthetic and real data."""

import math

import pandas as pd
import pytest

from capcoop.errors import InputError, UnknownCountryError, WarehouseError
from capcoop.services.environment import (
    ELECTRICITY_FALLBACK,
    emission_intensity,
    host_pollution,
)
from capcoop.services.ingest import ingest_files
from capcoop.warehouse.connection import open_writer
from shared_data import shared_data

EPA = ("reference", "sector-emission-factors",
       "SupplyChainGHGEmissionFactors_v1.2_NAICS_CO2e_USD2021.csv")


def _factors(db, values):
    """A warehouse with the given NAICS factors (as source epa-ghg)."""
    with open_writer(db) as (con, _):
        if values:
            con.executemany("INSERT INTO code_attributes VALUES ('epa-ghg', 'NAICS2017', ?, "
                            "'ghg_kg_co2e_per_usd', ?, 'kg CO2e per 2021 USD', 1)",
                            list(values.items()))
    return db


def test_io35_is_the_simple_mean_of_the_sectors_naics_factors(tmp_path):
    db = _factors(tmp_path / "w.duckdb", {"327310": 3.0, "327320": 1.0, "331110": 0.5,
                                          "221210": 0.7, "111110": 2.0})
    table = emission_intensity("io35", warehouse=db).set_index("code")
    assert table.loc["c11", "kg_co2e_per_usd"] == pytest.approx(2.0)
    assert table.loc["c11", "n_naics"] == 2
    assert (table.loc["c11", "min"], table.loc["c11", "max"]) == (1.0, 3.0)
    assert table.loc["c12", "kg_co2e_per_usd"] == 0.5
    assert table.loc["c17", "kg_co2e_per_usd"] == ELECTRICITY_FALLBACK["kg_co2e_per_usd"]
    assert table.loc["c17", "method"].startswith("fallback")
    assert math.isnan(table.loc["c13", "kg_co2e_per_usd"])
    assert table.loc["c13", "method"] == "missing" and table.loc["c13", "coverage"] == 0
    assert len(table) == 35


def test_hs6_weights_the_linked_industries_and_renormalises(tmp_path):
    db = _factors(tmp_path / "w.duckdb", {"327310": 3.0, "331110": 0.5})
    table = emission_intensity("hs6", warehouse=db).set_index("code")
    assert table.loc["252329", "kg_co2e_per_usd"] == 3.0  # portland cement
    assert table.loc["720810", "kg_co2e_per_usd"] == 0.5
    assert table.loc["271600", "kg_co2e_per_usd"] == ELECTRICITY_FALLBACK["kg_co2e_per_usd"]
    assert table.loc["010121", "method"] == "missing"
    hs4 = emission_intensity("hs4", warehouse=db).set_index("code")
    assert hs4.loc["2523", "kg_co2e_per_usd"] == pytest.approx(
        table.loc[table.index.str.startswith("2523"), "kg_co2e_per_usd"].mean())


def test_bad_level_and_empty_warehouse_are_explained(tmp_path):
    db = _factors(tmp_path / "w.duckdb", {})
    with pytest.raises(InputError, match="unknown level 'sector'"):
        emission_intensity("sector", warehouse=db)
    with pytest.raises(WarehouseError, match="no EPA supply-chain GHG factors.*ingest epa-ghg"):
        emission_intensity("io35", warehouse=db)


def test_host_pollution_takes_the_latest_value_not_after_the_year(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db) as (con, _):
        con.executemany("INSERT INTO country_indicators VALUES ('wdi', ?, ?, ?, ?, 1)", [
            ("VNM", "EN.ATM.PM25.MC.M3", 2019, 27.0), ("VNM", "EN.ATM.PM25.MC.M3", 2021, 24.0),
            ("VNM", "EN.ATM.CO2E.PC", 2014, 1.8)])
    report = host_pollution("Viet Nam", 2020, warehouse=db)
    assert report.value("pm25") == 27.0 and report.values["pm25"]["year"] == 2019
    assert report.value("co2e_per_capita") == 1.8
    assert host_pollution("越南", warehouse=db).value("pm25") == 24.0
    assert report.meta()["warehouse"] == str(db)
    assert [r["key"] for r in report.records()] == ["pm25", "co2e_per_capita"]
    empty = host_pollution("LAO", 2020, warehouse=db)
    assert empty.value("pm25") is None and "no EN.ATM.PM25.MC.M3 for LAO" in empty.notes[0]
    with pytest.raises(UnknownCountryError):
        host_pollution("Atlantis", warehouse=db)


# --- real data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    db = tmp_path_factory.mktemp("env") / "w.duckdb"
    ingest_files("epa-ghg", [shared_data(*EPA)], warehouse=db)
    return db


@pytest.mark.shared_data
def test_real_sector_ranking_puts_heavy_industry_above_ict(real):
    table = emission_intensity("io35", warehouse=real).set_index("code").kg_co2e_per_usd
    # cement/minerals, metals, chemicals emit more per dollar than electronics and services
    assert table["c11"] > table["c14"] and table["c9"] > table["c14"]
    assert table["c12"] > table["c13"] > table["c28"]
    assert table["c17"] == max(table.dropna())  # electricity is the most intensive
    assert table[["c31", "c35"]].isna().all()
    # the mean of steel/fabricated-metal NAICS factors, computed by hand from the file
    epa = pd.read_csv(shared_data(*EPA), dtype={"NAICS Code 2017": str})
    metals = epa[epa["NAICS Code 2017"].str[:3].isin(["331", "332"])]
    assert table["c12"] == pytest.approx(metals["Supply Chain Emission Factors with Margins"]
                                         .mean())


@pytest.mark.shared_data
def test_real_hs6_coverage_and_known_values(real):
    table = emission_intensity("hs6", warehouse=real).set_index("code")
    assert table.loc["252329", "kg_co2e_per_usd"] == 3.858  # PROVENANCE: cement 327310
    assert table.loc["854140", "kg_co2e_per_usd"] == 0.269  # semiconductors 334413
    assert (table.method != "missing").mean() > 0.98


@pytest.mark.shared_data
def test_electricity_fallback_is_recomputed_from_the_shared_data():
    cait = pd.read_csv(shared_data("reference", "co2-country", "owid-cait_CO2_by_sector.csv"))
    year = ELECTRICITY_FALLBACK["year"]
    emissions = cait[(cait.Country == "United States") & (cait.Year == year)][
        "Electricity & Heat"].item()
    adb = pd.read_csv(shared_data("io", "adb_mrio_summary_ksreyes",
                                  "summary_62econ_current_2000_2022.csv"))
    output = adb[(adb.iso_a3 == "USA") & (adb.i == 17) & (adb.t == year)].x.item()
    deflator = pd.read_csv(shared_data("reference", "wdi", "indicators", "ny.gdp.defl.kd.zg.csv"))
    growth = deflator[(deflator["Country Code"] == "USA") & deflator.Year.between(year + 1, 2021)]
    factor = (1 + growth.Value / 100).prod()
    assert emissions == ELECTRICITY_FALLBACK["emissions_mt_co2"]
    assert output == pytest.approx(ELECTRICITY_FALLBACK["output_usd_million"])
    assert factor == pytest.approx(ELECTRICITY_FALLBACK["deflator_2016_to_2021"], abs=1e-5)
    value = emissions * 1e9 / (output * 1e6) / factor
    assert value == pytest.approx(ELECTRICITY_FALLBACK["kg_co2e_per_usd"], abs=5e-4)

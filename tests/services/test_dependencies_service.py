"""Dependency screens and disruption scenarios on generated warehouses and real Comtrade data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from capcoop.errors import InputError, UnknownCountryError, UnknownProductError
from capcoop.services.dependencies import (
    PRODUCT_DETAIL_HINT,
    dependency_screen,
    disruption_scenario,
    parse_cut,
    product_groups,
)
from capcoop.warehouse.connection import open_writer
from shared_data import shared_data

# exporter -> importer -> value (US$ m) of 300490 (medicaments) and 401519 (gloves), 2021
MEDICAMENTS = {"CHN": {"VNM": 60, "THA": 30, "USA": 500}, "DEU": {"VNM": 30, "USA": 400, "THA": 20},
               "IND": {"VNM": 10, "USA": 300}, "THA": {"VNM": 5}, "VNM": {"THA": 2, "USA": 1}}
GLOVES = {"MYS": {"VNM": 40, "USA": 900, "CHN": 50}, "CHN": {"VNM": 10, "USA": 100},
          "THA": {"USA": 200}}
STEEL = {"CHN": {"VNM": 500}}


def _rows(table: dict, product: str, year: int = 2021) -> list[dict]:
    return [{"source": "toy", "basis": "reconciled", "freq": "A", "year": year,
             "reporter": e, "partner": i, "flow": "X", "classification": "HS17",
             "product": product, "value_usd": v * 1e6, "load_id": 1}
            for e, dest in table.items() for i, v in dest.items()]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    rows = _rows(MEDICAMENTS, "300490") + _rows(GLOVES, "401519") + _rows(STEEL, "720839")
    frame = pd.DataFrame(rows)
    path = tmp_path_factory.mktemp("dep") / "toy.duckdb"
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
    return path


def test_screen_by_product_matches_hand_figures(warehouse):
    report = dependency_screen("VNM", products="medical", warehouse=warehouse)
    rows = {r["product"]: r for r in report.records()}
    assert set(rows) == {"300490", "401519"}
    med = rows["300490"]
    # VNM imports 60 + 30 + 10 + 5 = 105 from CHN, DEU, IND, THA
    assert med["imports_usd"] == pytest.approx(105e6)
    assert med["hhi"] == pytest.approx((60**2 + 30**2 + 10**2 + 5**2) / 105**2)
    assert med["top_supplier"] == "CHN" and med["top_share"] == pytest.approx(60 / 105)
    world = sum(sum(d.values()) for d in MEDICAMENTS.values())
    assert med["world_imports_usd"] == pytest.approx(world * 1e6)
    assert med["top_supplier_world_exports_usd"] == pytest.approx(590e6)
    # alternatives exclude CHN and VNM itself: DEU 450 + IND 310 + THA 5
    assert med["substitutability"] == pytest.approx(765 / 60)
    assert med["own_exports_usd"] == pytest.approx(3e6)
    assert med["import_export_ratio"] == pytest.approx(35.0)
    gloves = rows["401519"]
    assert gloves["top_supplier"] == "MYS" and gloves["eu_dependent"]  # HHI 0.68, no exports
    assert report.meta()["level"] == "product" and report.meta()["warehouse"] == str(warehouse)


def test_screen_by_group_and_year(warehouse):
    report = dependency_screen("VNM", products=["vaccines", "protective_equipment", "3004"],
                               by="group", year=2021, warehouse=warehouse)
    rows = {r["product"]: r for r in report.records()}
    assert set(rows) == {"protective_equipment", "3004"}  # no vaccines traded
    assert rows["protective_equipment"]["description"].startswith("Personal protective")
    with pytest.raises(InputError, match="2019"):
        dependency_screen("VNM", year=2019, warehouse=warehouse)


def test_bloc_intra_trade_is_explicit(warehouse):
    out = dependency_screen("ASEAN", products="300490", year=2021, warehouse=warehouse)
    row = out.records()[0]
    # members' imports: VNM 105 (5 from THA, intra) + THA 52 (2 from VNM, intra)
    assert row["imports_usd"] == pytest.approx(150e6)
    assert row["extra_bloc_share"] == pytest.approx(150 / 157)
    assert row["top_supplier"] == "CHN" and row["own_exports_usd"] == pytest.approx(1e6)
    both = dependency_screen("ASEAN", products="300490", intra="include", warehouse=warehouse)
    assert both.records()[0]["imports_usd"] == pytest.approx(157e6)
    assert any("intra-bloc trade is excluded" in n for n in out.meta()["notes"])


def test_disruption_ranks_importers(warehouse):
    report = disruption_scenario("CHN", "medical", "50%", spare_share=0.2, warehouse=warehouse)
    rows = {r["importer"]: r for r in report.records()}
    assert set(rows) == {"VNM", "THA", "USA"}
    for r in rows.values():
        assert r["net_shortfall_usd"] <= r["direct_loss_usd"] + 1e-6
        assert r["direct_loss_usd"] == pytest.approx(0.5 * r["from_exporter_usd"])
    nets = [r["net_shortfall_usd"] for r in report.records()]
    assert nets == sorted(nets, reverse=True)
    asean = disruption_scenario("CHN", "medical", 0.5, importers="ASEAN", warehouse=warehouse)
    assert {r["importer"] for r in asean.records()} == {"VNM", "THA"}
    zero = disruption_scenario("CHN", "medical", "0%", warehouse=warehouse)
    assert zero.meta()["totals"]["net_shortfall_usd"] == 0


def test_demo_answers_for_all_goods_and_says_so():
    report = dependency_screen("VNM", products="medical", year=2020)
    assert report.meta()["warehouse"].startswith("demo")
    assert [r["product"] for r in report.records()] == ["TOTAL"]
    assert any(PRODUCT_DETAIL_HINT in n for n in report.meta()["notes"])
    row = report.records()[0]
    assert row["top_supplier"] == "CHN" and 0 < row["hhi"] < row["top_share"]
    scenario = disruption_scenario("CHN", "medical", "30%", year=2020, importers="ASEAN")
    assert scenario.meta()["level"] == "all goods" and scenario.records()


def test_bad_inputs(warehouse):
    with pytest.raises(UnknownCountryError, match="VNN"):
        dependency_screen("VNN", warehouse=warehouse)
    with pytest.raises(UnknownProductError, match="medicl"):
        dependency_screen("VNM", products="medicl", warehouse=warehouse)
    with pytest.raises(InputError, match="12345"):
        dependency_screen("VNM", products="12345", warehouse=warehouse)
    with pytest.raises(InputError, match="bloc"):
        disruption_scenario("ASEAN", "medical", "30%", warehouse=warehouse)
    with pytest.raises(InputError, match="threshold"):
        dependency_screen("VNM", thresholds={"hhi": 2}, warehouse=warehouse)
    assert parse_cut("30%") == pytest.approx(0.3) and parse_cut(0.3) == 0.3
    assert parse_cut("30") == pytest.approx(0.3)
    with pytest.raises(InputError, match="abc"):
        parse_cut("abc")


def test_product_groups_contract():
    groups = {g["code"]: g for g in product_groups()}
    assert {"medical", "vaccines", "medicaments", "protective_equipment",
            "medical_devices"} <= set(groups)
    assert groups["vaccines"]["ranges"] == ["3002-3002"]


# --- real data: importers' supplier rankings for China's top export products -----------------

REPORT = "China_2.5.1_export_partners_alternative_reverse.xlsx"


@pytest.fixture(scope="module")
def rankings(tmp_path_factory):
    path = shared_data("trade", "comtrade_china_profile_cipf", "reports", REPORT)
    from capcoop.services.ingest import ingest_files
    target = tmp_path_factory.mktemp("cipf") / "cipf.duckdb"
    ingest_files("comtrade", [path], warehouse=target)
    table = pd.read_excel(path)
    return target, table


def _published(table: pd.DataFrame, reporter: str, year: int, code: int) -> pd.DataFrame:
    """The published ranking without self-trade and aggregate partners ("Areas, nes"), which
    the screen leaves out by design."""
    from capcoop.codes.countries import country
    part = table[(table.reporterDesc == reporter) & (table.refYear == year)
                 & (table.cmdCode == code) & (table.partnerDesc != reporter)]
    kinds = part.partnerDesc.map(lambda name: country(name).kind)
    return part[kinds != "aggregate"].sort_values("cmd_partner_rank")


@pytest.mark.parametrize(("reporter", "iso3", "year", "code"), [
    ("Brazil", "BRA", 2014, 70320), ("Germany", "DEU", 2021, 300490),
    ("USA", "USA", 2019, 271019), ("Indonesia", "IDN", 2020, 270400),
    ("Mexico", "MEX", 2021, 294190), ("South Africa", "ZAF", 2020, 847130)])
def test_real_supplier_ranking(rankings, reporter, iso3, year, code):
    target, table = rankings
    published = _published(table, reporter, year, code)
    product = f"{code:06d}"
    report = dependency_screen(iso3, products=product, year=year, warehouse=target)
    row = report.records()[0]
    values = published.primaryValue.to_numpy()
    # the same concentration, top supplier and share as the published ranking
    assert row["imports_usd"] == pytest.approx(values.sum(), rel=1e-9)
    assert row["hhi"] == pytest.approx(((values / values.sum()) ** 2).sum(), rel=1e-9)
    assert row["top_supplier_usd"] == pytest.approx(values[0], rel=1e-9)
    assert row["suppliers"] == (values > 0).sum()
    share = published.cmd_partner_perc.iloc[0] * published.cmd_partner_upper_sum.iloc[0] \
        / values.sum()
    assert row["top_share"] == pytest.approx(share, rel=1e-6)


def test_real_brazil_garlic_2014(rankings):
    """Brazil's garlic imports in 2014: China 48.9%, Argentina 46.7% (published shares)."""
    target, _ = rankings
    row = dependency_screen("Brazil", products="070320", year=2014, warehouse=target).records()[0]
    assert row["top_supplier"] == "CHN" and row["top_share"] == pytest.approx(0.488717, abs=1e-6)
    assert row["second_supplier"] == "ARG" and row["second_share"] == pytest.approx(0.466687, abs=1e-6)
    assert row["hhi"] == pytest.approx(0.4577, abs=1e-3) and row["criteria"]["import_concentration"]


def test_real_disruption_of_chinese_supply(rankings):
    target, table = rankings
    report = disruption_scenario("CHN", "300490", "30%", year=2021, warehouse=target)
    rows = report.records()
    china = table[(table.refYear == 2021) & (table.cmdCode == 300490)
                  & (table.partnerDesc == "China")]
    from capcoop.codes.countries import country
    assert {r["importer"] for r in rows} == {country(n).iso3 for n in china.reporterDesc}
    for r in rows:
        assert 0 <= r["net_shortfall_usd"] <= r["direct_loss_usd"] + 1e-6
        assert r["direct_loss_usd"] == pytest.approx(0.3 * r["from_exporter_usd"])
    assert report.meta()["totals"]["from_exporter_usd"] == pytest.approx(
        china.primaryValue.sum(), rel=1e-9)

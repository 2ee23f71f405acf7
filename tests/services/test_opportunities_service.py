"""The opportunity service on the embedded demo warehouse (real ADB MRIO, WDI, income groups)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from capcoop.errors import InputError, UnknownCountryError
from capcoop.services.opportunities import (
    GroupOpportunityReport,
    OpportunityReport,
    list_scenarios,
    rank_opportunities,
)

ASEAN_IN_ADB = {"BRN", "IDN", "KHM", "LAO", "MYS", "PHL", "SGP", "THA", "VNM"}


@pytest.fixture(scope="module")
def vnm() -> OpportunityReport:
    return rank_opportunities("CHN", "VNM", level="sector", year=2022)


def test_vnm_sector_ranking_contract(vnm):
    rows = vnm.records()
    assert len(rows) == 35 and [r["rank"] for r in rows] == list(range(1, 36))
    assert {r["code"] for r in rows} == {f"c{i}" for i in range(1, 36)}
    for row in rows:
        assert set(row) >= {"rank", "code", "name", "score", "components", "tags"}
        parts = row["components"]
        assert set(parts) == {"capacity", "demand", "complementarity", "feasibility",
                              "stage_fit", "environment", "strategic"}
        assert sum(p["contribution"] for p in parts.values()) == pytest.approx(row["score"])
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    meta = vnm.meta()
    assert meta["warehouse"].startswith("demo") and meta["parameters"]["year"] == 2022
    assert meta["host_profile"]["income_group"] == "LM"
    assert meta["effective_weights"]["environment"] <= 0


def test_vnm_uses_real_figures(vnm):
    ind = vnm.ranking.indicators
    # ADB MRIO 2022: China's textiles output and Viet Nam's strong textile capabilities
    assert ind.loc["c4", "provider_rca"] > 1.0
    assert ind.loc["c4", "density"] > ind["density"].median()
    # Viet Nam's absorption of basic metals exceeds its domestic sales (imports are added)
    assert ind.loc["c12", "host_absorption"] > 17_565.79e6
    assert vnm.host_profile["ease_of_trade"] > 1.0  # China exports more to VNM than its size


def test_lao_and_sgp_get_materially_different_top_ten():
    lao = [r["code"] for r in rank_opportunities("CHN", "LAO", top=10).records()]
    sgp = [r["code"] for r in rank_opportunities("CHN", "SGP", top=10).records()]
    assert len(set(lao) & set(sgp)) <= 5, (lao, sgp)
    assert "c18" in lao[:3]  # construction: Laos's infrastructure demand
    assert "c28" in sgp[:3] or "c30" in sgp[:3]  # finance / business services for Singapore


def test_asean_ranks_every_member_and_says_myanmar_is_missing():
    report = rank_opportunities("CHN", "ASEAN", top=5)
    assert isinstance(report, GroupOpportunityReport)
    assert set(report.members) == ASEAN_IN_ADB
    assert "MMR" in report.skipped and "Myanmar" in report.skipped["MMR"]
    summary = report.summary_records()
    assert len(summary) == 35 and all(0 <= s["hosts_in_top_n"] <= 9 for s in summary)
    assert sum(s["hosts_in_top_n"] for s in summary) == 9 * 10
    assert {r["host"] for r in report.records()} == ASEAN_IN_ADB


def test_any_pair_in_the_warehouse():
    report = rank_opportunities("JPN", "IDN", year=2019)
    assert report.provider == "JPN" and len(report.records()) == 35


def test_sensitivity_and_scenarios():
    report = rank_opportunities("CHN", "VNM", sensitivity_draws=100, seed=7)
    p = [r["p_top_n"] for r in report.records()]
    assert all(0 <= x <= 1 for x in p) and sum(p) == pytest.approx(10.0)
    assert p[0] >= p[-1]
    again = rank_opportunities("CHN", "VNM", sensitivity_draws=100, seed=7)
    assert [r["p_top_n"] for r in again.records()] == p
    infra = rank_opportunities("CHN", "LAO", scenario="infrastructure-first", top=5).records()
    assert {"c18", "c12"} & {r["code"] for r in infra}
    names = {s["name"] for s in list_scenarios()}
    assert {"balanced", "infrastructure-first", "green-and-digital", "low-carbon"} <= names


def test_weight_override_changes_the_score():
    base = rank_opportunities("CHN", "VNM", top=1).records()[0]
    heavy = rank_opportunities("CHN", "VNM", weights={"stage_fit": 1.0}).records()
    row = next(r for r in heavy if r["code"] == base["code"])
    assert row["components"]["stage_fit"]["weight"] == 1.0


def test_product_level_on_the_demo():
    report = rank_opportunities("CHN", "VNM", level="product")
    rows = report.records()
    assert report.meta()["parameters"]["year"] == 2018 and len(rows) == 12  # WTO groups less MA
    assert {r["code"] for r in rows} >= {"MAIS", "MACL", "MAMTOTIC"}


def test_bad_input():
    with pytest.raises(InputError, match="unknown level 'hs'"):
        rank_opportunities(level="hs")
    with pytest.raises(InputError, match="no ADB MRIO sector accounts for year 1990"):
        rank_opportunities(year=1990)
    with pytest.raises(InputError, match="Myanmar"):
        rank_opportunities("CHN", "MMR")
    with pytest.raises(UnknownCountryError):
        rank_opportunities("CHN", "Atlantis")
    with pytest.raises(InputError, match="top must be a positive integer"):
        rank_opportunities(top=0)


@pytest.mark.shared_data
def test_product_level_on_the_atlas_hs4_matrix(tmp_path):
    """Full-world Atlas HS4 2016 matrix: every ASEAN host gets an HS4 ranking."""
    from capcoop.services.ingest import ingest_files
    from shared_data import shared_data

    path = shared_data("trade3", "atlas_hs92_hs4_2016_scca", "atlas_exports_2016_country_hs4.csv")
    warehouse = tmp_path / "atlas.duckdb"
    ingest_files("export-matrix", [path], warehouse=warehouse)
    report = rank_opportunities("CHN", "ASEAN", level="product", top=20, warehouse=warehouse)
    assert set(report.members) >= ASEAN_IN_ADB  # Myanmar too: the Atlas covers it
    lao = {r["code"] for r in report.members["LAO"].records()}
    sgp = {r["code"] for r in report.members["SGP"].records()}
    assert len(lao & sgp) <= 10
    rows = report.members["VNM"].records()
    assert all(len(r["code"]) == 4 for r in rows)
    assert sum(p["contribution"] for p in rows[0]["components"].values()) == \
        pytest.approx(rows[0]["score"])


def test_density_and_rca_agree_with_economic_complexity():
    """The SciPy-free density and RCA equal those of economic_complexity (Stata convention)."""
    from capcoop.analytics.complexity import economic_complexity
    from capcoop.services.opportunities import _complexity_parts, _sector_world
    from capcoop.warehouse.connection import open_reader

    with open_reader(None) as (con, location):
        world = _sector_world(con.cursor(), None, location.path)
    notes: list[str] = []
    density, rca = _complexity_parts(world.exports, notes)
    reference = economic_complexity(world.exports.fillna(0.0).clip(lower=0.0))
    assert not notes and density.shape == reference.density.shape
    np.testing.assert_allclose(density.loc[reference.density.index, reference.density.columns],
                               reference.density, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rca.loc[reference.rca.index, reference.rca.columns],
                               reference.rca, rtol=1e-12)


def test_world_is_reused_until_the_warehouse_changes(tmp_path):
    import shutil

    from capcoop.services import opportunities as service
    from capcoop.warehouse.connection import demo_warehouse_path

    copy = tmp_path / "w.duckdb"
    shutil.copy(demo_warehouse_path(), copy)
    first = service.rank_opportunities("CHN", "VNM", warehouse=copy)
    key = next(k for k in service._WORLDS if k[0] == str(copy))
    second = service.rank_opportunities("CHN", "LAO", warehouse=copy)
    assert next(k for k in service._WORLDS if k[0] == str(copy)) == key
    assert first.warehouse == second.warehouse == str(copy)
    os.utime(copy, ns=(1, 1))  # a new version of the file
    service.rank_opportunities("CHN", "VNM", warehouse=copy)
    assert sum(1 for k in service._WORLDS if k[0] == str(copy)) == 2

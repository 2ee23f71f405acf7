"""The input-output service: table resolution, info, multipliers against pymrio, and shocks on
the real WIOD 2011 table."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from capcoop.errors import InputError, UnknownCodeError
from capcoop.services.ingest import ingest_files
from capcoop.services.io import io_info, io_multipliers, io_shock, parse_share

WIOD_2011 = ("io2", "wiod2013_bquast", "wiod2013_wiot_2011_Z_F_GO.csv.gz")
PYMRIO = ("io", "pymrio_testmrio", "test_mrio")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from shared_data import shared_data

    path = tmp_path_factory.mktemp("io") / "w.duckdb"
    ingest_files("wiod2013", [shared_data(*WIOD_2011)], warehouse=path)
    ingest_files("pymrio-text", [shared_data(*PYMRIO)], warehouse=path)
    return path


def test_info_on_wiod(warehouse):
    report = io_info("wiod2013", warehouse=warehouse)
    meta = report.meta()
    assert meta["parameters"] == {"table": "wiod2013", "year": 2011}
    assert meta["years"] == [2011] and len(meta["regions"]) == 41 and meta["industries"] == 1435
    chn = next(r for r in report.records() if r["region"] == "CHN")
    assert chn["gross_output"] / 1e6 == pytest.approx(22.27, abs=0.005)
    assert meta["balance"]["max_abs_row_gap"] <= 0.5 * 1641
    assert meta["warehouse"] == str(warehouse) and meta["sources"][0]["source"] == "wiod2013"
    assert {s["code"] for s in meta["sectors"]} == {f"c{k}" for k in range(1, 36)}


def test_info_reads_a_path_without_the_warehouse(shared):
    report = io_info(shared(*PYMRIO), warehouse="/nonexistent/never-opened.duckdb")
    assert report.meta()["warehouse"].startswith("none (read from file")
    assert [r["region"] for r in report.records()] == [f"reg{k}" for k in range(1, 7)]


def test_multipliers_agree_with_pymrio(warehouse):
    pymrio = pytest.importorskip("pymrio")
    ref = pymrio.load_test().calc_all()
    rows = io_multipliers("pymrio-test", warehouse=warehouse).records()
    ours = np.array([r["output_multiplier"] for r in rows])
    np.testing.assert_allclose(ours, ref.L.sum(axis=0).to_numpy(), rtol=1e-10)
    air = np.array([r["emission_type1_air_multiplier"] for r in rows])
    np.testing.assert_allclose(air, ref.emissions.M.iloc[0].to_numpy(), rtol=1e-10)
    assert np.mean([r["backward_linkage"] for r in rows]) == pytest.approx(1.0)
    assert np.mean([r["forward_linkage"] for r in rows]) == pytest.approx(1.0)
    assert set(rows[0]) >= {"region", "sector", "sector_name", "output_multiplier",
                            "value_added_multiplier", "backward_linkage", "forward_linkage"}


def test_shock_on_wiod_china_electrical(warehouse):
    report = io_shock("wiod2013", year=2011, region="China", sector="electrical", cut="30%",
                      weeks=8, models=("mixed", "ghosh"), warehouse=warehouse)
    rows = report.records()
    first = rows[0]
    assert (first["region"], first["sector"], first["shocked"]) == ("CHN", "c14", True)
    assert first["static_loss_share"] == pytest.approx(0.3)
    assert first["static_loss"] == pytest.approx(0.3 * first["baseline_output"] * 8 / 52)
    groups = [r["group"] for r in report.region_records()]
    assert groups[:2] == ["China", "ASEAN"] and set(groups[2:]) == {"other"}
    others = [r["static_loss"] for r in report.region_records()[2:]]
    assert others == sorted(others, reverse=True)
    assert report.totals["static_loss"] == pytest.approx(sum(r["static_loss"] for r in rows))
    assert report.totals["static_loss"] > first["static_loss"] and report.totals["ario_loss"] is None


def test_shock_models_on_small_table(warehouse):
    report = io_shock("pymrio-test", region="reg2", sector="mining", cut=0.5, weeks=4,
                      horizon_weeks=40, warehouse=warehouse)
    row = next(r for r in report.records() if r["shocked"])
    assert row["static_loss_share"] == pytest.approx(0.5)
    assert row["ario_loss"] > 0 and report.totals["ario_loss"] > 0
    assert len(report.meta()["ario_weekly_loss"]) == 40


def test_unknown_sector_and_region_suggest(warehouse):
    with pytest.raises(UnknownCodeError) as err:
        io_shock("wiod2013", region="CHN", sector="electrial", cut=0.3, warehouse=warehouse)
    assert "c14" in err.value.suggestions
    with pytest.raises(UnknownCodeError, match="inside ROW"):
        io_shock("wiod2013", region="Viet Nam", sector="c14", cut=0.3, warehouse=warehouse)
    with pytest.raises(UnknownCodeError) as err:
        io_info("wiod2012", warehouse=warehouse)
    assert err.value.suggestions == ("wiod2013",)
    with pytest.raises(InputError, match="no year 1999"):
        io_info("wiod2013", year=1999, warehouse=warehouse)


@given(st.floats(min_value=1e-6, max_value=1.0))
def test_parse_share_accepts_both_spellings(share):
    assert parse_share(share) == pytest.approx(share)
    assert parse_share(f"{share * 100!r}%") == pytest.approx(share)


@pytest.mark.parametrize("bad", ["30", "0", "-0.1", "abc", "150%"])
def test_parse_share_rejects(bad):
    with pytest.raises(InputError, match="cut"):
        parse_share(bad)


def test_tables_are_built_once_per_warehouse_version(warehouse):
    import os

    from capcoop.services.io import load_table

    first = load_table("pymrio-test", warehouse=warehouse)
    assert load_table("pymrio-test", warehouse=warehouse) is first
    assert load_table("pymrio-test", warehouse=warehouse).name_of("region", "reg1") == \
        first.name_of("region", "reg1")
    stat = os.stat(warehouse)
    os.utime(warehouse, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    again = load_table("pymrio-test", warehouse=warehouse)
    assert again is not first
    np.testing.assert_array_equal(again.system.Z, first.system.Z)


def test_shock_notes_say_how_many_weeks_were_simulated(warehouse):
    meta = io_shock("pymrio-test", region="reg1", sector="electricity", cut="30%", weeks=4,
                    models=("ario",), horizon_weeks=400, warehouse=warehouse).meta()
    note = next(n for n in meta["notes"] if n.startswith("ario: weekly"))
    assert "weeks simulated" in note and len(meta["ario_weekly_loss"]) == 400

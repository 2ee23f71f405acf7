"""Goals: validation, storage (warehouse or user goals store for the demo), progress arithmetic."""

import datetime as dt
import math

import pytest

from capcoop.errors import InputError, UnknownCodeError, UnknownCountryError
from capcoop.services import goals as service
from capcoop.services.goals import (
    add_goal,
    goal_progress,
    list_goals,
    metrics,
    remove_goal,
    sector_group,
)
from capcoop.warehouse.connection import open_writer


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch, tmp_path):
    monkeypatch.setattr(service, "_today", lambda: dt.date(2024, 6, 1))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAPCOOP_WAREHOUSE", raising=False)
    monkeypatch.setenv("CAPCOOP_USER_WAREHOUSE", str(tmp_path / "absent.duckdb"))


@pytest.fixture
def db(tmp_path):
    """A warehouse with LAO electricity access, LAO c17 output and CHN-VNM HS trade."""
    path = tmp_path / "w.duckdb"
    with open_writer(path) as (con, _):
        con.executemany("INSERT INTO country_indicators VALUES ('wdi', 'LAO', "
                        "'EG.ELC.ACCS.ZS', ?, ?, 1)", [(2015, 80.0), (2018, 86.0), (2020, 90.0)])
        con.execute("INSERT INTO indicator_definitions VALUES ('wdi', 'EG.ELC.ACCS.ZS', "
                    "'Access to electricity (% of population)', '% of population', 1)")
        con.executemany("INSERT INTO sector_accounts VALUES ('adb-mrio', 'LAO', 'c17', ?, "
                        "'output', ?, 'USD million current', 1)", [(2018, 1000.0), (2020, 1210.0)])
        rows = []
        for year, solar, steel, toys in ((2018, 10.0, 30.0, 60.0), (2020, 25.0, 35.0, 40.0)):
            for product, value in (("854140", solar), ("720810", steel), ("950300", toys)):
                rows.append(("baci", "reconciled", "A", year, None, "CHN", "VNM", "X", "HS17",
                             product, value * 1e6))
        con.executemany("INSERT INTO trade_flows (source, basis, freq, year, month, reporter, "
                        "partner, flow, classification, product, value_usd, load_id) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", rows)
    return path


def _share_goal(**changes):
    return {"metric": "export_share", "provider": "CHN", "host": "VNM",
            "sector": "green-and-digital", "target": 30, "deadline": 2025,
            "base_year": 2018} | changes


def test_metrics_registry_documents_each_metric():
    names = [m["metric"] for m in metrics()]
    assert names == ["trade_total", "exports", "imports", "export_share", "sector_imports",
                     "sector_output", "indicator"]
    assert all(m["measured"] and m["unit"] for m in metrics())


def test_sector_groups_resolve_tags_and_codes():
    label, sectors = sector_group("green-and-digital")
    assert label == "green-and-digital"
    assert set(sectors) == {"energy_env", "renewables", "electronics_ict"}
    assert sector_group("power_grid")[1] == ("power_grid",)
    with pytest.raises(UnknownCodeError, match="unknown cooperation sector or tag 'grene'"):
        sector_group("grene-and-digital")


def test_share_goal_progress_from_product_trade(db):
    goal = add_goal(_share_goal(), warehouse=db)
    assert goal["goal_id"] == 1 and goal["target_type"] == "share" and goal["unit"] == "%"
    row = goal_progress(1, warehouse=db).records()[0]
    # green-and-digital = solar cells 854140 (renewables + electronics_ict): 10% -> 25%
    assert row["base_value"] == pytest.approx(10.0) and row["latest_value"] == pytest.approx(25.0)
    assert row["observed_growth_pct"] == pytest.approx(7.5)  # points a year
    assert row["required_growth_pct"] == pytest.approx(20 / 7)
    assert row["projected_value_deadline"] == pytest.approx(25 + 7.5 * 5)
    assert row["required_value_latest"] == pytest.approx(10 + 20 * 2 / 7)
    assert (row["status"], row["on_track"]) == ("on track", True)
    assert "baci" in row["source"]


def test_growth_goal_uses_compound_rates(db):
    add_goal({"metric": "sector_imports", "host": "VNM", "provider": "CHN", "sector": "steel",
              "target_type": "growth", "target": 10, "deadline": 2026, "base_year": 2018},
             warehouse=db)
    # VNM does not report imports here: the provider's exports stand in (mirror)
    row = goal_progress(warehouse=db).records()[0]
    observed = 100 * ((35 / 30) ** 0.5 - 1)  # 8.0% a year
    assert row["observed_growth_pct"] == pytest.approx(observed)
    assert row["target_value_deadline"] == pytest.approx(30e6 * 1.1 ** 8)
    assert row["projected_value_deadline"] == pytest.approx(35e6 * (1 + observed / 100) ** 6)
    assert row["status"] == "off track" and row["on_track"] is False
    assert "mirror" in row["source"]


def test_level_goals_on_output_and_indicator(db):
    add_goal({"metric": "sector_output", "host": "Laos", "sector": "C17", "target": 1900,
              "deadline": 2025, "base_year": 2018}, warehouse=db)
    add_goal({"metric": "indicator", "host": "老挝", "sector": "eg.elc.accs.zs", "target": 100,
              "deadline": 2030, "base_year": 2015}, warehouse=db)
    output, access = goal_progress(warehouse=db).records()
    assert output["observed_growth_pct"] == pytest.approx(10.0)  # 1000 -> 1210 in 2 years
    assert output["projected_value_deadline"] == pytest.approx(1210 * 1.1 ** 5)
    assert output["required_growth_pct"] == pytest.approx(100 * (1.9 ** (1 / 7) - 1))
    assert output["status"] == "on track"  # 1,949 projected >= 1,900
    assert access["value_unit"] == "% of population"
    assert access["observed_growth_pct"] == pytest.approx(2.0)  # points a year
    assert access["projected_value_deadline"] == 100.0  # 90 + 2 x 10, capped at 100
    assert access["status"] == "on track"
    assert "90.0% of population in 2020" in access["statement"]


def test_default_base_year_is_the_latest_and_trend_comes_from_before(db):
    goal = add_goal({"metric": "sector_output", "host": "LAO", "sector": "c17", "target": 1300,
                     "deadline": 2026}, warehouse=db)
    assert goal["base_year"] == 2020
    row = goal_progress(goal["goal_id"], warehouse=db).records()[0]
    assert row["trend_from"] == 2018 and "before the base year" in row["statement"]


@pytest.mark.parametrize(("spec", "error", "message"), [
    (_share_goal(metric="happiness"), UnknownCodeError, "unknown metric 'happiness'"),
    (_share_goal(host="Atlantis"), UnknownCountryError, "Atlantis"),
    (_share_goal(sector="rockets"), UnknownCodeError, "unknown cooperation sector or tag"),
    (_share_goal(deadline=2023), InputError, r"deadline 2023 is in the past \(today is 2024-06-01"),
    (_share_goal(target=120), InputError, r"share target 120% is impossible"),
    (_share_goal(target=-5), InputError, "impossible"),
    ({"metric": "exports", "host": "VNM", "target": -1, "deadline": 2030}, InputError,
     "level target -1 is negative"),
    ({"metric": "exports", "host": "VNM", "target": -100, "target_type": "growth",
      "deadline": 2030}, InputError, r"growth target -100% a year is impossible"),
    ({"metric": "exports", "host": "VNM", "target": 5, "target_type": "share",
      "deadline": 2030}, InputError, "takes no 'share' target"),
    ({"metric": "sector_output", "host": "LAO", "sector": "c99", "target": 5,
      "deadline": 2030}, UnknownCodeError, "unknown input-output sector 'c99'"),
    ({"metric": "indicator", "host": "LAO", "sector": "EG.ELC.ACCS.ZS", "target": 101,
      "deadline": 2030}, InputError, "is a percentage"),
    ({"metric": "indicator", "host": "LAO", "sector": "XX.NOT.REAL", "target": 1,
      "deadline": 2030}, InputError, "unknown indicator 'XX.NOT.REAL'"),
    (_share_goal(base_year=2016), InputError, r"no data for base year 2016.*2018-2020"),
    ({"metric": "sector_output", "host": "LAO", "target": 5, "deadline": 2030}, InputError,
     "needs a sector"),
])
def test_invalid_goals_are_refused_and_not_stored(db, spec, error, message):
    with pytest.raises(error, match=message):
        add_goal(spec, warehouse=db)
    assert list_goals(warehouse=db) == []


def test_goals_survive_reopening_and_can_be_removed(db):
    first = add_goal(_share_goal(), warehouse=db)
    second = add_goal(_share_goal(target=40, label="my goal"), warehouse=db)
    assert [g["goal_id"] for g in list_goals(warehouse=db)] == [1, 2]
    assert list_goals(warehouse=db)[1]["label"] == "my goal"
    assert remove_goal(first["goal_id"], warehouse=db)["goal_id"] == 1
    assert [g["goal_id"] for g in list_goals(warehouse=db)] == [second["goal_id"]]
    with pytest.raises(InputError, match=r"no goal with id 7 \(goals: 2\)"):
        remove_goal(7, warehouse=db)
    assert add_goal(_share_goal(), warehouse=db)["goal_id"] == 3  # ids are not reused


def test_demo_goals_go_to_the_user_goals_store(tmp_path):
    goal = add_goal({"metric": "indicator", "host": "LAO", "sector": "EG.ELC.ACCS.ZS",
                     "target": 100, "deadline": 2030, "base_year": 2010})
    store = tmp_path / "xdg" / "capcoop" / "goals.duckdb"
    assert store.exists() and str(store) in goal["stored_in"]
    report = goal_progress()
    assert report.meta()["warehouse"].startswith("demo")
    assert "goals store" in report.meta()["goals_store"]
    row = report.records()[0]
    assert row["base_value"] is not None and not math.isnan(row["base_value"])
    assert row["status"] in ("on track", "off track", "achieved")


def test_demo_without_product_trade_explains_what_is_missing():
    with pytest.raises(InputError, match="no product-level .HS. trade between CHN and VNM"):
        add_goal(_share_goal())


def test_trade_goal_on_the_demo_reads_the_monitor_series():
    add_goal({"metric": "trade_total", "host": "Viet Nam", "target_type": "growth",
              "target": 10, "deadline": 2030, "base_year": 2015})
    row = goal_progress().records()[0]
    assert row["base_value"] == pytest.approx(90.17e9, rel=1e-3)  # IMF DOTS CHN-VNM 2015
    assert row["latest_year"] == 2020
    cagr = 100 * ((row["latest_value"] / row["base_value"]) ** (1 / 5) - 1)
    assert row["observed_growth_pct"] == pytest.approx(cagr)
    assert row["on_track"] is True and "imf-dots" in row["source"]

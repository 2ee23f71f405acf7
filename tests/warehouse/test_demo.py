"""The embedded demo warehouse: present, read-only, labelled demo, with known real values."""

import json

import pytest

from capcoop.cli.main import run
from capcoop.errors import ReadOnlyWarehouseError
from capcoop.services.ingest import ingest_files
from capcoop.warehouse.connection import demo_warehouse_path, open_reader


@pytest.fixture
def no_user_warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("CAPCOOP_WAREHOUSE", raising=False)
    monkeypatch.setenv("CAPCOOP_USER_WAREHOUSE", str(tmp_path / "absent.duckdb"))


def test_demo_is_the_default_and_labelled(no_user_warehouse, capsys):
    assert run(["db", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["warehouse"]["kind"] == "demo" and "demo" in info["warehouse"]["label"]
    rows = {t["name"]: t["rows"] for t in info["tables"]}
    assert rows["trade_flows"] > 900_000 and rows["country_indicators"] > 400_000
    assert rows["sector_accounts"] > 400_000 and rows["ref_bloc_memberships"] > 50
    assert {load["source"] for load in info["loads"]} >= {"imf-dots", "wdi", "wb-income", "adb-mrio"}
    assert all(len(load["sha256"]) == 64 for load in info["loads"])


def test_demo_holds_known_dots_values():
    """IMF DOTS check values (shared/data PROVENANCE): China -> Viet Nam 2020 = 114,157.1 US$ mn."""
    with open_reader(demo_warehouse_path()) as (con, location):
        value = con.execute(
            "SELECT value_usd FROM trade_flows WHERE source = 'imf-dots' AND reporter = 'CHN' "
            "AND partner = 'VNM' AND flow = 'X' AND year = 2020").fetchone()[0]
        years = con.execute("SELECT min(year), max(year) FROM trade_flows "
                            "WHERE reporter = 'CHN' AND partner = 'WLD'").fetchone()
    assert location.is_demo
    assert value == pytest.approx(114_157.1e6, abs=0.05e6)  # published to 0.1 mn
    assert years == (1961, 2020)  # the DOTS copy has China-World from 1961


def test_demo_refuses_ingest(no_user_warehouse, tmp_path):
    with pytest.raises(ReadOnlyWarehouseError):
        ingest_files("wdi", [tmp_path], warehouse=demo_warehouse_path())


def test_attribution_ships_with_demo():
    text = (demo_warehouse_path().parent / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for publisher in ("International Monetary Fund", "World Bank", "Asian Development Bank",
                      "World Trade Organization"):
        assert publisher in text
    assert "CC BY 4.0" in text and "Not embedded" in text

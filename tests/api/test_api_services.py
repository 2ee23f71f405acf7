"""API routes over the opportunity, dependency, input-output, goal and supply services: same
answers as the services, errors naming the field, writes behind the token."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from capcoop.api import create_app
from capcoop.api.envelope import jsonable
from capcoop.warehouse.connection import demo_warehouse_path, open_writer

DEMO = demo_warehouse_path()


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(DEMO), raise_server_exceptions=False)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is True and set(body) == {"ok", "data", "meta"}
    assert body["meta"]["warehouse"] and body["meta"]["warehouse_kind"]
    return body


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status
    return body["error"]


# --- opportunities ---------------------------------------------------------------------------

opportunities = pytest.mark.skipif(not _has("capcoop.services.opportunities"),
                                   reason="capcoop.services.opportunities is not installed")


@opportunities
def test_opportunities_for_one_host_are_the_services_records(client):
    from capcoop.services.opportunities import rank_opportunities

    body = _ok(client.get("/api/opportunities?provider=CHN&host=VNM&top=5"))
    report = rank_opportunities("CHN", "VNM", top=5, warehouse=DEMO)
    assert body["data"] == jsonable(report.records())
    assert [r["rank"] for r in body["data"]] == [1, 2, 3, 4, 5]
    first = body["data"][0]
    assert first["score"] == pytest.approx(sum(c["contribution"]
                                               for c in first["components"].values()))
    assert body["meta"]["warehouse_kind"] == "demo" and body["meta"]["sources"]


@opportunities
def test_opportunities_for_a_bloc_host_has_summary_and_members(client):
    body = _ok(client.get("/api/opportunities?provider=CHN&host=ASEAN&top=3"))
    data = body["data"]
    assert set(data) == {"summary", "members"} and body["meta"]["group"] is True
    assert "VNM" in data["members"] and len(data["members"]["VNM"]) == 3
    assert set(body["meta"]["skipped"]) | set(data["members"]) == {
        "BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM"}


@opportunities
def test_opportunity_weights_and_errors(client):
    from capcoop.services.opportunities import list_scenarios

    scenarios = _ok(client.get("/api/opportunities/scenarios"))["data"]
    assert [s["name"] for s in scenarios] == [s["name"] for s in list_scenarios()]
    error = _error(client.get("/api/opportunities?weights=capacity=2"), 400)
    assert error["field"] == "weights" and "capacity=2" in error["message"]
    error = _error(client.get("/api/opportunities?host=Atlantis"), 404)
    assert error["field"] == "host"
    _error(client.get("/api/opportunities?level=galaxy"), 422)


# --- dependencies ---------------------------------------------------------------------------

dependencies = pytest.mark.skipif(not _has("capcoop.services.dependencies"),
                                  reason="capcoop.services.dependencies is not installed")


@dependencies
def test_dependency_screen_and_product_groups(client):
    from capcoop.services.dependencies import dependency_screen, product_groups

    body = _ok(client.get("/api/dependencies?importer=VNM&top=3"))
    report = dependency_screen("VNM", top=3, warehouse=DEMO)
    assert body["data"] == jsonable(report.records())
    assert body["meta"]["importer"] == "VNM"
    groups = _ok(client.get("/api/dependencies/product-groups"))["data"]
    assert [g["code"] for g in groups] == [g["code"] for g in product_groups()]
    assert _error(client.get("/api/dependencies?importer=XXY"), 404)["field"] == "importer"


@dependencies
def test_disruption_scenario_reads_cut_as_share_or_percent(client):
    share = _ok(client.get("/api/disruption?exporter=CHN&cut=0.3&top=5"))
    percent = _ok(client.get("/api/disruption?exporter=CHN&cut=30%25&top=5"))
    assert share["data"] == percent["data"] and share["meta"]["cut"] == pytest.approx(0.3)
    rows = share["data"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["net_shortfall_usd"] == pytest.approx(r["direct_loss_usd"]
                                                       - r["replacement_usd"], rel=1e-9)
               for r in rows)
    error = _error(client.get("/api/disruption?exporter=CHN&cut=lots"), 400)
    assert error["field"] == "cut"


# --- input-output ---------------------------------------------------------------------------

io = pytest.mark.skipif(not _has("capcoop.services.io"),
                        reason="capcoop.services.io is not installed")

REGIONS, SECTORS = ["CHN", "VNM"], ["c1", "c2"]
Z = np.array([[20.0, 10.0, 5.0, 2.0], [8.0, 30.0, 1.0, 4.0],
              [3.0, 1.0, 10.0, 6.0], [2.0, 5.0, 4.0, 12.0]])
Y = np.array([63.0, 57.0, 30.0, 27.0])


@pytest.fixture(scope="module")
def io_warehouse(tmp_path_factory):
    """A two-region, two-sector table 'toy-io' (2020): Z, Y, x = Z 1 + Y, V = x - 1'Z."""
    x = Z.sum(axis=1) + Y
    va = x - Z.sum(axis=0)
    industries = [(r, s) for r in REGIONS for s in SECTORS]
    cells = [("Z", *industries[i], *industries[j], Z[i, j]) for i in range(4) for j in range(4)]
    cells += [("Y", *industries[i], industries[i][0], "hh", Y[i]) for i in range(4)]
    cells += [("x", *industries[i], "", "", x[i]) for i in range(4)]
    cells += [("V", "", "va", *industries[j], va[j]) for j in range(4)]
    frame = pd.DataFrame(cells, columns=["matrix", "row_region", "row_sector", "col_region",
                                         "col_sector", "value"]).assign(
        source="toy", table_name="toy-io", year=2020, load_id=1)
    labels = pd.DataFrame(
        [("region", r, r, None) for r in REGIONS] + [("sector", s, f"sector {s}", None)
                                                    for s in SECTORS]
        + [("category", "hh", "households", None), ("factor", "va", "value added", None)],
        columns=["kind", "code", "name_en", "unit"]).assign(source="toy", table_name="toy-io",
                                                           name_zh=None, load_id=1)
    path = tmp_path_factory.mktemp("io") / "io.duckdb"
    with open_writer(path) as (con, _):
        for table, rows in (("io_cells", frame), ("io_labels", labels)):
            con.register("rows_", rows)
            con.execute(f"INSERT INTO {table} ({', '.join(rows.columns)}) "
                        f"SELECT {', '.join(rows.columns)} FROM rows_")
            con.unregister("rows_")
        con.execute("INSERT INTO provenance (load_id, source, file, sha256, rows, target, "
                    "loaded_at) VALUES (1, 'toy', 'toy.csv', 'abc', ?, 'io_cells', now())",
                    [len(frame)])
    return path


@io
def test_io_multipliers_are_column_sums_of_the_leontief_inverse(io_warehouse):
    client = TestClient(create_app(io_warehouse), raise_server_exceptions=False)
    body = _ok(client.get("/api/io/multipliers?table=toy-io"))
    x = Z.sum(axis=1) + Y
    expected = np.linalg.inv(np.eye(4) - Z / x).sum(axis=0)
    got = {(r["region"], r["sector"]): r["output_multiplier"] for r in body["data"]}
    industries = [(r, s) for r in REGIONS for s in SECTORS]
    assert [got[i] for i in industries] == pytest.approx(expected, rel=1e-10)
    info = _ok(client.get("/api/io/info?table=toy-io"))
    assert info["meta"]["years"] == [2020] and {r["region"] for r in info["data"]} == set(REGIONS)


@io
def test_io_shock_and_its_errors(io_warehouse):
    from capcoop.services.io import io_shock

    client = TestClient(create_app(io_warehouse), raise_server_exceptions=False)
    body = _ok(client.get("/api/io/shock?table=toy-io&region=CHN&sector=c1&cut=50%25&weeks=4"))
    report = io_shock("toy-io", region="CHN", sector="c1", cut="50%", weeks=4,
                      warehouse=io_warehouse)
    assert body["data"] == jsonable(report.records())
    assert any(r["shocked"] for r in body["data"])
    assert _error(client.get("/api/io/shock?table=toy-io&region=ZZZ&sector=c1"),
                  404)["field"] == "region"
    assert _error(client.get("/api/io/info?table=nope"), 404)["field"] == "table"
    assert _error(client.get("/api/io/info?table=../etc/passwd"), 422)["field"] == "table"


@io
def test_io_refuses_file_names(io_warehouse, tmp_path, monkeypatch):
    (tmp_path / "table.csv").write_text("a,b\n")
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(io_warehouse), raise_server_exceptions=False)
    error = _error(client.get("/api/io/info?table=table.csv"), 400)
    assert error["field"] == "table" and "stored" in error["message"]


# --- goals (writes) -------------------------------------------------------------------------

goals = pytest.mark.skipif(not _has("capcoop.services.goals"),
                           reason="capcoop.services.goals is not installed")


@goals
def test_goal_writes_are_refused_on_a_read_only_server(client, monkeypatch):
    monkeypatch.delenv("CAPCOOP_API_TOKEN", raising=False)
    error = _error(client.post("/api/goals", json={"label": "x"}), 403)
    assert "CAPCOOP_API_TOKEN" in error["hint"]
    _error(client.delete("/api/goals/1", headers={"Authorization": "Bearer x"}), 403)


def _trade_warehouse(path):
    rows = []
    for year, (x, m) in {2018: (80, 40), 2019: (90, 45), 2020: (100, 50)}.items():
        rows += [(year, "VNM", "X", x * 1e9), (year, "VNM", "M", m * 1e9),
                 (year, "WLD", "X", x * 3e9), (year, "WLD", "M", m * 3e9)]
    frame = pd.DataFrame(rows, columns=["year", "partner", "flow", "value_usd"]).assign(
        reporter="CHN", source="toy", basis="reported", freq="A", classification="TOTAL",
        product="TOTAL", load_id=1)
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
    return path


@goals
def test_goal_round_trip_behind_the_token(tmp_path):
    path = _trade_warehouse(tmp_path / "goals.duckdb")
    client = TestClient(create_app(path, token="t0ken"), raise_server_exceptions=False)
    auth = {"Authorization": "Bearer t0ken"}
    spec = {"metric": "trade_total", "provider": "CHN", "host": "VNM", "target": 3e11,
            "base_year": 2019, "deadline": 2035, "label": "CHN-VNM trade"}
    _error(client.post("/api/goals", json=spec), 401)
    _error(client.post("/api/goals", json=spec, headers={"Authorization": "Bearer nope"}), 401)
    assert _ok(client.get("/api/goals"))["data"] == []
    from capcoop.services.goals import metrics

    assert _ok(client.get("/api/goals/metrics"))["data"] == jsonable(metrics())
    created = _ok(client.post("/api/goals", json=spec, headers=auth), 201)["data"]
    assert created["label"] == "CHN-VNM trade" and created["host"] == "VNM"
    listed = _ok(client.get("/api/goals"))["data"]
    assert [g["goal_id"] for g in listed] == [created["goal_id"]]
    progress = _ok(client.get(f"/api/goals/progress?goal_id={created['goal_id']}"))
    row = progress["data"][0]
    assert row["latest_value"] == pytest.approx(150e9) and row["base_value"] == pytest.approx(135e9)
    error = _error(client.post("/api/goals", json=spec | {"metric": "volume"}, headers=auth), 404)
    assert error["field"] == "metric"
    error = _error(client.post("/api/goals", json=spec | {"deadline": 1999}, headers=auth), 400)
    assert error["field"] == "deadline"
    _error(client.post("/api/goals", content=b"[1, 2", headers=auth | {
        "content-type": "application/json"}), 422)
    _error(client.delete(f"/api/goals/{created['goal_id']}"), 401)
    removed = _ok(client.delete(f"/api/goals/{created['goal_id']}", headers=auth))["data"]
    assert removed["goal_id"] == created["goal_id"]
    assert _ok(client.get("/api/goals"))["data"] == []
    assert _error(client.delete("/api/goals/99", headers=auth), 400)["field"] == "goal_id"


@goals
def test_goals_on_the_demo_go_to_the_user_store(tmp_path, monkeypatch):
    import capcoop.services.goals as service

    monkeypatch.setattr(service, "goals_store_path", lambda: tmp_path / "store.duckdb")
    client = TestClient(create_app(DEMO, token="t"), raise_server_exceptions=False)
    spec = {"metric": "trade_total", "provider": "CHN", "host": "VNM", "target": 3e11,
            "deadline": 2035}
    created = _ok(client.post("/api/goals", json=spec, headers={"Authorization": "Bearer t"}),
                  201)["data"]
    assert str(tmp_path) in created["stored_in"]
    progress = _ok(client.get("/api/goals/progress"))
    assert progress["meta"]["warehouse_kind"] == "demo" and progress["data"][0]["latest_value"]


# --- supplies -------------------------------------------------------------------------------

supplies = pytest.mark.skipif(not _has("capcoop.services.supplies"),
                              reason="capcoop.services.supplies is not installed")


@pytest.fixture(scope="module")
def vaccine_warehouse(tmp_path_factory):
    """Three ASEAN members on 2022-06-30: populations 100, 20 and 10 million; 60, 5 and 2 million
    people fully vaccinated."""
    ledger = {"VNM": (100e6, 60e6), "KHM": (20e6, 5e6), "LAO": (10e6, 2e6)}
    rows = [(code, indicator, value) for code, (pop, full) in ledger.items()
            for indicator, value in (("population", pop), ("people_fully_vaccinated", full),
                                     ("doses_delivered", 2.2 * full))]
    frame = pd.DataFrame(rows, columns=["country", "indicator", "value"]).assign(
        source="undp-vaccines", date=pd.Timestamp("2022-06-30").date(), load_id=1)
    path = tmp_path_factory.mktemp("vax") / "vax.duckdb"
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO vaccine_supplies ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
        con.execute("INSERT INTO provenance (load_id, source, file, sha256, rows, target, "
                    "loaded_at) VALUES (1, 'undp-vaccines', 'v.csv', 'abc', 9, "
                    "'vaccine_supplies', now())")
    return path


@supplies
def test_supply_coverage_and_allocation(vaccine_warehouse):
    client = TestClient(create_app(vaccine_warehouse), raise_server_exceptions=False)
    body = _ok(client.get("/api/supplies/coverage?region=VNM,KHM,LAO"))
    by = {r["country"]: r for r in body["data"]}
    assert by["VNM"]["people_fully_vaccinated_per100"] == pytest.approx(60.0)
    assert by["KHM"]["doses_delivered_per100"] == pytest.approx(55.0)
    plan = _ok(client.get("/api/supplies/allocate?doses=1300001&region=VNM,KHM,LAO"))
    doses = {r["recipient"]: r["doses"] for r in plan["data"]}
    assert sum(doses.values()) == 1300001 == plan["meta"]["allocated"]
    assert doses["VNM"] == pytest.approx(1e6, abs=1) and doses["LAO"] == pytest.approx(1e5, abs=1)
    need = _ok(client.get("/api/supplies/allocate?doses=1000&region=VNM,KHM,LAO&method=need"
                          "&target=70&floors=100"))["data"]
    assert all(r["doses"] >= 100 for r in need) and sum(r["doses"] for r in need) == 1000
    assert _error(client.get("/api/supplies/coverage?date=2021-13-01"), 400)["field"] == "date"
    assert _error(client.get("/api/supplies/coverage?date=31/12/2022"), 422)["field"] == "date"
    assert _error(client.get("/api/supplies/allocate?region=Narnia"), 404)["field"] == "region"


@supplies
def test_supplies_on_a_warehouse_without_a_ledger_say_what_to_load(io_warehouse):
    client = TestClient(create_app(io_warehouse), raise_server_exceptions=False)
    error = _error(client.get("/api/supplies/coverage"), 400)
    assert "undp-vaccines" in error["hint"]

"""``capcoop goals``: add, list, progress, remove, metrics; JSON contract, errors, demo store."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from capcoop.cli import main
from capcoop.cli.goals import register_goals_commands
from capcoop.services import goals as service
from capcoop.warehouse.connection import open_writer

PROGRESS_KEYS = {"goal_id", "label", "metric", "provider", "host", "sector", "target_type",
                 "target", "unit", "value_unit", "base_year", "base_value", "latest_year",
                 "latest_value", "trend_from", "observed_growth_pct", "required_growth_pct",
                 "required_value_latest", "projected_value_deadline", "target_value_deadline",
                 "deadline", "status", "on_track", "statement", "source"}


@pytest.fixture(autouse=True)
def _setup(monkeypatch, tmp_path):
    if "goals" not in {g.name for g in main.app.registered_groups}:
        register_goals_commands(main.app)
    monkeypatch.setattr(service, "_today", lambda: dt.date(2024, 6, 1))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CAPCOOP_WAREHOUSE", raising=False)
    monkeypatch.setenv("CAPCOOP_USER_WAREHOUSE", str(tmp_path / "absent.duckdb"))
    main.state.warehouse = None


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    with open_writer(path) as (con, _):
        con.executemany("INSERT INTO sector_accounts VALUES ('adb-mrio', 'LAO', 'c17', ?, "
                        "'output', ?, 'USD million current', 1)", [(2018, 1000.0), (2020, 1210.0)])
    return path


def _run(capsys, *args):
    code = main.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_progress_remove_round_trip(capsys, warehouse):
    code, out, _ = _run(capsys, "goals", "add", "--metric", "sector_output", "--host", "LAO",
                        "--sector", "c17", "--type", "growth", "--target", 8, "--deadline", 2030,
                        "--base-year", 2018, "--warehouse", warehouse, "--format", "json")
    assert code == 0 and json.loads(out)[0]["goal_id"] == 1
    code, out, _ = _run(capsys, "goals", "list", "--warehouse", warehouse, "--format", "json")
    assert [g["metric"] for g in json.loads(out)] == ["sector_output"]
    code, out, _ = _run(capsys, "goals", "progress", "--warehouse", warehouse, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and PROGRESS_KEYS <= set(rows[0])
    assert rows[0]["observed_growth_pct"] == pytest.approx(10.0)
    assert rows[0]["status"] == "on track"
    code, out, _ = _run(capsys, "goals", "progress", 1, "--warehouse", warehouse)
    assert code == 0 and "on track" in out and str(warehouse) in out.replace("\n", "")
    code, out, _ = _run(capsys, "goals", "remove", 1, "--warehouse", warehouse)
    assert code == 0 and "removed" in out
    code, out, _ = _run(capsys, "goals", "list", "--warehouse", warehouse)
    assert "no goals recorded" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--metric", "exports", "--host", "VNM", "--target", 1e9, "--deadline", 2020),
     "deadline 2020 is in the past"),
    (("--metric", "export_share", "--host", "VNM", "--sector", "green", "--target", 130,
      "--deadline", 2030), "share target 130% is impossible"),
    (("--metric", "sector_output", "--host", "XYZ", "--sector", "c17", "--target", 1,
      "--deadline", 2030), "unknown country 'XYZ'"),
    (("--metric", "gdp", "--host", "VNM", "--target", 1, "--deadline", 2030),
     "unknown metric 'gdp'"),
])
def test_invalid_goals_exit_2_with_a_message(capsys, warehouse, args, message):
    code, _, err = _run(capsys, "goals", "add", *args, "--warehouse", warehouse)
    assert code == 2 and message in err and "Try:" in err


def test_remove_unknown_goal(capsys, warehouse):
    code, _, err = _run(capsys, "goals", "remove", 9, "--warehouse", warehouse)
    assert code == 2 and "no goal with id 9" in err


def test_demo_goals_are_kept_in_the_user_store(capsys, tmp_path):
    code, out, _ = _run(capsys, "goals", "add", "--metric", "indicator", "--host", "LAO",
                        "--sector", "EG.ELC.ACCS.ZS", "--target", 100, "--deadline", 2030,
                        "--base-year", 2010, "--format", "json")
    assert code == 0 and "goals store" in json.loads(out)[0]["stored_in"]
    assert (tmp_path / "xdg" / "capcoop" / "goals.duckdb").exists()
    code, out, _ = _run(capsys, "goals", "progress")
    assert code == 0 and "demo" in out and "goals store" in out.replace("\n", "")


def test_metrics_and_help_examples(capsys):
    code, out, _ = _run(capsys, "goals", "metrics", "--format", "json")
    assert code == 0 and "export_share" in {m["metric"] for m in json.loads(out)}
    from capcoop.cli import goals as cli

    for function in (cli.add_command, cli.list_command, cli.progress_command,
                     cli.remove_command, cli.metrics_command):
        assert "Example: capcoop goals" in function.__doc__

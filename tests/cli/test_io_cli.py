"""capcoop io info|multipliers and capcoop shock: JSON contract, errors and help examples."""

from __future__ import annotations

import json

import pytest

from capcoop.cli import main
from capcoop.services.ingest import ingest_files

PYMRIO = ("io", "pymrio_testmrio", "test_mrio")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from shared_data import shared_data

    path = tmp_path_factory.mktemp("io-cli") / "w.duckdb"
    ingest_files("pymrio-text", [shared_data(*PYMRIO)], warehouse=path)
    return path


def _json(capsys, argv):
    assert main.run(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_multipliers_json(warehouse, capsys):
    rows = _json(capsys, ["--warehouse", str(warehouse), "io", "multipliers", "--table",
                          "pymrio-test", "--format", "json"])
    assert len(rows) == 48 and rows[0]["region"] == "reg1"
    assert rows[0]["output_multiplier"] > 1


def test_info_json_with_meta_on_a_path(shared, capsys):
    doc = _json(capsys, ["io", "info", "--table", str(shared(*PYMRIO)), "--format", "json",
                         "--with-meta"])
    assert doc["meta"]["parameters"]["table"] == "pymrio-test" and len(doc["data"]) == 6


def test_shock_json(warehouse, capsys):
    rows = _json(capsys, ["--warehouse", str(warehouse), "shock", "--table", "pymrio-test",
                          "--region", "reg1", "--sector", "manufactoring", "--cut", "30%",
                          "--weeks", "8", "--horizon-weeks", "30", "--format", "json"])
    assert rows[0]["shocked"] and rows[0]["static_loss_share"] == pytest.approx(0.3)
    assert {"ghosh_loss", "ario_loss"} <= set(rows[0])
    regions = _json(capsys, ["--warehouse", str(warehouse), "shock", "--table", "pymrio-test",
                             "--region", "reg1", "--sector", "manufactoring", "--cut", "0.3",
                             "--models", "mixed", "--by-region", "--format", "json"])
    assert regions[0]["region"] in {f"reg{k}" for k in range(1, 7)} and len(regions) == 6


def test_errors_are_one_line(warehouse, capsys):
    argv = ["--warehouse", str(warehouse), "shock", "--table", "pymrio-test", "--region", "reg1",
            "--sector", "minning", "--cut", "30"]
    assert main.run(argv) == 2
    assert "cut '30' is not a share" in capsys.readouterr().err
    argv[-1] = "30%"
    assert main.run(argv) == 2
    err = capsys.readouterr().err
    assert "unknown sector 'minning'" in err and "mining" in err


def test_help_has_examples(capsys):
    for argv in (["io", "info", "--help"], ["io", "multipliers", "--help"], ["shock", "--help"]):
        assert main.run(argv) == 0
        assert "Example: capcoop" in capsys.readouterr().out

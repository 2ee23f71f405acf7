"""The CLI contract: formats, the demo fallback, one-line errors with exit code 2."""

import json

import pandas as pd

from capcoop.cli.main import run
from capcoop.sources.base import TableBatch
from capcoop.warehouse.connection import open_writer
from capcoop.warehouse.loads import load_batches


def _warehouse_with_rows(path):
    frame = pd.DataFrame({"country": ["CHN"], "indicator": ["SP.POP.TOTL"], "year": [2020],
                          "value": [1.41e9]})
    with open_writer(path) as (con, _):
        load_batches(con, source="wdi", release="t", file="pop.csv", sha256="f" * 64,
                     batches=[TableBatch("country_indicators", frame)])


def test_db_info_json_has_tables_and_loads(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    _warehouse_with_rows(db)
    assert run(["--warehouse", str(db), "db", "info", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    rows = {t["name"]: t["rows"] for t in info["tables"]}
    assert rows["country_indicators"] == 1 and rows["provenance"] == 1
    (load,) = info["loads"]
    assert {"source", "file", "sha256", "rows", "loaded_at"} <= set(load)
    assert (load["source"], load["file"], load["rows"]) == ("wdi", "pop.csv", 1)


def test_db_info_csv(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    _warehouse_with_rows(db)
    assert run(["--warehouse", str(db), "db", "info", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "# tables\nname,rows\n" in out and "country_indicators,1" in out


def test_missing_warehouse_is_one_line_error_exit_2(tmp_path, capsys):
    code = run(["--warehouse", str(tmp_path / "nope.duckdb"), "db", "info"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "nope.duckdb" in err and "Try:" in err and "Traceback" not in err


def test_unknown_source_suggests(tmp_path, capsys):
    code = run(["ingest", "bacci", str(tmp_path / "x.csv"), "--warehouse", str(tmp_path / "w.duckdb")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown source 'bacci'" in err and "'baci'" in err


def test_settings_json_lists_registry(capsys, monkeypatch):
    monkeypatch.setenv("CAPCOOP_PROVIDER", "VNM")
    assert run(["settings", "--format", "json"]) == 0
    settings = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    assert settings["provider"]["value"] == "VNM" and settings["provider"]["source"] == "env"
    assert settings["ranking_blocs"]["value"] == "ASEAN,EU"
    assert {"name", "type", "value", "env", "help"} <= set(settings["warehouse"])


def test_bad_setting_value_is_exit_2(capsys, monkeypatch):
    monkeypatch.setenv("CAPCOOP_THREADS", "many")
    assert run(["settings"]) == 2
    assert "setting 'threads' expects a int, got 'many'" in capsys.readouterr().err

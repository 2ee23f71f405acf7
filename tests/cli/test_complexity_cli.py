"""``capcoop complexity`` and ``capcoop indicators`` on files and on the warehouse."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capcoop.analytics.complexity_panel import complexity_table
from capcoop.cli.complexity import indicators_app, register_complexity_commands
from capcoop.cli.main import app, run
from capcoop.sources.base import TableBatch
from capcoop.warehouse import connection
from capcoop.warehouse.connection import open_writer
from capcoop.warehouse.loads import load_batches

sys.path.insert(0, str(Path(__file__).parents[1] / "analytics"))
from test_complexity import stata_input  # noqa: E402

if "complexity" not in {c.name for c in app.registered_commands}:
    register_complexity_commands(app)

COLS = ["--time-col", "year", "--location-col", "origin", "--product-col", "hs92",
        "--value-col", "export_val"]


@pytest.fixture
def trade_csv(tmp_path):
    path = tmp_path / "trade.csv"
    stata_input().to_csv(path, index=False)
    return path


def _warehouse(path: Path, rows: pd.DataFrame, *, source="t", indicators=None) -> Path:
    frame = rows.rename(columns={"origin": "country", "hs92": "product",
                                 "export_val": "export_usd"}).assign(classification="HS92")
    with open_writer(path) as (con, _):
        load_batches(con, source=source, release="test", file=f"{source}.csv",
                     sha256=source[0] * 64,
                     batches=[TableBatch("country_product_exports", frame)])
        if indicators is not None:
            load_batches(con, source="wdi", release="test", file="gdp.csv", sha256="e" * 64,
                         batches=[TableBatch("country_indicators", indicators)])
    return path


def test_complexity_of_a_csv_file_writes_one_row_per_cell(trade_csv, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert run(["complexity", "--input", str(trade_csv), *COLS, "--output", str(out)]) == 0
    assert "wrote 300 rows" in capsys.readouterr().out
    written = pd.read_csv(out, dtype={"hs92": str})
    assert list(written.columns) == ["year", "origin", "hs92", "rca", "mcp", "eci", "pci",
                                     "diversity", "ubiquity", "density", "coi", "cog"]
    expected = complexity_table(stata_input(), time="year", location="origin",
                                product="hs92", value="export_val").table
    np.testing.assert_allclose(written["cog"], expected["cog"], rtol=1e-15, atol=0)
    assert written["hs92"].str.len().eq(4).all()  # codes stay text


def test_parquet_in_and_out_and_location_level(trade_csv, tmp_path, capsys):
    parquet = tmp_path / "trade.parquet"
    stata_input().to_parquet(parquet, index=False)
    out = tmp_path / "out.parquet"
    assert run(["complexity", "--input", str(parquet), *COLS, "--output", str(out),
                "--proximity", "asymmetric", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 300 and summary["provenance"]["sha256"]
    assert summary["provenance"]["parameters"]["proximity"] == "asymmetric"
    assert len(pd.read_parquet(out)) == 300
    assert run(["complexity", "--input", str(parquet), *COLS, "--level", "location",
                "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["origin"] for r in rows][:2] == ["deu", "aut"] and len(rows) == 10
    assert rows[0]["eci"] == pytest.approx(1.200861157616729, abs=1e-12)  # Stata's value


def test_bad_files_give_one_line_errors(trade_csv, tmp_path, capsys):
    assert run(["complexity", "--input", str(trade_csv), "--location-col", "country"]) == 2
    err = capsys.readouterr().err
    assert "no column 'country'" in err and "'origin'" in err and "Try:" in err
    bad = tmp_path / "bad.csv"
    stata_input().assign(export_val=lambda f: -f["export_val"]).to_csv(bad, index=False)
    assert run(["complexity", "--input", str(bad), *COLS]) == 2
    assert "negative" in capsys.readouterr().err
    assert run(["complexity", "--input", str(tmp_path / "none.csv"), *COLS]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert run(["complexity", "--input", str(trade_csv), *COLS, "--output",
                str(tmp_path / "x.xlsx")]) == 2
    assert "unknown file type" in capsys.readouterr().err


def test_complexity_from_the_warehouse(tmp_path, capsys):
    db = _warehouse(tmp_path / "w.duckdb", stata_input())
    assert run(["--warehouse", str(db), "complexity", "--level", "location",
                "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "year,country,diversity,eci,coi" and out[1].startswith("1995,deu,15,")
    _warehouse(db, stata_input(), source="other")
    assert run(["--warehouse", str(db), "complexity"]) == 2
    err = capsys.readouterr().err
    assert "several matrices match" in err and "--source other" in err
    assert run(["--warehouse", str(db), "complexity", "--source", "t", "--year", "1990"]) == 2
    assert "t/HS92/1995" in capsys.readouterr().err
    assert run(["--warehouse", str(db), "complexity", "--source", "t", "--digits", "2",
                "--format", "json", "--level", "product"]) == 0
    products = {r["product"] for r in json.loads(capsys.readouterr().out)}
    assert products and all(len(p) == 2 for p in products)


def test_demo_output_is_labelled_demo(tmp_path, monkeypatch, capsys):
    db = _warehouse(tmp_path / "demo.duckdb", stata_input())
    monkeypatch.delenv("CAPCOOP_WAREHOUSE", raising=False)
    monkeypatch.setenv("CAPCOOP_USER_WAREHOUSE", str(tmp_path / "absent.duckdb"))
    monkeypatch.setattr(connection, "demo_warehouse_path", lambda: db)
    assert run(["complexity", "--level", "location", "--limit", "3"]) == 0
    captured = capsys.readouterr()
    assert "demo" in captured.err and "demo (embedded sample warehouse)" in captured.out


def test_indicators_on_files(trade_csv, tmp_path, capsys):
    assert run(["indicators", "rca", "--input", str(trade_csv), *COLS, "--format", "csv"]) == 0
    rca = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype={"hs92": str})
    first = rca[(rca.origin == "aut") & (rca.hs92 == "1704")]["rca"].item()
    assert first == pytest.approx(0.5708342888507129, rel=1e-12)  # Stata's rca
    assert run(["indicators", "hhi", "--input", str(trade_csv), *COLS, "--format",
                "json"]) == 0
    hhi = json.loads(capsys.readouterr().out)
    assert {"year", "origin", "hhi", "hhi_normalized", "categories"} <= set(hhi[0])
    assert run(["indicators", "similarity", "--input", str(trade_csv), *COLS, "--locations",
                "aut,deu", "--format", "json"]) == 0
    sim = json.loads(capsys.readouterr().out)
    assert len(sim) == 20 and {r["origin_a"] for r in sim} == {"aut", "deu"}
    assert run(["indicators", "diversification", "--input", str(trade_csv), *COLS,
                "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["products"] == 30
    assert run(["indicators", "market-share", "--input", str(trade_csv), *COLS,
                "--format", "json"]) == 0
    assert {"market_share", "export_share"} <= set(json.loads(capsys.readouterr().out)[0])


def test_paired_and_income_indicators(trade_csv, tmp_path, capsys):
    imports = tmp_path / "imports.csv"
    rows = stata_input()
    rows.assign(export_val=rows["export_val"][::-1].to_numpy()).to_csv(imports, index=False)
    assert run(["indicators", "complementarity", "--input", str(trade_csv), "--imports",
                str(imports), *COLS, "--locations", "aut", "--format", "json"]) == 0
    tc = json.loads(capsys.readouterr().out)
    assert len(tc) == 10 and all(0 <= r["complementarity"] <= 100 for r in tc)
    assert run(["indicators", "intra-industry", "--input", str(trade_csv), "--imports",
                str(imports), *COLS, "--format", "json"]) == 0
    assert all(0 <= r["grubel_lloyd"] <= 1 for r in json.loads(capsys.readouterr().out))
    gdp = tmp_path / "gdp.csv"
    pd.DataFrame({"origin": sorted(rows["origin"].unique()),
                  "gdp_pc": np.linspace(10_000, 40_000, 10)}).to_csv(gdp, index=False)
    assert run(["indicators", "expy", "--input", str(trade_csv), *COLS, "--gdp", str(gdp),
                "--format", "json"]) == 0
    expy = json.loads(capsys.readouterr().out)
    assert len(expy) == 10 and all(10_000 <= r["expy"] <= 40_000 for r in expy)
    bilateral = tmp_path / "bilateral.csv"
    rows.rename(columns={"origin": "reporter", "hs92": "partner"}).to_csv(bilateral,
                                                                          index=False)
    assert run(["indicators", "intensity", "--input", str(bilateral), "--value-col",
                "export_val", "--format", "json", "--time-col", "year"]) == 0
    assert "intensity" in json.loads(capsys.readouterr().out)[0]


def test_income_indicators_from_the_warehouse_use_wdi(tmp_path, capsys):
    rows = stata_input()
    gdp = pd.DataFrame({"country": sorted(rows["origin"].unique())[:9],
                        "indicator": "NY.GDP.PCAP.PP.CD", "year": 1995,
                        "value": np.linspace(10_000, 40_000, 9)})
    db = _warehouse(tmp_path / "w.duckdb", rows, indicators=gdp)
    assert run(["--warehouse", str(db), "indicators", "prody", "--format", "json"]) == 2
    assert "only in exports: ['svn']" in capsys.readouterr().err
    assert run(["--warehouse", str(db), "indicators", "prody", "--join", "inner",
                "--format", "json"]) == 0
    prody = json.loads(capsys.readouterr().out)
    assert len(prody) == 30 and all(10_000 <= r["prody"] <= 40_000 for r in prody)
    assert run(["--warehouse", str(db), "indicators", "complementarity"]) == 2
    assert "Missing option '--input'" in capsys.readouterr().err


def test_every_command_ends_its_help_with_an_example():
    commands = [c.callback for c in indicators_app.registered_commands]
    commands.append(next(c.callback for c in app.registered_commands if c.name == "complexity"))
    for callback in commands:
        lines = [line.strip() for line in callback.__doc__.strip().splitlines()]
        assert lines[-1].startswith("Example: capcoop "), callback.__name__

"""The trade-monitor commands: JSON contract, tables, errors, help examples and the demo label."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from capcoop.cli import main
from capcoop.cli.monitor import register_monitor_commands
from capcoop.warehouse.connection import demo_warehouse_path, open_writer

MONITOR_KEYS = {"reporter", "partner", "period", "basis", "exports_usd", "imports_usd", "total_usd",
                "balance_usd", "total_yoy_pct", "share_of_reporter_total_pct", "partner_rank",
                "rank1_streak_years", "notes"}
PARTNER_KEYS = {"rank", "partner", "members", "total_usd", "exports_usd", "imports_usd",
                "share_pct", "yoy_pct"}


@pytest.fixture(scope="module", autouse=True)
def registered():
    if "monitor" not in {c.name for c in main.app.registered_commands}:
        register_monitor_commands(main.app)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """China's trade in 2019-2020 with two EU members, the UK, two ASEAN members and the US;
    Viet Nam's declarations for 2020."""
    eu = {"GBR": (50, 20), "DEU": (100, 40), "FRA": (60, 30)}
    trade = {2019: eu | {"VNM": (80, 40), "THA": (70, 30), "USA": (150, 20)},
             2020: eu | {"VNM": (100, 50), "THA": (90, 40), "USA": (150, 20)}}
    rows = []
    for year, partners in trade.items():
        for partner, (x, m) in partners.items():
            rows += [(year, partner, "X", x * 1e9), (year, partner, "M", m * 1e9)]
        rows += [(year, "WLD", "X", sum(x for x, _ in partners.values()) * 1e9),
                 (year, "WLD", "M", sum(m for _, m in partners.values()) * 1e9)]
    frame = pd.DataFrame(rows, columns=["year", "partner", "flow", "value_usd"]).assign(reporter="CHN")
    vnm = pd.DataFrame([(2020, "CHN", "X", 45e9), (2020, "CHN", "M", 95e9)],
                       columns=["year", "partner", "flow", "value_usd"]).assign(reporter="VNM")
    frame = pd.concat([frame, vnm]).assign(source="toy", basis="reported", freq="A",
                                           classification="TOTAL", product="TOTAL", load_id=1)
    path = tmp_path_factory.mktemp("cli") / "toy.duckdb"
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
    return path


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_monitor_json_contract(capsys, warehouse):
    code, out, _ = _run(capsys, "monitor", "CHN", "ASEAN", "--year", 2020, "--warehouse", warehouse,
                        "--format", "json")
    data = json.loads(out)
    assert code == 0 and MONITOR_KEYS <= set(data)
    assert (data["total_usd"], data["partner_rank"], data["rank1_streak_years"]) == (280e9, 1, 1)
    assert data["total_yoy_pct"] == pytest.approx(100 * (280 / 220 - 1))
    assert data["warehouse"] == str(warehouse) and isinstance(data["notes"], list)
    code, out, _ = _run(capsys, "--warehouse", warehouse, "monitor", "China", "Viet Nam", "--year",
                        2020, "--format", "json")  # the global option and country names
    assert code == 0 and json.loads(out)["partner"] == "VNM"


def test_partners_json_contract_and_table(capsys, warehouse):
    code, out, _ = _run(capsys, "partners", "CHN", "--year", 2019, "--top", 2, "--warehouse",
                        warehouse, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2 and all(PARTNER_KEYS <= set(r) for r in rows)
    assert [r["partner"] for r in rows] == ["EU", "ASEAN"] and "GBR" in rows[0]["members"]
    code, out, _ = _run(capsys, "partners", "CHN", "--year", 2020, "--blocs", "none", "--warehouse",
                        warehouse)
    assert code == 0 and "United States" in out and "warehouse:" in out and "ASEAN" not in out


def test_headlines_text_and_explain(capsys, warehouse):
    code, out, _ = _run(capsys, "headlines", "CHN", "ASEAN", "--year", 2020, "--lang", "zh",
                        "--explain", "--warehouse", warehouse)
    assert code == 0 and "2020年，东盟成为中国第一大贸易伙伴" in out and "Stored rows" in out
    code, out, _ = _run(capsys, "headlines", "CHN", "ASEAN", "--year", 2020, "--warehouse",
                        warehouse, "--format", "json")
    data = json.loads(out)
    assert data["text"].startswith("In 2020 ASEAN became China's largest trading partner")
    assert all(f["formula"] for s in data["statements"] for f in s["facts"])


@pytest.mark.parametrize("args, message", [
    (("monitor", "CHN", "XYZ", "--year", 2020), "unknown partner 'XYZ'"),
    (("monitor", "CHN", "ASEAN", "--year", 2031), "no reported trade data for CHN in 2031"),
    (("monitor", "CHN", "ASEAN", "--year", 1492), "year 1492 is out of range"),
    (("monitor", "CHN", "RCEP", "--year", 2020), "RCEP has no members in 2020"),
    (("monitor", "CHN", "ASEAN", "--year", 2020, "--months", "9-3"), "month range 9-3"),
    (("partners", "CHN", "--year", 2020, "--blocs", "ASEAN,Mercosur"), "unknown bloc"),
])
def test_bad_arguments_exit_2_with_the_fix(capsys, warehouse, args, message):
    code, out, err = _run(capsys, *args, "--warehouse", warehouse)
    assert code == 2 and message in err and "Try:" in err and not out


@pytest.mark.parametrize("command", ["monitor", "partners", "headlines", "mirror", "products"])
def test_help_ends_with_an_example(capsys, command):
    code, out, _ = _run(capsys, command, "--help")
    assert code == 0 and f"Example: capcoop {command}" in out


def test_mirror_and_products_commands(capsys, warehouse):
    code, out, err = _run(capsys, "mirror", "CHN", "VNM", "--year", 2020, "--warehouse", warehouse,
                          "--format", "json")
    assert code == 0 and {r["flow"] for r in json.loads(out)} == {"exports", "imports", "total"}
    code, _, err = _run(capsys, "products", "CHN", "VNM", "--year", 2020, "--warehouse", warehouse)
    assert code == 2 and "no product-level" in err


def test_demo_outputs_are_labelled_demo(capsys):
    demo = demo_warehouse_path()
    if not demo.exists():
        pytest.skip(f"the embedded demo warehouse is not built yet ({demo})")
    with duckdb.connect(str(demo), read_only=True) as con:
        if not con.execute("SELECT count(*) FROM trade_flows WHERE reporter = 'CHN' "
                           "AND year = 2020").fetchone()[0]:
            pytest.skip("the demo warehouse has no China rows for 2020")
    code, out, _ = _run(capsys, "monitor", "CHN", "ASEAN", "--year", 2020, "--warehouse", demo,
                        "--format", "json")
    assert code == 0 and json.loads(out)["partner_rank"] == 1
    code, out, _ = _run(capsys, "partners", "CHN", "--year", 2020)  # no --warehouse: the demo
    if code == 0 and "demo" not in out:  # a user warehouse exists on this machine
        pytest.skip("a user warehouse shadows the demo on this machine")
    assert "demo" in out

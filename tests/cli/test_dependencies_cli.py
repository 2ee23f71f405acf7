"""The dependencies and disruption commands: JSON contract, demo label, errors, help examples."""

from __future__ import annotations

import json

import pytest

from capcoop.cli import main
from capcoop.cli.dependencies import register_dependencies_commands


@pytest.fixture(scope="module", autouse=True)
def registered():
    if "dependencies" not in {c.name for c in main.app.registered_commands}:
        register_dependencies_commands(main.app)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dependencies_json_on_demo(capsys):
    code, out, err = _run(capsys, "dependencies", "VNM", "--products", "medical", "--year", "2020",
                          "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["product"] == "TOTAL" and rows[0]["top_supplier"] == "CHN"
    assert {"hhi", "top_share", "substitutability", "eu_dependent", "criteria"} <= set(rows[0])
    assert "warehouse: demo" in err and "capcoop ingest baci" in err


def test_disruption_json_on_demo(capsys):
    code, out, err = _run(capsys, "disruption", "--exporter", "CHN", "--products", "medical",
                          "--cut", "30%", "--importers", "ASEAN", "--year", "2020", "--top", "3",
                          "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3 and [r["rank"] for r in rows] == [1, 2, 3]
    assert all(r["net_shortfall_usd"] <= r["direct_loss_usd"] for r in rows)
    assert "substitution rule" in err


def test_table_is_captioned_with_the_warehouse(capsys):
    code, out, _ = _run(capsys, "dependencies", "ASEAN", "--year", "2020")
    assert code == 0 and "warehouse: demo" in out and "intra-bloc" in out


@pytest.mark.parametrize(("args", "message"), [
    (("dependencies", "VNN"), "unknown importer 'VNN'"),
    (("dependencies", "VNM", "--products", "medicl"), "unknown product group 'medicl'"),
    (("disruption", "--exporter", "CHN", "--cut", "130%"), "outside 0-100%"),
    (("disruption", "--exporter", "CHN", "--cut", "30%", "--weights", "size"), "weights"),
])
def test_errors_name_the_value_and_the_fix(capsys, args, message):
    code, _, err = _run(capsys, *args)
    assert code == 2 and message in err and "Try:" in err


def test_help_has_examples(capsys):
    for command in ("dependencies", "disruption"):
        code, out, _ = _run(capsys, command, "--help")
        assert code == 0 and f"capcoop {command}" in out

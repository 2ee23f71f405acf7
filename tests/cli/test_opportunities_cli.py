"""The ``opportunities`` command on the embedded demo: JSON contract, table, errors."""

from __future__ import annotations

import json

import pytest

from capcoop.cli import main
from capcoop.cli.opportunities import register_opportunities_commands


@pytest.fixture(scope="module", autouse=True)
def registered():
    if "opportunities" not in {c.name for c in main.app.registered_commands}:
        register_opportunities_commands(main.app)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_contract(capsys):
    code, out, _ = _run(capsys, "opportunities", "--provider", "CHN", "--host", "VNM", "--level",
                        "sector", "--year", 2022, "--top", 10, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 10 and rows[0]["rank"] == 1
    for row in rows:
        assert {"rank", "code", "name", "score", "components", "tags"} <= set(row)
        for parts in row["components"].values():
            assert set(parts) == {"value", "z", "weight", "contribution"}
        assert sum(p["contribution"] for p in row["components"].values()) == \
            pytest.approx(row["score"])


def test_table_explain_and_weights(capsys):
    code, out, _ = _run(capsys, "opportunities", "--host", "Laos", "--top", 3, "--explain",
                        "--weights", "environment=0.3", "--sensitivity", 50)
    assert code == 0 and "demo" in out and "stage_fit" in out and "contribution" in out
    assert "environment" in out


def test_asean_summary_and_myanmar(capsys):
    code, out, _ = _run(capsys, "opportunities", "--host", "ASEAN", "--top", 3, "--format", "json")
    data = json.loads(out)
    assert code == 0 and len(data["members"]) == 9 and "MMR" in data["meta"]["skipped"]
    assert data["summary"][0]["hosts_in_top_n"] >= 1
    code, out, _ = _run(capsys, "opportunities", "--host", "ASEAN", "--top", 2)
    assert code == 0 and "Myanmar" in out


def test_errors_and_scenarios(capsys):
    code, _, err = _run(capsys, "opportunities", "--weights", "foo=1")
    assert code == 2 and "unknown weight 'foo'" in err
    code, _, err = _run(capsys, "opportunities", "--scenario", "greenest")
    assert code == 2 and "unknown scenario" in err
    code, out, _ = _run(capsys, "opportunities", "--list-scenarios", "--format", "json")
    assert code == 0 and "low-carbon" in {s["name"] for s in json.loads(out)}


def test_help_has_an_example(capsys):
    code, out, _ = _run(capsys, "opportunities", "--help")
    assert code == 0 and "Example: capcoop opportunities" in out

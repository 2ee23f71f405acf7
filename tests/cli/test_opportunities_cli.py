"""The ``opportunities`` command on the embedded demo: JSON contract, table, errors."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------- the table view


@pytest.fixture(autouse=True)
def answer_cache(tmp_path, monkeypatch):
    """Cached answers go to a fresh folder per test."""
    monkeypatch.setenv("CAPCOOP_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_short_name_and_driver_text():
    from capcoop.cli.opportunities import driver_text, short_name

    assert short_name("Construction") == "Construction"
    assert short_name("Electrical and optical equipment", 20) == "Electrical and…"
    parts = {"demand": {"contribution": 0.28}, "feasibility": {"contribution": 0.36},
             "environment": {"contribution": -0.30}, "strategic": {"contribution": None}}
    assert driver_text(parts) == "feasibility +0.36, environment -0.30"
    assert driver_text(parts, 3, "\n") == "feasibility +0.36\nenvironment -0.30\ndemand +0.28"
    assert driver_text({}) == "n/a"


@given(st.text(min_size=0, max_size=80), st.integers(min_value=4, max_value=40))
def test_short_name_never_exceeds_the_width(name, width):
    from capcoop.cli.opportunities import short_name

    out = short_name(name, width)
    assert len(out) <= width
    assert out == " ".join(name.split()) or out.endswith("…")


def test_default_table_is_narrow_and_names_the_drivers(capsys):
    from capcoop.cli.opportunities import driver_text, short_name

    code, out, _ = _run(capsys, "opportunities", "--host", "VNM", "--top", 5, "--format", "json")
    rows = json.loads(out)
    code, out, _ = _run(capsys, "opportunities", "--host", "VNM", "--top", 5)
    assert code == 0 and "main drivers" in out and "demo" in out
    table = out.split("warehouse:")[0]
    assert max(len(line) for line in table.splitlines()) <= 80  # the captured console is 80 wide
    ranked = re.findall(r"│ +(\d+) │ (c\d+) +│", table)  # drivers continue on a second line
    assert ranked == [(str(r["rank"]), r["code"]) for r in rows]
    for row in rows:
        assert short_name(row["name"]) in table and f"{row['score']:.3f}" in table
        for driver in driver_text(row["components"]).split(", "):
            assert driver in table
    header = table.split("┡")[0]
    assert not any(name in header for name in ("capacity", "feasibility", "tags"))


def test_explain_has_one_row_per_component_of_the_top_n(capsys):
    code, out, _ = _run(capsys, "opportunities", "--host", "VNM", "--top", 3, "--explain")
    assert code == 0
    explain = out.split("Each component of the top 3")[1]
    assert sum(1 for line in explain.splitlines() if line.startswith("│")) == 3 * 7


def test_csv_keeps_every_number(capsys):
    code, out, _ = _run(capsys, "opportunities", "--host", "VNM", "--top", 2, "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert code == 0 and len(out.splitlines()) == 3
    assert {"capacity", "capacity_value", "capacity_z", "capacity_weight", "tags"} <= set(header)


def test_answers_are_cached_per_warehouse_version(capsys, answer_cache):
    args = ("opportunities", "--host", "KHM", "--top", 4, "--format", "json")
    code, first, _ = _run(capsys, *args)
    files = list((answer_cache / "answers").glob("opportunities-*.json"))
    assert code == 0 and len(files) == 1
    code, second, _ = _run(capsys, *args)
    assert second == first and list((answer_cache / "answers").glob("*.json")) == files
    code, fresh, _ = _run(capsys, *args, "--no-cache")
    assert fresh == first
    # a different question is a different answer
    _run(capsys, "opportunities", "--host", "KHM", "--top", 3, "--format", "json")
    assert len(list((answer_cache / "answers").glob("*.json"))) == 2
    # a damaged entry is recomputed, not trusted
    files[0].write_text("{not json", encoding="utf-8")
    code, again, _ = _run(capsys, *args)
    assert code == 0 and again == first

"""`capcoop supplies coverage|allocate`: JSON contract, table caption, errors, help example."""

import json

import pytest

from capcoop.cli import main
from capcoop.services.ingest import ingest_files
from shared_data import shared_data


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "w.duckdb"
    ingest_files("undp-vaccines", [shared_data("vaccines", "undp_vaccine_equity")], warehouse=db)
    return db


def _run(capsys, *args):
    code = main.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_coverage_json(capsys, warehouse):
    code, out, _ = _run(capsys, "supplies", "coverage", "--region", "ASEAN,CHN", "--format",
                        "json", "--warehouse", warehouse)
    body = json.loads(out)
    assert code == 0 and len(body["data"]) == 11
    assert body["meta"]["warehouse"] == str(warehouse)
    vnm = next(r for r in body["data"] if r["country"] == "VNM")
    assert vnm["doses_delivered"] == 292_825_728


def test_allocate_json_rows_add_up(capsys, warehouse):
    code, out, _ = _run(capsys, "supplies", "allocate", "--doses", 10_000_000, "--region", "ASEAN",
                        "--method", "need", "--floor", "1000", "--format", "json", "--warehouse",
                        warehouse)
    body = json.loads(out)
    assert code == 0
    assert sum(r["doses"] for r in body["data"]) == 10_000_000 == body["meta"]["allocated"]
    assert {"recipient", "doses", "capacity", "tier"} <= set(body["data"][0])


def test_allocate_table_is_captioned(capsys, warehouse):
    code, out, _ = _run(capsys, "supplies", "allocate", "--doses", 1000, "--region", "KHM,LAO",
                        "--warehouse", warehouse)
    assert code == 0 and f"warehouse: {warehouse}" in out.replace("\n", "")


def test_infeasible_floors_are_a_clear_error(capsys, warehouse):
    code, _, err = _run(capsys, "supplies", "allocate", "--doses", 10, "--region", "KHM,LAO",
                        "--floor", "100", "--warehouse", warehouse)
    assert code == 2 and "floors need 200 doses but only 10" in err


def test_help_has_examples(capsys):
    for command in ("coverage", "allocate"):
        code, out, _ = _run(capsys, "supplies", command, "--help")
        assert code == 0 and f"capcoop supplies {command}" in out

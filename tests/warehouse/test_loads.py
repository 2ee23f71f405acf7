"""Atomic, idempotent loads: the same file twice is a no-op, a rejected file leaves no trace."""

import pandas as pd
import pytest

from capcoop.errors import ReadOnlyWarehouseError, SourceFormatError
from capcoop.sources.base import TableBatch
from capcoop.warehouse.connection import open_reader, open_writer
from capcoop.warehouse.loads import load_batches


def _indicators(values):
    return pd.DataFrame({"country": ["CHN", "VNM"], "indicator": ["NY.GDP.PCAP.CD"] * 2,
                         "year": [2020, 2020], "value": values})


def _load(con, sha, frame, checks=()):
    batch = TableBatch("country_indicators", frame, checks=checks)
    return load_batches(con, source="wdi", release="test", file="x.csv", sha256=sha,
                        batches=[batch])


def _snapshot(path):
    with open_reader(path) as (con, _):
        rows = con.execute("SELECT * EXCLUDE (load_id) FROM country_indicators ORDER BY ALL").fetchall()
        loads = con.execute("SELECT load_id, sha256, rows FROM provenance ORDER BY ALL").fetchall()
    return rows, loads


def test_same_file_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db) as (con, _):
        first = _load(con, "a" * 64, _indicators([10500.0, 3500.0]))
    before = _snapshot(db)
    with open_writer(db) as (con, _):
        second = _load(con, "a" * 64, _indicators([10500.0, 3500.0]))
    assert (first.status, first.rows) == ("loaded", 2)
    assert (second.status, second.rows, second.load_id) == ("unchanged", 0, first.load_id)
    assert _snapshot(db) == before


def test_newer_file_supersedes_same_keys(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db) as (con, _):
        _load(con, "a" * 64, _indicators([1.0, 2.0]))
        result = _load(con, "b" * 64, _indicators([1.5, 2.5]))
    rows, loads = _snapshot(db)
    assert result.replaced_rows == 2
    assert [r[-1] for r in rows] == [1.5, 2.5]
    assert [load[2] for load in loads] == [2, 2]


def test_rejected_file_leaves_warehouse_unchanged(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db) as (con, _):
        _load(con, "a" * 64, _indicators([1.0, 2.0]))
    before = _snapshot(db)
    bad = pd.concat([_indicators([7.0, 8.0]), _indicators([7.0, 8.0])])
    with open_writer(db) as (con, _), pytest.raises(SourceFormatError, match="duplicate key"):
        _load(con, "c" * 64, bad)
    negative = "SELECT 'negative value', 2, 'value', value FROM _stage WHERE value < 0"
    with open_writer(db) as (con, _), pytest.raises(SourceFormatError, match="line 2.*-8.0"):
        _load(con, "d" * 64, _indicators([7.0, -8.0]), checks=(negative,))
    assert _snapshot(db) == before


def test_demo_warehouse_refuses_writes(monkeypatch):
    from capcoop.warehouse.connection import demo_warehouse_path
    with pytest.raises(ReadOnlyWarehouseError, match="read-only"):
        with open_writer(demo_warehouse_path()):
            pass

"""Versioned schema: migrations are recorded, and a version mismatch is refused with a fix."""

import duckdb
import pytest

from capcoop.errors import WarehouseError
from capcoop.settings import get_setting
from capcoop.warehouse.connection import locate_warehouse, open_reader, open_writer, schema_version
from capcoop.warehouse.schema import SCHEMA_VERSION


def test_new_warehouse_records_every_migration(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db) as (con, _):
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()]
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    with open_reader(db) as (con, location):
        assert schema_version(con) == SCHEMA_VERSION and location.kind == "explicit"


def test_newer_warehouse_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    with open_writer(db):
        pass
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(WarehouseError, match="schema version 999.*upgrade capcoop"):
        with open_reader(db):
            pass


def test_location_falls_back_to_user_then_demo(tmp_path, monkeypatch):
    monkeypatch.delenv("CAPCOOP_WAREHOUSE", raising=False)
    user = tmp_path / "user.duckdb"
    monkeypatch.setenv("CAPCOOP_USER_WAREHOUSE", str(user))
    assert locate_warehouse().kind == "demo"
    assert locate_warehouse(for_writing=True).path == user
    user.touch()
    assert locate_warehouse().kind == "user"
    monkeypatch.setenv("CAPCOOP_WAREHOUSE", str(tmp_path / "x.duckdb"))
    assert locate_warehouse().kind == "explicit"
    assert str(get_setting("warehouse")).endswith("x.duckdb")

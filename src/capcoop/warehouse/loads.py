"""Atomic, idempotent loads with provenance.

A source's ``parse()`` yields :class:`TableBatch` objects (rows for one canonical table). The
loader writes all batches of one file in **one transaction**:

1. If the same source already loaded a file with the same sha256, nothing happens (``unchanged``).
2. Each batch is staged: a frame is copied into a temporary table ``_stage``; a
   :class:`SqlStage` (files too big for memory) is inserted straight into the target table and
   ``_stage`` is a view of the rows just inserted (with their ``rowid``, in file order), so the
   rows are written once. The source's SQL checks and the table's key uniqueness are verified on
   ``_stage``. Any failure rolls everything back: nothing of a rejected file reaches the warehouse.
3. Rows of the same source whose ``replace_by`` columns match the staged rows are deleted (a newer
   file of the same coverage supersedes the older one; by default the table's natural key).
4. Frame rows are inserted and one provenance row per batch records source, release, file,
   sha256, rows, replaced rows and parameters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from capcoop import __version__
from capcoop.errors import InputError, SourceFormatError
from capcoop.sources.base import SqlStage, TableBatch
from capcoop.warehouse.schema import TABLE_KEYS

__all__ = ["LoadResult", "load_batches", "already_loaded"]


@dataclass(frozen=True)
class LoadResult:
    """Outcome of a load: ``loaded`` or ``unchanged``, rows written and rows superseded."""

    status: str
    load_id: int | None
    rows: int
    replaced_rows: int
    tables: dict[str, int] = field(default_factory=dict)


def already_loaded(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> int | None:
    """The load_id of an earlier load of the same file by the same source, if any."""
    row = con.execute("SELECT min(load_id) FROM provenance WHERE source = ? AND sha256 = ?",
                      [source, sha256]).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    kinds = con.execute("SELECT 'VIEW' FROM duckdb_views() WHERE view_name = '_stage' AND temporary "
                        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = '_stage' "
                        "AND temporary").fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {kind} _stage")


def _stage(con: duckdb.DuckDBPyConnection, data: Any) -> None:
    _drop_stage(con)
    con.register("_incoming", data)
    try:
        con.execute("CREATE TEMP TABLE _stage AS SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def _run_checks(con: duckdb.DuckDBPyConnection, batch: TableBatch, file: str) -> None:
    for check in batch.checks:
        row = con.execute(f"SELECT * FROM ({check}) LIMIT 1").fetchone()
        if row is not None:
            message, line, column, value = row
            raise SourceFormatError(message, file=file, line=line, column=column, value=value)
    if batch.unique_key_checked:
        return
    keys = [k for k in TABLE_KEYS[batch.target] if k in _stage_columns(con)]
    cols = ", ".join(keys)
    dup = con.execute(f"SELECT {cols}, count(*) AS n FROM _stage GROUP BY ALL HAVING n > 1 "
                      "LIMIT 1").fetchone()
    if dup is not None:
        shown = ", ".join(f"{k}={v!r}" for k, v in zip(keys, dup[:-1], strict=True))
        raise SourceFormatError(f"duplicate key ({shown}) appears {dup[-1]} times", file=file,
                                hint="each key may appear once per file; remove the repeats")


def _insert_sql(con: duckdb.DuckDBPyConnection, batch: TableBatch, source: str, load_id: int,
                file: str) -> int:
    """Insert a :class:`SqlStage` into its table; ``_stage`` becomes a view of the new rows."""
    stage: SqlStage = batch.data
    _drop_stage(con)
    # rows of earlier batches of the same file share the load_id: the view starts after them
    after = con.execute(f"SELECT max(rowid) FROM {batch.target} WHERE load_id = ?",
                        [load_id]).fetchone()[0]
    sql = (f"INSERT INTO {batch.target} BY NAME SELECT *, ?::VARCHAR AS source, "
           f"?::BIGINT AS load_id FROM ({stage.sql})")
    try:
        rows = int(con.execute(sql, [source, load_id, *stage.params]).fetchone()[0])
    except duckdb.Error as exc:
        raise SourceFormatError(f"cannot load the rows: {str(exc).splitlines()[0]}",
                                file=file) from None
    later = "" if after is None else f" AND rowid > {int(after)}"
    con.execute(f"CREATE TEMP VIEW _stage AS SELECT rowid AS rowid, * EXCLUDE (source, load_id) "
                f"FROM {batch.target} WHERE load_id = {int(load_id)}{later}")
    return rows


def _stage_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("DESCRIBE _stage").fetchall() if r[0] != "rowid"]


def _check_columns(con: duckdb.DuckDBPyConnection, target: str, file: str) -> None:
    table_cols = {r[0] for r in con.execute(f"DESCRIBE {target}").fetchall()}
    staged = set(_stage_columns(con))
    extra = staged - table_cols
    missing = {c for c in TABLE_KEYS[target] if c not in staged and c != "month"}
    if extra or missing:
        raise SourceFormatError(
            f"rows for table '{target}' have unexpected columns {sorted(extra)} "
            f"or lack key columns {sorted(missing)}", file=file)


def _replace(con: duckdb.DuckDBPyConnection, batch: TableBatch, source: str, load_id: int) -> int:
    cols = batch.replace_by or TABLE_KEYS[batch.target]
    cols = tuple(c for c in cols if c in _stage_columns(con))
    match = " AND ".join(f"t.{c} IS NOT DISTINCT FROM s.{c}" for c in cols)
    sql = (f"DELETE FROM {batch.target} t WHERE t.source = ? AND t.load_id <> ? AND EXISTS ("
           f"SELECT 1 FROM (SELECT DISTINCT {', '.join(cols)} FROM _stage) s WHERE {match})")
    return int(con.execute(sql, [source, load_id]).fetchone()[0])


def _insert(con: duckdb.DuckDBPyConnection, target: str, source: str, load_id: int) -> int:
    sql = (f"INSERT INTO {target} BY NAME SELECT *, ?::VARCHAR AS source, "
           f"?::BIGINT AS load_id FROM _stage")
    try:
        return int(con.execute(sql, [source, load_id]).fetchone()[0])
    except (duckdb.ConstraintException, duckdb.ConversionException) as exc:
        raise InputError(f"rows do not fit table '{target}': {exc}") from None


def load_batches(con: duckdb.DuckDBPyConnection, *, source: str, release: str | None, file: str,
                 sha256: str, batches: list[TableBatch],
                 parameters: dict[str, Any] | None = None) -> LoadResult:
    """Write ``batches`` from one file atomically, with provenance; see the module docstring."""
    unknown = [b.target for b in batches if b.target not in TABLE_KEYS]
    if unknown:
        raise InputError(f"unknown target table {unknown[0]!r}; expected one of {sorted(TABLE_KEYS)}")
    con.execute("BEGIN TRANSACTION")
    try:
        previous = already_loaded(con, source, sha256)
        if previous is not None:
            con.execute("ROLLBACK")
            return LoadResult("unchanged", previous, 0, 0)
        load_id = int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM provenance").fetchone()[0])
        result = _write_all(con, source=source, release=release, file=file, sha256=sha256,
                            batches=batches, parameters=parameters or {}, load_id=load_id)
        _drop_stage(con)
        con.execute("COMMIT")
        return result
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _write_all(con: duckdb.DuckDBPyConnection, *, source: str, release: str | None, file: str,
               sha256: str, batches: list[TableBatch], parameters: dict[str, Any],
               load_id: int) -> LoadResult:
    tables: dict[str, int] = {}
    total_replaced = 0
    for batch in batches:
        direct = isinstance(batch.data, SqlStage)
        if direct:
            rows = _insert_sql(con, batch, source, load_id, file)
        else:
            _stage(con, batch.data)
        _check_columns(con, batch.target, file)
        _run_checks(con, batch, file)
        replaced = _replace(con, batch, source, load_id)
        if not direct:
            rows = _insert(con, batch.target, source, load_id)
        con.execute(
            "INSERT INTO provenance (load_id, source, release, file, sha256, rows, target, "
            "replaced_rows, parameters, capcoop_version, loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
            [load_id, source, release, file, sha256, rows, batch.target, replaced,
             json.dumps(parameters, sort_keys=True), __version__])
        tables[batch.target] = tables.get(batch.target, 0) + rows
        total_replaced += replaced
    return LoadResult("loaded", load_id, sum(tables.values()), total_replaced, tables)

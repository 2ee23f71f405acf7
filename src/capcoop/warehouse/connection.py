"""Opening the warehouse: which file, read-only or writing, and its schema version.

Resolution order for the file: an explicit path (``--warehouse`` / ``CAPCOOP_WAREHOUSE``), else the
user's warehouse in the platform data directory if it exists, else the embedded demo warehouse that
ships inside the package (always read-only and labelled ``demo``).

DuckDB allows one writing process at a time. Writers go through :func:`open_writer` only; readers
use read-only connections. A connection that finds the file locked retries for a few seconds and
then raises :class:`~capcoop.errors.WarehouseBusyError`.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import duckdb

from capcoop.errors import ReadOnlyWarehouseError, WarehouseBusyError, WarehouseError
from capcoop.settings import get_setting
from capcoop.warehouse.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["WarehouseLocation", "locate_warehouse", "demo_warehouse_path", "open_reader",
           "open_writer", "schema_version", "BUSY_TIMEOUT_S"]

BUSY_TIMEOUT_S = 10.0
#: The demo ships gzip-compressed (about 40% of its size) and is unpacked once per version.
DEMO_PACKED = "demo.duckdb.gz"


@dataclass(frozen=True)
class WarehouseLocation:
    """Where the warehouse is and what kind it is (``explicit``, ``user`` or ``demo``)."""

    path: Path
    kind: str

    @property
    def is_demo(self) -> bool:
        """True for the embedded, read-only demo warehouse."""
        return self.kind == "demo"

    @property
    def label(self) -> str:
        """A short label for outputs: ``demo`` for the embedded warehouse, else the file path."""
        return "demo (embedded sample warehouse)" if self.is_demo else str(self.path)


def demo_warehouse_path() -> Path:
    """Path of the embedded demo warehouse, ready to open read-only.

    The package ships it gzip-compressed (``capcoop/data/demo.duckdb.gz``); the first call unpacks
    it, with its ``ATTRIBUTION.md``, into ``<cache_dir>/demo/`` (or the temporary directory when
    the cache is not writable). The unpacked file is named after the packed file's size and
    modification time, so a new capcoop release unpacks its own demo.
    """
    data = Path(str(resources.files("capcoop") / "data"))
    packed = data / DEMO_PACKED
    try:
        stat = packed.stat()
    except OSError:
        raise WarehouseError(f"the embedded demo warehouse is missing ({packed})",
                             hint="reinstall capcoop") from None
    folder = str(Path(str(get_setting("cache_dir"))) / "demo")
    path = _unpacked_demo(str(packed), stat.st_size, stat.st_mtime_ns, folder)
    if not path.exists():  # removed behind our back (a cleaned cache): unpack again
        _unpacked_demo.cache_clear()
        path = _unpacked_demo(str(packed), stat.st_size, stat.st_mtime_ns, folder)
    return path


@lru_cache(maxsize=4)
def _unpacked_demo(packed: str, size: int, mtime_ns: int, folder: str) -> Path:
    with open(packed, "rb") as handle:  # gzip's trailer holds the unpacked size (mod 2**32)
        handle.seek(-4, os.SEEK_END)
        expected = int.from_bytes(handle.read(4), "little")
    name = f"demo-{size}-{mtime_ns}.duckdb"
    for place in (Path(folder), Path(tempfile.gettempdir()) / f"capcoop-demo-{os.getuid()}"):
        target = place / name
        if target.exists() and target.stat().st_size % 2**32 == expected:
            return target
        try:
            place.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=place, suffix=".part")
            with os.fdopen(fd, "wb") as out, gzip.open(packed, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
            os.replace(tmp, target)
            attribution = Path(packed).with_name("ATTRIBUTION.md")
            if attribution.exists():
                shutil.copyfile(attribution, place / "ATTRIBUTION.md")
            for old in place.glob("demo-*.duckdb"):  # earlier versions' demos
                if old != target:
                    old.unlink(missing_ok=True)
            return target
        except OSError:
            continue
    raise WarehouseError("cannot unpack the embedded demo warehouse",
                         hint="set CAPCOOP_CACHE_DIR to a writable folder")


def locate_warehouse(path: str | Path | None = None, *, for_writing: bool = False) -> WarehouseLocation:
    """Decide which warehouse file to use.

    Parameters
    ----------
    path
        An explicit file; overrides ``CAPCOOP_WAREHOUSE``.
    for_writing
        Writers never fall back to the demo: without an explicit path they use (and create) the
        user warehouse.
    """
    explicit = get_setting("warehouse", str(path) if path is not None else None)
    if explicit:
        chosen = Path(str(explicit)).expanduser()
        # only an unpacked demo's name can be the demo: other files never unpack it to compare
        is_demo = chosen.name.startswith("demo-") and chosen.exists() and \
            chosen.resolve() == demo_warehouse_path().resolve()
        return WarehouseLocation(chosen, "demo" if is_demo else "explicit")
    user = Path(str(get_setting("user_warehouse"))).expanduser()
    if for_writing or user.exists():
        return WarehouseLocation(user, "user")
    return WarehouseLocation(demo_warehouse_path(), "demo")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    config = {"memory_limit": str(get_setting("memory_limit"))}
    threads = int(get_setting("threads"))  # type: ignore[arg-type]
    if threads > 0:
        config["threads"] = str(threads)
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config)
            con.execute("SET enable_progress_bar = false")  # no DuckDB bars amid capcoop's output
            return con
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse '{path}': {exc}") from None
            if time.monotonic() > deadline:
                raise WarehouseBusyError(
                    f"warehouse '{path}' is locked by another capcoop process",
                    hint="wait for the running ingest to finish and try again") from None
            time.sleep(0.2)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration recorded in the warehouse (0 for an empty file)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse '{path}' has schema version {version}, newer than this capcoop "
            f"({SCHEMA_VERSION})", hint="upgrade capcoop (pip install -U capcoop)")
    if version < SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse '{path}' has schema version {version}; this capcoop needs {SCHEMA_VERSION}",
            hint=f"run `capcoop db migrate --warehouse {path}`")


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the missing migrations in one transaction; return the versions applied."""
    applied: list[int] = []
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
        current = schema_version(con)
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            for statement in migration.statements:
                con.execute(statement)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                        [migration.version, migration.name])
            applied.append(migration.version)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return applied


@contextmanager
def open_reader(path: str | Path | None = None) -> Iterator[tuple[duckdb.DuckDBPyConnection, WarehouseLocation]]:
    """A read-only connection to the resolved warehouse, with its location."""
    location = locate_warehouse(path)
    if not location.path.exists():
        hint = ("create it with `capcoop ingest SOURCE FILE --warehouse PATH`"
                if location.kind != "demo" else "reinstall capcoop: the embedded demo is missing")
        raise WarehouseError(f"warehouse file '{location.path}' does not exist", hint=hint)
    con = _connect(location.path, read_only=True)
    try:
        _check_version(con, location.path)
        yield con, location
    finally:
        con.close()


@contextmanager
def open_writer(path: str | Path | None = None) -> Iterator[tuple[duckdb.DuckDBPyConnection, WarehouseLocation]]:
    """The single writing connection: creates the file and applies migrations as needed."""
    location = locate_warehouse(path, for_writing=True)
    if location.is_demo:
        raise ReadOnlyWarehouseError(
            "the embedded demo warehouse is read-only",
            hint="pass --warehouse PATH (or set CAPCOOP_WAREHOUSE) to write to your own file")
    location.path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(location.path, read_only=False)
    try:
        if migrate(con):
            from capcoop.warehouse.reference import refresh_reference_tables

            refresh_reference_tables(con)  # a new or upgraded file gets the reference codes
        yield con, location
    finally:
        con.close()

"""Use case: load source files into the warehouse, atomically and idempotently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from capcoop.errors import InputError
from capcoop.sources import get_source
from capcoop.sources.base import sha256_path
from capcoop.warehouse.connection import open_writer
from capcoop.warehouse.loads import LoadResult, already_loaded, load_batches

__all__ = ["IngestReport", "ingest_files"]


@dataclass(frozen=True)
class IngestReport:
    """What happened to one file: status (``loaded``/``unchanged``), rows, tables, warehouse."""

    source: str
    file: str
    sha256: str
    result: LoadResult
    warehouse: str


def ingest_files(source: str, paths: list[str | Path], *, warehouse: str | Path | None = None,
                 on_file: Callable[[Path], None] | None = None) -> list[IngestReport]:
    """Parse and load each of ``paths`` with source ``source``.

    A path may be a folder where the source reads one (WDI: the folder of indicator files); its
    checksum covers every file in it.

    Each file is one transaction: a file rejected half-way leaves the warehouse as it was, and
    files loaded before it stay loaded. A file already loaded (same sha256) is skipped.
    """
    module = get_source(source)
    files = [_existing(p) for p in paths]
    reports = []
    with open_writer(warehouse) as (con, location):
        for path in files:
            if on_file:
                on_file(path)
            digest = sha256_path(path)
            previous = already_loaded(con, module.SOURCE.name, digest)
            if previous is not None:
                result = LoadResult("unchanged", previous, 0, 0)
            else:
                parsed = module.parse(path)
                result = load_batches(con, source=parsed.source, release=parsed.release,
                                      file=path.name, sha256=digest, batches=parsed.batches,
                                      parameters=parsed.parameters)
            reports.append(IngestReport(module.SOURCE.name, str(path), digest, result,
                                        str(location.path)))
    return reports


def _existing(path: str | Path) -> Path:
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise InputError(f"file not found: '{path}'", hint="check the path")
    return resolved

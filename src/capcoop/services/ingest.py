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
from capcoop.warehouse.trade_queries import DERIVED_PREFIX, derive_product_totals

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

    After a product-level trade source (BACI, Comtrade by product) has loaded new files, the
    bilateral totals the monitor answers from are re-derived from its product rows
    (:func:`derive_totals_after_load`); each derivation is reported as one more
    :class:`IngestReport` whose ``file`` is ``derived:<source>:<classification>``.
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
        if any(r.result.status == "loaded" for r in reports):
            for file, result in derive_totals_after_load(con, module.SOURCE.name):
                reports.append(IngestReport(module.SOURCE.name, file, "", result,
                                            str(location.path)))
    return reports


def derive_totals_after_load(con, source: str) -> list[tuple[str, LoadResult]]:
    """Derive bilateral totals from ``source``'s product rows, where the source publishes none.

    A source that publishes its own totals (``classification = 'TOTAL'`` rows from one of its
    files, e.g. Comtrade partner tables) keeps them untouched. When a source holds several
    product classifications (BACI in HS92 and HS17), totals are derived from each, oldest
    revision first, so for a year both cover the newer revision's totals stand. Idempotent: the
    derivation of unchanged product loads is skipped.

    Returns ``(file label, load result)`` pairs, one per classification derived.
    """
    published = con.execute(
        "SELECT count(*) FROM trade_flows t JOIN provenance p USING (load_id) "
        "WHERE t.source = ? AND t.classification = 'TOTAL' AND p.file NOT LIKE ?",
        [source, DERIVED_PREFIX + "%"]).fetchone()[0]
    if published:
        return []
    classifications = [r[0] for r in con.execute(
        "SELECT DISTINCT classification FROM trade_flows WHERE source = ? "
        "AND classification <> 'TOTAL' ORDER BY classification", [source]).fetchall()]
    return [(f"{DERIVED_PREFIX}{source}:{c}", derive_product_totals(con, source=source,
                                                                    classification=c))
            for c in sorted(classifications, key=_revision_order)]


def _revision_order(classification: str) -> tuple[int, str]:
    """HS92 < HS96 < HS02 < ... < HS22 (two-digit years across the century), others after."""
    digits = classification[-2:]
    if classification.startswith("HS") and digits.isdigit():
        year = int(digits)
        return (1900 + year if year >= 88 else 2000 + year, classification)
    return (9999, classification)


def _existing(path: str | Path) -> Path:
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise InputError(f"file not found: '{path}'", hint="check the path")
    return resolved

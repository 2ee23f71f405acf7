"""What every source module shares: the parsed-file value objects, the registry and ``fetch``.

A source module exposes ``SOURCE`` (a :class:`SourceInfo`), a pure ``parse(path) -> ParsedFile``
that reads a local file and validates it, and ``fetch(...) -> Path`` that downloads the
publisher's file into the cache (network code takes an injectable ``transport`` so tests run
offline). Sources never open the warehouse: they describe rows, the warehouse writes them.
"""

from __future__ import annotations

import hashlib
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capcoop.errors import CapcoopError, InputError

__all__ = ["TABLE_KEYS", "SqlStage", "TableBatch", "ParsedFile", "SourceInfo", "Transport",
           "sha256_file", "sha256_path", "fetch_url", "urllib_transport"]

#: The natural key of each canonical table (besides ``source``), the contract between sources and
#: the warehouse: a load may not contain two rows with the same key, and a row whose key is already
#: present from the same source is replaced.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "trade_flows": ("basis", "freq", "year", "month", "reporter", "partner", "flow",
                    "classification", "product"),
    "country_product_exports": ("classification", "year", "country", "product"),
    "sector_accounts": ("country", "sector", "year", "indicator"),
    "country_indicators": ("country", "indicator", "year"),
    "indicator_definitions": ("indicator",),
    "country_classifications": ("country", "scheme", "year"),
    "code_attributes": ("classification", "code", "attribute"),
    "io_cells": ("table_name", "year", "matrix", "row_region", "row_sector", "col_region",
                 "col_sector"),
    "io_labels": ("table_name", "kind", "code"),
    "vaccine_supplies": ("country", "date", "indicator"),
}

#: A transport takes a URL and returns the response body. Tests inject a fake one.
Transport = Callable[[str], bytes]


@dataclass(frozen=True)
class SqlStage:
    """Rows produced by a SQL query the warehouse runs (for files too big for memory frames).

    ``sql`` is a SELECT over table functions such as ``read_csv`` with ``?`` parameters; it must
    be pure (read only the source file).
    """

    sql: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class TableBatch:
    """Rows for one canonical table, as a source's ``parse()`` produces them.

    Parameters
    ----------
    target
        Canonical table name (see :mod:`capcoop.warehouse.schema`).
    data
        A pandas DataFrame, a pyarrow Table or a :class:`SqlStage`, with the target's columns
        except ``source`` and ``load_id``.
    replace_by
        Columns whose values delimit what this batch supersedes; default: the table's key.
    checks
        SQL queries over ``_stage`` returning offending rows as ``(message, line, column, value)``;
        the first row found rejects the file.
    unique_key_checked
        True when ``checks`` already reject repeated keys (naming their lines); the loader then
        skips its own ``GROUP BY`` over the key, which costs as much as a third of a big load.
    """

    target: str
    data: Any
    replace_by: tuple[str, ...] | None = None
    checks: tuple[str, ...] = ()
    unique_key_checked: bool = False


@dataclass(frozen=True)
class ParsedFile:
    """A validated file: which source, which release, and its batches of canonical rows."""

    source: str
    release: str | None
    batches: list[TableBatch]
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceInfo:
    """Description of a supported source, shown by ``capcoop sources``."""

    name: str
    title: str
    publisher: str
    licence: str
    url: str
    formats: str
    targets: tuple[str, ...]


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_path(path: Path) -> str:
    """Hex sha256 of a file, or of a folder: every file under it, by relative name and content.

    A folder's digest changes when any member file is added, removed, renamed or changed.
    """
    if not path.is_dir():
        return sha256_file(path)
    digest = hashlib.sha256()
    for member in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(member.relative_to(path).as_posix().encode() + b"\0")
        digest.update(sha256_file(member).encode() + b"\n")
    return digest.hexdigest()


def urllib_transport(url: str) -> bytes:
    """The default transport: an HTTP GET with urllib (60 s timeout)."""
    request = urllib.request.Request(url, headers={"User-Agent": "capcoop"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (publisher URL)
        return response.read()


def fetch_url(url: str, cache_dir: Path, *, filename: str | None = None,
              transport: Transport | None = None, sha256: str | None = None,
              refresh: bool = False) -> Path:
    """Download ``url`` into ``cache_dir`` (once), verify an expected checksum, return the path.

    The file is written to a temporary name and renamed, so an interrupted download never
    leaves a truncated file in the cache. ``sha256``, when given, must match.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / (filename or url.rstrip("/").rsplit("/", 1)[-1].split("?")[0])
    if target.exists() and not refresh:
        _verify(target, sha256)
        return target
    try:
        body = (transport or urllib_transport)(url)
    except OSError as exc:
        raise CapcoopError(f"could not download {url}: {exc}",
                           hint="check the network, or download the file by hand and "
                                "pass its path to `capcoop ingest`") from None
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(body)
    partial.replace(target)
    _verify(target, sha256)
    return target


def _verify(path: Path, sha256: str | None) -> None:
    if sha256 is None:
        return
    actual = sha256_file(path)
    if actual != sha256:
        path.unlink()
        raise InputError(f"checksum mismatch for {path.name}: expected {sha256}, got {actual}",
                         hint="the download was corrupted or the publisher changed the file; retry")

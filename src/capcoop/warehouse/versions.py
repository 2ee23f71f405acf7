"""The version of a warehouse file: what caches of computed answers are keyed by.

Light on purpose (no DuckDB import), so a command that answers from a cache starts fast.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["warehouse_version"]


def warehouse_version(path: str | Path) -> tuple[tuple[int, int] | None, ...]:
    """``(size, mtime in ns)`` of the warehouse file and of its ``.wal`` (None when absent).

    Any committed write changes one of them, so the pair keys everything computed from one state
    of the warehouse. Example: ``warehouse_version("my.duckdb")`` → ``((12288, 1732...), None)``.
    """
    out: list[tuple[int, int] | None] = []
    for item in (str(path), f"{path}.wal"):
        try:
            stat = os.stat(item)
        except OSError:
            out.append(None)
        else:
            out.append((stat.st_size, stat.st_mtime_ns))
    return tuple(out)

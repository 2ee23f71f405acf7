"""The one place tests find the real data in ``../shared/data``.

Tests that need it call :func:`shared_data` (or use the ``shared_data`` fixture); when the folder is
absent — a user's fresh clone — the test is skipped with a reason that says where it was looked for
and how to point capcoop at a copy (``CAPCOOP_SHARED_DATA``). Nothing passes silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[1]
#: ``shared/data`` beside the checkout or beside any folder above it (a clone may sit deeper).
_CANDIDATES = tuple(parent / "shared" / "data" for parent in _REPO.parents)


def shared_data_root() -> Path | None:
    """The shared data folder, or None when it is not on this machine."""
    env = os.environ.get("CAPCOOP_SHARED_DATA")
    for candidate in ((Path(env),) if env else ()) + _CANDIDATES:
        if (candidate / "README.md").is_file():
            return candidate
    return None


def shared_data(*parts: str) -> Path:
    """Path to ``../shared/data/<parts>``; skips the calling test when it is absent."""
    root = shared_data_root()
    if root is None:
        pytest.skip("real data not found: ../shared/data is absent "
                    "(set CAPCOOP_SHARED_DATA to a copy to run this test)")
    path = root.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data file not found: {path}")
    return path

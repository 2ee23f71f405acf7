"""Global CLI options shared by every command (set by the root callback)."""

from __future__ import annotations

from pathlib import Path

#: The ``--warehouse`` option (or ``CAPCOOP_WAREHOUSE``); None means "resolve the default".
warehouse: Path | None = None

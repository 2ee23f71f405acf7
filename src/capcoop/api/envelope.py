"""The one JSON envelope of every API answer, and the encoder that fills it.

Success: ``{"ok": true, "data": ..., "meta": {...}}``; failure: ``{"ok": false, "error":
{"message", "hint", "field"}, "status": N}``. ``meta`` always names the warehouse that answered
(``warehouse``: its label, ``warehouse_kind``: ``demo``, ``user`` or ``explicit``) and the
parameters used. NaN and infinities become ``null``; dates become ISO text; numpy and pandas
scalars become plain numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["OkEnvelope", "ErrorEnvelope", "ErrorBody", "jsonable", "encode", "ok_body",
           "error_body"]


class OkEnvelope(BaseModel):
    """A successful answer."""

    ok: bool = Field(True, description="Always true on success.")
    data: Any = Field(description="The result: the same records the CLI prints with --format json.")
    meta: dict[str, Any] = Field(description="warehouse label and kind, parameters used, "
                                             "sources and notes/caveats of the result.")


class ErrorBody(BaseModel):
    """What went wrong and what to do."""

    message: str = Field(description="What was wrong, quoting the offending value.")
    hint: str | None = Field(None, description="The next step to take.")
    field: str | None = Field(None, description="The request field at fault, when known.")


class ErrorEnvelope(BaseModel):
    """A failed answer."""

    ok: bool = Field(False, description="Always false on failure.")
    error: ErrorBody
    status: int = Field(description="The HTTP status code, repeated in the body.")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (NaN/inf -> None, dates -> ISO text, numpy -> Python)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [jsonable(v) for v in items]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return jsonable(value.to_dict(orient="records"))
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if hasattr(value, "item"):  # numpy / pandas scalars
        return jsonable(value.item())
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if value != value:  # pandas NA / NaT
        return None
    return str(value)


def encode(payload: dict[str, Any]) -> bytes:
    """UTF-8 JSON bytes of an envelope (Chinese text kept as is)."""
    return json.dumps(jsonable(payload), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def ok_body(data: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """The success envelope."""
    return {"ok": True, "data": data, "meta": meta}


def error_body(status: int, message: str, *, hint: str | None = None,
               field: str | None = None) -> dict[str, Any]:
    """The error envelope (``field`` left out when unknown)."""
    error: dict[str, Any] = {"message": message, "hint": hint}
    if field is not None:
        error["field"] = field
    return {"ok": False, "error": error, "status": status}

"""Every failure becomes the error envelope, produced here and nowhere else.

=======================================  ======  =====================================
raised                                   status  meaning
=======================================  ======  =====================================
request validation (type, range, enum)   422     a parameter is malformed
:class:`~capcoop.errors.UnknownCodeError` 404    a country, bloc or product is unknown
:class:`~capcoop.errors.InputError`      400     a value is not acceptable
:class:`~capcoop.errors.ReadOnlyWarehouseError` 409 a write to a read-only warehouse
:class:`~capcoop.errors.WarehouseError`  503     the warehouse cannot answer (missing, busy)
:class:`ApiError` (auth, not found)      its own e.g. 401, 403, 404
anything else                            500     logged with its traceback, never sent
=======================================  ======  =====================================

Service errors do not know which request field carried the bad value, so :func:`field_of`
finds the parameter whose value the message quotes (``unknown reporter 'VNN'`` -> ``reporter``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from capcoop.api.envelope import encode, error_body
from capcoop.errors import (
    CapcoopError,
    InputError,
    ReadOnlyWarehouseError,
    UnknownCodeError,
    WarehouseError,
)

__all__ = ["ApiError", "status_of", "field_of", "field_in", "install_error_handlers", "error_response"]

log = logging.getLogger("capcoop.api")


class ApiError(Exception):
    """An error the API itself raises (authentication, unknown item) with its status."""

    def __init__(self, status: int, message: str, *, hint: str | None = None,
                 field: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.hint, self.field = status, message, hint, field
        self.headers = headers or {}


def status_of(exc: CapcoopError) -> int:
    """The HTTP status of a capcoop error (see the module table)."""
    if isinstance(exc, UnknownCodeError):
        return 404
    if isinstance(exc, ReadOnlyWarehouseError):
        return 409
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, WarehouseError):
        return 503
    return 500


def _inputs(request: Request) -> list[tuple[str, str]]:
    return [*request.path_params.items(), *request.query_params.multi_items()]


def field_of(request: Request, message: str) -> str | None:
    """The request parameter the message is about: first the one whose value it quotes, then
    the one it names (``None`` when neither)."""
    return field_in(_inputs(request), message)


def field_in(items: Any, message: str) -> str | None:
    """Which of ``items`` (name, value pairs or a mapping) the message is about: first the
    one whose value it quotes, then the one whose value or name it contains."""
    pairs = items.items() if isinstance(items, dict) else items
    inputs = [(str(k), str(v)) for k, v in pairs if v is not None and str(v)]
    for name, value in inputs:
        if repr(value) in message or f'"{value}"' in message:
            return name
    lowered = message.lower()
    for name, value in inputs:
        if value.lower() in lowered and len(value) > 2:
            return name
    for name, _ in inputs:
        spaced = name.lower().replace("_", " ")
        stem = spaced.rstrip("s")
        if name.lower() in lowered or spaced in lowered or (len(stem) > 3 and stem in lowered):
            return name
    return None


def error_response(status: int, message: str, *, hint: str | None = None,
                   field: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """A JSON response carrying the error envelope."""
    return Response(encode(error_body(status, message, hint=hint, field=field)), status_code=status,
                    media_type="application/json", headers=headers)


def _validation_field(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
    return ".".join(loc) or "body"


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    field = _validation_field(first)
    given = first.get("input")
    quoted = "" if given is None or isinstance(given, dict) else f", got {given!r}"
    parts = [f"{_validation_field(e)}: {e.get('msg', 'invalid')}" for e in errors[1:]]
    message = f"{field}: {first.get('msg', 'invalid value')}{quoted}"
    if parts:
        message += "; also " + "; ".join(parts)
    return error_response(422, message, field=field,
                          hint="see /openapi.json for the parameters this route takes")


async def _on_capcoop(request: Request, exc: CapcoopError) -> Response:
    status = status_of(exc)
    if status == 500:
        log.error("capcoop error on %s: %s", request.url.path, exc)
    field = getattr(exc, "field", None) or (field_of(request, exc.message) if status < 500 else None)
    return error_response(status, exc.message, hint=exc.hint, field=field)


async def _on_api(request: Request, exc: ApiError) -> Response:
    return error_response(exc.status, exc.message, hint=exc.hint, field=exc.field,
                          headers=exc.headers)


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    hint = "see /openapi.json for the routes" if exc.status_code in (404, 405) else None
    message = str(exc.detail)
    if exc.status_code == 404:
        message = f"no route {request.method} {request.url.path}"
    return error_response(exc.status_code, message, hint=hint,
                          headers=getattr(exc, "headers", None))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error: the server could not answer this request",
                          hint="the server log has the details; report it if it persists")


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure of ``app`` to the error envelope."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(CapcoopError, _on_capcoop)
    app.add_exception_handler(ApiError, _on_api)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)

"""Writes need the operator's bearer token; reads are open.

The token comes from ``create_app(token=...)`` or the ``CAPCOOP_API_TOKEN`` environment
variable. With no token configured, every write is refused (403) with a message saying how to
enable writes; a missing or wrong ``Authorization: Bearer <token>`` header gets 401.
"""

from __future__ import annotations

import hmac
import os

from fastapi import Request

from capcoop.api.errors import ApiError

__all__ = ["TOKEN_ENV", "configured_token", "require_write_token"]

TOKEN_ENV = "CAPCOOP_API_TOKEN"


def configured_token(token: str | None = None) -> str | None:
    """The write token: ``token`` if given, else ``CAPCOOP_API_TOKEN`` (blank means none)."""
    chosen = token if token is not None else os.environ.get(TOKEN_ENV)
    return chosen.strip() or None if chosen else None


def require_write_token(request: Request) -> None:
    """Dependency of every writing route: 403 when writes are disabled, 401 on a bad token."""
    expected = request.app.state.capcoop.token
    if expected is None:
        raise ApiError(403, "this server is read-only: writes are disabled",
                       hint=f"the operator enables writes by setting {TOKEN_ENV} to a secret "
                            "token before `capcoop serve`; clients then send "
                            "'Authorization: Bearer <token>'")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "this route writes to the warehouse and needs a bearer token",
                       hint="send the header 'Authorization: Bearer <token>' with the token "
                            f"the operator set in {TOKEN_ENV}", field="Authorization",
                       headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(401, "the bearer token is not valid",
                       hint=f"use the token the operator set in {TOKEN_ENV}",
                       field="Authorization", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

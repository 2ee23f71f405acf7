"""The FastAPI application: routes under ``/api/``, the schema at ``/openapi.json`` and the
dashboard (when installed) at ``/``."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from capcoop import __version__
from capcoop.api.auth import configured_token
from capcoop.api.context import ApiContext
from capcoop.api.errors import install_error_handlers
from capcoop.api.middleware import RawCacheMiddleware
from capcoop.warehouse.connection import locate_warehouse

__all__ = ["create_app", "mount_dashboard", "served_routes", "API_PREFIX"]

API_PREFIX = "/api"

DESCRIPTION = """\
JSON API of capcoop: trade monitoring, cooperation opportunities and supply-chain stability,
computed by the same services as the `capcoop` command line.

Every answer is one envelope: `{"ok": true, "data": ..., "meta": {...}}` on success and
`{"ok": false, "error": {"message", "hint", "field"}, "status": N}` on failure. `meta.warehouse`
names the warehouse that answered (`demo` for the embedded sample warehouse). Reads are open;
routes that write need `Authorization: Bearer <token>` with the token the operator set in
`CAPCOOP_API_TOKEN` (no token configured: writes answer 403).
"""

_TAGS = [
    {"name": "system", "description": "Health, sources and warehouse contents."},
    {"name": "trade monitor", "description": "Bilateral trade, partner rankings, headlines."},
    {"name": "complexity and indicators", "description": "ECI/PCI and trade indicators."},
    {"name": "opportunities", "description": "Ranked cooperation areas for a host."},
    {"name": "goals", "description": "Cooperation goals and progress (writes need a token)."},
    {"name": "supply chains", "description": "Import dependencies and disruption scenarios."},
    {"name": "input-output", "description": "Multipliers and supply shocks in an IO table."},
    {"name": "critical supplies", "description": "Vaccine coverage and dose allocation."},
    {"name": "reference codes", "description": "Countries, blocs, HS products, sectors."},
]

_ROUTERS = ("system", "monitor", "complexity", "opportunities", "goals", "dependencies", "io",
            "supplies", "codes")

_HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>capcoop</title>
</head><body><h1>capcoop {version}</h1><p>The JSON API is under <code>/api/</code>; its schema is
at <a href="/openapi.json">/openapi.json</a>; <a href="/api/health">/api/health</a> says which
warehouse answers.</p></body></html>"""


def _service_present(name: str | None) -> bool:
    try:
        return name is None or importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _include_routers(app: FastAPI) -> None:
    """Include every router whose service is installed (``SERVICE``: the module it calls)."""
    for name in _ROUTERS:
        module = importlib.import_module(f"capcoop.api.routes.{name}")
        if _service_present(getattr(module, "SERVICE", None)):
            app.include_router(module.router, prefix=API_PREFIX)


def served_routes(app: FastAPI) -> list[tuple[str, frozenset[str]]]:
    """Every (path, methods) ``app`` answers, included routers flattened (mounts: methods
    empty)."""
    out: list[tuple[str, frozenset[str]]] = []

    def walk(routes: list, prefix: str) -> None:
        for route in routes:
            included = getattr(route, "include_context", None)
            if included is not None:
                walk(route.original_router.routes, prefix + included.prefix)
            else:
                out.append((prefix + route.path, frozenset(getattr(route, "methods", None) or ())))

    walk(list(app.routes), "")
    return out


def mount_dashboard(app: FastAPI) -> bool:
    """Serve the dashboard at ``/`` when :mod:`capcoop.web` provides ``mount(app)``; else a
    minimal page pointing at the API. Returns True when the dashboard was mounted."""
    if importlib.util.find_spec("capcoop.web") is not None:
        web = importlib.import_module("capcoop.web")
        if callable(getattr(web, "mount", None)):
            web.mount(app)
            return True

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        return HTMLResponse(_HOME.format(version=__version__))

    return False


def create_app(warehouse: str | Path | None = None, token: str | None = None, *,
               dashboard: bool = True) -> FastAPI:
    """The capcoop web application.

    Parameters
    ----------
    warehouse
        Warehouse file; default: ``CAPCOOP_WAREHOUSE``, else the user's warehouse, else the
        embedded demo. Resolved once, here.
    token
        Bearer token that enables writing routes; default ``CAPCOOP_API_TOKEN``. Without one
        the API is read-only (writes answer 403).
    dashboard
        Mount the dashboard (or the minimal home page) at ``/``.

    Example
    -------
    >>> from fastapi.testclient import TestClient
    >>> TestClient(create_app()).get("/api/health").json()["data"]["warehouse_kind"]
    'demo'
    """
    app = FastAPI(title="capcoop API", version=__version__, description=DESCRIPTION,
                  openapi_tags=_TAGS, openapi_url="/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.capcoop = context = ApiContext(locate_warehouse(warehouse), configured_token(token))
    install_error_handlers(app)
    app.add_middleware(RawCacheMiddleware, context=context)
    _include_routers(app)
    if dashboard:
        mount_dashboard(app)
    return app

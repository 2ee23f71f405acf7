"""``capcoop serve``: the JSON API (and the dashboard, when installed) over HTTP with uvicorn."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import typer

from capcoop.cli import state
from capcoop.cli.render import stderr

__all__ = ["register_serve_commands", "is_loopback"]


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: loopback, "
                                                         "this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    warehouse: Path | None = typer.Option(None, "--warehouse", help="Warehouse file (default: "
                                                                    "the global --warehouse)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Worker processes (each keeps its own result cache)."),
    log_level: str = typer.Option("warning", "--log-level",
                                  help="uvicorn log level: critical, error, warning, info, debug."),
) -> None:
    """Serve the HTTP JSON API (routes under /api/, schema at /openapi.json) and the dashboard.

    Read-only unless the operator sets CAPCOOP_API_TOKEN: then writing routes (POST /api/goals)
    accept 'Authorization: Bearer <token>'. Binds to loopback unless --host says otherwise.

    Example: capcoop serve --port 8000 --warehouse my.duckdb
    """
    import uvicorn

    from capcoop.api.auth import configured_token
    from capcoop.warehouse.connection import open_reader

    chosen = warehouse if warehouse is not None else state.warehouse
    with open_reader(chosen) as (_, location):  # fail now, with the fix, if it cannot be read
        label = location.label
    if not is_loopback(host):
        stderr.print(f"[bold yellow]warning:[/] binding to {host}: other machines can reach this "
                     "server; the API has no TLS and reads are not authenticated. Use "
                     "--host 127.0.0.1 unless you mean it.", highlight=False, soft_wrap=True)
    writes = "writes enabled (bearer token)" if configured_token() else \
        "read-only (set CAPCOOP_API_TOKEN to enable writes)"
    shown = f"[{host}]" if ":" in host else host
    stderr.print(f"capcoop API on http://{shown}:{port}/api/ (schema: /openapi.json); "
                 f"warehouse: {label}; {writes}", highlight=False, soft_wrap=True)
    os.environ["CAPCOOP_WAREHOUSE"] = str(location.path)  # read by create_app in each worker
    uvicorn.run("capcoop.api.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, access_log=log_level in ("info", "debug"))


def register_serve_commands(app: typer.Typer) -> None:
    """Attach ``serve`` to the root app."""
    app.command("serve")(serve_command)

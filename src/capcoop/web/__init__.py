"""The web dashboard: static pages that read every number from the JSON API.

:func:`mount` serves the pages at ``/`` and their assets under ``/static/`` from the installed
package, including the Plotly bundle that ships inside the ``plotly`` package, so the dashboard
works with no internet. The pages never compute: they call ``/api/...`` routes, which call the same
services as the CLI.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC_DIR", "plotly_bundle", "mount"]

STATIC_DIR = Path(str(files("capcoop.web") / "static"))


def plotly_bundle() -> Path:
    """The minified Plotly.js bundle inside the installed ``plotly`` Python package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # pragma: no cover - a broken plotly installation
        raise FileNotFoundError(f"plotly.min.js not found at {path}; reinstall plotly")
    return path


def mount(app: FastAPI) -> None:
    """Serve the dashboard on ``app``: ``/`` (the single page), ``/static/*`` (its scripts and
    styles) and ``/static/vendor/plotly.min.js`` (Plotly from the installed package)."""
    bundle = plotly_bundle()
    index = (STATIC_DIR / "index.html").read_text(encoding="utf-8")

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(bundle, media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard() -> HTMLResponse:
        return HTMLResponse(index)

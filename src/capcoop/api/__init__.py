"""capcoop's HTTP JSON API (FastAPI) over the same services as the command line.

``create_app(warehouse=None, token=None)`` builds the application; ``capcoop serve`` runs it
with uvicorn. Routes, the envelope and authentication: ``docs/api.md``.
"""

from capcoop.api.app import create_app, mount_dashboard

__all__ = ["create_app", "mount_dashboard"]

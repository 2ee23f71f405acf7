"""Routes about the server and its data: ``/api/health``, ``/api/sources``, ``/api/db``."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from capcoop.api.routes._common import respond, responses

__all__ = ["router"]

router = APIRouter(tags=["system"])


@router.get("/health", summary="Is the server up, and on which warehouse",
            description="capcoop's version, the warehouse label and kind (`demo` for the "
                        "embedded sample warehouse) and its schema version. Answers 503 when "
                        "the warehouse cannot be opened.",
            responses=responses({"status": "ok", "version": "0.1.0",
                                 "warehouse": "demo (embedded sample warehouse)",
                                 "warehouse_kind": "demo", "schema_version": 3,
                                 "schema_version_expected": 3, "writes_enabled": False},
                                codes=(500, 503)))
async def health(request: Request):
    def run(ctx):
        from capcoop import __version__
        from capcoop.warehouse.connection import open_reader, schema_version
        from capcoop.warehouse.schema import SCHEMA_VERSION

        with open_reader(ctx.warehouse) as (con, location):
            version = schema_version(con)
        return {"status": "ok", "version": __version__, "warehouse": location.label,
                "warehouse_kind": location.kind, "schema_version": version,
                "schema_version_expected": SCHEMA_VERSION,
                "writes_enabled": ctx.token is not None}, {}

    return await respond(request, "health", {}, run)


@router.get("/sources", summary="Supported data sources",
            description="Every source capcoop can load: publisher, licence, URL, file formats "
                        "and the warehouse tables it fills. Same as `capcoop sources`.",
            responses=responses([{"name": "imf-dots", "title": "IMF Direction of Trade "
                                                              "Statistics",
                                  "publisher": "IMF", "licence": "...", "url": "https://...",
                                  "formats": "CSV", "targets": ["trade_flows"]}],
                                codes=(500,)))
async def sources(request: Request):
    def run(ctx):
        from capcoop.sources import source_infos

        rows = [asdict(info) for info in source_infos()]
        return rows, {"count": len(rows)}

    return await respond(request, "sources", {}, run)


@router.get("/db", summary="What the warehouse holds",
            description="The warehouse's tables with row counts and every load with its "
                        "provenance (source, file, checksum, time). Same as `capcoop db info`.",
            responses=responses({"warehouse": {"path": ".../demo/demo-11481372-1795958044199574254.duckdb", "kind": "demo",
                                               "label": "demo (embedded sample warehouse)"},
                                 "tables": [{"name": "trade_flows", "rows": 983176}],
                                 "loads": [{"load_id": 1, "source": "imf-dots",
                                            "file": "dots.csv.gz", "target": "trade_flows",
                                            "rows": 983176, "sha256": "...",
                                            "loaded_at": "2026-01-01T00:00:00"}]},
                                codes=(500, 503)))
async def db_info(request: Request):
    def run(ctx):
        from capcoop.services.info import warehouse_info

        return warehouse_info(ctx.warehouse), {}

    return await respond(request, "db", {}, run)

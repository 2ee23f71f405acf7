"""Input-output routes: ``/api/io/info``, ``/api/io/multipliers`` and ``/api/io/shock`` over
:mod:`capcoop.services.io` (tables stored in the warehouse: WIOD 2013 and China's tables in the
embedded demo, or ADB MRIO, OECD ICIO ... loaded by the operator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from capcoop.api.routes._common import field_error, report_result, respond, responses

__all__ = ["router", "SERVICE"]

SERVICE = "capcoop.services.io"
router = APIRouter(prefix="/io", tags=["input-output"])

Table = Annotated[str, Query(description="Name of an input-output table stored in the warehouse "
                                         "(or a unique prefix), e.g. wiod2013. Files are not "
                                         "read through the API.",
                             examples=["wiod2013"], min_length=1, max_length=80,
                             pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._+-]*$")]


def _stored(table: str) -> str:
    """The API reads stored tables only: a name that is also a file on the server is refused."""
    from pathlib import Path

    from capcoop.errors import InputError

    if Path(table).expanduser().exists():
        raise field_error(InputError(f"table {table!r} names a file; the API reads tables "
                                     "stored in the warehouse only",
                                     hint="load the file with `capcoop ingest` and pass the "
                                          "stored table name"), "table")
    return table
Year = Annotated[int | None, Query(description="Year of the table (default: the latest).",
                                   ge=1900, le=2100)]


@router.get("/info", summary="An IO table's regions, sectors and years",
            description="One input-output table of the warehouse: per region its sectors, "
                        "gross output, intermediate sales and inputs, final demand and value "
                        "added; meta has the years, labels, totals and the accounting balance. "
                        "Same service as `capcoop io info`.",
            responses=responses([{"region": "CHN", "region_name": "China", "sectors": 35,
                                  "gross_output": 3.9e7, "intermediate_sales": 2.5e7,
                                  "final_demand": 1.4e7, "intermediate_inputs": 2.5e7,
                                  "value_added": 1.4e7}],
                                {"years": [2017, 2018], "unit": "USD million"}))
async def io_info(request: Request, table: Table = "wiod2013", year: Year = None):
    def run(ctx):
        from capcoop.services.io import io_info as service

        return report_result(service(_stored(table), year=year, warehouse=ctx.warehouse))

    return await respond(request, "io_info", dict(table=table, year=year), run)


@router.get("/multipliers", summary="Output multipliers by region and sector",
            description="Leontief output multipliers (column sums of L = (I - A)^-1) and "
                        "backward/forward linkages of every region × sector.",
            responses=responses([{"region": "CHN", "sector": "c14",
                                  "sector_name": "Electrical and optical equipment",
                                  "output_multiplier": 2.9, "value_added_multiplier": 0.98,
                                  "backward_linkage": 1.2, "forward_linkage": 0.9}]))
async def io_multipliers(request: Request, table: Table = "wiod2013", year: Year = None):
    def run(ctx):
        from capcoop.services.io import io_multipliers as service

        return report_result(service(_stored(table), year=year, warehouse=ctx.warehouse))

    return await respond(request, "io_multipliers", dict(table=table, year=year), run)


@router.get("/shock", summary="A supply shock propagated through the IO table",
            description="One region's sector loses `cut` of its capacity for `weeks` weeks; "
                        "the output lost by every region and sector under three models "
                        "(static Leontief with the cut output fixed, Ghosh supply-driven, ARIO "
                        "weekly recovery), China and ASEAN first; meta has region totals and "
                        "the weekly ARIO loss path. Computes only, stores nothing. Same "
                        "service as `capcoop shock`.",
            responses=responses([{"region": "VNM", "region_name": "Viet Nam", "group": "ASEAN",
                                  "sector": "c14", "sector_name": "Electrical and optical "
                                                                  "equipment",
                                  "shocked": False, "baseline_output": 1.2e4,
                                  "static_loss": 310.0, "static_loss_share": 0.012,
                                  "ghosh_loss": 280.0, "ghosh_loss_share": 0.011,
                                  "ario_loss": 350.0, "ario_loss_share": 0.013}],
                                {"totals": {"static_loss": 9.1e4}, "unit": "USD million"}))
async def io_shock(request: Request, table: Table = "wiod2013", year: Year = None,
                   region: Annotated[str, Query(description="Region of the shocked sector "
                                                "(ISO3).", examples=["CHN"], min_length=1,
                                                max_length=80)] = "CHN",
                   sector: Annotated[str, Query(description="Shocked sector code.",
                                                examples=["c14"], min_length=1,
                                                max_length=80)] = "c14",
                   cut: Annotated[str, Query(description="Capacity lost: a share (0.3) or a "
                                             "percentage (30%).", examples=["30%"],
                                             max_length=20)] = "30%",
                   weeks: Annotated[float, Query(description="How long the full cut lasts, in "
                                                 "weeks.", gt=0, le=520)] = 8):
    params = dict(table=table, year=year, region=region, sector=sector, cut=cut, weeks=weeks)

    def run(ctx):
        from capcoop.services.io import io_shock as service

        return report_result(service(_stored(table), year=year, region=region, sector=sector,
                                     cut=cut, weeks=weeks, warehouse=ctx.warehouse))

    return await respond(request, "io_shock", params, run)

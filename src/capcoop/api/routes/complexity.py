"""Economic complexity and trade indicators of the warehouse's export matrix:
``/api/complexity`` and ``/api/indicators/{kind}`` over :mod:`capcoop.services.complexity`
(the warehouse variants of ``capcoop complexity`` and ``capcoop indicators``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam

from capcoop.api.routes._common import respond, responses

__all__ = ["router", "WAREHOUSE_INDICATORS"]

router = APIRouter(tags=["complexity and indicators"])

#: Indicators computable from the warehouse's export matrix (the others need files).
WAREHOUSE_INDICATORS = ("rca", "market-share", "hhi", "diversification", "similarity", "prody",
                        "expy")

Year = Annotated[int | None, Query(description="Year of the export matrix (default: the "
                                               "latest).", ge=1900, le=2100)]
Classification = Annotated[str | None, Query(description="Product classification, e.g. HS92.",
                                             max_length=40)]
Source = Annotated[str | None, Query(description="Source of the matrix, e.g. export-matrix.",
                                     max_length=40)]
Digits = Annotated[int | None, Query(description="Aggregate products to N digits.", ge=1,
                                     le=10)]
Missing = Annotated[Literal["raise", "zero"], Query(description="Missing values: raise "
                                                    "(an error) or zero (no exports).")]
Limit = Annotated[int, Query(description="Rows to return (the table can be long).", ge=1,
                             le=100000)]
Offset = Annotated[int, Query(description="Rows to skip before the first returned.", ge=0)]
Locations = Annotated[str | None, Query(description="Only these locations, comma separated "
                                                    "(ISO3), e.g. CHN,VNM,THA.",
                                        max_length=2000)]


def _page(table: Any, limit: int, offset: int) -> list[dict[str, Any]]:
    part = table.iloc[offset:offset + limit]
    part = part.astype({c: "object" for c in part.select_dtypes("category").columns})
    return part.astype(object).where(part.notna(), None).to_dict("records")


def _report_meta(report: Any, limit: int, offset: int) -> dict[str, Any]:
    notes = [str(row.label) if row.kind == "note" else
             f"{row.time}: {row.kind} {row.label!r} left out (zero total)"
             for row in report.excluded.itertuples()]
    return {"rows": len(report.table), "limit": limit, "offset": offset,
            "columns": list(report.table.columns), "notes": notes,
            "provenance": report.provenance.get("provenance", {})}


def _level(table: Any, level: str) -> Any:
    if level == "cell":
        return table
    key, keep = (("country", ["diversity", "eci", "coi"]) if level == "location"
                 else ("product", ["ubiquity", "pci"]))
    out = table[["year", key, *keep]].drop_duplicates(["year", key])
    by = "eci" if level == "location" else "pci"
    return out.sort_values(["year", by], ascending=[True, False], kind="stable") \
        .reset_index(drop=True)


@router.get("/complexity", summary="Economic complexity of the export matrix",
            description="RCA, M, ECI, PCI, diversity, ubiquity, density, COI and COG of one "
                        "year of the warehouse's country × product exports (Stata "
                        "ecomplexity's definitions, docs/methods/complexity.md). `level` "
                        "returns cells (country × product), locations (ECI) or products (PCI).",
            responses=responses([{"year": 2018, "country": "CHN", "diversity": 45,
                                  "eci": 1.21, "coi": 0.8}],
                                {"rows": 150, "limit": 100, "offset": 0,
                                 "provenance": {"source": "export-matrix", "year": 2018}}))
async def complexity(request: Request, year: Year = None,
                     classification: Classification = None, source: Source = None,
                     digits: Digits = None,
                     level: Annotated[Literal["cell", "location", "product"], Query(
                         description="Rows: cell (location × product), location or "
                                     "product.")] = "location",
                     rca_threshold: Annotated[float, Query(description="M = 1 where RCA is "
                                                           "above this.", gt=0)] = 1.0,
                     proximity: Annotated[Literal["symmetric", "asymmetric", "continuous"],
                                          Query(description="Proximity variant.")] = "symmetric",
                     convention: Annotated[Literal["stata", "py-ecomplexity"], Query(
                         description="stata (the Atlas) or py-ecomplexity.")] = "stata",
                     missing: Missing = "raise", limit: Limit = 500, offset: Offset = 0):
    params = dict(year=year, classification=classification, source=source, digits=digits,
                  level=level, rca_threshold=rca_threshold, proximity=proximity,
                  convention=convention, missing=missing, limit=limit, offset=offset)

    def run(ctx):
        from capcoop.services.complexity import WarehouseQuery, complexity_from_warehouse

        query = WarehouseQuery(year=year, classification=classification, source=source,
                               digits=digits, warehouse=ctx.warehouse)
        report = complexity_from_warehouse(query, rca_threshold=rca_threshold,
                                           proximity=proximity, convention=convention,
                                           missing=missing)
        table = _level(report.table, level)
        return _page(table, limit, offset), _report_meta(report, limit, offset) | {
            "rows": len(table)}

    return await respond(request, "complexity", params, run)


@router.get("/indicators/{kind}", summary="A trade indicator of the export matrix",
            description="RCA (balassa, symmetric, continuous), market shares, HHI, "
                        "diversification, Finger–Kreinin similarity, PRODY and EXPY (GDP per "
                        "capita from the warehouse's WDI rows) of one year of the warehouse's "
                        "country × product exports. Indicators that need imports or partners "
                        "(complementarity, intra-industry, intensity) take files: use the CLI.",
            responses=responses([{"year": 2018, "country": "CHN", "product": "MACH",
                                  "rca": 1.9}], {"rows": 2249, "limit": 500, "offset": 0}))
async def indicators(request: Request,
                     kind: Annotated[Literal[WAREHOUSE_INDICATORS], PathParam(  # type: ignore[valid-type]
                         description="Which indicator.")],
                     year: Year = None, classification: Classification = None,
                     source: Source = None, digits: Digits = None,
                     variant: Annotated[Literal["balassa", "symmetric", "continuous"], Query(
                         description="RCA variant.")] = "balassa",
                     categories: Annotated[int | None, Query(
                         description="N of the normalised HHI / entropy (default: the number "
                                     "of products).", ge=1)] = None,
                     locations: Locations = None,
                     gdp_indicator: Annotated[str, Query(
                         description="WDI indicator of GDP per capita (prody, expy).",
                         max_length=40)] = "NY.GDP.PCAP.PP.CD",
                     missing: Missing = "raise", limit: Limit = 500, offset: Offset = 0):
    params = dict(kind=kind, year=year, classification=classification, source=source,
                  digits=digits, variant=variant, categories=categories, locations=locations,
                  gdp_indicator=gdp_indicator, missing=missing, limit=limit, offset=offset)

    def run(ctx):
        from capcoop.services.complexity import (
            IndicatorOptions,
            WarehouseQuery,
            indicator_from_warehouse,
        )

        query = WarehouseQuery(year=year, classification=classification, source=source,
                               digits=digits, warehouse=ctx.warehouse)
        chosen = tuple(p.strip() for p in (locations or "").split(",") if p.strip())
        options = IndicatorOptions(variant=variant, n_categories=categories, locations=chosen,
                                   missing=missing)
        extra = {"gdp_indicator": gdp_indicator} if kind in ("prody", "expy") else {}
        report = indicator_from_warehouse(kind, query, options=options, **extra)
        return _page(report.table, limit, offset), _report_meta(report, limit, offset)

    return await respond(request, "indicators", params, run)

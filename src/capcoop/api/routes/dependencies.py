"""Supply-chain routes: ``/api/dependencies``, ``/api/dependencies/product-groups`` and
``/api/disruption`` over :mod:`capcoop.services.dependencies`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from capcoop.api.routes._common import report_result, respond, responses, split_list

__all__ = ["router", "SERVICE"]

SERVICE = "capcoop.services.dependencies"
router = APIRouter(tags=["supply chains"])

Year = Annotated[int | None, Query(description="Year (default: the latest with data).",
                                   ge=1900, le=2100)]
Top = Annotated[int | None, Query(description="Keep the first rows of the ranking (default: "
                                             "all).", ge=1, le=10000)]
Products = Annotated[str | None, Query(description="HS codes or product groups, comma "
                                                   "separated (see "
                                                   "/api/dependencies/product-groups).",
                                       examples=["300220,8541"], max_length=2000)]


@router.get("/dependencies", summary="Import dependencies of an importer",
            description="Products the importer buys mostly from few suppliers: supplier "
                        "concentration (HHI), the top supplier and its share, what the rest of "
                        "the world could replace, and the EU and CEPII dependence criteria "
                        "(shares are fractions 0-1). Same service as `capcoop dependencies`.",
            responses=responses([{"rank": 1, "product": "300220",
                                  "description": "Vaccines for human medicine",
                                  "level": "product", "imports_usd": 2.6e9, "suppliers": 12,
                                  "hhi": 0.45, "top_supplier": "CHN", "top_share": 0.62,
                                  "eu_dependent": True, "eu_critical": False,
                                  "cepii_dependent": True}],
                                {"year": 2020, "rows_screened": 5300}))
async def dependencies(request: Request,
                       importer: Annotated[str, Query(description="Importer (ISO3, name or "
                                                      "bloc).", examples=["VNM"], min_length=1,
                                                      max_length=80)] = "VNM",
                       products: Products = None, year: Year = None, top: Top = None):
    params = dict(importer=importer, products=products, year=year, top=top)

    def run(ctx):
        from capcoop.services.dependencies import dependency_screen

        return report_result(dependency_screen(importer, products=split_list(products),
                                               year=year, top=top, warehouse=ctx.warehouse))

    return await respond(request, "dependencies", params, run)


@router.get("/dependencies/product-groups", summary="Named product groups",
            description="The product groups dependency screens and scenarios accept "
                        "(e.g. vaccines, semiconductors) with their HS codes.",
            responses=responses([{"code": "steel", "name_en": "Iron and steel",
                                  "name_zh": "钢铁", "kind": "sector", "parent": None,
                                  "tags": ["industry"], "ranges": ["72-73"],
                                  "rationale": "..."}], codes=(500,)))
async def product_groups(request: Request):
    def run(ctx):
        from capcoop.services.dependencies import product_groups as service

        rows = service()
        return rows, {"count": len(rows)}

    return await respond(request, "product_groups", {}, run)


@router.get("/disruption", summary="A supplier cuts its exports: who loses what",
            description="Scenario: `exporter`'s shipments of `products` fall by `cut`; each "
                        "importer's direct loss, what other suppliers can replace (spare "
                        "capacity rule) and the net shortfall, largest first. Computes only, "
                        "stores nothing. Same service as `capcoop disruption`.",
            responses=responses([{"rank": 1, "importer": "HKG", "name": "Hong Kong",
                                  "imports_usd": 5.7e11, "from_exporter_usd": 2.5e11,
                                  "direct_loss_usd": 7.5e10, "replacement_usd": 7.5e10,
                                  "net_shortfall_usd": 4.1e7, "shortfall_pct_of_imports": 0.007,
                                  "replaced_pct": 99.9, "top_replacements": [
                                      {"supplier": "TWN", "replacement_usd": 1.3e10}]}],
                                {"totals": {"direct_loss_usd": 7.6e11}}))
async def disruption(request: Request,
                     exporter: Annotated[str, Query(description="The exporter that cuts "
                                                    "supply.", examples=["CHN"], min_length=1,
                                                    max_length=80)] = "CHN",
                     products: Annotated[str | None, Query(
                         description="HS codes or product groups, comma separated (default: "
                                     "all goods).", examples=["vaccines"],
                         max_length=2000)] = None,
                     cut: Annotated[str, Query(description="The fall: a share (0.3) or a "
                                               "percentage (30%).", examples=["30%"],
                                               max_length=20)] = "30%",
                     year: Year = None,
                     importers: Annotated[str | None, Query(description="Only these "
                                                            "importers or blocs, comma "
                                                            "separated.", examples=["ASEAN"],
                                                            max_length=2000)] = None,
                     top: Top = None):
    params = dict(exporter=exporter, products=products, cut=cut, year=year, importers=importers,
                  top=top)

    def run(ctx):
        from capcoop.services.dependencies import disruption_scenario

        return report_result(disruption_scenario(exporter, split_list(products), cut,
                                                 year=year, importers=importers, top=top,
                                                 warehouse=ctx.warehouse))

    return await respond(request, "disruption", params, run)

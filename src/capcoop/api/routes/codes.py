"""Reference-code routes: ``/api/codes/countries``, ``/api/codes/blocs``,
``/api/codes/blocs/{name}``, ``/api/codes/products`` and ``/api/codes/sectors[/{name}]`` over
:mod:`capcoop.services.reference` (the same records as ``capcoop codes ...``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam

from capcoop.api.routes._common import IntText, respond, responses

__all__ = ["router"]

router = APIRouter(prefix="/codes", tags=["reference codes"])

Revision = Annotated[Literal["HS92", "HS17", "HS22"], Query(description="HS revision.")]
Limit = Annotated[int, Query(description="Most matches to return.", ge=1, le=500)]


@router.get("/countries", summary="Look up countries",
            description="One country by any code or name (`code`: VNM, VN, 704, 'Viet Nam', "
                        "越南), the countries matching `search`, or every country.",
            responses=responses([{"iso3": "VNM", "iso2": "VN", "m49": 704, "baci": 704,
                                  "name_en": "Viet Nam", "name_zh": "越南", "kind": "country",
                                  "region": "Asia", "subregion": "South-eastern Asia"}],
                                codes=(404, 422, 500)))
async def countries(request: Request,
                    code: Annotated[str | None, Query(description="Any code or name of one "
                                                      "country.", examples=["VNM"],
                                                      max_length=80)] = None,
                    search: Annotated[str | None, Query(description="Part of a code or name.",
                                                        examples=["viet"],
                                                        max_length=80)] = None,
                    limit: Limit = 10,
                    aggregates: Annotated[bool, Query(description="Also list aggregates and "
                                                      "historical entities.")] = False):
    params = dict(code=code, search=search, limit=limit, aggregates=aggregates)

    def run(ctx):
        from capcoop.services.reference import country_records

        rows = country_records(search, code=code, limit=limit, include_aggregates=aggregates)
        return rows, {"count": len(rows)}

    return await respond(request, "countries", params, run)


@router.get("/blocs", summary="List blocs",
            description="Every bloc (ASEAN, EU, RCEP, ASEAN+3 and user-defined ones) with "
                        "names and the number of countries ever members.",
            responses=responses([{"bloc": "ASEAN", "name_en": "Association of Southeast Asian "
                                                              "Nations", "name_zh": "东盟",
                                  "aliases": "东南亚国家联盟", "ever_members": 10,
                                  "source": "built-in"}], codes=(500,)))
async def blocs(request: Request):
    def run(ctx):
        from capcoop.services.reference import bloc_records

        rows = bloc_records()
        return rows, {"count": len(rows)}

    return await respond(request, "blocs", {}, run)


@router.get("/blocs/{name}", summary="A bloc's members with their dates",
            description="Members of a bloc with the dates they joined and left; with `year` "
                        "(and `month`) only the members for that period (a country counts iff "
                        "it is a member on the period's last day).",
            responses=responses([{"bloc": "ASEAN", "iso3": "IDN", "name_en": "Indonesia",
                                  "joined": "1967-08-08", "left": None}]))
async def bloc_members(request: Request,
                       name: Annotated[str, PathParam(description="Bloc name, e.g. ASEAN.",
                                                      examples=["ASEAN"])],
                       year: Annotated[int | None, Query(description="Only members for this "
                                                         "year.", ge=1900, le=2100)] = None,
                       month: Annotated[int | None, Query(description="With year: only "
                                                          "members for this month.",
                                                          ge=1, le=12)] = None):
    params = dict(name=name, year=year, month=month)

    def run(ctx):
        from capcoop.services.reference import bloc_member_records

        rows = bloc_member_records(name, year=year, month=month)
        return rows, {"count": len(rows)}

    return await respond(request, "bloc_members", params, run)


@router.get("/products", summary="Look up HS products",
            description="One HS code (2, 4 or 6 digits) with its description and section, the "
                        "products whose description matches `search`, or every code of a "
                        "`level`.",
            responses=responses([{"code": "300220", "level": 6, "description": "Vaccines for "
                                                                               "human medicine",
                                  "section": "VI"}]))
async def products(request: Request,
                   code: Annotated[str | None, Query(description="HS code at 2, 4 or 6 "
                                                     "digits.", examples=["300220"],
                                                     max_length=12)] = None,
                   search: Annotated[str | None, Query(description="Words of the description.",
                                                       examples=["vaccine"],
                                                       max_length=80)] = None,
                   revision: Revision = "HS17",
                   level: Annotated[Literal[2, 4, 6] | None, IntText, Query(
                       description="Every code at 2, 4 or 6 digits (default 2 when neither "
                                   "code nor search is given).")] = None,
                   limit: Limit = 20):
    params = dict(code=code, search=search, revision=revision, level=level, limit=limit)

    def run(ctx):
        from capcoop.services.reference import product_records

        rows = product_records(code, search=search, revision=revision,
                               level=level or (2 if not (code or search) else None), limit=limit)
        return rows, {"count": len(rows)}

    return await respond(request, "products_codes", params, run)


@router.get("/sectors", summary="Cooperation sectors",
            description="The cooperation-sector taxonomy: each sector with its HS ranges, tags "
                        "and rationale.",
            responses=responses([{"sector": "steel", "name_en": "Iron and steel",
                                  "name_zh": "钢铁", "tags": "heavy",
                                  "hs_ranges": "72;7301-7326", "rationale": "..."}],
                                codes=(500,)))
async def sectors(request: Request):
    def run(ctx):
        from capcoop.services.reference import sector_records

        rows = sector_records()
        return rows, {"count": len(rows)}

    return await respond(request, "sectors", {}, run)


@router.get("/sectors/{name}", summary="A cooperation sector's HS products",
            description="The HS 6-digit codes of one cooperation sector with descriptions.",
            responses=responses([{"sector": "medical", "hs": "300220",
                                  "description": "Vaccines for human medicine"}]))
async def sector_products(request: Request,
                          name: Annotated[str, PathParam(description="Sector code, e.g. "
                                                         "medical.", examples=["medical"])],
                          revision: Revision = "HS17"):
    params = dict(name=name, revision=revision)

    def run(ctx):
        from capcoop.services.reference import sector_product_records

        rows = sector_product_records(name, revision=revision)
        return rows, {"count": len(rows)}

    return await respond(request, "sector_products", params, run)

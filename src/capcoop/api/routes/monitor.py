"""Trade-monitor routes: ``/api/monitor``, ``/api/partners``, ``/api/partners/history``,
``/api/headlines``, ``/api/mirror`` and ``/api/products`` over :mod:`capcoop.services.monitor`.

``data`` is exactly what ``capcoop <command> --format json`` prints.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from capcoop.api.routes._common import (
    Basis,
    Blocs,
    IntText,
    Lang,
    Months,
    Partner,
    Reporter,
    Source,
    Top,
    Year,
    respond,
    responses,
)

__all__ = ["router"]

router = APIRouter(tags=["trade monitor"])

By = Annotated[Literal["total", "exports", "imports"], Query(
    description="Rank partners by total trade, exports or imports.")]


def _frame_records(frame: Any) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")


def _notes(notes: Any) -> dict[str, Any]:
    return {"notes": list(notes)}


_MONITOR_EXAMPLE = {"reporter": "CHN", "partner": "ASEAN", "period": "2020", "basis": "reported",
                    "exports_usd": 385412308380.0, "imports_usd": 301454149100.0,
                    "total_usd": 686866457480.0, "balance_usd": 83958159280.0,
                    "total_yoy_pct": 7.0, "share_of_reporter_total_pct": 14.7,
                    "partner_rank": 1, "largest_partner": "ASEAN", "rank1_streak_years": 1,
                    "notes": ["figures from imf-dots (reported, annual)"],
                    "warehouse": "demo (embedded sample warehouse)"}


@router.get("/monitor", summary="Bilateral trade of a pair",
            description="Exports, imports, balance, growth, shares of each side's trade, the "
                        "partner's rank among the reporter's partners and its streak at "
                        "first place. Same service as `capcoop monitor`.",
            responses=responses(_MONITOR_EXAMPLE, {"notes": ["figures from imf-dots"]}))
async def monitor(request: Request, reporter: Reporter = "CHN", partner: Partner = "ASEAN",
                  year: Year = 2020, months: Months = None, basis: Basis = None,
                  blocs: Blocs = None, source: Source = None,
                  since: Annotated[int | None, Query(description="First year of the CAGR, "
                                                     "e.g. 2010.", ge=1900, le=2100)] = None,
                  explain: Annotated[bool, Query(description="Also return the stored rows "
                                                 "behind the figures (data.explain).")] = False):
    params = dict(reporter=reporter, partner=partner, year=year, months=months, basis=basis,
                  blocs=blocs, source=source, since=since, explain=explain)

    def run(ctx):
        from capcoop.services.monitor import monitor as service

        report = service(reporter, partner, year, months=months, basis=basis, blocs=blocs,
                         source=source, since=since, explain=explain, warehouse=ctx.warehouse)
        record = report.record()
        if explain:
            record["explain"] = _frame_records(report.summary.rows)
        return record, _notes(record["notes"])

    return await respond(request, "monitor", params, run)


_PARTNER_EXAMPLE = [{"rank": 1, "partner": "ASEAN", "members": ["BRN", "IDN", "..."],
                     "total_usd": 686866457480.0, "exports_usd": 385412308380.0,
                     "imports_usd": 301454149100.0, "balance_usd": 83958159280.0,
                     "share_pct": 14.7, "yoy_pct": 7.0, "partner_name": "ASEAN",
                     "tied": False, "period": "2020", "basis": "reported",
                     "source": "imf-dots", "warehouse": "demo (embedded sample warehouse)"}]


def _ranking_meta(ranking: Any) -> dict[str, Any]:
    return {"period": ranking.period.label, "by": ranking.by, "basis": ranking.selection.basis,
            "source": ranking.selection.source, "currency": ranking.currency,
            "ranking_blocs": [g.code for g in ranking.groups],
            "partners": len(ranking.table),
            "unallocated_share_pct": ranking.unallocated_share_pct} | _notes(ranking.notes)


@router.get("/partners", summary="A reporter's partners ranked by trade",
            description="Partners ranked by total trade (or exports, imports); chosen blocs "
                        "count as one partner with their membership of the period. Shares are "
                        "of the reporter's world trade. Same service as `capcoop partners`.",
            responses=responses(_PARTNER_EXAMPLE, {"period": "2020", "source": "imf-dots",
                                                   "currency": "USD", "partners": 180}))
async def partners(request: Request, reporter: Reporter = "CHN", year: Year = 2020,
                   months: Months = None, blocs: Blocs = None, top: Top = 10, by: By = "total",
                   basis: Basis = None, source: Source = None):
    params = dict(reporter=reporter, year=year, months=months, blocs=blocs, top=top, by=by,
                  basis=basis, source=source)

    def run(ctx):
        from capcoop.services.monitor import partner_ranking

        ranking = partner_ranking(reporter, year, months=months, blocs=blocs, by=by,
                                  basis=basis, source=source, warehouse=ctx.warehouse)
        return ranking.records(top), _ranking_meta(ranking)

    return await respond(request, "partners", params, run)


@router.get("/partners/history", summary="Partner rankings year by year",
            description="The reporter's partner ranking for every year from `first` to `last` "
                        "(years without data are left out), each with its top partners: the "
                        "data of a ranking chart. Same service as the monitor's "
                        "`ranking_history`.",
            responses=responses([{"year": 2020, "period": "2020", "partners": _PARTNER_EXAMPLE,
                                  "notes": ["figures from imf-dots"]}]))
async def partners_history(
        request: Request, reporter: Reporter = "CHN",
        first: Annotated[int, Query(description="First year.", ge=1900, le=2100)] = 2015,
        last: Annotated[int, Query(description="Last year.", ge=1900, le=2100)] = 2020,
        blocs: Blocs = None, top: Top = 10, by: By = "total", basis: Basis = None,
        source: Source = None):
    params = dict(reporter=reporter, first=first, last=last, blocs=blocs, top=top, by=by,
                  basis=basis, source=source)

    def run(ctx):
        from capcoop.services.monitor import ranking_history

        history = ranking_history(reporter, first, last, blocs=blocs, by=by, basis=basis,
                                  source=source, warehouse=ctx.warehouse)
        data = [{"year": r.period.year, "period": r.period.label, "partners": r.records(top),
                 "notes": list(r.notes)} for r in history]
        return data, {"years": [r.period.year for r in history]}

    return await respond(request, "partners_history", params, run)


@router.get("/headlines", summary="Headline statements about a pair",
            description="The partner's rank (and the gap to the next), bilateral trade with "
                        "growth and share, and how long the reporter has led the partner's "
                        "partners, in English or Chinese; every number with its formula. Same "
                        "service as `capcoop headlines`.",
            responses=responses({"reporter": "CHN", "partner": "ASEAN", "period": "2020",
                                 "lang": "en", "text": "ASEAN was China's largest trading "
                                                       "partner in 2020 ...",
                                 "statements": [{"text": "...", "facts": [
                                     {"name": "rank", "value": 1, "formula": "...",
                                      "rows": 2}]}], "notes": [],
                                 "warehouse": "demo (embedded sample warehouse)"}))
async def headlines(request: Request, reporter: Reporter = "CHN", partner: Partner = "ASEAN",
                    year: Year = 2020, months: Months = None, lang: Lang = None,
                    blocs: Blocs = None, basis: Basis = None, source: Source = None):
    params = dict(reporter=reporter, partner=partner, year=year, months=months, lang=lang,
                  blocs=blocs, basis=basis, source=source)

    def run(ctx):
        from capcoop.services.monitor import headlines as service

        result = service(reporter, partner, year, months=months, lang=lang, blocs=blocs,
                         basis=basis, source=source, warehouse=ctx.warehouse)
        return result.record(), {"lang": result.lang} | _notes(result.notes)

    return await respond(request, "headlines", params, run)


@router.get("/mirror", summary="Reported vs mirror figures of a pair",
            description="The reporter's declarations and the partner's, side by side, with the "
                        "gap and the CIF/FOB caveat (meta.caveat). Same service as "
                        "`capcoop mirror`.",
            responses=responses([{"partner": "VNM", "flow": "exports", "reported": 1.1e11,
                                  "mirror": 1.2e11, "gap": 1e10, "gap_pct": 9.1,
                                  "period": "2020", "source": "imf-dots", "currency": "USD"}],
                                {"caveat": "Exports are declared FOB ..."}))
async def mirror(request: Request, reporter: Reporter = "CHN", partner: Partner = "VNM",
                 year: Year = 2020, months: Months = None, source: Source = None):
    params = dict(reporter=reporter, partner=partner, year=year, months=months, source=source)

    def run(ctx):
        from capcoop.services.monitor import mirror_comparison

        result = mirror_comparison(reporter, partner, year, months=months, source=source,
                                   warehouse=ctx.warehouse)
        return result.records(), {"caveat": result.caveat, "source": result.source,
                                  "currency": result.currency} | _notes(result.notes)

    return await respond(request, "mirror", params, run)


@router.get("/products", summary="Product composition of a pair's trade",
            description="Top products (HS at 2, 4 or 6 digits), cooperation sectors and top "
                        "movers of the reporter's exports or imports with the partner. Needs "
                        "product-level data (BACI or Comtrade). Same service as "
                        "`capcoop products`.",
            responses=responses({"products": [{"rank": 1, "product": "8517",
                                               "description": "Telephone sets ...",
                                               "value": 2.1e10, "share_pct": 8.2,
                                               "previous": 1.9e10, "yoy_pct": 10.5}],
                                 "sectors": [{"sector": "electronics", "value": 9e10,
                                              "products": 310, "share_pct": 35.0}],
                                 "movers": [{"product": "8542", "description": "...",
                                             "current": 1e10, "previous": 8e9,
                                             "change": 2e9, "change_pct": 25.0}]}))
async def products(request: Request, reporter: Reporter = "CHN", partner: Partner = "VNM",
                   year: Year = 2020,
                   flow: Annotated[Literal["exports", "imports"], Query(
                       description="The reporter's exports or imports.")] = "exports",
                   digits: Annotated[Literal[2, 4, 6], IntText, Query(
                       description="HS digits: 2, 4 or 6.")] = 4,
                   top: Top = 10, basis: Basis = None, source: Source = None):
    params = dict(reporter=reporter, partner=partner, year=year, flow=flow, digits=digits,
                  top=top, basis=basis, source=source)

    def run(ctx):
        from capcoop.services.monitor import product_composition

        result = product_composition(reporter, partner, year, flow=flow, digits=digits, top=top,
                                     basis=basis, source=source, warehouse=ctx.warehouse)
        data = {"products": _frame_records(result.products),
                "sectors": _frame_records(result.sectors),
                "movers": _frame_records(result.movers)}
        return data, {"period": result.period.label, "currency": result.currency,
                      "coverage_pct": result.coverage_pct,
                      "source": result.selection.source} | _notes(result.notes)

    return await respond(request, "products", params, run)

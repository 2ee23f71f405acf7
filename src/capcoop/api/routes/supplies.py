"""Critical-supply routes: ``/api/supplies/coverage`` and ``/api/supplies/allocate`` over
:mod:`capcoop.services.supplies` (the vaccine ledger and the scarce-dose planner)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from capcoop.api.routes._common import report_result, respond, responses

__all__ = ["router", "SERVICE"]

SERVICE = "capcoop.services.supplies"
router = APIRouter(prefix="/supplies", tags=["critical supplies"])

Region = Annotated[str, Query(description="A bloc and/or countries, comma separated, e.g. "
                                          "ASEAN or ASEAN,CHN.", examples=["ASEAN"],
                              min_length=1, max_length=400)]
Date = Annotated[str | None, Query(description="Data as of this date, YYYY-MM-DD (default: the "
                                               "latest).", examples=["2022-12-31"],
                                   pattern=r"^\d{4}-\d{2}-\d{2}$")]
Bounds = Annotated[str | None, Query(description="A number for every recipient, or "
                                                 "KHM=500000,LAO=200000.", max_length=2000)]


@router.get("/coverage", summary="Vaccine ledger of a region's countries",
            description="Doses secured, delivered, donated and administered, people "
                        "vaccinated, and the coverages per 100 people of each country as of "
                        "`date`; meta.total has the region's totals. Same service as "
                        "`capcoop supplies coverage`.",
            responses=responses([{"country": "VNM", "name": "Viet Nam", "date": "2022-12-31",
                                  "doses_delivered": 2.6e8, "people_fully_vaccinated": 8.1e7,
                                  "population": 9.7e7, "doses_delivered_per100": 268.0,
                                  "people_fully_vaccinated_per100": 83.0}],
                                {"total": {"region": "ASEAN"}}))
async def coverage(request: Request, region: Region = "ASEAN", date: Date = None):
    def run(ctx):
        from capcoop.services.supplies import coverage as service

        return report_result(service(region, date=date, warehouse=ctx.warehouse))

    return await respond(request, "coverage", dict(region=region, date=date), run)


@router.get("/allocate", summary="Share scarce doses among a region's countries",
            description="Split `doses` in proportion to population or to need (doses to bring "
                        "people fully vaccinated to `target` per 100), with floors, caps and "
                        "priority tiers; whole doses by the Webster/Sainte-Laguë method, rows "
                        "add up to the doses allocated (meta.undistributable is what no "
                        "recipient can absorb). Computes only, stores nothing. Same service as "
                        "`capcoop supplies allocate`.",
            responses=responses([{"recipient": "VNM", "name": "Viet Nam", "doses": 1530000,
                                  "exact_share": 1530012.4, "share_pct": 15.3, "weight": 9.7e7,
                                  "tier": None, "floor": 0, "capacity": 3.1e7,
                                  "population": 9.7e7, "fully_vaccinated_per100": 83.0,
                                  "fully_vaccinated_per100_after": 83.8,
                                  "date": "2022-12-31"}],
                                {"requested": 10000000, "allocated": 10000000,
                                 "undistributable": 0}))
async def allocate(request: Request,
                   doses: Annotated[int, Query(description="Doses to share.", ge=1,
                                               le=10**12, examples=[10_000_000])] = 10_000_000,
                   region: Region = "ASEAN",
                   method: Annotated[Literal["population", "need"], Query(
                       description="Weights: population, or need (doses to reach the "
                                   "target).")] = "population",
                   target: Annotated[float, Query(description="Need method: people fully "
                                                  "vaccinated per 100 to reach.", ge=0,
                                                  le=100)] = 70.0,
                   doses_per_person: Annotated[int, Query(description="Doses per person.",
                                                          ge=1, le=10)] = 2,
                   floors: Bounds = None, caps: Bounds = None,
                   tiers: Annotated[str | None, Query(description="Priority groups, first "
                                                      "served first: KHM,LAO,MMR;IDN.",
                                                      max_length=2000)] = None,
                   date: Date = None):
    params = dict(doses=doses, region=region, method=method, target=target,
                  doses_per_person=doses_per_person, floors=floors, caps=caps, tiers=tiers,
                  date=date)

    def run(ctx):
        from capcoop.services.supplies import allocate as service

        return report_result(service(doses, region, method=method, target=target,
                                     doses_per_person=doses_per_person,
                                     floors=_bound(floors), caps=_bound(caps), tiers=tiers,
                                     date=date, warehouse=ctx.warehouse))

    return await respond(request, "allocate", params, run)


def _bound(text: str | None) -> int | str | None:
    """A uniform number as an integer; per-recipient text as given (the service parses it)."""
    if text is None or not text.strip():
        return None
    return int(text) if text.strip().isdigit() else text

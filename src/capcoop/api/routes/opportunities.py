"""Cooperation opportunities: ``/api/opportunities`` and ``/api/opportunities/scenarios`` over
:mod:`capcoop.services.opportunities` (the same ranking as ``capcoop opportunities``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from capcoop.api.routes._common import field_error, respond, responses

__all__ = ["router", "SERVICE", "parse_weights"]

SERVICE = "capcoop.services.opportunities"
router = APIRouter(tags=["opportunities"])

_EXAMPLE = [{"rank": 1, "code": "electronics", "name": "Electronics and electrical equipment",
             "score": 1.42, "components": {"rca_host": {"value": 1.8, "z": 1.1, "weight": 0.25,
                                                        "contribution": 0.28}},
             "tags": ["manufacturing"], "p_top_n": 0.93}]


def parse_weights(text: str | None) -> dict[str, float] | None:
    """``"rca:2,growth:1"`` -> ``{"rca": 2.0, "growth": 1.0}`` (None when blank)."""
    from capcoop.errors import InputError

    if not text or not text.strip():
        return None
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition(":")
        try:
            if not sep or not name.strip():
                raise ValueError
            weights[name.strip()] = float(value)
        except ValueError:
            raise field_error(InputError(f"weights {text!r}: cannot read {part.strip()!r}",
                                         hint="give name:number pairs separated by commas, "
                                              "e.g. weights=rca:2,growth:1"),
                              "weights") from None
    return weights


def _group_result(report: Any, top: int | None) -> tuple[Any, dict[str, Any]]:
    members = report.members
    items = members.items() if isinstance(members, dict) else \
        ((getattr(m, "host", None) or getattr(m, "code", str(i)), m) for i, m in
         enumerate(members))
    data = {"summary": report.summary_records(),
            "members": {str(getattr(code, "code", code)): member.records()
                        for code, member in items}}
    return data, dict(report.meta()) | {"group": True}


@router.get("/opportunities", summary="Ranked cooperation areas for a host",
            description="Sectors (or products) ranked by a weighted score of the host's and the "
                        "provider's indicators, each with its components (value, z-score, "
                        "weight, contribution) and tags; `sensitivity_draws` adds the "
                        "probability of staying in the top N under random weights. A bloc host "
                        "(ASEAN) returns `{summary, members}`: a summary across members and "
                        "each member's ranking. Same service as `capcoop opportunities`.",
            responses=responses(_EXAMPLE, {"scenario": "balanced", "level": "sector",
                                           "sources": ["export-matrix"], "notes": []}))
async def opportunities(
        request: Request,
        provider: Annotated[str, Query(description="Provider economy (ISO3, name or bloc).",
                                       examples=["CHN"], min_length=1, max_length=80)] = "CHN",
        host: Annotated[str, Query(description="Host country, or a bloc such as ASEAN for every "
                                               "member.", examples=["VNM"], min_length=1,
                                   max_length=80)] = "VNM",
        level: Annotated[Literal["sector", "product"], Query(
            description="Rank cooperation sectors or HS products.")] = "sector",
        year: Annotated[int | None, Query(description="Year of the data (default: the latest).",
                                          ge=1900, le=2100)] = None,
        scenario: Annotated[str, Query(description="Weighting scenario (see "
                                                   "/api/opportunities/scenarios).",
                                       max_length=40)] = "balanced",
        weights: Annotated[str | None, Query(description="Custom weights overriding the "
                                                         "scenario's, e.g. rca:2,growth:1.",
                                             max_length=400)] = None,
        top: Annotated[int | None, Query(description="How many areas to return (default: all).",
                                         ge=1, le=1000)] = None,
        sensitivity_draws: Annotated[int, Query(description="Random weight draws for p_top_n "
                                                            "(0: none).", ge=0, le=5000)] = 0,
        seed: Annotated[int, Query(description="Seed of the draws.", ge=0)] = 0):
    chosen = parse_weights(weights)
    params = dict(provider=provider, host=host, level=level, year=year, scenario=scenario,
                  weights=chosen, top=top, sensitivity_draws=sensitivity_draws, seed=seed)

    def run(ctx):
        from capcoop.services.opportunities import rank_opportunities

        report = rank_opportunities(provider, host, level=level, year=year, scenario=scenario,
                                    weights=chosen, top=top,
                                    sensitivity_draws=sensitivity_draws, seed=seed,
                                    warehouse=ctx.warehouse)
        if hasattr(report, "summary_records"):
            return _group_result(report, top)
        return report.records(), dict(report.meta())

    return await respond(request, "opportunities", params, run)


@router.get("/opportunities/scenarios", summary="Weighting scenarios of the ranking",
            description="Every named scenario with its description and component weights.",
            responses=responses([{"name": "balanced", "description": "Equal weight on ...",
                                  "weights": {"rca_host": 0.25}}], codes=(500,)))
async def scenarios(request: Request):
    def run(ctx):
        from capcoop.services.opportunities import list_scenarios

        rows = list_scenarios()
        return rows, {"count": len(rows)}

    return await respond(request, "scenarios", {}, run)

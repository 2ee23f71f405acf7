"""Cooperation goals: ``GET /api/goals``, ``GET /api/goals/progress``, ``POST /api/goals`` and
``DELETE /api/goals/{goal_id}`` over :mod:`capcoop.services.goals`. Writing routes need the
operator's bearer token (:mod:`capcoop.api.auth`); on the embedded demo the goals service
keeps goals in the user's goals store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi import Path as PathParam

from capcoop.api.auth import require_write_token
from capcoop.api.errors import field_in
from capcoop.api.routes._common import field_error, report_result, respond, responses
from capcoop.errors import CapcoopError, InputError

__all__ = ["router", "SERVICE"]

SERVICE = "capcoop.services.goals"
router = APIRouter(prefix="/goals", tags=["goals"])

_SPEC = {"metric": "trade_total", "provider": "CHN", "host": "VNM", "target_type": "level",
         "target": 3e11, "base_year": 2020, "deadline": 2030,
         "label": "China-Viet Nam trade US$300 billion by 2030"}
_GOAL = {"goal_id": 1, "label": _SPEC["label"], "metric": "trade_total", "provider": "CHN",
         "host": "VNM", "sector": None, "target_type": "level", "target": 3e11, "unit": "USD",
         "value_unit": "USD", "base_year": 2020, "deadline": 2030,
         "created_at": "2026-01-01T00:00:00", "stored_in": "my.duckdb"}
GoalId = Annotated[str, PathParam(description="The goal's id (from GET /api/goals).",
                                  examples=["1"], max_length=80)]


def _goal_id(text: str | None) -> Any:
    """Goal ids are integers in the warehouse when they look like one."""
    return int(text) if text is not None and text.isdigit() else text


@router.get("", summary="List goals",
            description="Every recorded cooperation goal, by id (on the embedded demo the goals "
                        "live in the user's goals store). Same service as `capcoop goals list`.",
            responses=responses([_GOAL], codes=(500, 503)))
async def list_goals(request: Request):
    def run(ctx):
        from capcoop.services.goals import list_goals as service

        rows = service(warehouse=ctx.warehouse)
        return rows, {"count": len(rows)}

    return await respond(request, "goals", {}, run, cache=False)


@router.get("/metrics", summary="What a goal can measure",
            description="Every goal metric: description, unit, what `sector` names for it, the "
                        "target kinds it takes and how it is measured.",
            responses=responses([{"metric": "trade_total", "description": "Bilateral trade "
                                                                          "(exports + imports)",
                                  "unit": "USD", "sector": "none",
                                  "targets": ["level", "growth"], "measured": "..."}],
                                codes=(500,)))
async def goal_metrics(request: Request):
    def run(ctx):
        from capcoop.services.goals import metrics

        rows = metrics()
        return rows, {"count": len(rows)}

    return await respond(request, "goal_metrics", {}, run)


@router.get("/progress", summary="Progress towards goals",
            description="Each goal (or the one `goal_id` names) against the data: base and "
                        "latest values, observed and required growth, the projection at the "
                        "deadline and the status (achieved, on track, off track, no trend, no "
                        "data). Same service as `capcoop goals progress`.",
            responses=responses([_GOAL | {"base_value": 1.9e11, "latest_year": 2021,
                                          "latest_value": 2.3e11,
                                          "observed_growth_pct": 21.0,
                                          "required_growth_pct": 4.7, "status": "on track",
                                          "on_track": True, "statement": "..."}]))
async def goal_progress(request: Request,
                        goal_id: Annotated[str | None, Query(description="Only this goal.",
                                                             max_length=80)] = None):
    def run(ctx):
        from capcoop.services.goals import goal_progress as service

        try:
            return report_result(service(_goal_id(goal_id), warehouse=ctx.warehouse))
        except InputError as exc:
            raise field_error(exc, "goal_id") from None

    return await respond(request, "goal_progress", {"goal_id": goal_id}, run, cache=False)


@router.post("", summary="Add a goal", status_code=201,
             description="Validate and record a cooperation goal; answers 201 with the goal "
                         "as GET /api/goals shows it. Needs `Authorization: Bearer <token>`. "
                         "Same service as `capcoop goals add`.",
             dependencies=[Depends(require_write_token)],
             responses=responses(_GOAL, write=True, codes=(400, 404, 422, 500, 503)))
async def add_goal(request: Request,
                   spec: Annotated[dict[str, Any], Body(
                       description="The goal: `metric` (trade_total, exports, imports, "
                                   "export_share, sector_imports, sector_output, indicator), "
                                   "`host`, `provider`, `sector` (as the metric needs), "
                                   "`target_type` (level, share or growth), `target`, "
                                   "`deadline`, optional `base_year` and `label` (see "
                                   "docs/goals.md).",
                       examples=[_SPEC])]):
    def run(ctx):
        from capcoop.services.goals import add_goal as service

        try:
            return service(spec, warehouse=ctx.warehouse), {}
        except CapcoopError as exc:  # name the body field at fault
            found = field_in(spec, exc.message)
            raise (field_error(exc, found) if found else exc) from None

    return await respond(request, "add_goal", {}, run, cache=False, status=201)


@router.delete("/{goal_id}", summary="Remove a goal",
               description="Delete one goal and return it. Needs `Authorization: Bearer "
                           "<token>`.",
               dependencies=[Depends(require_write_token)],
               responses=responses(_GOAL, write=True, codes=(400, 422, 500, 503)))
async def remove_goal(request: Request, goal_id: GoalId):
    def run(ctx):
        from capcoop.services.goals import remove_goal as service

        try:
            return service(_goal_id(goal_id), warehouse=ctx.warehouse), {}
        except InputError as exc:  # the only input is the id
            raise field_error(exc, "goal_id") from None

    return await respond(request, "remove_goal", {"goal_id": goal_id}, run, cache=False)

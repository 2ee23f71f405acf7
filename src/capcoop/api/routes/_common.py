"""What every route shares: running a service call (cached, off the event loop), the success
envelope, documented parameter types and the example responses of the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Path as PathParam
from fastapi import Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BeforeValidator

from capcoop.api.context import ApiContext
from capcoop.api.envelope import ErrorEnvelope, OkEnvelope, encode, ok_body

__all__ = ["IntText", "context", "respond", "responses", "report_result", "split_list", "field_error", "Reporter", "Partner", "Year", "Months", "Basis",
           "Blocs", "Source", "Top", "Lang", "PathParam", "Query"]

Result = tuple[Any, dict[str, Any]]


def _int_text(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


#: Validator reading query text as an integer before a ``Literal[2, 4, 6]`` check.
IntText = BeforeValidator(_int_text)


def context(request: Request) -> ApiContext:
    """The app's :class:`ApiContext`."""
    return request.app.state.capcoop


def _key_part(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return tuple(_key_part(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _key_part(v)) for k, v in value.items()))
    return value


async def respond(request: Request, name: str, parameters: dict[str, Any],
                  run: Callable[[ApiContext], Result], *, cache: bool = True,
                  status: int = 200) -> Response:
    """Answer with ``run(ctx) -> (data, extra meta)`` in the success envelope.

    ``run`` calls one service in a worker thread. With ``cache`` the encoded answer is kept per
    (route, parameters, warehouse version) and concurrent identical requests share one run.
    """
    ctx = context(request)

    def produce() -> bytes:
        data, meta = run(ctx)
        return encode(ok_body(data, ctx.base_meta(parameters) | meta))

    if not cache:
        body = await run_in_threadpool(produce)
    else:
        request.scope["capcoop.cacheable"] = True  # see capcoop.api.middleware
        key = (name, _key_part(parameters), ctx.version())
        body = ctx.cache.get(key)
        if body is None:
            body = await run_in_threadpool(ctx.cache.compute, key, produce)
    return Response(body, status_code=status, media_type="application/json")


_ERRORS = {
    400: ("A value is not acceptable", {"message": "no reported trade data for CHN in 1990",
                                        "hint": "CHN has reported data for 2010-2020; choose "
                                                "a year in that range", "field": "year"}),
    404: ("An unknown country, bloc or product", {"message": "unknown reporter 'CHX'",
                                                   "hint": "did you mean CHN?",
                                                   "field": "reporter"}),
    422: ("A malformed parameter", {"message": "year: Input should be a valid integer, unable to "
                                               "parse string as an integer, got 'twenty'",
                                    "hint": "see /openapi.json for the parameters this route "
                                            "takes", "field": "year"}),
    500: ("An unexpected error (details only in the server log)",
          {"message": "internal error: the server could not answer this request",
           "hint": "the server log has the details; report it if it persists"}),
    503: ("The warehouse cannot answer (missing, locked or too old)",
          {"message": "warehouse 'my.duckdb' is locked by another capcoop process",
           "hint": "wait for the running ingest to finish and try again"}),
}
_WRITE_ERRORS = {
    401: ("Missing or wrong bearer token", {"message": "the bearer token is not valid",
                                            "hint": "use the token the operator set in "
                                                    "CAPCOOP_API_TOKEN",
                                            "field": "Authorization"}),
    403: ("Writes are disabled on this server (no token configured)",
          {"message": "this server is read-only: writes are disabled",
           "hint": "the operator enables writes by setting CAPCOOP_API_TOKEN ..."}),
    409: ("The warehouse is read-only (the embedded demo)",
          {"message": "the embedded demo warehouse is read-only",
           "hint": "pass --warehouse PATH (or set CAPCOOP_WAREHOUSE) to write to your own file"}),
}


def responses(data: Any, meta: dict[str, Any] | None = None, *, write: bool = False,
              codes: tuple[int, ...] = (400, 404, 422, 500, 503)) -> dict[int | str, Any]:
    """OpenAPI ``responses`` of a route: the success example and its error examples."""
    example_meta = {"warehouse": "demo (embedded sample warehouse)", "warehouse_kind": "demo",
                    "parameters": {}} | (meta or {})
    out: dict[int | str, Any] = {200: {"model": OkEnvelope, "description": "The result",
                                       "content": {"application/json": {"example": ok_body(
                                           data, example_meta)}}}}
    table = _ERRORS | (_WRITE_ERRORS if write else {})
    for code in sorted(set(codes) | (set(_WRITE_ERRORS) if write else set())):
        description, error = table[code]
        out[code] = {"model": ErrorEnvelope, "description": description,
                     "content": {"application/json": {"example": {
                         "ok": False, "error": error, "status": code}}}}
    return out


Reporter = Annotated[str, Query(description="Reporter: ISO3 code, country name or bloc "
                                            "(CHN, 'Viet Nam', 中国, ASEAN).",
                                examples=["CHN"], min_length=1, max_length=80)]
Partner = Annotated[str, Query(description="Partner: ISO3 code, country name or bloc.",
                               examples=["ASEAN"], min_length=1, max_length=80)]
Year = Annotated[int, Query(description="The year, e.g. 2020.", ge=1900, le=2100,
                            examples=[2020])]
Months = Annotated[str | None, Query(description="Months of the year: 8, or 1-8 for "
                                                 "January-August (cumulative year to date).",
                                     examples=["1-8"], max_length=10)]
Basis = Annotated[Literal["reported", "mirror", "reconciled"] | None, Query(
    description="reported (the reporter's declarations; default), mirror (the partners') or "
                "reconciled (BACI).")]
Blocs = Annotated[str | None, Query(description="Blocs counted as one partner, comma separated, "
                                                "e.g. ASEAN,EU (default: setting "
                                                "ranking_blocs; 'none' for none).",
                                    examples=["ASEAN,EU"], max_length=200)]
Source = Annotated[str | None, Query(description="Source to read, e.g. imf-dots (default: the "
                                                 "one covering most partners).",
                                     examples=["imf-dots"], max_length=40)]
Top = Annotated[int, Query(description="How many rows to return.", ge=1, le=1000)]
Lang = Annotated[Literal["en", "zh"] | None, Query(description="Language of names and "
                                                              "statements: en or zh "
                                                              "(default: setting lang).")]


def report_result(report: Any) -> Result:
    """``(records, meta)`` of a service report with ``.records()`` and ``.meta()``."""
    return report.records(), dict(report.meta())


def split_list(text: str | None) -> list[str] | None:
    """``"a, b,c"`` -> ``["a", "b", "c"]`` (None or blank -> None)."""
    items = [part.strip() for part in (text or "").split(",") if part.strip()]
    return items or None


def field_error(exc: Exception, field: str) -> Exception:
    """``exc`` tagged with the request field it is about (read by the error handler)."""
    exc.field = field  # type: ignore[attr-defined]
    return exc

"""A pure ASGI layer that answers repeated read requests from memory.

A route that answered through the result cache marks the request (``scope["capcoop.cacheable"]``);
its 200 answer is then kept under the raw path, query string and warehouse version, and the
same request is answered again without routing, validation or a worker thread. A write to the
warehouse changes its version, so nothing stale is served.
"""

from __future__ import annotations

from typing import Any

from capcoop.api.context import ApiContext

__all__ = ["RawCacheMiddleware", "CACHEABLE"]

CACHEABLE = "capcoop.cacheable"


class RawCacheMiddleware:
    """Serve cached GET answers under ``/api/`` straight from memory."""

    def __init__(self, app: Any, context: ApiContext) -> None:
        self.app, self.context = app, context

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or \
                not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""), self.context.version())
        found = self.context.responses.get(key)
        if found is not None:
            status, headers, body = found
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and started.get("status") == 200 \
                        and scope.get(CACHEABLE):
                    self.context.responses.compute(key, lambda: (200, list(started.get("headers", [])),
                                                     b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, capture)

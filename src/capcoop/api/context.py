"""What an API process knows once: its warehouse, its write token and its result cache.

The warehouse is resolved when the app is created (explicit path > ``CAPCOOP_WAREHOUSE`` > the
user's warehouse > the embedded demo) and every request reads that file through the services'
own read-only connections. Results are cached by route, parameters and *warehouse version*: the
warehouse file's and its write-ahead log's size and modification time, so any committed write
(an ingest, a new goal) makes the next request compute afresh. Identical requests arriving
together are computed once and share the answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from capcoop.warehouse.connection import WarehouseLocation
from capcoop.warehouse.versions import warehouse_version

__all__ = ["ApiContext", "ResultCache"]


class ResultCache:
    """A bounded least-recently-used map of encoded answers, with single flight per key."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._pending: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        """The cached answer for ``key``, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return found

    def compute(self, key: Hashable, produce: Callable[[], bytes]) -> bytes:
        """The answer for ``key``: cached, being computed by another thread (wait for it), or
        computed now. Errors are not cached; every waiter sees the same error."""
        with self._lock:
            if key in self._items:
                self.hits += 1
                return self._items[key]
            pending = self._pending.get(key)
            if pending is None:
                pending = self._pending[key] = Future()
                owner = True
                self.misses += 1
            else:
                owner = False
        if not owner:
            return pending.result()
        try:
            value = produce()
        except BaseException as exc:
            with self._lock:
                del self._pending[key]
            pending.set_exception(exc)
            raise
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            del self._pending[key]
        pending.set_result(value)
        return value

    def clear(self) -> None:
        """Forget every cached answer."""
        with self._lock:
            self._items.clear()


@dataclass
class ApiContext:
    """Per-app state: the resolved warehouse, the write token (None: writes disabled), the
    caches (``ResultCache(0)`` turns one off)."""

    location: WarehouseLocation
    token: str | None
    #: Encoded answers by (route, parameters, warehouse version).
    cache: ResultCache = field(default_factory=ResultCache)
    #: Whole HTTP answers by (path, query string, warehouse version), see
    #: :mod:`capcoop.api.middleware`.
    responses: ResultCache = field(default_factory=lambda: ResultCache(1024))
    _demo_version: tuple | None = field(default=None, repr=False)

    @property
    def warehouse(self) -> Path:
        """The warehouse file every service call reads."""
        return self.location.path

    def version(self) -> tuple:
        """The warehouse's current version (see :func:`warehouse_version`). The embedded demo
        ships read-only inside the package, so its version is read once."""
        if self.location.is_demo:
            if self._demo_version is None:
                self._demo_version = warehouse_version(self.location.path)
            return self._demo_version
        return warehouse_version(self.location.path)

    def base_meta(self, parameters: dict) -> dict:
        """The meta every answer carries: warehouse label and kind, parameters used."""
        return {"warehouse": self.location.label, "warehouse_kind": self.location.kind,
                "parameters": {k: v for k, v in parameters.items() if v is not None}}

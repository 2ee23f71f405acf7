"""A live capcoop server on loopback and a headless Chromium driven by Playwright.

The browser is Debian's ``/usr/bin/chromium`` (installed by ``./dev test``); Playwright's own
browser download cannot work offline. Without Chromium the browser tests skip with a reason,
except when ``CAPCOOP_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("CAPCOOP_CHROMIUM", "/usr/bin/chromium")
# Flags for a sandboxed machine with a closed network: no first-run, sync or background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL of a capcoop API + dashboard served by uvicorn in a thread (embedded demo)."""
    import uvicorn

    from capcoop.api.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("capcoop server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, or a skip (a failure under CAPCOOP_REQUIRE_BROWSER=1)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = (f"Chromium not found at {CHROMIUM}; run ./dev test (installs Debian's "
                   "chromium) or set CAPCOOP_CHROMIUM")
        if os.environ.get("CAPCOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """A browser page with what it logged and requested, for assertions."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.requests: list[str] = []
        #: A test of bad input sets this: the browser itself logs the API's 4xx answer.
        self.expect_client_errors = False
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the loopback server (data: URLs aside)."""
        return [u for u in self.requests
                if not u.startswith(("data:", "blob:"))
                and urlparse(u).hostname not in ("127.0.0.1",)]


@pytest.fixture()
def dashboard(browser, server_url) -> Iterator[PageWatch]:
    """A fresh page (English) on the dashboard; after the test: no console errors, no request
    leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch = PageWatch(page, server_url)
    yield watch
    context.close()
    errors = [e for e in watch.errors if not (watch.expect_client_errors and re.search(
        r"Failed to load resource: the server responded with a status of 4\d\d", e))]
    assert errors == [], f"console errors: {errors}"
    assert watch.foreign_requests() == [], f"requests left loopback: {watch.foreign_requests()}"

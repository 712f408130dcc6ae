"""Fixtures for the moderator page: one real gunicorn and one Chromium for these tests.

The server runs `hakam serve` (two workers) against a throwaway Redis of this package's own:
its workers deliver webhooks and sweep retention for whatever the Redis they watch holds, so on
the session's Redis they took deliveries that other tests' own deliverers were waiting for. Each
test still gets a flushed Redis through `redis_url`, and builds its own site, moderators and held
comments through the real POST /v1/comments. The browser is Debian's chromium driven by
Playwright (its own browser download does not work offline); each test opens fresh contexts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from hakam.service.policy import SitePolicy
from hakam.service.store import Store, keys
from tests.factories import a_comment
from tests.hakam_server import HakamServer
from tests.redis_harness import ThrowawayRedis

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SERVER_PEPPER = "moderator-page-tests-" + "0" * 43


@pytest.fixture(scope="package")
def redis_server():
    """Overrides the session's Redis for this package (see the module's docstring)."""
    server = ThrowawayRedis().start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def server(redis_server, tmp_path_factory):
    """`hakam serve --workers 2` on a free port; yields its base URL."""
    served = HakamServer(redis_server.url, tmp_path_factory.mktemp("moderate-serve"),
                         log_name="serve.log").start()
    try:
        yield served.url
    finally:
        served.stop()


@pytest.fixture(scope="package")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium "
                    "(listed in service/moderate/tests-system-deps.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Newsroom:
    """A site with premoderation (every comment is held) and a way to post to it."""

    base: str
    store: Store
    site_key: str

    def post(self, **overrides) -> str:
        response = requests.post(f"{self.base}/v1/comments", json=a_comment(**overrides),
                                 headers={"Authorization": f"Bearer {self.site_key}"}, timeout=10)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "pending"
        return response.json()["id"]

    def moderator(self, name: str) -> str:
        return self.store.create_moderator(name)


@pytest.fixture
def newsroom(server, redis_url) -> Newsroom:
    store = Store.from_url(redis_url)
    # The server outlives each test's flushed Redis, and each of its workers keeps the key it
    # hashes emails with from its first comment: the same key for every test keeps a reader
    # one reader whichever worker takes their comment (a new random one per flush did not).
    store.r.set(keys.PEPPER, SERVER_PEPPER)
    site_key, _secret = store.create_site("akhbar", language="ar")
    store.configure_site("akhbar", policy=SitePolicy(premoderation=True))
    return Newsroom(server, store, site_key)


class PageWatch:
    """Collects what must never happen on a page: dialogs, script errors, console errors."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


def sign_in(page, base: str, token: str, query: str = ""):
    """Open the queue (with `query` as its filters), signing in on the way."""
    queue = f"{base}/moderate/" + (f"?{query}" if query else "")
    page.goto(queue)
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_url(queue)
    return page


@pytest.fixture
def open_page(browser):
    """Opens pages in fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def opener(locale: str = "en"):
        context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 800},
                                      extra_http_headers={"Accept-Language": locale})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page, PageWatch(page)

    yield opener
    for context in contexts:
        context.close()

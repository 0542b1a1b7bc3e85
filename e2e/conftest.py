"""Browser-test fixtures: Debian's Chromium driven by Playwright, every page audited by axe-core.

Each test gets a fresh French browser context on pytest-django's live server. Pages are
opened with the `visit` fixture, or audited with `audit` after a click or a form submission
took the browser elsewhere: an audit runs axe-core (WCAG 2.1 A/AA, serious and critical
findings fail the test), weighs the page, and checks that nothing was fetched from another
host, that no Content-Security-Policy violation was logged and that no script failed.
A test that navigated to a page and never audited it fails at teardown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PAGE_BUDGET_BYTES = 150 * 1000
DESKTOP = {"width": 1280, "height": 800}
LOCAL_SCHEMES = {"data", "blob", "about"}

# Recorded in the page before any of its own scripts: CSP violations as the browser sees them.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""

RUN_AXE = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""

PAGE_WEIGHT = """
() => [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
  .map((e) => ({name: e.name, bytes: Math.max(e.transferSize || 0, e.encodedBodySize || 0)}))
"""


def _require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(
            f"{what} is missing ({path}): run `make install-test` (see Makefile).", pytrace=False
        )


@dataclass
class Watch:
    """What one browser tab did: requests, console, navigations; reset nothing, checked often."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    csp_messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_subresources: list[str] = field(default_factory=list)
    navigated: list[str] = field(default_factory=list)
    audited: set[str] = field(default_factory=set)

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(request.url)

    def on_response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_subresources.append(f"{response.status} {response.url}")

    def on_console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_messages.append(text)

    def on_page_error(self, error) -> None:
        self.page_errors.append(str(error))

    def on_navigated(self, page, frame) -> None:
        if frame == page.main_frame:
            self.navigated.append(_without_fragment(frame.url))


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


@pytest.fixture(scope="session")
def axe_source() -> str:
    _require(AXE_JS, "axe-core (npm package, installed by `npm ci`)")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Chromium for one test module (the event loop of Playwright stops with it)."""
    _require(CHROMIUM, "Chromium (Debian package `chromium`, installed by `make browser`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in the test thread while it is
    # started, and Django then refuses ORM calls there (SynchronousOnlyOperation): the
    # factories and the database flush run in that thread. Nothing async is under test, so
    # allow it, but only while the browser runs: the variable must not leak into the rest of
    # the suite (a subprocess running `check --deploy` would inherit it and fail async.E001).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


_WATCHES: dict[int, Watch] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's outcome on the test item, for the teardown check of `page`."""
    report = yield
    setattr(item, f"_e2e_{report.when}_passed", report.passed)
    return report


@pytest.fixture
def page(request, browser, live_server, axe_source) -> Iterator:
    """A fresh tab in a fresh French context, served by the live server."""
    cache.clear()  # rate limits of sign-in attempts must not carry over from another test
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport=DESKTOP,
    )
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    tab = context.new_page()
    watch = Watch(origin=live_server.url.rstrip("/"))
    tab.on("request", watch.on_request)
    tab.on("response", watch.on_response)
    tab.on("console", watch.on_console)
    tab.on("pageerror", watch.on_page_error)
    tab.on("framenavigated", lambda frame: watch.on_navigated(tab, frame))
    _WATCHES[id(tab)] = watch
    try:
        yield tab
        if not getattr(request.node, "_e2e_call_passed", False):
            return  # the test's own failure says more than a missing audit would
        never_audited = sorted(
            {url for url in watch.navigated if url != "about:blank"} - watch.audited
        )
        assert not never_audited, (
            f"pages visited without an accessibility audit (call audit()): {never_audited}"
        )
    finally:
        _WATCHES.pop(id(tab), None)
        context.close()


def run_audit(page, axe_source: str) -> None:
    """Audit the page as it is now: axe-core, weight, hosts, CSP, script errors."""
    watch = _WATCHES[id(page)]
    page.wait_for_load_state("load")
    url = page.url
    problems: list[str] = []

    entries = page.evaluate(PAGE_WEIGHT)
    weight = sum(entry["bytes"] for entry in entries)
    if weight >= PAGE_BUDGET_BYTES:
        heaviest = sorted(entries, key=lambda e: -e["bytes"])[:5]
        problems.append(f"page weighs {weight} bytes (budget {PAGE_BUDGET_BYTES}): {heaviest}")

    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluate() is not subject to the page's CSP (script-src 'self'), a <script> would be.
        page.evaluate(axe_source + "\n;void 0")
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    for violation in violations:
        if violation["impact"] in BLOCKING_IMPACTS:
            problems.append(
                f"axe {violation['impact']} {violation['id']}: {violation['help']} "
                f"→ {json.dumps(violation['targets'], ensure_ascii=False)}"
            )

    csp = page.evaluate("() => window.__cspViolations || []")
    for message in [*watch.csp_messages, *csp]:
        problems.append(f"CSP violation: {message}")
    for request_url in watch.foreign_requests:
        problems.append(f"request to another host: {request_url}")
    for error in watch.page_errors:
        problems.append(f"script error: {error}")
    for failed in watch.failed_subresources:
        problems.append(f"subresource failed: {failed}")

    watch.audited.add(_without_fragment(url))
    assert not problems, f"audit of {url} failed:\n  " + "\n  ".join(problems)


@pytest.fixture
def audit(page, axe_source) -> Callable[[], None]:
    """Audit the current page (after a click or a submit took the browser to a new page)."""
    return lambda: run_audit(page, axe_source)


@pytest.fixture
def visit(page, axe_source) -> Callable[..., object]:
    """Open a path, check its status (below 400 unless `status` is given), audit it."""

    def _visit(path: str, status: int | None = None):
        response = page.goto(path)
        assert response is not None, f"no response for {path}"
        if status is None:
            assert response.status < 400, f"{path} answered {response.status}"
        else:
            assert response.status == status, f"{path} answered {response.status}, not {status}"
        run_audit(page, axe_source)
        return response

    return _visit


@pytest.fixture
def sign_in_as(page, axe_source) -> Callable[..., None]:
    """Sign a person in through the test-only shortcut, landing (audited) on `next_url`."""

    def _sign_in_as(user, next_url: str = "/") -> None:
        response = page.goto(f"/__e2e__/login/{user.pk}/?next={next_url}")
        assert response is not None and response.status < 400, (
            "the test-only sign-in shortcut is not mounted: entente.test_settings must set "
            "ENTENTE_E2E_SHORTCUT=1 before importing the settings"
        )
        assert urlsplit(page.url).path == next_url.split("?")[0], (
            f"landed on {page.url}, not {next_url}"
        )
        run_audit(page, axe_source)

    return _sign_in_as

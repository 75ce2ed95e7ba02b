"""A real browser (Debian's headless Chromium) calls the API cross-origin and reads its docs.

CORS is enforced by browsers, not by HTTP clients: only a browser shows that a page served
from an origin in ``BACKFIT_CORS_ORIGINS`` can sign in and call the API with a bearer token,
and that the same page from any other origin cannot read a single response. The docs pages
must render with no internet access: every request they make stays on the service's host.
"""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.support.server import running_service
from tests.support.system import require_command

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The docs pages are read under a real-looking host name that Chromium maps to the loopback
# service, as people would read them in production: Swagger UI skips some third-party calls
# (its online validator badge) for specs served from localhost or 127.0.0.1.
DOCS_HOST = "api.backfit.test"
PAGE_TIMEOUT_MS = 20_000

# The front-end a partner would host: every call is cross-origin, results go into the DOM.
PROBE_PAGE = """<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Backfit CORS probe</title>
<pre id="results"></pre>
<script>
const api = new URLSearchParams(location.search).get("api");
const email = `browser-${location.port}-${Date.now()}@example.com`;
const password = "correct horse 42";
const results = { origin: location.origin, email };
let token = "no-token-yet";

async function step(name, run) {
  try {
    results[name] = { ok: true, ...(await run()) };
  } catch (error) {
    results[name] = { ok: false, error: error.name, message: String(error.message) };
  }
  console.log(`${name}: ${JSON.stringify(results[name])}`);
}

async function call(path, init = {}) {
  const response = await fetch(api + path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text && JSON.parse(text) };
}

const json = (body, headers = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const bearer = () => ({ Authorization: `Bearer ${token}` });

(async () => {
  await step("classes", async () => {
    // A request id of the page's own, as a front-end sends to correlate its logs with ours.
    const sent = `probe-${location.port}`;
    const { status, headers, body } = await call("/v1/classes", {
      headers: { "X-Request-ID": sent },
    });
    return {
      status,
      count: body.items.length,
      etag: headers.get("ETag"),
      request_id: headers.get("X-Request-ID"),
      sent_request_id: sent,
    };
  });
  await step("register", async () => {
    const { status } = await call("/v1/auth/register", json({ email, password }));
    return { status };
  });
  await step("token", async () => {
    const { status, body } = await call("/v1/auth/token", {
      method: "POST",
      body: new URLSearchParams({ username: email, password }),
    });
    token = body.access_token ?? token;
    return { status, token_type: body.token_type };
  });
  await step("preview", async () => {
    const { status, headers, body } = await call("/v1/plans/preview", json({
      week_start: "2026-11-23", experience_level: "intermediate", equipment: ["mat"],
    }, { "X-Request-ID": "probe-preview" }));
    return { status, sessions: body.sessions.length, request_id: headers.get("X-Request-ID") };
  });
  await step("me", async () => {
    const { status, body } = await call("/v1/me", { headers: bearer() });
    return { status, email: body.email };
  });
  await step("workout", async () => {
    const { status, body } = await call("/v1/me/workouts", json(
      { completed_at: "2026-11-23T18:30:00+01:00", duration_minutes: 20, pain: 1 },
      { ...bearer(), "Idempotency-Key": `browser-${email}` },
    ));
    return { status, id: body.id };
  });
  const out = document.getElementById("results");
  out.textContent = JSON.stringify(results);
  out.dataset.done = "true";
})();
</script>
</html>
"""
CALLS = ("classes", "register", "token", "preview", "me", "workout")


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/":
            self.send_error(404)
            return
        body = PROBE_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reports what matters."""


@contextmanager
def serving_probe_page() -> Iterator[int]:
    """Serve PROBE_PAGE at ``/`` on a free loopback port; yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def browser(scratch_database_url: str) -> Iterator[Browser]:
    """Headless Chromium, started after the scratch database and stopped before it goes.

    Playwright's sync API keeps an asyncio loop running in this thread while it is open, and
    the PostgreSQL scratch database is created and dropped with ``asyncio.run``.
    """
    chromium = require_command("chromium", "chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {DOCS_HOST} 127.0.0.1"],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def recorded_page(browser: Browser) -> Iterator[tuple[Page, list[str], list[str]]]:
    """A fresh page with every URL it requests and every console line and page error."""
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    console: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    try:
        yield page, requested, console
    finally:
        context.close()


def wait_until(page: Page, condition: str, explain: Callable[[], str]) -> None:
    """Wait for the JS expression ``condition``; fail with ``explain()`` when it never holds."""
    try:
        page.wait_for_function(condition, timeout=PAGE_TIMEOUT_MS)
    except PlaywrightError as error:
        pytest.fail(f"{page.url}: {condition} never held ({error.message})\n{explain()}")


def run_probe(browser: Browser, page_origin: str, api: str) -> dict[str, Any]:
    with recorded_page(browser) as (page, _requested, console):
        page.goto(f"{page_origin}/?{urlencode({'api': api})}")
        done = "document.querySelector('#results[data-done]')"
        wait_until(page, done, lambda: "\n".join(console))
        results: dict[str, Any] = json.loads(page.text_content("#results") or "{}")
        return results


def on_docs_host(api: str, path: str) -> str:
    """``path`` of the service at ``api`` (a loopback URL), addressed by DOCS_HOST."""
    return f"http://{DOCS_HOST}:{urlsplit(api).port}{path}"


def off_host(requested: list[str], host: str) -> list[str]:
    """The requested URLs that went anywhere but ``host`` (data: and blob: stay in the page)."""
    return [
        url
        for url in requested
        if urlsplit(url).scheme not in {"data", "blob"} and urlsplit(url).hostname != host
    ]


@pytest.mark.slow
def test_an_allowed_origin_calls_the_api_and_any_other_origin_is_refused(
    browser: Browser, scratch_database_url: str
) -> None:
    with serving_probe_page() as allowed_port, serving_probe_page() as other_port:
        allowed = f"http://127.0.0.1:{allowed_port}"
        cors = {"BACKFIT_CORS_ORIGINS": allowed}
        with running_service(scratch_database_url, extra_env=cors) as api:
            from_allowed = run_probe(browser, allowed, api)
            refused = {
                "another port": run_probe(browser, f"http://127.0.0.1:{other_port}", api),
                "another host name": run_probe(browser, f"http://localhost:{allowed_port}", api),
            }
            # The refused pages' JSON POSTs were stopped at the preflight: nobody registered.
            never_registered = {
                name: httpx.post(
                    f"{api}/v1/auth/token",
                    data={"username": results["email"], "password": "correct horse 42"},
                ).status_code
                for name, results in refused.items()
            }

    assert from_allowed["origin"] == allowed
    calls = {name: from_allowed[name] for name in CALLS}
    assert all(call["ok"] for call in calls.values()), calls
    assert calls["classes"]["status"] == 200
    assert calls["classes"]["count"] == 3
    # Exposed headers are readable from script, not just sent.
    assert calls["classes"]["etag"]
    # The page's own X-Request-ID passed the preflight and came back, readable from script.
    assert calls["classes"]["request_id"] == calls["classes"]["sent_request_id"]
    assert calls["classes"]["sent_request_id"] == f"probe-{allowed_port}"
    assert calls["register"]["status"] == 201
    assert calls["token"] == {"ok": True, "status": 200, "token_type": "bearer"}
    assert calls["preview"] == {
        "ok": True,
        "status": 200,
        "sessions": 2,
        "request_id": "probe-preview",
    }
    assert calls["me"] == {"ok": True, "status": 200, "email": from_allowed["email"]}
    assert calls["workout"]["status"] == 201

    for name, results in refused.items():
        for call in CALLS:
            # The browser hides the response from the page: fetch() rejects with a TypeError.
            assert results[call]["ok"] is False, (name, call, results[call])
            assert results[call]["error"] == "TypeError", (name, call, results[call])
    assert never_registered == dict.fromkeys(refused, 401)


@pytest.mark.slow
def test_in_development_a_local_front_end_may_call_without_configuration(
    browser: Browser, scratch_database_url: str
) -> None:
    with serving_probe_page() as port:
        unset = {"BACKFIT_ENV": "development", "BACKFIT_CORS_ORIGINS": ""}
        with running_service(scratch_database_url, extra_env=unset) as api:
            local = run_probe(browser, f"http://localhost:{port}", api)
            elsewhere = run_probe(browser, f"http://{DOCS_HOST}:{port}", api)

    assert all(local[call]["ok"] for call in CALLS), local
    assert local["classes"]["request_id"] == f"probe-{port}"
    assert local["workout"]["status"] == 201
    for call in CALLS:
        assert elsewhere[call] == {
            "ok": False,
            "error": "TypeError",
            "message": elsewhere[call]["message"],
        }, call


@pytest.mark.slow
def test_swagger_ui_renders_every_operation_from_the_service_alone(
    browser: Browser, scratch_database_url: str
) -> None:
    with running_service(scratch_database_url) as api, recorded_page(browser) as recorded:
        page, requested, console = recorded
        page.goto(on_docs_host(api, "/docs"))

        def explain() -> str:
            return "requested:\n" + "\n".join(requested) + "\nconsole:\n" + "\n".join(console)

        wait_until(page, "document.querySelectorAll('.opblock').length >= 20", explain)
        operations = page.locator(".opblock").count()
        title = page.locator(".information-container .title").first.text_content() or ""
        page.wait_for_load_state("networkidle")
        elsewhere = off_host(requested, DOCS_HOST)

    assert operations >= 20
    assert "Backfit API" in title
    assert elsewhere == [], f"/docs reached beyond the service: {elsewhere}"


@pytest.mark.slow
def test_redoc_renders_the_operations_from_the_service_alone(
    browser: Browser, scratch_database_url: str
) -> None:
    with running_service(scratch_database_url) as api, recorded_page(browser) as recorded:
        page, requested, console = recorded
        page.goto(on_docs_host(api, "/redoc"))

        def explain() -> str:
            return "requested:\n" + "\n".join(requested) + "\nconsole:\n" + "\n".join(console)

        operation_headings = "[data-section-id*='operation/'] h2"
        wait_until(
            page,
            f"document.querySelector('.redoc-wrap') && "
            f"document.querySelectorAll({operation_headings!r}).length >= 20",
            explain,
        )
        headings = [text.strip() for text in page.locator(operation_headings).all_text_contents()]
        page.wait_for_load_state("networkidle")
        elsewhere = off_host(requested, DOCS_HOST)

    assert (
        "Sign in, or trade a refresh token for a new pair (the OAuth2 token endpoint)" in headings
    )
    assert elsewhere == [], f"/redoc reached beyond the service: {elsewhere}"

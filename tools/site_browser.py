"""Open the built book in headless Chromium with no network: shared by the browser test
(tests/test_site.py) and the screenshot helper (tools/screenshot_pages.py).

The site in _build/html is served by a local http.server on 127.0.0.1; every request to any
other host is aborted and recorded, so a page that still needs a CDN shows up.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def chromium_path() -> str | None:
    """Debian's chromium (never a browser downloaded by `playwright install`)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing_prerequisite(html: Path = HTML) -> str | None:
    """Why the built site cannot be opened in a browser here, or None when it can."""
    if chromium_path() is None:
        return "chromium is not installed (Debian: apt-get install -y chromium)"
    if not (html / "index.html").exists():
        return f"no built site in {html}: run `make book` first"
    return None


def toc_pages(root: Path = ROOT) -> list[str]:
    """The html page of every document listed in _toc.yml, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(doc).with_suffix("")) + ".html" for doc in docs]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Mermaid is an ES module; browsers refuse modules served with a non-JavaScript type.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript"}

    def log_message(self, format, *args):  # noqa: A002 - keep test output clean
        pass


@contextlib.contextmanager
def serve(directory: Path = HTML):
    """Serve `directory` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def launch(playwright):
    """Headless Debian chromium driven by Playwright."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


def offline_page(browser, blocked: list[str], viewport=(1280, 900)):
    """A new page whose requests to any host but localhost are aborted and listed in `blocked`."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()

    def route(r):
        if urlparse(r.request.url).hostname in LOCAL_HOSTS:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page


def settle(page, timeout_ms: int = 20_000) -> None:
    """Wait until MathJax has typeset, mermaid has drawn and images have loaded."""
    page.wait_for_load_state("load")
    page.evaluate(
        """async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
        }"""
    )
    # sphinxcontrib-mermaid draws visible diagrams at once and defers hidden ones (e.g. inside
    # a closed dropdown) until they are shown: wait until each is drawn or deferred.
    if page.locator(".mermaid").count():
        page.wait_for_function(
            """() => Array.from(document.querySelectorAll('.mermaid')).every(el =>
                   el.querySelector('svg') || el.hasAttribute('data-mermaid-deferred')
                   || el.hasAttribute('data-mermaid-render-failed'))""",
            timeout=timeout_ms)
    # Images below the fold may load lazily: scroll through the page, then wait for them.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(
        "Array.from(document.images).every(img => img.complete)", timeout=timeout_ms)
    page.evaluate("window.scrollTo(0, 0)")

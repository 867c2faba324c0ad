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


def toc_docs(root: Path = ROOT) -> list[str]:
    """Every document listed in _toc.yml (paths without suffix), in reading order."""
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
    return docs


def toc_pages(root: Path = ROOT) -> list[str]:
    """The html page of every document listed in _toc.yml, in reading order."""
    return [str(Path(doc).with_suffix("")) + ".html" for doc in toc_docs(root)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Mermaid is an ES module; browsers refuse modules served with a non-JavaScript type.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript"}

    def log_message(self, format, *args):  # keep the test output clean
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


AXE = ROOT / "tools" / "vendor" / "node_modules" / "axe-core" / "axe.min.js"

# What one visit of a page records (see audit_page): everything tests/test_site.py and
# tests/test_a11y.py check on a page at desktop width, so each page is loaded once for both.
_FACTS_JS = """() => {
    const article = document.querySelector('article');
    const raw = article ? article.innerText : '';
    return {
        math: document.querySelectorAll('.math').length,
        typeset: document.querySelectorAll('mjx-container').length,
        tex_errors: document.querySelectorAll('mjx-merror').length,
        raw_tex: raw.includes('\\\\(') || raw.includes('\\\\['),
        diagrams: document.querySelectorAll('.mermaid').length,
        diagrams_failed: document.querySelectorAll('.mermaid[data-mermaid-render-failed]').length,
        diagrams_syntax: document.querySelectorAll('.mermaid svg[aria-roledescription="error"]').length,
        diagrams_drawn: document.querySelectorAll('.mermaid svg').length,
        diagrams_deferred: document.querySelectorAll('.mermaid[data-mermaid-deferred]').length,
        broken_images: Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src),
        widget_views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
        figures: Array.from(document.querySelectorAll('article img')).map(i => ({
            src: i.getAttribute('src'), alt: (i.getAttribute('alt') || '').trim()})),
    };
}"""

_AXE_JS = """async () => {
    const r = await axe.run(document, {resultTypes: ['violations']});
    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def audit_page(browser, base_url: str, page_path: str, axe: Path | None = AXE) -> dict:
    """Open one page offline at desktop width, once, and record what the site tests check.

    Returns a dict: ``blocked`` (requests to other hosts), ``failed_local`` (local files that
    failed or answered >= 400), ``console_errors``, the page facts of ``_FACTS_JS`` (math,
    diagrams, images, widget views, figure alt texts), ``widgets_rendered`` (None when the
    page has no widget), and ``axe``: axe-core's violations (None when axe-core is not
    installed). An exception while loading the page is raised to the caller.
    """
    blocked: list[str] = []
    errors: list[str] = []
    failed_local: list[str] = []
    page = offline_page(browser, blocked)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("requestfailed",
            lambda r: failed_local.append(r.url) if r.url.startswith(base_url) else None)
    page.on("response",
            lambda r: failed_local.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(base_url + page_path)
        settle(page)
        facts = page.evaluate(_FACTS_JS)
        facts["widgets_rendered"] = None
        if facts["widget_views"]:
            try:
                page.wait_for_selector(".jupyter-widgets", timeout=20_000)
                facts["widgets_rendered"] = True
            except Exception:   # playwright's TimeoutError: reported by the test, not raised
                facts["widgets_rendered"] = False
        # The console and network are read before axe is injected: axe's own script is ours.
        facts.update(blocked=list(blocked), failed_local=list(failed_local),
                     console_errors=list(errors), axe=None)
        if axe is not None and axe.exists():
            page.add_script_tag(path=str(axe))
            facts["axe"] = page.evaluate(_AXE_JS)
        return facts
    finally:
        page.context.close()

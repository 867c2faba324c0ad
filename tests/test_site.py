"""Browser test of the built book: every page of the toc opened in headless Chromium, offline.

For each page: no console error (except the allow-listed benign ones below), no request to any
host but localhost, no missing local file, math typeset by MathJax, mermaid diagrams drawn as
SVG, every image loaded, ipywidgets rendered. `make test` runs it after the strict build;
`pytest tests/ -m "not browser"` leaves it out. Needs Debian's chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import site_browser  # noqa: E402

pytestmark = pytest.mark.browser

PAGES = site_browser.toc_pages()

# Console errors known to be harmless; anything else fails the page.
BENIGN_CONSOLE_ERRORS = [
    # sphinx-thebe adds its inline `const THEBE_JS_URL = ...` config script from an event that
    # runs twice in a Jupyter Book build (the togglebutton line is doubled the same way), so
    # the second copy throws on every page, even with thebe off. Only thebe's "launch"
    # button, which this book does not show, reads the constant.
    re.compile(r"Identifier 'THEBE_JS_URL' has already been declared"),
    # The ipywidgets html-manager calls MathJax 2's `MathJax.Hub.Queue` to typeset widget
    # labels; the book loads MathJax 3, which has no Hub. Page math is typeset by MathJax 3
    # regardless (checked below); only LaTeX inside widget labels stays untypeset.
    re.compile(r"Cannot read properties of undefined \(reading 'Queue'\)"),
]


def test_toc_pages_were_built():
    if not (site_browser.HTML / "index.html").exists():
        pytest.skip("no built site in _build/html (run `make book` first)")
    missing = [p for p in PAGES if not (site_browser.HTML / p).exists()]
    assert not missing, f"pages in _toc.yml with no html: {missing}"


@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(browser, base_url, page_path):
    blocked: list[str] = []
    errors: list[str] = []
    failed_local: list[str] = []
    page = site_browser.offline_page(browser, blocked)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: failed_local.append(r.url) if r.url.startswith(base_url) else None)
    page.on("response", lambda r: failed_local.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(base_url + page_path)
        site_browser.settle(page)

        assert not blocked, f"{page_path} requested external URLs (a CDN?): {blocked}"
        assert not failed_local, f"{page_path}: local files missing or failing: {failed_local}"
        unexpected = [e for e in errors if not any(p.search(e) for p in BENIGN_CONSOLE_ERRORS)]
        assert not unexpected, f"{page_path}: console errors: {unexpected}"

        if page.locator(".math").count():
            assert page.locator("mjx-container").count() > 0, f"{page_path}: math not typeset"
            assert page.locator("mjx-merror").count() == 0, f"{page_path}: a TeX error in math"
            raw = page.locator("article").inner_text()
            assert "\\(" not in raw and "\\[" not in raw, f"{page_path}: raw TeX left on the page"

        diagrams = page.locator(".mermaid")
        if diagrams.count():
            assert page.locator(".mermaid[data-mermaid-render-failed]").count() == 0, page_path
            assert page.locator('.mermaid svg[aria-roledescription="error"]').count() == 0, \
                f"{page_path}: mermaid syntax error"
            drawn = page.locator(".mermaid svg").count()
            deferred = page.locator(".mermaid[data-mermaid-deferred]").count()
            assert drawn + deferred == diagrams.count() and drawn > 0, \
                f"{page_path}: {diagrams.count()} diagrams, {drawn} drawn"

        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src)")
        assert not broken, f"{page_path}: images that did not load: {broken}"

        views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
        if views:
            page.wait_for_selector(".jupyter-widgets", timeout=20_000)
    finally:
        page.context.close()

"""Browser test of the built book: every page of the toc opened in headless Chromium, offline.

For each page: no console error (except the allow-listed benign ones below), no request to any
host but localhost, no missing local file, math typeset by MathJax, mermaid diagrams drawn as
SVG, every image loaded, ipywidgets rendered. Each page is loaded once for these checks and
those of tests/test_a11y.py (the ``page_audit`` fixture of conftest.py). `make test` runs it
after the strict build; `pytest tests/ -m "not browser"` leaves it out. Needs Debian's
chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import site_browser

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
def test_page_renders_offline(page_audit, page_path):
    page = page_audit(page_path)      # the page's one visit, shared with tests/test_a11y.py

    assert not page["blocked"], f"{page_path} requested external URLs (a CDN?): {page['blocked']}"
    assert not page["failed_local"], \
        f"{page_path}: local files missing or failing: {page['failed_local']}"
    unexpected = [e for e in page["console_errors"]
                  if not any(p.search(e) for p in BENIGN_CONSOLE_ERRORS)]
    assert not unexpected, f"{page_path}: console errors: {unexpected}"

    if page["math"]:
        assert page["typeset"] > 0, f"{page_path}: math not typeset"
        assert page["tex_errors"] == 0, f"{page_path}: a TeX error in math"
        assert not page["raw_tex"], f"{page_path}: raw TeX left on the page"

    if page["diagrams"]:
        assert page["diagrams_failed"] == 0, page_path
        assert page["diagrams_syntax"] == 0, f"{page_path}: mermaid syntax error"
        drawn, deferred = page["diagrams_drawn"], page["diagrams_deferred"]
        assert drawn + deferred == page["diagrams"] and drawn > 0, \
            f"{page_path}: {page['diagrams']} diagrams, {drawn} drawn"

    assert not page["broken_images"], \
        f"{page_path}: images that did not load: {page['broken_images']}"
    assert page["widgets_rendered"] is not False, f"{page_path}: the ipywidgets did not render"

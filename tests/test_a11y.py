"""Accessibility and search of the built site, in headless Chromium, offline.

- axe-core (pinned in tools/vendor/package.json, injected from node_modules, never published)
  audits every page of the toc: no violation of impact "serious" or "critical". The counts per
  page go to _build/a11y/axe.json. axe and the alt-text check read the page's one desktop
  visit that tests/test_site.py's checks share (the ``page_audit`` fixture of conftest.py).
- Every figure image in a page has alt text that says something (not empty, not a file name).
- The static steppers work from the keyboard (Tab to a button, Enter; arrow keys on the
  slider), with a visible focus outline.
- At a 375 px phone width no page scrolls sideways: wide tables and steppers scroll inside
  their own box.
- Search works offline: "vanishing" finds chapter 5.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import site_browser  # noqa: E402

pytestmark = pytest.mark.browser

AXE = site_browser.AXE
PAGES = site_browser.toc_pages()
REPORT = ROOT / "_build" / "a11y" / "axe.json"
STEPPER_PAGE = "chapters/04_bptt.html"
CHAPTER_5 = "chapters/05_vanishing_exploding.html"


def open_page(browser, base_url, page_path, viewport=(1280, 900)):
    page = site_browser.offline_page(browser, [], viewport=viewport)
    page.goto(base_url + page_path)
    site_browser.settle(page)
    return page


@pytest.fixture(scope="module")
def axe_report():
    report: dict = {}
    yield report
    if report:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=1, sort_keys=True))


@pytest.mark.parametrize("page_path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(page_audit, axe_report, page_path):
    if not AXE.exists():
        pytest.skip("axe-core not installed (run `make vendor`)")
    violations = page_audit(page_path)["axe"]    # the page's one visit, shared with test_site
    counts: dict = {}
    for v in violations:
        counts[v["impact"]] = counts.get(v["impact"], 0) + v["nodes"]
    axe_report[page_path] = {"counts": counts, "violations": violations}
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page_path}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) x{v['nodes']}: {v['targets']}" for v in bad)


@pytest.mark.parametrize("page_path", PAGES)
def test_every_figure_has_alt_text_that_says_something(page_audit, page_path):
    images = page_audit(page_path)["figures"]
    poor = [i["src"] for i in images
            if len(i["alt"]) < 15 or re.search(r"\.(png|jpe?g|svg)$|^(image|figure|output|png)$", i["alt"], re.I)]
    assert not poor, f"{page_path}: images without alt text that says what they show: {poor}"


def test_static_stepper_works_from_the_keyboard_with_visible_focus(browser, base_url):
    page = open_page(browser, base_url, STEPPER_PAGE)
    try:
        root = page.locator("div.rnnw[data-rnnw-ready]").first
        view = root.locator(".rnnw-view")
        root.locator("button[data-act=first]").focus()
        page.keyboard.press("Tab")                      # First -> Previous -> Play -> Next
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('data-act')") == "next"
        outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
        assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on Next: {outline}"
        before = view.get_attribute("data-frame")
        page.keyboard.press("Enter")
        assert view.get_attribute("data-frame") == str(int(before) + 1)
        page.keyboard.press("Tab")                      # the slider: arrow keys move it
        assert page.evaluate("document.activeElement.type") == "range"
        page.keyboard.press("ArrowRight")
        assert view.get_attribute("data-frame") == str(int(before) + 2)
    finally:
        page.context.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_readable_at_phone_width(browser, base_url, page_path):
    page = open_page(browser, base_url, page_path, viewport=(375, 800))
    try:
        overflow = page.evaluate("""() => {
            const w = document.documentElement.clientWidth, out = [];
            for (const el of document.querySelectorAll('article table, article .rnnw, article img, article pre, article mjx-container[display], article .mermaid svg')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.right <= w + 1) continue;
                // fine if an ancestor inside the article scrolls it sideways
                let p = el.parentElement, scrolls = false;
                while (p && p.tagName !== 'ARTICLE') {
                    const s = getComputedStyle(p);
                    if (/(auto|scroll)/.test(s.overflowX) && p.getBoundingClientRect().right <= w + 1) { scrolls = true; break; }
                    p = p.parentElement;
                }
                if (!scrolls) out.push(el.tagName.toLowerCase() + '.' + (el.className.baseVal ?? el.className) + ' right=' + Math.round(r.right));
            }
            return {page: document.documentElement.scrollWidth, width: w, cut: out.slice(0, 8)};
        }""")
    finally:
        page.context.close()
    assert overflow["page"] <= overflow["width"] + 1, f"{page_path} scrolls sideways at 375 px: {overflow}"
    assert not overflow["cut"], f"{page_path}: cut off at 375 px: {overflow['cut']}"


def test_search_works_offline_and_finds_chapter_5(browser, base_url):
    page = open_page(browser, base_url, "search.html?q=vanishing")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=20_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a",
                                         "els => els.map(a => a.getAttribute('href'))")
    finally:
        page.context.close()
    assert any(h and h.split("?")[0].split("#")[0].endswith(CHAPTER_5) for h in hits), hits

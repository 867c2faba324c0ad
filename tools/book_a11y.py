"""Sphinx extension: fixes to the theme's markup that an axe-core audit flags (tests/test_a11y.py).

- The search field button carries aria-label="Search" although it shows "Search Ctrl+K": a
  screen reader user's name for it must contain the visible text, so the label goes (the
  button's text names it).
- The colour-mode button is named by aria-label="Color mode" while its icon font glyphs count
  as visible text: it is named by its title instead.
- myst-nb's "Show code cell source" toggles are labelled "Toggle hidden content", which is not
  what they show: the label goes, the visible text names them.
- The sidebar's expand/collapse toggle of a page with sub-pages (the Assignments index) is a
  <summary> holding only an icon: it gets the name "Show or hide the sub-pages".
- sphinxcontrib-bibtex marks the bibliography role="list" with children that are no list
  items (a critical violation): the role goes.
- book-a11y.css (tools/site_static/): contrast of links in admonitions, focus outlines,
  phone-width overflow.

Registered in _config.yml under ``sphinx: local_extensions``.
"""
from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "site_static"
CSS = "book-a11y.css"

FIXES = [
    (re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"'), r"\1"),
    (re.compile(r'(<button class="[^"]*theme-switch-button[^"]*") aria-label="Color mode"'),
     r'\1 title="Color mode"'),
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'<div role="list" class="citation-list">'), '<div class="citation-list">'),
    (re.compile(r'<summary>(<span class="toctree-toggle")'),
     r'<summary aria-label="Show or hide the sub-pages">\1'),
]


def fix_html(text: str) -> str:
    """The page's HTML with the fixes above applied."""
    for pattern, replacement in FIXES:
        text = pattern.sub(replacement, text)
    return text


def _static(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _rewrite(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        fixed = fix_html(text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def setup(app):
    app.connect("config-inited", _static)
    app.add_css_file(CSS)
    app.connect("build-finished", _rewrite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

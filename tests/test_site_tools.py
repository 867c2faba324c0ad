"""The site's Sphinx extensions as plain functions (no build needed)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import book_a11y  # noqa: E402


def test_fix_html_removes_the_mismatched_labels_and_the_wrong_list_role():
    page = ('<button class="btn search-button-field search-button__button pst-js-only" title="Search" '
            'aria-label="Search" data-bs-toggle="tooltip"><span>Search</span></button>'
            '<button class="btn btn-sm nav-link pst-navbar-icon theme-switch-button pst-js-only" '
            'aria-label="Color mode" data-bs-title="Color mode">'
            '<summary aria-label="Toggle hidden content"><p>Show code cell source</p></summary>'
            '<div role="list" class="citation-list"><div class="citation">x</div></div>')
    fixed = book_a11y.fix_html(page)
    assert 'aria-label' not in fixed
    assert 'theme-switch-button pst-js-only" title="Color mode"' in fixed
    assert "<summary><p>Show code cell source" in fixed
    assert '<div class="citation-list">' in fixed
    assert book_a11y.fix_html(fixed) == fixed                 # idempotent
    other = '<button class="x" aria-label="Search">'           # other buttons keep their label
    assert book_a11y.fix_html(other) == other

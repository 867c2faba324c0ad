"""The site's Sphinx extensions and tools/execute_book.py's helpers as plain functions (no build
needed)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import book_a11y


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


def test_execute_book_reads_budgets_and_the_toc():
    import execute_book

    assert execute_book.stated_budget({"metadata": {"rnnbook": {"compute_budget_s": 40}}}) == 40.0
    assert execute_book.stated_budget({"metadata": {}}) is None
    for bad in (0, -1, "40", True):
        with pytest.raises(ValueError, match="compute_budget_s"):
            execute_book.stated_budget({"metadata": {"rnnbook": {"compute_budget_s": bad}}})
    assert execute_book.execution_off({"metadata": {"mystnb": {"execution_mode": "off"}}})
    assert not execute_book.execution_off({"metadata": {}})
    timed = {"cells": [{"metadata": {"execution": {
        "iopub.execute_input": "2026-12-07T10:00:00.000Z", "shell.execute_reply": "2026-12-07T10:00:02.500Z"}}},
        {"metadata": {}}]}
    assert execute_book.recorded_seconds(timed) == 2.5
    assert execute_book.recorded_seconds({"cells": [{"metadata": {}}]}) is None
    assert execute_book.expected_cost(timed) == 2.5
    assert execute_book.expected_cost({"metadata": {"rnnbook": {"compute_budget_s": 9}}, **timed}) == 9
    notebooks = execute_book.toc_notebooks()
    assert notebooks[0].name.startswith("01_") and all(p.suffix == ".ipynb" for p in notebooks)
    assert {p.stem for p in notebooks} >= {"01_unfolding", "09_char_language_model"}


def test_the_workers_get_the_costliest_file_first_and_shared_work_together(tmp_path):
    import scheduling

    nodeids = ["tests/test_a.py::t1", "tests/test_site.py::t", "tests/test_b.py::t1",
               "tests/test_a.py::t2", "tests/test_a11y.py::t"]
    paths = {scheduling.file_of(n): tmp_path / scheduling.file_of(n) for n in nodeids}
    measured = {"tests/test_b.py": 9.0, "tests/test_site.py": 1.0, "tests/test_a11y.py": 5.0}
    order = [nodeids[i] for i in scheduling.costliest_first(nodeids, paths, measured)]
    # test_b (9 s), then the two page files (6 s together), then test_a (a guess per test)
    assert order == ["tests/test_b.py::t1", "tests/test_site.py::t", "tests/test_a11y.py::t",
                     "tests/test_a.py::t1", "tests/test_a.py::t2"]
    assert scheduling.unit_of("tests/test_site.py::x[1]") == scheduling.unit_of("tests/test_a11y.py::y")
    assert scheduling.unit_of("chapters/01_unfolding.ipynb::Cell 3") == "chapters/01_unfolding.ipynb"
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text('{"cells": [], "metadata": {"rnnbook": {"compute_budget_s": 40}}}')
    assert scheduling.stated_cost(notebook) == 40.0

"""The site's Sphinx extensions, tools/execute_book.py's helpers and tests/scheduling.py as plain
functions (no build needed)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
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


def test_the_costliest_unit_is_handed_out_next_and_shared_work_is_one_unit(tmp_path):
    import scheduling

    queue = {"tests/test_a.py": ["tests/test_a.py::t1", "tests/test_a.py::t2"],
             "site pages": ["tests/test_site.py::t", "tests/test_a11y.py::t"],
             "tests/test_b.py": ["tests/test_b.py::t1"]}
    measured = {"tests/test_b.py": 5.0, "tests/test_site.py": 1.0, "tests/test_a11y.py": 5.0,
                "tests/test_a.py": "junk"}            # a bad entry falls back to the guess
    assert scheduling.costliest(queue, tmp_path, measured) == "site pages"   # 6 s > 5 s
    del queue["site pages"]
    assert scheduling.costliest(queue, tmp_path, measured) == "tests/test_b.py"
    assert scheduling.unit_cost(queue["tests/test_a.py"], tmp_path, measured) == \
        2 * scheduling.GUESS_PER_TEST
    assert scheduling.unit_of("tests/test_site.py::x[1]") == scheduling.unit_of("tests/test_a11y.py::y")
    assert scheduling.unit_of("chapters/01_unfolding.ipynb::Cell 3") == "chapters/01_unfolding.ipynb"
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text('{"cells": [], "metadata": {"rnnbook": {"compute_budget_s": 40}}}')
    assert scheduling.stated_cost(notebook) == 40.0
    assert scheduling.unit_cost(["nb.ipynb::Cell 0"], tmp_path, {}) == 40.0
    notebook.write_text('{"cells": [], "metadata": {"rnnbook": 40}}')   # malformed: no crash
    assert scheduling.stated_cost(notebook) is None


def test_the_scheduler_puts_the_costliest_unit_first_in_a_real_run(tmp_path):
    """Two test files, the later-collected one recorded as the slower: under --dist loadfile it
    is the first unit handed out (xdist's own order is the collected one). One worker, so the
    order it runs them in is the order they were handed out, whichever worker starts first."""
    import subprocess
    import sys
    import textwrap

    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(ROOT / "tools")!r}]
        import scheduling
        pytest_xdist_make_scheduler = scheduling.pytest_xdist_make_scheduler
    """))
    (tmp_path / "test_a.py").write_text("def test_a():\n    pass\n")
    (tmp_path / "test_z.py").write_text("def test_z():\n    pass\n")
    cache = tmp_path / ".pytest_cache" / "v" / "rnnbook"
    cache.mkdir(parents=True)
    (cache / "seconds_per_file").write_text('{"test_a.py": 1.0, "test_z.py": 9.0}')
    out = subprocess.run([sys.executable, "-m", "pytest", "-n", "1", "--dist", "loadfile", "-v",
                          str(tmp_path)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    ran = re.findall(r"PASSED (test_\w+)\.py", out.stdout)
    assert ran == ["test_z", "test_a"], out.stdout

"""JupyterLab as a student meets it: `make lab`'s server, driven in headless Chromium.

One Lab server (tools/lab_server.py: `make lab`'s command on a temporary folder holding copies
of every chapter, so Run All never rewrites the repository's files) and the session's one
Chromium serve every test here:

1. The extension list reports jupyterlab-myst enabled and OK (no "not compatible" line).
2. Every chapter, opened as a student opens it: no MyST shows as source. Counted in the
   rendered markdown cells: ``{cite}``, ``{glue``, ``{eval}``, ```` ```{ ```` and ``:::``
   fences, ``{numref}``, ``{ref}``, ``{eq}``, ``{doc}``, an "Unknown Directive" box, an inline
   expression shown as its code (no stored result) or as an error, a citation or
   cross-reference jupyterlab-myst marks "Not Found" (it shows the bare key): 0 allowed. The counts are
   written to ``_build/lab/raw_myst.json``. (An unknown *role* renders as its bare content,
   which no count can see: tests/test_lab_sources.py checks the sources for those.) In
   chapter 4 a solution is folded until clicked and opens then, and a mermaid diagram is an
   SVG.
3. Chapter 4: the stored static stepper's script has run (the notebook is trusted), and
   opening it does not mark it modified. Run All; no cell fails; the prose reads the same
   after the run as before (its numbers are the kernel's now), still with 0 raw MyST. The
   live stepper follows a longer text ("recurrent" for "hello") to t = 1 with Next; no error
   in the widget's error area and no message in JupyterLab's log console.

Skips with a one-line reason when chromium is missing. Takes about two minutes.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import lab_server  # noqa: E402
import site_browser  # noqa: E402

pytestmark = pytest.mark.lab

# LAB_TEST_NOTEBOOK: another copy of the chapter to drive (e.g. one with a fixed kernelspec)
CHAPTER = Path(os.environ.get("LAB_TEST_NOTEBOOK", ROOT / "chapters" / "04_bptt.ipynb"))
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
COUNTS = ROOT / "_build" / "lab" / "raw_myst.json"

# MyST that shows as source, in the text of the rendered markdown cells
RAW_TEXT = {"{cite}": r"\{cite[:a-z]*\}", "{glue": r"\{glue", "{eval}": r"\{eval\}",
            "```{": r"```\{", ":::": r":::", "{numref}": r"\{numref\}", "{ref}": r"\{ref\}",
            "{eq}": r"\{eq\}", "{doc}": r"\{doc\}", "Unknown Directive": r"Unknown Directive"}
# the same, read in the page: text of the rendered markdown, unrendered expressions, errors
COUNT_JS = """notebook => {
    // every rendered markdown cell, folded solutions included (textContent, not innerText),
    // without typeset math and drawn diagrams (their text is not MyST source)
    const cells = Array.from(notebook.querySelectorAll(
        '.jp-MarkdownCell ' + RENDERED));
    const text = cells.map(c => {
        const copy = c.cloneNode(true);
        copy.querySelectorAll('mjx-container, svg, style, script').forEach(e => e.remove());
        return copy.textContent;
    });
    return {text: text.join('\\n\\n'),
            unrendered: cells.reduce((n, c) => n + Array.from(c.querySelectorAll('code'))
                .filter(e => /^glued(\\.math|\\.md)?\\[/.test(e.textContent)).length, 0),
            errors: cells.reduce((n, c) => n + c.querySelectorAll(
                '[data-mime-type="application/vnd.jupyter.stderr"]').length, 0),
            citations: cells.reduce((n, c) => n + c.querySelectorAll(
                '[title="Citation Not Found"]').length, 0),
            xrefs: cells.reduce((n, c) => n + c.querySelectorAll(
                '[title="Cross Reference Not Found"]').length, 0)};
}"""


def raw_counts(notebook) -> tuple[dict, str]:
    """The raw MyST constructs in a rendered notebook (by kind), and its markdown's text."""
    seen = notebook.evaluate(COUNT_JS.replace("RENDERED", repr(lab_server.RENDERED)))
    counts = {k: len(re.findall(p, seen["text"])) for k, p in RAW_TEXT.items()}
    counts["expression shown as code"] = seen["unrendered"]
    counts["expression error"] = seen["errors"]
    counts["citation not found"] = seen["citations"]      # a {cite} jupyterlab-myst cannot label
    counts["cross-reference not found"] = seen["xrefs"]   # a {ref} to another page, no text
    return counts, seen["text"]


def _live_cell_index(nb: dict) -> int | None:
    """The code cell that shows the chapter's live stepper (a `.live()` call not commented out)."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            code = "".join(cell["source"])
            if any(".live(" in line.split("#")[0] for line in code.splitlines()):
                return i
    return None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(base URL, token, folder of the copies, home of the server's state): one Lab server."""
    if site_browser.chromium_path() is None:
        pytest.skip("chromium not installed (make test installs it with apt-get when root)")
    tmp = tmp_path_factory.mktemp("lab")
    folder, home = tmp / "chapters", tmp / "home"
    folder.mkdir()
    home.mkdir()
    for chapter in {*CHAPTERS, CHAPTER}:
        shutil.copy(chapter, folder / chapter.name)
    try:
        with lab_server.running_lab(folder, home) as (base, token):
            yield base, token, folder, home
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def lab_page(lab, chromium):
    """One browser context and page for the module (the session's Chromium, conftest.py)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def test_myst_extension_is_enabled_and_compatible(lab):
    listing = lab_server.labextension_list(lab[3])
    line = next((x for x in listing.splitlines() if "jupyterlab-myst" in x), "")
    assert "enabled" in line and "OK" in line, listing
    assert "not compatible" not in listing.lower(), listing


def test_every_chapter_shows_no_myst_source(lab, lab_page):
    base, token, folder, _ = lab
    results, problems = {}, []
    for chapter in CHAPTERS:
        notebook = lab_server.open_notebook(lab_page, base, token, chapter.name)
        counts, _ = raw_counts(notebook)
        results[chapter.name] = counts
        found = {k: v for k, v in counts.items() if v}
        if found:
            problems.append(f"{chapter.name}: {found}")
    COUNTS.parent.mkdir(parents=True, exist_ok=True)
    COUNTS.write_text(json.dumps(results, indent=1) + "\n")
    assert not problems, "MyST shown as source in JupyterLab:\n" + "\n".join(problems)


def test_solution_opens_and_diagram_is_drawn(lab, lab_page):
    base, token, _, _ = lab
    notebook = lab_server.open_notebook(lab_page, base, token, "04_bptt.ipynb")
    solutions = notebook.locator("details.myst-exercise").filter(has_text="Solution to")
    assert solutions.count() >= 1, "no solution block rendered"
    solution = solutions.first
    assert solution.get_attribute("open") is None, "a solution is shown unfolded"
    body = solution.locator(".details-body")
    assert not body.is_visible()
    solution.locator("summary").click()
    lab_page.wait_for_function("el => el.open", arg=solution.element_handle(), timeout=5000)
    body.wait_for(state="visible", timeout=5000)
    assert len(body.inner_text().strip()) > 20
    notebook.locator("svg[id^=mermaid]").first.wait_for(timeout=20_000)
    assert notebook.locator("svg[id^=mermaid] .node").count() > 0, "mermaid drew no nodes"


def test_chapter_runs_in_jupyterlab_and_the_live_stepper_follows_a_longer_text(lab, chromium):
    base, token, folder, _ = lab
    notebook_file = folder / CHAPTER.name
    if _live_cell_index(json.loads(notebook_file.read_text())) is None:
        pytest.fail(f"{CHAPTER.name} has no live stepper cell (a `.live()` call)")
    # a browser context of its own: this test's page starts with no other notebook open
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        nb_view = lab_server.open_notebook(page, base, token, CHAPTER.name)
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > 10", timeout=30_000)
        # trusted: the stored static stepper's player script ran before any execution
        page.wait_for_selector("div.rnnw[data-rnnw-ready]", timeout=20_000)
        page.wait_for_timeout(1500)
        dirty_on_open = page.locator(".lm-TabBar-tab.jp-mod-dirty").count()
        counts_before, prose_before = raw_counts(nb_view)

        page.get_by_role("menuitem", name="View").click()
        page.get_by_text("Show Log Console").click()
        page.get_by_role("menuitem", name="Run").click()
        page.get_by_text("Run All Cells", exact=True).click()
        page.wait_for_function(
            """() => { const p = Array.from(document.querySelectorAll(
                   '.jp-Notebook .jp-CodeCell .jp-InputPrompt'))
                   .filter(e => e.textContent.trim() !== '');   // not the folded install cell's
               return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
            timeout=150_000)
        failed = page.locator('.jp-Notebook [data-mime-type="application/vnd.jupyter.error"]')
        assert failed.count() == 0, "a cell failed: " + failed.first.inner_text()[:1000]
        page.wait_for_timeout(1000)        # the last markdown cells' expressions come back
        counts_after, prose_after = raw_counts(nb_view)
        assert not any(counts_after.values()), f"after Run All: {counts_after}"
        assert not any(counts_before.values()), f"before Run All: {counts_before}"
        if prose_after != prose_before:
            import difflib
            diff = "\n".join(list(difflib.unified_diff(prose_before.splitlines(),
                                                        prose_after.splitlines(), lineterm=""))[:40])
            pytest.fail(f"the prose changed when the kernel computed its numbers:\n{diff}")

        text = page.locator(".jp-Notebook .widget-text input[type=text]")
        assert text.count() == 1, "the live stepper's text box is not shown"
        live = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-text input[type=text]"))
        assert text.input_value() == "hello"
        text.fill("recurrent")
        text.press("Enter")
        readout = live.locator(".widget-readout").first
        page.wait_for_function(
            """el => el.textContent.trim() === '8'""", arg=readout.element_handle(), timeout=20_000)
        view = live.locator(".rnnw-head").first
        assert "going back from T = 8" in view.inner_text()
        assert "Step t = 8" in view.inner_text()
        next_button = live.get_by_role("button", name="Next ▶")
        for _ in range(9):                 # two more than needed: Next stops at t = 1
            next_button.click()
            page.wait_for_timeout(150)
        page.wait_for_function(
            """el => el.textContent.trim() === '1'""", arg=readout.element_handle(), timeout=20_000)
        page.wait_for_function(
            """el => el.textContent.includes('Step t = 1')""",
            arg=live.locator(".rnnw-head").first.element_handle(), timeout=20_000)
        assert "max |difference|" in live.inner_text()          # the last frame's check
        assert "hit an error" not in live.inner_text()
        page.wait_for_timeout(500)
        messages = page.locator(".jp-LogConsolePanel .jp-OutputArea-output")
        assert messages.count() == 0, "log console: " + page.locator(".jp-LogConsolePanel").inner_text()[:2000]
        assert not page_errors, page_errors
        assert dirty_on_open == 0, (
            f"opening {CHAPTER.name} marked it modified: store the kernelspec JupyterLab "
            f"writes, {KERNELSPEC}")
    finally:
        context.close()


def test_live_cell_finder():
    nb = {"cells": [{"cell_type": "code", "source": ["# s.live()  would show controls\n", "s.show()"]},
                    {"cell_type": "markdown", "source": ["s.live()"]},
                    {"cell_type": "code", "source": ["s.live()"]}]}
    assert _live_cell_index(nb) == 2

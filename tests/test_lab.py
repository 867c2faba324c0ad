"""JupyterLab as a student meets it: `make lab`'s server, driven in headless Chromium.

One test, as the first check of issue 14 did it by hand:

1. Copy chapter 4 to a temporary folder (Run All must not rewrite the repository's file),
   trust it as `make setup` does, and start `jupyter lab` with `make lab`'s arguments plus
   what a test needs (no browser, a random token, a free port, its own settings and runtime
   folders so nothing of the user's leaks in or out).
2. Open the chapter: the stored static stepper's script has run (the notebook is trusted),
   and opening it does not mark it modified (its stored kernelspec is what JupyterLab writes).
3. Run All; no cell fails. The live stepper cell shows its controls.
4. Type a longer text ("recurrent" for "hello") into the live stepper: the slider, the view
   and Next follow the 8-step sequence to t = 1; no error in the widget's error area and no
   message in JupyterLab's log console.

Notebook windowing is off in the test's settings so every cell is in the page (JupyterLab
otherwise renders only the cells near the viewport). Skips with a one-line reason when
chromium is missing. Takes about a minute.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import site_browser  # noqa: E402

pytestmark = pytest.mark.lab

# LAB_TEST_NOTEBOOK: another copy of the chapter to drive (e.g. one with a fixed kernelspec)
CHAPTER = Path(os.environ.get("LAB_TEST_NOTEBOOK", ROOT / "chapters" / "04_bptt.ipynb"))
BIN = Path(sys.executable).parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _live_cell_index(nb: dict) -> int | None:
    """The code cell that shows the chapter's live stepper (a `.live()` call not commented out)."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            code = "".join(cell["source"])
            if any(".live(" in line.split("#")[0] for line in code.splitlines()):
                return i
    return None


@pytest.fixture
def lab(tmp_path):
    if site_browser.chromium_path() is None:
        pytest.skip("chromium not installed (make test installs it with apt-get when root)")
    folder = tmp_path / "chapters"
    folder.mkdir()
    shutil.copy(CHAPTER, folder / CHAPTER.name)
    settings = tmp_path / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}))
    env = {**os.environ, "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    # as `make setup` does
    subprocess.run([str(BIN / "jupyter"), "trust", str(folder / CHAPTER.name)], env=env,
                   check=True, capture_output=True)
    port, token = _free_port(), secrets.token_hex(16)
    # `make lab`: jupyter lab --notebook-dir=chapters [--allow-root]; plus the test's flags
    cmd = [str(BIN / "jupyter"), "lab", f"--notebook-dir={folder}", "--no-browser",
           f"--ServerApp.token={token}", f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-2000:])
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/lab/tree/{CHAPTER.name}?token={token}", folder / CHAPTER.name
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_chapter_runs_in_jupyterlab_and_the_live_stepper_follows_a_longer_text(lab, chromium):
    url, notebook = lab
    if _live_cell_index(json.loads(notebook.read_text())) is None:
        pytest.fail(f"{CHAPTER.name} has no live stepper cell (a `.live()` call)")
    # the session's Chromium (conftest.py), in a browser context of its own
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    try:
        page.goto(url)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > 10", timeout=30_000)
        # trusted: the stored static stepper's player script ran before any execution
        page.wait_for_selector("div.rnnw[data-rnnw-ready]", timeout=20_000)
        page.wait_for_timeout(1500)
        dirty_on_open = page.locator(".lm-TabBar-tab.jp-mod-dirty").count()

        page.get_by_role("menuitem", name="View").click()
        page.get_by_text("Show Log Console").click()
        page.get_by_role("menuitem", name="Run").click()
        page.get_by_text("Run All Cells", exact=True).click()
        page.wait_for_function(
            """() => { const p = Array.from(document.querySelectorAll(
                   '.jp-Notebook .jp-CodeCell .jp-InputPrompt'));
               return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
            timeout=150_000)
        failed = page.locator('.jp-Notebook [data-mime-type="application/vnd.jupyter.error"]')
        assert failed.count() == 0, "a cell failed: " + failed.first.inner_text()[:1000]

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

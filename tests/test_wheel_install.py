"""A chapter downloaded from the built site runs in a bare Python with only Jupyter's runner.

The site publishes rnnlib's wheel (tools/book_wheel.py, ``_static/wheels/``) and each chapter
starts with a hidden cell that pip-installs it when ``import rnnlib`` fails. This test plays a
student with their own Jupyter: a fresh virtual environment holding only nbclient and
ipykernel (from PyPI), the built site served on 127.0.0.1, chapter 4's ``.ipynb`` downloaded
through the page's download link, and executed top to bottom with nbclient. The first cell
is pointed at the local site by ``RNNBOOK_WHEEL`` (the variable the cell reads; without it the
cell uses ``html.baseurl`` from _config.yml). It installs rnnlib and, from PyPI, its
dependencies (numpy, sympy, matplotlib, ipywidgets), so it needs the network and takes a few
minutes: marker ``site``, run by `make test` after the build, not by `make test-fast`.
"""
from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import book_wheel  # noqa: E402
import site_browser  # noqa: E402

pytestmark = pytest.mark.site
CHAPTER = "chapters/04_bptt"


def test_a_downloaded_chapter_installs_rnnlib_and_runs(tmp_path):
    problem = site_browser.missing_prerequisite()
    if problem:
        pytest.skip(problem)
    wheel = site_browser.HTML / "_static" / "wheels" / book_wheel.wheel_name()
    assert wheel.exists(), f"the build did not publish {wheel.relative_to(ROOT)}"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "nbclient", "ipykernel"],
                   check=True, timeout=600)
    assert subprocess.run([str(py), "-c", "import rnnlib"], capture_output=True).returncode != 0
    with site_browser.serve() as url:
        page = urllib.request.urlopen(f"{url}/{CHAPTER}.html").read().decode()
        link = next(m for m in re.findall(r'href="([^"]+\.ipynb)"', page)
                    if m.endswith(Path(CHAPTER).name + ".ipynb"))
        notebook = urllib.request.urlopen(urllib.request.urljoin(f"{url}/{CHAPTER}.html", link)).read()
        (tmp_path / "chapter.ipynb").write_bytes(notebook)
        run = """
import nbformat, nbclient
nb = nbformat.read("chapter.ipynb", as_version=4)
nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                        resources={"metadata": {"path": "."}}).execute()
first = next(c for c in nb.cells if c.cell_type == "code")
assert first.get("id") == "install-rnnlib", first.get("id")
print("executed", sum(c.cell_type == "code" for c in nb.cells), "code cells")
"""
        env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path),
               "RNNBOOK_WHEEL": f"{url}/_static/wheels/{wheel.name}",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
        done = subprocess.run([str(py), "-c", run], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "executed" in done.stdout
    installed = subprocess.run([str(py), "-m", "pip", "show", "rnnlib"], capture_output=True,
                               text=True).stdout
    assert f"Version: {book_wheel.wheel_name().split('-')[1]}" in installed, installed

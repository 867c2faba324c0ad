"""Sphinx extension: the site publishes a wheel of rnnlib, for chapters run outside the repository.

A chapter downloaded from the site (its .ipynb button), or opened in Colab, needs rnnlib.
After an HTML build this extension builds ``rnnlib-<version>-py3-none-any.whl`` from the
repository (the version is pyproject.toml's) into ``_build/html/_static/wheels/``. Each
chapter's first code cell (hidden on the site; written by tools/myst_for_lab.py) installs it
from there when ``import rnnlib`` fails, from the URL ``html.baseurl`` in _config.yml names.
tests/test_wheel_install.py runs a downloaded chapter against it in a bare environment.
"""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from sphinx.util import logging

LOG = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


def wheel_name(root: Path = ROOT) -> str:
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    return f"rnnlib-{version}-py3-none-any.whl"


def build_wheel(outdir: Path, root: Path = ROOT) -> Path:
    """Build the wheel into ``outdir`` (no dependencies, no network) and return its path."""
    import shutil

    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("rnnlib-*.whl"):
        old.unlink()
    scratch = root / "build"            # setuptools builds in the tree; leave no trace
    existed = scratch.exists()
    try:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--wheel-dir", str(outdir), str(root)],
                       check=True, capture_output=True, text=True)
    finally:
        if not existed:
            shutil.rmtree(scratch, ignore_errors=True)
    wheel = outdir / wheel_name(root)
    if not wheel.exists():
        raise FileNotFoundError(f"pip wheel did not produce {wheel.name} in {outdir}")
    return wheel


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    try:
        wheel = build_wheel(Path(app.outdir) / "_static" / "wheels")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        LOG.warning(f"could not build the rnnlib wheel: {detail[-1500:]}", type="book_wheel")
        return
    LOG.info(f"rnnlib wheel: {wheel.relative_to(app.outdir)}")


def setup(app):
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

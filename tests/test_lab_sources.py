"""The chapters' sources are in the forms JupyterLab renders, and up to date (no browser).

tests/test_lab.py shows the chapters in JupyterLab; this checks what a browser cannot see
and what is cheap to check on every run:

- tools/myst_for_lab.py --check: every chapter converted, each markdown cell's stored
  ``user_expressions`` equal to what its glue outputs give now (stale after a re-execution
  until the tool is run), each chapter's install cell current;
- only roles and directives jupyterlab-myst 2.6 renders (an unknown role shows its bare
  content in JupyterLab, which no count of raw text can catch);
- the round trip: the forms the chapters use turn back into the roles the site always read;
- the kernel's ``glued`` formats a value exactly as the site's ``{glue:text}`` does.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import book_eval  # noqa: E402
import myst_for_lab  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
# seen rendered by jupyterlab-myst 2.6.0 in JupyterLab 4.6.6 (tests/test_lab.py)
LAB_ROLES = {"eval", "ref", "numref", "eq", "doc", "math"}
LAB_DIRECTIVES = {"exercise", "solution", "mermaid", "admonition", "dropdown", "note",
                  "warning", "tip", "important", "figure", "math"}


def test_chapters_are_converted_and_their_stored_results_current(capsys):
    code = myst_for_lab.main(["--check", *map(str, CHAPTERS)])
    out = capsys.readouterr()
    assert code == 0, ("run: .venv/bin/python tools/myst_for_lab.py\n" + out.out + out.err)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_only_myst_that_jupyterlab_renders(chapter):
    nb = nbformat.read(chapter, as_version=4)
    text = "\n".join(myst_for_lab._text(c) for c in nb.cells if c.cell_type == "markdown")
    roles = set(re.findall(r"\{([a-z][a-z:\-]*)\}`", text))
    directives = set(re.findall(r"^[ \t]*(?:```+|:::+)\{([a-z][a-z:\-]*)\}", text, re.M))
    assert roles <= LAB_ROLES, f"roles JupyterLab does not render: {roles - LAB_ROLES}"
    assert directives <= LAB_DIRECTIVES, (
        f"directives JupyterLab does not render: {directives - LAB_DIRECTIVES}")


def test_lab_forms_turn_back_into_the_sites_roles():
    labels = {"elman1990finding": "Elman 1990", "jordan1986": "Jordan 1986"}  # sorted
    lab = myst_for_lab.lab_markdown(
        "L = {glue:text}`loss:.4f`, top {glue:md}`top` {cite}`elman1990finding,jordan1986`.\n"
        "```{glue:math} eq_a\n```\n```{glue:math} eq_b\n```\n",
        path=ROOT / "chapters" / "x.ipynb", local=set(), cite_labels=labels,
        section_titles={}, page_titles={}, problems=[])
    assert lab == ('L = {eval}`glued["loss:.4f"]`, top {eval}`glued.md["top"]` '
                   "[[Elman 1990, Jordan 1986]](cite:elman1990finding,jordan1986).\n"
                   '{eval}`glued.math["eq_a"]`\n\n{eval}`glued.math["eq_b"]`\n')
    problems: list[str] = []
    site = book_eval.site_markdown(lab, labels, problems)
    assert not problems
    assert site == ("L = {glue:text}`loss:.4f`, top {glue:md}`top` "
                    "{cite}`elman1990finding,jordan1986`.\n"
                    "```{glue:math} eq_a\n```\n\n```{glue:math} eq_b\n```\n")
    book_eval.site_markdown("[[Elman 1991]](cite:elman1990finding)", labels, problems)
    assert problems and "labels it [Elman 1990]" in problems[0]


def test_glued_formats_as_the_site_does():
    from myst_nb.core.variables import format_plain_text

    from rnnlib.report import glue, glued
    for value, spec in [(0.6591234, ".4f"), (0.6591234, ""), (12, ""), ("king", ""), (3e-7, ".2e")]:
        glue("t_value", value)
        site = format_plain_text(glued._bundle("t_value")["text/plain"], spec or "s")
        assert glued["t_value" + (f":{spec}" if spec else "")] == site
        assert repr(glued["t_value"]) == str(glued["t_value"])      # no quotes in Lab
    from rnnlib.book.report import _format_plain_text
    for text in ["0.6591234", "12", "'king'", "3e-07", "<object>"]:
        for spec in ["s", ".3f", ".2e", "d", "g"]:
            try:
                expected = format_plain_text(text, spec)
            except ValueError:
                continue
            assert _format_plain_text(text, spec) == expected
    with pytest.raises(KeyError, match="nothing is glued under 'missing'"):
        glued["missing"]


def test_a_cite_role_without_a_lab_form_and_a_title_with_code_are_handled():
    problems: list[str] = []
    lab = myst_for_lab.lab_markdown(
        "As {cite:t}`elman1990finding` showed; see {ref}`sec-fit`.",
        path=ROOT / "chapters" / "x.ipynb", local=set(),
        cite_labels={"elman1990finding": "Elman 1990"},
        section_titles={"sec-fit": "The `fit` loop"}, page_titles={}, problems=problems)
    assert problems == ["x.ipynb: {cite:t} has no JupyterLab form here; use {cite} or {cite:p}"]
    assert "{ref}`The fit loop <sec-fit>`" in lab


def test_the_install_cell_warns_when_another_rnnlib_version_is_installed(tmp_path, monkeypatch):
    import importlib.metadata
    import warnings

    source = myst_for_lab.install_source()
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile(source, "install-cell", "exec"), {})     # rnnlib is importable here
    assert len(caught) == 1 and "rnnlib 0.0.1 is installed" in str(caught[0].message)
    monkeypatch.undo()          # the real version: the repository's own rnnlib
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile(source, "install-cell", "exec"), {})
    assert not caught


def _notebook_gluing(path: Path, value: str) -> None:
    record = {"application/papermill.record/text/plain": value}
    cell = {"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1,
            "outputs": [{"output_type": "display_data", "data": record,
                         "metadata": {"scrapbook": {"name": "saved_x"}}}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))


@pytest.mark.parametrize("session_name", ["chapters/ch.ipynb", "ABSOLUTE"])
def test_a_value_glued_later_is_read_from_the_notebook_the_kernel_runs(
        tmp_path, monkeypatch, session_name):
    from rnnlib.book.report import _Glued

    _notebook_gluing(tmp_path / "ch.ipynb", "'from the notebook'")
    _notebook_gluing(tmp_path / "chapters" / "ch.ipynb", "'a decoy'")  # relative to the kernel
    if session_name == "ABSOLUTE":
        session_name = str(tmp_path / "ch.ipynb")
    monkeypatch.chdir(tmp_path)                  # the kernel runs in the notebook's folder
    monkeypatch.setenv("JPY_SESSION_NAME", session_name)
    assert _Glued()["saved_x"] == "from the notebook"

"""Make chapters read in JupyterLab (jupyterlab-myst) as they read on the site. Idempotent.

    .venv/bin/python tools/myst_for_lab.py [--check] [NOTEBOOK_OR_MD ...]

With no file named: every chapter (chapters/*.ipynb) and the book's .md pages. Run it after
editing a chapter's prose or re-executing it (it reads the stored outputs); `--check` changes
nothing and exits 1 when a file is not up to date (tests/test_lab_sources.py runs it).

What it does to each file (tools/book_eval.py turns the forms back for the site):

1. Numbers: ``{glue:text}`name``` becomes ``{eval}`glued["name"]``` (a format such as
   ``name:.3f`` is kept), ``{glue:md}`` becomes ``glued.md[...]`` and a ``{glue:math}``
   directive an ``{eval}`glued.math["name"]``` paragraph of its own.
2. Computed results for JupyterLab before any run: each markdown cell's
   ``metadata.user_expressions`` gets what the kernel will answer, taken from the glue
   outputs stored in the notebook (the same formatting code as the site's). A name that no
   cell glues is an error. (Prose may quote a name glued by a later cell: on Run All, the
   kernel's ``glued`` answers with the value saved in the notebook until that cell has run.)
3. Citations: ``{cite}`key``` becomes ``[[Author 1990]](cite:key)``, the link text being the
   label the bibliography page gives the work; existing ones get their label refreshed.
4. Cross-references JupyterLab cannot resolve (a ``{numref}``/``{ref}`` to a label in another
   page, a ``{doc}`` without text) get the target's title as their text.
5. Chapters get a first cell, tagged ``remove-cell`` (hidden on the site), that installs rnnlib
   when ``import rnnlib`` fails: the wheel the site publishes (``html.baseurl`` in
   _config.yml) or, with only ``repository.url`` set, the repository, pinned to the book's
   version (pyproject.toml). ``RNNBOOK_WHEEL`` overrides where it comes from.
"""
from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml

import book_bibstyle
import book_eval

ROOT = Path(__file__).resolve().parent.parent
MD_PAGES = ["intro.md", "notation.md", "teaching.md", "bibliography.md"]
INSTALL_ID = "install-rnnlib"
GLUE_PREFIX = "application/papermill.record/"

GLUE_TEXT = re.compile(r"\{glue:text\}`([^`]+)`")
GLUE_MD = re.compile(r"\{glue:md\}`([^`]+)`")
GLUE_MATH = re.compile(r"^([ \t]*)```\{glue:math\}[ \t]+(\S+)[ \t]*\n[ \t]*```[ \t]*$", re.M)
CITE_ROLE = re.compile(r"\{cite(?::p)?\}`([^`]+)`")
OTHER_CITE_ROLE = re.compile(r"\{cite:(?!p\})[a-z]+\}")     # {cite:t} etc.: not rewritten
XREF_BARE = re.compile(r"\{(numref|ref)\}`([^`<>]+)`")
DOC_BARE = re.compile(r"\{doc\}`([^`<>]+)`")
LABEL_DEF = re.compile(r"^\(([^)\s]+)\)=[ \t]*\n#+[ \t]+(.+)$", re.M)
ANY_LABEL = re.compile(r"^\(([^)\s]+)\)=|:label:\s*(\S+)|\$\$[ \t]*\((\S+)\)|:name:\s*(\S+)", re.M)
EXPRESSION = re.compile(r"\{eval\}`([^`]+)`")


def _text(cell) -> str:
    return "".join(cell.source) if isinstance(cell.source, list) else cell.source


# ------------------------------------------------------------------ the book's labels and titles

def _sources() -> dict[Path, str]:
    """The markdown of every chapter, released assignment and .md page, by path (the
    assignments are only read, for their titles: their text is the keys' and release's)."""
    out = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
            (ROOT / "assignments" / "released").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out[path] = "\n\n".join(_text(c) for c in nb.cells if c.cell_type == "markdown")
    for name in MD_PAGES:
        if (ROOT / name).exists():
            out[ROOT / name] = (ROOT / name).read_text()
    return out


def _titles(sources) -> tuple[dict[str, str], dict[Path, str]]:
    """Section titles by label, and page titles (first heading) by path."""
    labels, pages = {}, {}
    for path, text in sources.items():
        for m in LABEL_DEF.finditer(text):
            labels[m.group(1)] = m.group(2).strip()
        first = re.search(r"^#[ \t]+(.+)$", text, re.M)
        if first:
            pages[path] = first.group(1).strip()
    return labels, pages


def _local_labels(text: str, nb=None) -> set[str]:
    found = {next(g for g in m.groups() if g) for m in ANY_LABEL.finditer(text)}
    for cell in (nb.cells if nb is not None else []):
        fig = cell.metadata.get("mystnb", {}).get("figure", {}) if isinstance(
            cell.metadata.get("mystnb", {}), dict) else {}
        if fig.get("name"):
            found.add(fig["name"])
    return found


# ------------------------------------------------------------------ rewriting the prose

def lab_markdown(text: str, *, path: Path, local: set[str], cite_labels: dict[str, str],
                 section_titles: dict[str, str], page_titles: dict[Path, str],
                 problems: list[str]) -> str:
    """``text`` in the forms JupyterLab renders (the inverse of tools/book_eval.py)."""
    text = GLUE_MATH.sub(lambda m: f'{m.group(1)}{{eval}}`glued.math["{m.group(2)}"]`', text)
    # a displayed equation is a paragraph of its own: blank lines between consecutive ones
    text = re.sub(r'(\{eval\}`glued\.math\["[^"]+"\]`)\n(?=[ \t]*\{eval\}`glued\.math)', r"\1\n\n",
                  text)
    text = GLUE_MD.sub(lambda m: f'{{eval}}`glued.md["{m.group(1)}"]`', text)
    text = GLUE_TEXT.sub(lambda m: f'{{eval}}`glued["{m.group(1)}"]`', text)

    def cite(m):
        keys = [k.strip() for k in m.group(m.lastindex).split(",")]
        unknown = [k for k in keys if k not in cite_labels]
        if unknown:
            problems.append(f"{path.name}: citation of unknown key(s) {', '.join(unknown)}")
            return m.group(0)
        return f"[{book_eval.cite_text(keys, cite_labels)}](cite:{','.join(keys)})"

    for other in OTHER_CITE_ROLE.findall(text):
        problems.append(f"{path.name}: {other} has no JupyterLab form here; use {{cite}} or {{cite:p}}")
    text = CITE_ROLE.sub(cite, text)
    text = book_eval.CITE_LINK.sub(cite, text)      # refresh the labels of existing ones

    def xref(m):
        label = m.group(2).strip()
        if label in local:
            return m.group(0)
        if label not in section_titles:
            problems.append(f"{path.name}: {m.group(0)} points to no section title found")
            return m.group(0)
        # a backtick in the title (a heading with code in it) would end the role early
        return f"{{ref}}`{section_titles[label].replace('`', '')} <{label}>`"

    text = XREF_BARE.sub(xref, text)

    def doc(m):
        target = (path.parent / (m.group(1).strip() + ".ipynb")).resolve()
        if not target.exists():
            target = target.with_suffix(".md")
        if target not in page_titles and target.suffix == ".md" and target.exists():
            first = re.search(r"^#[ \t]+(.+)$", target.read_text(), re.M)
            if first:
                page_titles[target] = first.group(1).strip()
        if target not in page_titles:
            problems.append(f"{path.name}: {m.group(0)} points to no page title found")
            return m.group(0)
        return f"{{doc}}`{page_titles[target]} <{m.group(1).strip()}>`"

    return DOC_BARE.sub(doc, text)


# ------------------------------------------------------------------ stored results

def glue_bundles(nb) -> dict[str, tuple[int, dict]]:
    """Each glued name's mime bundle (prefix removed) and the index of the cell that glues it."""
    out = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            data = {k.removeprefix(GLUE_PREFIX): v for k, v in output.get("data", {}).items()}
            out[name] = (i, data)
    return out


def expression_result(expression: str, bundle: dict) -> dict:
    """What the kernel answers for one of the prose's expressions (rnnlib.report.glued)."""
    from myst_nb.core.variables import format_plain_text

    m = re.fullmatch(r'glued(\.math|\.md)?\["([^"]+)"\]', expression)
    kind, key = m.group(1), m.group(2)
    if kind is None:
        name, _, spec = key.partition(":")
        data = {"text/plain": format_plain_text(bundle["text/plain"], spec or "s")}
    else:
        mime = "text/latex" if kind == ".math" else "text/markdown"
        if mime not in bundle:
            raise KeyError(f"{key!r} was not glued as {mime}")
        data = {mime: bundle[mime], "text/plain": bundle.get("text/plain", "")}
    return {"status": "ok", "data": data, "metadata": {}}


def expression_name(expression: str) -> str | None:
    m = re.fullmatch(r'glued(?:\.math|\.md)?\["([^":]+)(?::[^"]*)?"\]', expression)
    return m.group(1) if m else None


# ------------------------------------------------------------------ the install cell

def install_source(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text())
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    wheel = f"rnnlib-{version}-py3-none-any.whl"
    base = ((config.get("html") or {}).get("baseurl") or "").rstrip("/")
    repo = ((config.get("repository") or {}).get("url") or "").rstrip("/")
    if base:
        default = f"{base}/_static/wheels/{wheel}"
    elif repo:
        default = f"rnnlib @ git+{repo}@v{version}"
    else:
        default = ""
    return f'''# Installs rnnlib {version}, the book's package, when it is missing (a chapter downloaded
# from the site, Colab). RNNBOOK_WHEEL overrides where it comes from (a URL, a file or a pip
# requirement); by default the wheel the book's site publishes. Written by tools/myst_for_lab.py.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("rnnlib") is None:
    _wheel = os.environ.get("RNNBOOK_WHEEL") or {default!r}
    if not _wheel:
        raise RuntimeError("rnnlib is not installed: pip install the wheel rnnlib-{version}-py3-none-any.whl "
                           "from the book's site (_static/wheels/), or set RNNBOOK_WHEEL to it")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", _wheel], check=True)
from importlib.metadata import version as _version
if _version("rnnlib") != {version!r}:
    # an older rnnlib may lack names or differ in results this chapter states
    import warnings
    warnings.warn(f"rnnlib {{_version('rnnlib')}} is installed; this chapter was written for "
                  f"{version}: pip install the book's wheel (or set RNNBOOK_WHEEL and restart)", stacklevel=1)
'''


def ensure_install_cell(nb, source: str) -> None:
    """The install cell, just before the first code cell; its code folded in JupyterLab."""
    nb.cells = [c for c in nb.cells if c.get("id") != INSTALL_ID] if any(
        c.get("id") == INSTALL_ID and _text(c) != source for c in nb.cells) else nb.cells
    if any(c.get("id") == INSTALL_ID for c in nb.cells):
        return
    cell = nbformat.v4.new_code_cell(source, metadata={
        "tags": ["remove-cell"], "jupyter": {"source_hidden": True}})
    cell.id = INSTALL_ID
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first_code, cell)


# ------------------------------------------------------------------ one file

def convert_notebook(path: Path, ctx: dict, problems: list[str]):
    nb = nbformat.read(path, as_version=4)
    all_md = "\n\n".join(_text(c) for c in nb.cells if c.cell_type == "markdown")
    local = _local_labels(all_md, nb)
    if path.parent.name == "chapters":
        ensure_install_cell(nb, ctx["install"])
    bundles = glue_bundles(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = lab_markdown(_text(cell), path=path, local=local, problems=problems, **ctx["md"])
        if text != _text(cell):
            cell.source = text
        expressions = []
        for expression in EXPRESSION.findall(text):
            name = expression_name(expression)
            if name is None:
                problems.append(f"{path.name}: cell {i}: {{eval}}`{expression}` is not a glued value")
                continue
            if name not in bundles:
                problems.append(f"{path.name}: cell {i}: nothing glues {name!r} (or the notebook "
                                f"has no stored outputs: execute it first)")
                continue
            # (a name glued only after the prose that quotes it is fine: on Run All the kernel's
            # `glued` answers with the value saved in the notebook until the cell runs)
            try:
                result = expression_result(expression, bundles[name][1])
            except (KeyError, ValueError) as exc:
                problems.append(f"{path.name}: cell {i}: {expression}: {exc}")
                continue
            expressions.append({"expression": expression, "result": result})
        if expressions:
            cell.metadata["user_expressions"] = expressions
        else:
            cell.metadata.pop("user_expressions", None)
    return nbformat.writes(nb) + "\n"


def convert_md(path: Path, ctx: dict, problems: list[str]) -> str:
    text = path.read_text()
    return lab_markdown(text, path=path, local=_local_labels(text), problems=problems, **ctx["md"])


def context(root: Path = ROOT) -> dict:
    sources = _sources()
    section_titles, page_titles = _titles(sources)
    config = yaml.safe_load((root / "_config.yml").read_text())
    cite_labels = {}
    for bib in config.get("bibtex_bibfiles", []):
        cite_labels.update(book_bibstyle.bib_labels(root / bib))
    return {"install": install_source(root),
            "md": {"cite_labels": cite_labels, "section_titles": section_titles,
                   "page_titles": page_titles}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a file is not up to date")
    args = parser.parse_args(argv)
    files = [f.resolve() for f in args.files] or (
        sorted((ROOT / "chapters").glob("*.ipynb")) + [ROOT / p for p in MD_PAGES])
    ctx, problems, stale = context(), [], []
    for path in files:
        new = (convert_notebook if path.suffix == ".ipynb" else convert_md)(path, ctx, problems)
        if new != path.read_text():
            stale.append(path)
            if not args.check:
                path.write_text(new)
    for problem in problems:
        print("ERROR:", problem, file=sys.stderr)
    for path in stale:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(("not up to date: " if args.check else "updated: ") + str(shown))
    return 1 if problems or (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())

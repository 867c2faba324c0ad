"""Sphinx extension: the prose's MyST forms that JupyterLab renders, read by the strict build.

The chapters are written so that JupyterLab (with jupyterlab-myst) and the site render the same
source. Three forms in the markdown differ from what Jupyter Book 1 reads natively; before a
page is parsed (``source-read``), this extension turns each into the form the site has always
used, so the built HTML is the same as before:

=====================================================  ===========================================
in the chapter (renders in JupyterLab)                  what the build reads
=====================================================  ===========================================
``{eval}`glued["name"]```  (also ``"name:.3f"``)          ``{glue:text}`name``` (``name:.3f``)
``{eval}`glued.md["name"]```                             ``{glue:md}`name```
``{eval}`glued.math["name"]```  alone on its line        a ``{glue:math} name`` directive
``[[Elman 1990]](cite:elman1990finding)``               ``{cite}`elman1990finding```
=====================================================  ===========================================

- Numbers: ``rnnlib.report.glue`` stores each value both in the cell's output (myst-nb's glue,
  compared by nbval, read here) and in the kernel's ``glued``, which JupyterLab evaluates when
  a markdown cell is run; ``tools/myst_for_lab.py`` stores the results in the markdown cells'
  ``user_expressions`` so they show before any run. A missing glue name fails the strict build
  (myst-nb's glue warning); so does any other ``{eval}`` (myst-nb's own role needs a kernel,
  which a cached build does not have, and warns).
- Citations: the link text must be the label the bibliography gives the keys, "[A 1990, B
  1991]" (tools/book_bibstyle.py); a different text is a warning, so a strict build fails
  rather than JupyterLab showing a stale label.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from sphinx.util import logging

import book_bibstyle

LOG = logging.getLogger(__name__)

EVAL_TEXT = re.compile(r'\{eval\}`glued\["([^"`:\]]+(?::[^"`\]]*)?)"\]`')
EVAL_MD = re.compile(r'\{eval\}`glued\.md\["([^"`:\]]+)"\]`')
EVAL_MATH_LINE = re.compile(r'^([ \t]*)\{eval\}`glued\.math\["([^"`:\]]+)"\]`[ \t]*$', re.M)
CITE_LINK = re.compile(r"\[\[([^\[\]]*)\]\]\(cite:([A-Za-z0-9_\-:.,]+)\)")


def cite_text(keys: list[str], labels: dict[str, str]) -> str:
    """The link text a citation of ``keys`` shows in JupyterLab: the site's label, bracketed.

    ``labels`` is in the bibliography's order, which is also the order in which the site
    lists the works of one citation ("[afloresep 2025, Goodfellow et al. 2016]").
    """
    order = {k: i for i, k in enumerate(labels)}
    return "[" + ", ".join(labels[k] for k in sorted(keys, key=order.__getitem__)) + "]"


def site_markdown(text: str, labels: dict[str, str], problems: list[str] | None = None) -> str:
    """``text`` with the JupyterLab forms turned into the roles Jupyter Book 1 reads."""
    problems = [] if problems is None else problems

    def cite(m):
        keys = [k.strip() for k in m.group(2).split(",")]
        unknown = [k for k in keys if k not in labels]
        if unknown:
            problems.append(f"citation of unknown key(s) {', '.join(unknown)}")
        elif f"[{m.group(1)}]" != cite_text(keys, labels):
            problems.append(f"citation text [{m.group(1)}] for {m.group(2)}: the bibliography "
                            f"labels it {cite_text(keys, labels)} (run tools/myst_for_lab.py)")
        return "{cite}`" + ",".join(keys) + "`"

    text = CITE_LINK.sub(cite, text)
    text = EVAL_MATH_LINE.sub(lambda m: f"{m.group(1)}```{{glue:math}} {m.group(2)}\n{m.group(1)}```",
                              text)
    text = EVAL_MD.sub(lambda m: "{glue:md}`" + m.group(1) + "`", text)
    return EVAL_TEXT.sub(lambda m: "{glue:text}`" + m.group(1) + "`", text)


def _labels(app) -> dict[str, str]:
    if not hasattr(app, "_book_eval_labels"):
        labels: dict[str, str] = {}
        for bib in app.config.bibtex_bibfiles:
            labels.update(book_bibstyle.bib_labels(Path(app.srcdir) / bib))
        app._book_eval_labels = labels
    return app._book_eval_labels


def _source_read(app, docname, source):
    problems: list[str] = []
    labels = _labels(app)
    path = app.env.doc2path(docname)
    if str(path).endswith(".ipynb"):
        nb = json.loads(source[0])
        changed = False
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            new = site_markdown(text, labels, problems)
            if new != text:
                cell["source"], changed = new, True
        if changed:
            source[0] = json.dumps(nb, ensure_ascii=False)
    else:
        source[0] = site_markdown(source[0], labels, problems)
    for problem in problems:
        LOG.warning(problem, location=docname, type="book_eval")


def setup(app):
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""No page the book publishes holds a key's solution: every key is released (its cells as
`rnn-grade release` writes them, without running it), and each solution region of each key
(answer code, and a written question's model answer) is looked for in every released notebook
(the repository's and the fresh releases), every chapter and every markdown page."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import solution_leaks as L

from rnngrade import cells, release

ROOT = Path(__file__).resolve().parents[1]
KEYS = sorted((ROOT / "assignments").glob("*/key.ipynb"))


def _pages():
    pages = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        pages[str(path.relative_to(ROOT))] = L.page_texts(path)
    for path in sorted((ROOT / "assignments" / "released").glob("*.ipynb")):
        pages[str(path.relative_to(ROOT))] = L.page_texts(path)
    for path in sorted(ROOT.glob("*.md")) + sorted((ROOT / "assignments").rglob("*.md")):
        if path.name != "README.md":                # the repository's, not a page
            pages[str(path.relative_to(ROOT))] = L.page_texts(path)
    for key in KEYS:                                  # each key released afresh
        nb = nbformat.read(key, as_version=4)
        fresh = json.loads(nbformat.writes(release.student_version(nb)))
        pages[f"release of {key.parent.name}"] = list(L.strings(fresh))
    return pages


def test_no_page_holds_a_keys_solution():
    keys = {}
    for path in KEYS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        keys[cells.assignment_meta(nbformat.reads(json.dumps(nb), as_version=4))
             ["assignment"]] = nb
    assert keys, "no key found"
    assert sum(len(L.regions(k, a)) for a, k in keys.items()) >= len(keys)
    found = L.leaks(keys, _pages())
    assert not found, "solutions published:\n" + "\n".join(found)


# ------------------------------------------------------------------ the checker itself

def _key(*cell_list):
    nb = nbformat.v4.new_notebook(metadata={"rnngrade": {"assignment": "99_demo"}})
    nb.cells = list(cell_list)
    return nb


ANSWER = ("def step(params, x, h):\n    ### BEGIN SOLUTION\n"
          "    a = params['W'] @ h + params['U'] @ x + params['b']  # pre-activation\n"
          "    return np.tanh(a)\n    ### END SOLUTION\n")
MODEL = ("Explain why the gradient vanishes.\n\n### BEGIN SOLUTION\nEach step multiplies it by "
         "the Jacobian, whose largest singular value is below one here.\n### END SOLUTION\n")


def test_the_checker_finds_a_region_reindented_rewrapped_and_without_comments():
    key = _key(nbformat.v4.new_code_cell(ANSWER, metadata={
                   "rnngrade": {"role": "answer", "answer": "step"}}),
               nbformat.v4.new_markdown_cell(MODEL, metadata={
                   "rnngrade": {"role": "written", "question": "vanish", "points": 2}}))
    raw = json.loads(nbformat.writes(key))
    assert [r.kind for r in L.regions(raw, "99_demo")] == ["answer step", "written vanish"]
    pasted = ("def helper(params, x, h):\n        a=params['W'] @ h +\n"
              "  params['U'] @ x + params['b']\n        return np.tanh(a)\n")
    chapter = nbformat.v4.new_notebook()
    chapter.cells = [nbformat.v4.new_code_cell(pasted)]
    essay = ("Some text. Each step multiplies it by the Jacobian, whose largest\nsingular value "
             "is below one here. More text.")
    pages = {"chapters/x.ipynb": list(L.strings(json.loads(nbformat.writes(chapter)))),
             "essay.md": [L.normalise(essay)]}
    found = L.leaks({"99_demo": raw}, pages)
    assert len(found) == 2 and "answer step" in found[0] and "written vanish" in found[1]
    # the key's own release holds neither: the answer is a stub, the model answer is gone
    released = json.loads(nbformat.writes(release.student_version(copy.deepcopy(key))))
    assert L.leaks({"99_demo": raw}, {"release": list(L.strings(released))}) == []
    # a region too short to be anyone's solution in particular does not count
    short = _key(nbformat.v4.new_code_cell(
        "def f(a):\n    ### BEGIN SOLUTION\n    return np.tanh(a)\n    ### END SOLUTION\n",
        metadata={"rnngrade": {"role": "answer", "answer": "f"}}))
    assert L.regions(json.loads(nbformat.writes(short)), "99_demo") == []

"""LMS downloads as Canvas, Moodle and Blackboard write them, for assignment 1, built from the
repository's key and released notebook (no kernel): a full answer, a blank, a half answer,
Unicode names, an older attempt, a .py file, another assignment's notebook, a notebook whose
answer cells lost their metadata, and a file that is not JSON.

Each builder writes the files under a folder and returns it; ``zipped`` zips a folder as the
LMS would (UTF-8 member names, folders kept).
"""
from __future__ import annotations

import copy
import json
import os
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY1 = ROOT / "assignments" / "01_forward" / "key.ipynb"
BLANK1 = ROOT / "assignments" / "released" / "01_forward.ipynb"
BLANK2 = ROOT / "assignments" / "released" / "02_softmax.ipynb"


def _load(path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def answers(nb) -> dict:
    return {c["metadata"]["rnngrade"]["answer"]: c for c in nb["cells"]
            if c.get("metadata", {}).get("rnngrade", {}).get("role") == "answer"}


def full() -> dict:
    """The released notebook with the key's answers: every check passes."""
    nb, key = _load(BLANK1), answers(_load(KEY1))
    for name, cell in answers(nb).items():
        cell["source"] = key[name]["source"]
    return nb


def blank() -> dict:
    return _load(BLANK1)


def half() -> dict:
    """rnn_step answered, rnn_forward left as released."""
    nb, key = _load(BLANK1), answers(_load(KEY1))
    answers(nb)["rnn_step"]["source"] = key["rnn_step"]["source"]
    return nb


def untagged() -> dict:
    """The full answer with every cell's rnngrade metadata removed (a copy-paste into a new
    notebook)."""
    nb = full()
    for c in nb["cells"]:
        c.get("metadata", {}).pop("rnngrade", None)
    nb["metadata"].pop("rnngrade", None)
    return nb


def other_assignment() -> dict:
    return _load(BLANK2)


PROMPT = "**Why does the state carry information?** Write two sentences here.\n\n"
MODEL = "### BEGIN SOLUTION\nh_t sums the past inputs through W.\n### END SOLUTION"


def with_written(nb: dict, text: str | None, question="explain_state", points=3) -> dict:
    """``nb`` with a written-answer cell (None: the cell as released, unanswered)."""
    nb = copy.deepcopy(nb)
    prompt = PROMPT + "YOUR ANSWER HERE"
    nb["cells"].append({"cell_type": "markdown", "id": "written-1",
                        "metadata": {"rnngrade": {"role": "written", "question": question,
                                                  "points": points}},
                        "source": prompt if text is None else text})
    return nb


def _put(folder: Path, rel: str, content) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def canvas(folder: Path) -> Path:
    """Canvas: ``lastfirst[_LATE]_userid_fileid_name``; only the latest submission is in the
    download, but a student's two uploads are (the later has the larger file id)."""
    _put(folder, "hoppergrace_LATE_23456_789012_01_forward.ipynb", full())
    _put(folder, "ñúñezjosé_34567_789013_01_forward.ipynb", half())
    _put(folder, "王小明_45678_789010_01_forward.ipynb", blank())          # older upload
    _put(folder, "王小明_45678_789020_01_forward-1.ipynb", full())
    _put(folder, "lovelaceada_56789_789014_rnn.py", "def rnn_step(params, x, h):\n    pass\n")
    _put(folder, "turingalan_67890_789015_02_softmax.ipynb", other_assignment())
    _put(folder, "babbagecharles_78901_789016_01_forward.ipynb", untagged())
    _put(folder, "curiemarie_89012_789017_01_forward.ipynb", "{ this is not json")
    return folder


def moodle(folder: Path) -> Path:
    """Moodle (folders per student, the default since 3.1)."""
    sub = "_assignsubmission_file"
    _put(folder, f"José Ñúñez_123456{sub}/01_forward.ipynb", half())
    _put(folder, f"王小明_123457{sub}/01_forward.ipynb", full())
    _put(folder, f"Grace Hopper_123458{sub}/01_forward.ipynb", full())
    _put(folder, f"Grace Hopper_123458{sub}/notes/01_forward_draft.ipynb", blank())
    _put(folder, f"Ada Lovelace_123459{sub}/rnn.py", "print('hello')\n")
    _put(folder, "Alan Turing_123460_assignsubmission_onlinetext/onlinetext.html",
         "<p>I attach nothing.</p>")
    _put(folder, f"Alan Turing_123460{sub}/02_softmax.ipynb", other_assignment())
    _put(folder, f"Marie Curie_123461{sub}/01_forward.ipynb", b"\x89PNG\r\n not a notebook")
    return folder


RECEIPT = """Name: {name} ({user})
Assignment: Assignment 1
Date Submitted: Monday, 7 December 2026 {clock} o'clock GMT
Current Grade: Needs Grading

Submission Field:
There is no student submission text data for this assignment.

Comments:
There are no student comments for this assignment.

Files:
\tOriginal filename: 01_forward.ipynb
\tFilename: Assignment 1_{user}_attempt_{stamp}_01_forward.ipynb
"""


def blackboard(folder: Path) -> Path:
    """Blackboard: every attempt, each with a receipt naming the student."""
    def attempt(user, name, stamp, nb):
        clock = stamp[11:].replace("-", ":")
        _put(folder, f"Assignment 1_{user}_attempt_{stamp}_01_forward.ipynb", nb)
        _put(folder, f"Assignment 1_{user}_attempt_{stamp}.txt",
             RECEIPT.format(name=name, user=user, clock=clock, stamp=stamp))
    attempt("ghopper", "Grace Hopper", "2026-12-07-14-03-12", blank())
    attempt("ghopper", "Grace Hopper", "2026-12-08-09-30-00", full())
    attempt("jnunez", "José Ñúñez", "2026-12-07-16-59-00", half())
    attempt("wxm", "王小明", "2026-12-07-17-10-00", full())
    return folder


def zipped(folder: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for here, _, files in os.walk(folder):
            for name in sorted(files):
                full_path = Path(here) / name
                z.write(full_path, full_path.relative_to(folder).as_posix())
    return path

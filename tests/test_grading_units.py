"""rnngrade without a grading run: stubs, the screen (advice), release, assembly, submissions,
reports, the allowlist, the runner's magics and the closed-form references."""
from __future__ import annotations

import copy
import csv
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from rnngrade import (
    allowed,
    assemble,
    cells,
    gradebook,
    references,
    release,
    screen,
    submissions,
)

ROOT = Path(__file__).resolve().parents[1]
KEY1 = ROOT / "assignments" / "01_forward" / "key.ipynb"
KEYS = sorted((ROOT / "assignments").glob("*/key.ipynb"))


def key1():
    return nbformat.read(KEY1, as_version=4)


# ------------------------------------------------------------------ cells and stubs

def test_stub_replaces_the_region_at_its_indentation():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n"
    assert cells.stub(src) == ("def f(x):\n    # YOUR CODE HERE\n"
                               '    raise NotImplementedError("write this part")\n')


def test_stub_refuses_a_cell_without_markers():
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        cells.stub("def f(x):\n    return x\n")


def test_there_are_seven_keys_each_with_public_and_hidden_checks():
    assert [k.parent.name for k in KEYS] == ["01_forward", "02_softmax", "03_bptt",
                                             "04_lstm", "05_char_rnn", "06_gru",
                                             "07_attention"]
    for key in KEYS:
        found = cells.checks(nbformat.read(key, as_version=4))
        assert any(c.hidden for c in found) and any(not c.hidden for c in found), key


def test_every_key_solution_passes_the_screen():
    for key in KEYS:
        nb = nbformat.read(key, as_version=4)
        allowed = set(cells.assignment_meta(nb)["allowed_rnnlib"])
        for c in nb.cells:
            if cells.role(c) == "answer":
                assert screen.problems(c.source, allowed) == [], (key, c.source)


# ------------------------------------------------------------------ the screen (advice only): one tamper each

@pytest.mark.parametrize("source, reason", [
    ("import os\nos._exit(0)", "imports os"),                          # exits the kernel
    ("exit()", "uses the name exit"),
    ("open('../../assignments/01_forward/key.ipynb').read()", "uses the name open"),  # reads key
    ("import socket", "imports socket"),                                # opens the network
    ("import urllib.request", "imports urllib.request"),
    ("np.allclose = lambda *a, **k: True", "changes the attribute allclose"),   # monkeypatch
    ("import numpy\nnumpy.round = print", "changes the attribute round"),
    ("def print(*args):\n    pass", "rebinds print"),                   # print the expected
    ("show = lambda x: None", "rebinds show"),
    ("get_ipython().display_formatter = None", "uses the name get_ipython"),    # display
    ("import IPython", "imports IPython"),
    ("import traceback", "imports traceback"),                          # traceback machinery
    ("!cat /etc/passwd", "uses the name get_ipython"),                  # shell escape
    ("%load key.ipynb", "uses the name get_ipython"),                   # magic
    ("f = rnnlib.forward", "uses rnnlib.forward"),                      # delegates
    ("from rnnlib import loss_and_grads", "uses rnnlib.loss_and_grads"),
    ("np.ctypeslib.ctypes.CDLL(None)", "uses the attribute ctypeslib"),  # numpy's way to libc
    ("x = np.load('expected.npy')", "uses the attribute load"),
    ("(1).__class__.__subclasses__()", "uses the private attribute __class__"),
    ("global SEED\nSEED = 0", "declares SEED global"),                   # fixes the seed
    ("exec('import os')", "uses the name exec"),
    ("def f(:\n", "syntax error"),
])
def test_screen_warns_about(source, reason):
    found = screen.problems(source, allowed_rnnlib={"init_params"})
    assert any(reason in p for p in found), found


def test_screen_accepts_ordinary_numpy_code():
    src = ("import numpy as np\nimport math\n\ndef f(params, x):\n    h = np.tanh(params['W'] @ x)"
           "\n    return h.T, math.sqrt(2), rnnlib.init_params(1, 1, 1)\n")
    assert screen.problems(src, {"init_params"}) == []


# ------------------------------------------------------------------ release

def test_release_stubs_solutions_drops_hidden_and_key_only_cells():
    key = key1()
    student = release.student_version(key)
    text = json.dumps(student)
    assert "BEGIN SOLUTION" not in text and "np.tanh(b + h_prev" not in text
    assert not any(cells.role(c) == "key-only" for c in student.cells)
    public = [cells.check_of(c) for c in student.cells if cells.role(c) == "check"]
    assert public and not any(c.hidden for c in public)
    hidden = [c.name for c in cells.checks(key) if c.hidden]
    assert not any(name in text for name in hidden)
    for c in student.cells:                 # public checks keep the key's outputs
        if cells.role(c) == "check":
            assert c.outputs and c.execution_count is not None
    assert student.metadata["mystnb"] == {"execution_mode": "off"}


def _as_released(nb):
    """What a released notebook says: cells, sources, rnngrade metadata, printed text."""
    return ([(c.cell_type, c.source, c.metadata.get("rnngrade"),
              release._text(c.outputs) if c.cell_type == "code" else None) for c in nb.cells],
            {k: nb.metadata.get(k) for k in ("rnngrade", "mystnb", "kernelspec")})


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.parent.name)
def test_the_released_notebooks_are_what_release_makes_of_the_keys(key):
    # The key's stored outputs come from a run with the release seed, as release's own run
    # does; so a key changed without re-running `rnn-grade release` fails here.
    released = ROOT / "assignments" / "released" / f"{key.parent.name}.ipynb"
    assert _as_released(nbformat.read(released, as_version=4)) == _as_released(
        release.student_version(nbformat.read(key, as_version=4))), (
        f"re-run: rnn-grade release {key.relative_to(ROOT)} --out assignments/released/")


# ------------------------------------------------------------------ check helpers

def test_random_params_stacks_gate_blocks_and_keeps_the_plain_draws():
    import numpy as np

    from rnngrade import random_params
    plain = random_params(np.random.default_rng(3), 2, 3, 4)
    assert {k: v.shape for k, v in plain.items()} == {"U": (3, 2), "W": (3, 3), "V": (4, 3),
                                                      "b": (3,), "c": (4,)}
    assert plain["U"][0, 0] == 0.5 * np.random.default_rng(3).standard_normal()
    lstm = random_params(np.random.default_rng(3), 2, 3, 4, gates=4)
    assert {k: v.shape for k, v in lstm.items()} == {"U": (12, 2), "W": (12, 3), "V": (4, 3),
                                                     "b": (12,), "c": (4,)}
    with pytest.raises(ValueError, match="argument 'gates'"):
        random_params(np.random.default_rng(3), 2, 3, 4, gates=2)


# ------------------------------------------------------------------ assembly

def _spec():
    return assemble.spec_of(assemble.seeded(key1(), 5))


def _job(sub, seed=5):
    return assemble.job(_spec(), assemble.answers_of(sub), seed)


def _student_from_key(edit):
    nb = copy.deepcopy(key1())
    edit(nb)
    return json.loads(nbformat.writes(nb))


def test_edited_retagged_deleted_or_duplicated_check_cells_change_nothing():
    def tamper(nb):
        checks = [c for c in nb.cells if cells.role(c) == "check"]
        checks[0].source = "print('(4,) (2,) (5, 4) (5, 2)')"          # edited
        checks[1].metadata["tags"] = ["nbval-skip"]                     # re-tagged
        checks[2].outputs = []                                          # output edited
        nb.cells.remove(checks[3])                                      # deleted
        nb.cells.append(copy.deepcopy(checks[4]))                       # duplicated
        checks[5].source = "# NBVAL_SKIP\n" + checks[5].source          # NBVAL marker
    honest = _job(json.loads(nbformat.writes(key1())))
    tampered = _job(_student_from_key(tamper))
    assert [c for c in tampered if c["kind"] != "answer"] == \
        [c for c in honest if c["kind"] != "answer"]


def test_the_job_holds_no_output_and_the_seed_of_the_run():
    job = _job(json.loads(nbformat.writes(key1())), seed=1234)
    text = json.dumps(job)
    for c in key1().cells:                      # no stored output of the key reaches a sandbox
        if cells.role(c) == "check" and cells.check_of(c).hidden:
            assert c.outputs[0]["text"].strip()[:30] not in text
    assert [c["source"] for c in job if c["kind"] == "seed"] == ["SEED = 1234"]
    assert {c["kind"] for c in job} == {"setup", "seed", "answer", "check"}


def test_nbval_markers_in_answers_are_removed():
    def tamper(nb):
        for c in nb.cells:
            if cells.role(c) == "answer":
                c.source = "# NBVAL_SKIP\n# NBVAL_IGNORE_OUTPUT\n" + c.source
    job = _job(_student_from_key(tamper))
    assert not any("NBVAL" in c["source"] for c in job)


def test_first_answer_cell_of_a_name_wins_and_a_missing_one_is_a_stub():
    def tamper(nb):
        answers = [c for c in nb.cells if cells.role(c) == "answer"]
        extra = copy.deepcopy(answers[0])
        extra.source = "rnn_step = None"
        nb.cells.append(extra)                      # a duplicate after the real one
        nb.cells.remove(answers[1])                 # rnn_forward deleted
    found = assemble.answers_of(_student_from_key(tamper))
    assert "np.tanh" in found["rnn_step"] and "rnn_forward" not in found
    forward = [c for c in _job(_student_from_key(tamper)) if c.get("answer") == "rnn_forward"][0]
    assert "NotImplementedError" in forward["source"]


def test_the_screen_warns_and_refuses_nothing():
    def tamper(nb):
        for c in nb.cells:
            if cells.info(c).get("answer") == "rnn_forward":
                c.source = "import os\n%time x = 1\n" + c.source
    sub = _student_from_key(tamper)
    warnings = assemble.warnings(_spec(), assemble.answers_of(sub), set())
    assert list(warnings) == ["rnn_forward"] and "imports os" in warnings["rnn_forward"]
    cell = [c for c in _job(sub) if c.get("answer") == "rnn_forward"][0]
    assert cell["source"].startswith("import os")          # run as written


def test_magics_are_stripped_and_time_keeps_its_statement():
    from rnngrade.kernel import _strip_magics
    src = "%matplotlib inline\n%time x = f(1)\n%timeit -n 3 -r 1 y = 2\n!ls\nif 1:\n    %who\nz = 3"
    assert _strip_magics(src) == "pass\nx = f(1)\ny = 2\npass\nif 1:\n    pass\nz = 3"


def test_submission_outputs_are_dropped_whatever_their_size(tmp_path):
    nb = json.loads(nbformat.writes(key1()))
    nb["cells"][4]["outputs"] = [{"output_type": "display_data", "metadata": {},
                                  "data": {"image/png": "A" * (25 << 20)}}]
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(nb))
    sub, why = assemble.read_submission(path)
    assert why == "" and "outputs" not in sub["cells"][4]
    assert "rnn_step" in assemble.answers_of(sub)


def test_an_answer_cell_of_megabytes_is_not_run():
    # a 500 MB answer cell was copied into the job, screened and sent to the sandbox by the
    # grader itself (several times its size in the grader's memory, per worker)
    sub = json.loads(nbformat.writes(key1()))
    for c in sub["cells"]:
        if cells.role(c) == "answer":
            c["source"] = "x = 1\n" + "#" * (assemble.MAX_ANSWER + 1)
    answers = assemble.answers_of(sub)
    assert answers and all(len(a) < 200 and "not run" in a for a in answers.values())


def test_unreadable_submissions(tmp_path):
    bad = tmp_path / "x.ipynb"
    bad.write_text("{not json")
    nb, why = assemble.read_submission(bad)
    assert nb is None and why.startswith("not a readable notebook: JSONDecodeError")
    bad.write_text('{"cells": 3}')
    assert assemble.read_submission(bad) == (None, "not a notebook: no list of cells")
    assert assemble.answers_of({"cells": [{"cell_type": "code", "metadata": 7}]}) == {}
    bad.write_text('{"cells": [], "n": ' + "9" * 5000 + "}")     # past int's digit limit
    nb, why = assemble.read_submission(bad)
    assert nb is None and why.startswith("not a readable notebook: ValueError")


# ------------------------------------------------------------------ submissions

def test_zip_of_submissions_ignores_folders_and_cannot_escape(tmp_path):
    zpath = tmp_path / "lms.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("course/Ada Lovelace.ipynb", "{}")
        z.writestr("../../evil.ipynb", "{}")
        z.writestr("__MACOSX/._ada.ipynb", "{}")
        z.writestr("notes.txt", "x")
    found = submissions.collect(str(zpath), str(tmp_path / "into"))
    assert sorted(found) == ["Ada_Lovelace", "evil"]
    assert all(Path(p).parent == tmp_path / "into" for p in found.values())
    assert not (tmp_path.parent / "evil.ipynb").exists()


# ------------------------------------------------------------------ reports

def _results():
    from rnngrade.grading import score
    from rnngrade.sandbox import Outcome
    public = cells.Check("seen", "a", 2.0, False)
    hidden = cells.Check("secret", "a", 3.0, True)
    spec = [{"kind": "check", "check": "seen"}, {"kind": "check", "check": "secret"}]
    outcome = Outcome({0: {"out": "41\n", "error": "", "truncated": False},
                       1: {"out": "INPUT-LEAK EXPECTED-SECRET\n ", "error": "",
                           "truncated": False}}, True)
    s = score("ada", [public, hidden], spec, outcome,
              {"seen": "42\n", "secret": "INPUT-LEAK EXPECTED-SECRET"}, [],
              {"a": ["imports os"]})
    return [public, hidden], s


def test_scores_and_gradebook(tmp_path):
    checks, s = _results()
    assert (s.score, s.max_score) == (3.0, 5.0)       # trailing whitespace does not count
    gradebook.write_all(str(tmp_path), "01_forward", checks, [s])
    rows = list(csv.reader(open(tmp_path / "gradebook.csv")))
    assert rows == [["student", "score", "max_score", "seen", "secret", "sandbox"],
                    ["ada", "3", "5", "0", "3", "bubblewrap"]]
    gradebook.write_all(str(tmp_path), "01_forward", checks, [s], sandboxed=False)
    rows = list(csv.reader(open(tmp_path / "gradebook.csv")))
    assert rows[1][-1] == "NONE (--unsafe-no-sandbox)"


def test_a_check_after_an_answer_cell_that_failed_says_how_it_failed():
    # An answer cell that stops (an import the sandbox lacks, a time-out, a typo run at its
    # top level) left its function undefined, and every check said only "NameError: name
    # 'rnn_step' is not defined", for a function the student can see they defined.
    from rnngrade.grading import score
    from rnngrade.sandbox import Outcome
    checks = [cells.Check("seen", "a", 1.0, False), cells.Check("secret", "b", 1.0, True)]
    spec = [{"kind": "answer", "answer": "a"}, {"kind": "check", "check": "seen"},
            {"kind": "answer", "answer": "b"}, {"kind": "check", "check": "secret"}]
    missing = "NameError: name 'a' is not defined"
    outcome = Outcome({0: {"out": "", "error": "ModuleNotFoundError: No module named 'scipy'",
                           "truncated": False},
                       1: {"out": "", "error": missing, "truncated": False},
                       2: {"out": "", "error": "", "truncated": False},
                       3: {"out": "", "error": missing, "truncated": False}}, True)
    s = score("ada", checks, spec, outcome, {"seen": "1\n", "secret": "2\n"}, [], {})
    for r in s.results:
        assert r.why.endswith("; the answer cell 'a' stopped with ModuleNotFoundError: No "
                              "module named 'scipy'"), r.why
    assert s.results[1].why.startswith("the check raised NameError;")


def test_feedback_never_shows_a_hidden_checks_inputs_or_expected_output(tmp_path):
    checks, s = _results()
    gradebook.write_all(str(tmp_path), "01_forward", checks, [s])
    page = (tmp_path / "feedback" / "ada.html").read_text()
    result = json.loads((tmp_path / "results" / "ada.json").read_text())
    for text in (page, json.dumps(result)):
        assert "EXPECTED-SECRET" not in text and "INPUT-LEAK" not in text
        assert "42" in text and "41" in text           # public: expected vs got
        assert "Advice, not a penalty" in text and "imports os" in text
    assert result["score"] == 3.0
    assert [t["name"] for t in result["tests"]] == ["a: seen", "a: secret"]
    assert result["tests"][1] == {"name": "a: secret", "score": 3.0, "max_score": 3.0,
                                  "status": "passed", "output": "hidden check: passed",
                                  "tags": ["a"], "visibility": "after_published"}
    assert result["tests"][0]["visibility"] == "visible"


def test_a_journaled_result_reads_back_as_it_was():
    checks, s = _results()
    back = gradebook.StudentResult.from_dict(json.loads(json.dumps(s.to_dict())), checks)
    assert back == s


# ------------------------------------------------------------------ the allowlist

def test_the_allowlist_holds_only_the_allowed_rnnlib_names_and_no_solution():
    for key in KEYS:
        meta = cells.assignment_meta(nbformat.read(key, as_version=4))
        files = allowed.sandbox_sources(meta["allowed_rnnlib"])
        text = "\n".join(files.values())
        defined = {line.split("(")[0][4:] for line in files["rnnlib/__init__.py"].splitlines()
                   if line.startswith("def ")}
        assert defined == set(meta["allowed_rnnlib"]) - set(allowed.GIVEN), key
        helpers = {line.split("(")[0][4:] for line in files["rnngrade/__init__.py"].splitlines()
                   if line.startswith("def ")}
        assert helpers & set(allowed.GIVEN) == set(meta["allowed_rnnlib"]) & set(allowed.GIVEN), key
        nb = nbformat.read(key, as_version=4)
        for c in nb.cells:                          # no answer's function exists in the allowlist
            if cells.role(c) == "answer":
                for line in c.source.splitlines():
                    if line.startswith("def "):
                        name = line[4:].split("(")[0]
                        assert f"def {name}(" not in text, (key, name)


def test_the_allowed_copies_agree_with_rnnlib():
    import numpy as np

    import rnnlib
    rng = np.random.default_rng(4)
    o = 30 * rng.standard_normal((3, 5))
    assert np.allclose(allowed.softmax(o, axis=0), rnnlib.softmax(o, axis=0))
    assert np.allclose(allowed.sigmoid(o), rnnlib.sigmoid(o))
    mine, ref = allowed.init_params(3, 4, 5, seed=2), rnnlib.init_params(3, 4, 5, seed=2)
    assert all(np.array_equal(mine[k], ref[k]) for k in ref)
    p = rnnlib.init_params(3, 4, 5, seed=1)
    xs, ys = rng.standard_normal((6, 3)), rng.integers(0, 5, size=6)
    loss, grads = allowed.loss_and_grads(p, xs, ys)
    ref_loss, ref_grads = rnnlib.loss_and_grads(p, xs, ys)
    assert np.isclose(loss, ref_loss) and set(grads) == set(ref_grads)
    assert all(np.allclose(grads[k], ref_grads[k]) for k in ref_grads)
    ids = rng.integers(0, 3, size=6)
    loss, grads = allowed.loss_and_grads(p, ids, ys)
    ref_loss, ref_grads = rnnlib.loss_and_grads(p, ids, ys)
    assert np.isclose(loss, ref_loss) and all(np.allclose(grads[k], ref_grads[k]) for k in ref_grads)


def test_the_given_seq2seq_model_agrees_with_rnnlib():
    """Assignment 7's given model (GIVEN) is rnnlib's seq2seq (cell="rnn", additive attention)
    with the attention passed in: the same task, the same initial draws, the same gradients."""
    import numpy as np

    from rnnlib import attention
    from rnnlib.architectures.seq2seq import init_seq2seq, loss_and_grads, tasks
    from rnnlib.training.tree import get, leaves
    task = allowed.number_task(40, seed=3, exclude=[5, 17])
    numbers = tasks.sample_numbers(40, max_digits=4, seed=3, exclude=[5, 17])
    src_ref, tgt_ref = tasks.encode_pairs(numbers, seed=3)
    assert np.array_equal(task["numbers"], numbers) and task["words"] == tasks.SOURCE_WORDS
    assert all(np.array_equal(a, b) for a, b in zip(task["sources"], src_ref))
    assert all(np.array_equal(a, b) for a, b in zip(task["targets"], tgt_ref))
    mine = allowed.seq2seq_init(32, 11, embed_size=5, hidden_size=6, attention_size=4, seed=2)
    ref = init_seq2seq(32, 11, embed_size=5, hidden_size=6, cell="rnn", attention="additive",
                       attention_size=4, seed=2)
    assert all(np.array_equal(get(mine, path), a) for path, a in leaves(ref))
    src, sl = allowed.pad_batch(task["sources"][:6])
    tgt, tl = allowed.pad_batch(task["targets"][:6])
    loss, grads = allowed.seq2seq_loss_and_grads(
        mine, src, sl, tgt, tl, lambda p, q, k, m: attention.forward(p, q, k, mask=m),
        lambda p, q, k, m, dc: attention.backward(p, q, k, dc, mask=m))
    ref_loss, ref_grads = loss_and_grads(ref, src, tgt, src_lengths=sl, tgt_lengths=tl)
    assert np.isclose(loss, ref_loss)
    assert all(np.allclose(get(grads, path), a) for path, a in leaves(ref_grads))
    keys, mask, first = allowed.seq2seq_encode(mine, src, sl)
    assert np.allclose(first, keys[sl - 1, np.arange(len(sl))]) and mask.sum() == sl.sum()


def test_show_ignores_numpy_print_options(capsys):
    import numpy as np

    from rnngrade import show
    x = np.array([[1.0 / 3, 2e-7], [-0.0, 12345.678]])
    show(x)
    plain = capsys.readouterr().out
    with np.printoptions(precision=2, suppress=True, linewidth=20):
        show(x)
    assert capsys.readouterr().out == plain


def test_the_smooth_reference_gradient_is_the_gradient():
    import numpy as np

    from rnngrade import smooth_inputs, smooth_loss
    p, X = smooth_inputs(np.random.default_rng(3))
    exact = references.smooth_gradient(p, X)
    for k, v in p.items():
        numeric = np.zeros_like(v)
        for idx in np.ndindex(*v.shape):
            old = v[idx]
            v[idx] = old + 1e-6
            up = smooth_loss(p, X)
            v[idx] = old - 1e-6
            down = smooth_loss(p, X)
            v[idx] = old
            numeric[idx] = (up - down) / 2e-6
        assert np.allclose(numeric, exact[k], atol=1e-7), k


def test_ungraded_cells_are_released_with_the_key_s_outputs_and_never_graded():
    # assignment 5's run on the corpus: the student runs it in Jupyter, the grader never does
    key = nbformat.read(ROOT / "assignments" / "05_char_rnn" / "key.ipynb", as_version=4)
    ungraded = [c for c in key.cells if c.cell_type == "code" and cells.role(c) == "ungraded"]
    assert ungraded and any(c.outputs for c in ungraded)
    student = release.student_version(key)
    kept = [c for c in student.cells if c.cell_type == "code" and cells.role(c) == "ungraded"]
    assert [(c.source, c.outputs) for c in kept] == [(c.source, c.outputs) for c in ungraded]
    spec = assemble.spec_of(assemble.seeded(key, 1))
    assert not any("numpy_docstrings" in item["source"] for item in spec)
    assert all(item["kind"] in ("setup", "seed", "answer", "check") for item in spec)

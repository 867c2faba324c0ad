"""rnngrade: course assignments for the book, released and graded with nbval.

One concept per module:

    cells        what a cell of an assignment notebook is (task, answer, check...), read from
                 its metadata, and the stub that replaces a solution region
    release      the student version of a key: stubs for solutions, no hidden checks
    screen       what a student's answer cell may use (imports, names), read from its syntax
    assemble     the notebook nbval grades: the key's cells, the student's answer cells
    guard        runs first inside the student's kernel: hides the rnnlib functions the student
                 must write, caps output
    sandbox      the kernel's launcher: resource limits, no network, key and other students
                 hidden
    runner       runs the key (nbclient) and the graded notebooks (pytest + nbval + xdist)
    recorder     the pytest plugin that writes each check's outcome
    submissions  a folder or a zip of ``<student>.ipynb`` files
    lms          an LMS download (Canvas, Moodle, Blackboard; zip or folder) read into records
                 (name as written, LMS id, time, late flag) and files not graded, with reasons
    late         deadline, grace, extensions and penalty policies
    manual       written answers exported side by side (HTML, CSV to fill), marks read back
    workflow     a grading run wrapped for the lecturer: the LMS gradebook, late penalties,
                 hand marks, one student or only new work regraded
    gradebook    scores, gradebook.csv, feedback HTML, Gradescope results.json
    cli          the ``rnn-grade`` command
"""
__all__ = ["random_params", "show"]


def show(x, digits: int = 6):
    """Print ``x`` as check cells print values: ``digits`` significant digits, no rounding noise.

    Entries below 1e-9 of the largest magnitude print as 0, so a value that is mathematically
    zero (and differs between two correct implementations only by rounding) compares equal.
    """
    import numpy as np
    from rnnlib.report import rounded

    if isinstance(x, (tuple, list)) and not _is_numeric_sequence(x):
        for item in x:
            show(item, digits)
        return
    arr = np.asarray(x, dtype=float)
    scale = float(np.max(np.abs(arr))) if arr.size else 0.0
    arr = np.where(np.abs(arr) < 1e-9 * scale, 0.0, arr)
    r = rounded(arr, digits)
    print(r if np.ndim(r) else float(r))


def _is_numeric_sequence(x) -> bool:
    return all(isinstance(v, (int, float)) for v in x)


def random_params(rng, D: int, H: int, K: int, scale: float = 0.5, gates: int = 1) -> dict:
    """Parameters with the contract's shapes: U (G·H, D), W (G·H, H), V (K, H), b (G·H,), c (K,).

    ``gates`` is G: 1 for the plain cell, 4 for the LSTM (blocks i, f, g, q), 3 for the GRU
    (u, r, n), stacked along the first axis as rnnlib stacks them. Check cells draw their own
    parameters with this (not with rnnlib, which the grader hides from the student's kernel),
    from a generator seeded by the grading run.
    """
    if gates not in (1, 3, 4):
        raise ValueError("argument 'gates': expected 1 (plain), 3 (GRU) or 4 (LSTM), "
                         f"got {gates!r}")
    G = gates
    return {"U": scale * rng.standard_normal((G * H, D)),
            "W": scale * rng.standard_normal((G * H, H)),
            "V": scale * rng.standard_normal((K, H)), "b": scale * rng.standard_normal(G * H),
            "c": scale * rng.standard_normal(K)}

"""rnngrade: course assignments for the book, released and graded in a sandbox.

One concept per module:

    cells        what a cell of an assignment notebook is (task, answer, check...), read from
                 its metadata, and the stub that replaces a solution region
    release      the student version of a key: stubs for solutions, no hidden checks
    screen       advice on a student's answer cell (imports, names), read from its syntax;
                 it warns in the feedback and never refuses code
    assemble     what runs for one student: the key's cells, the student's answer sources
    allowed      the allowlist: the only grader code a sandbox sees (check helpers, the
                 allowed rnnlib names), with no solution in it
    kernel       the runner inside the sandbox: runs the cells, checks in namespaces of their
                 own with numpy's and Python's state reset, output capped, time limits
    sandbox      bubblewrap: one sandbox per student, limits, nothing of value inside
    references   expected outputs of gradient checks, computed by the grader in closed form
    submissions  a folder or a zip of ``<student>.ipynb`` files (what a grading run reads;
                 ``rnn-grade grade`` hands it the notebooks ``lms`` chose)
    lms          an LMS download (Canvas, Moodle, Blackboard; zip or folder) read into records
                 (name as written, LMS id, time, late flag) and files not graded, with reasons
    late         deadline, grace, extensions and penalty policies
    manual       written answers exported side by side (HTML, CSV to fill), marks read back
    workflow     a grading run wrapped for the lecturer: the LMS gradebook, late penalties,
                 hand marks, one student regraded; results kept in the run's journal only
    gradebook    scores, gradebook.csv, feedback HTML, Gradescope results.json
    gradescope   Gradescope's autograder.zip (setup.sh, run_autograder) and what runs in
                 its container for one submission
    cli          the ``rnn-grade`` command
"""
from .allowed import (
    attention_inputs,
    below,
    fmt,
    mean_attention,
    number_task,
    pad_batch,
    random_params,
    rounded,
    seq2seq_encode,
    seq2seq_fit,
    seq2seq_init,
    seq2seq_loss_and_grads,
    show,
    smooth_inputs,
    smooth_loss,
)

__all__ = ["attention_inputs", "below", "fmt", "mean_attention", "number_task", "pad_batch",
           "random_params", "rounded", "seq2seq_encode", "seq2seq_fit", "seq2seq_init",
           "seq2seq_loss_and_grads", "show", "smooth_inputs", "smooth_loss"]

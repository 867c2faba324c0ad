"""How fast the hidden state forgets: final states of histories that differ only in the past.

Two token sequences of length T that agree on their last d tokens and are independent random
tokens before that end in two final states h_T and h'_T. If the state kept everything,
‖h_T - h'_T‖ would not shrink as d grows; in a contracting network it shrinks about
geometrically, and once it falls below float64's resolution the two states become identical.
"""
from __future__ import annotations

import numpy as np

from ..core.forward import forward
from ..core.validation import bad_value, check_int, check_int_ids, check_params


def shared_suffix_gaps(params: dict, *, T: int, n_pairs: int, seed: int = 0,
                       activation: str = "tanh", agree=None) -> np.ndarray:
    """‖h_T - h'_T‖ for pairs of random token sequences sharing their last d tokens.

    params: the model (its D is the number of tokens). T: sequence length. n_pairs: pairs per d.
    agree: the values of d to run (default 0, 1, ..., T - 1), each in [0, T].
    Returns gaps (A, n_pairs), A = len(agree): gaps[j, i] is the distance for pair i with
    d = agree[j]. The same seed gives the same tokens.
    """
    T, n_pairs = check_int("T", T), check_int("n_pairs", n_pairs)
    _, sizes = check_params(params)
    agree = np.arange(T) if agree is None else check_int_ids("agree", agree, "whole numbers d")
    if agree.ndim != 1 or (agree < 0).any() or (agree > T).any():
        raise bad_value("agree", f"a 1-D sequence of whole numbers d with 0 <= d <= T = {T}",
                        agree)
    rng = np.random.default_rng(seed)
    tail = rng.integers(0, sizes.D, size=(T, n_pairs))        # ids (T, B), shared part
    gaps = np.empty((len(agree), n_pairs))
    for j, d in enumerate(agree):
        first, second = tail.copy(), tail.copy()
        first[: T - d] = rng.integers(0, sizes.D, size=(T - d, n_pairs))
        second[: T - d] = rng.integers(0, sizes.D, size=(T - d, n_pairs))
        h_first = forward(params, first, activation=activation).h[-1]     # (B, H)
        h_second = forward(params, second, activation=activation).h[-1]
        gaps[j] = np.linalg.norm(h_first - h_second, axis=1)
    return gaps

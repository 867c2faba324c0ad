"""How fast the hidden state forgets: final states of histories that differ only in the past.

Two token sequences of length T that agree on their last d tokens, differ in the token just
before them and are otherwise independent random tokens end in two final states h_T and h'_T. If the state kept everything,
‖h_T - h'_T‖ would not shrink as d grows; in a contracting network it shrinks about
geometrically, and once it falls below float64's resolution the two states become identical.
"""
from __future__ import annotations

import numpy as np

from ..core.forward import forward
from ..core.validation import bad_value, check_int, check_int_ids, check_params


def shared_suffix_gaps(params: dict, *, T: int, n_pairs: int, seed: int = 0,
                       activation: str = "tanh", agree=None) -> np.ndarray:
    """‖h_T - h'_T‖ for pairs of random token sequences sharing exactly their last d tokens.

    params: the model (its D is the number of tokens). T: sequence length. n_pairs: pairs per d.
    agree: the values of d to run (default 0, 1, ..., T - 1), each in [0, T]. For d < T the
    token at position T - d - 1 differs between the two histories, so that no pair is identical.
    Returns gaps (A, n_pairs), A = len(agree): gaps[j, i] is the distance for pair i with
    d = agree[j]. The same seed gives the same tokens.
    """
    T, n_pairs = check_int("T", T), check_int("n_pairs", n_pairs)
    _, sizes = check_params(params)
    agree = np.arange(T) if agree is None else check_int_ids("agree", agree, "whole numbers d")
    if agree.ndim != 1 or (agree < 0).any() or (agree > T).any():
        raise bad_value("agree", f"a 1-D sequence of whole numbers d with 0 <= d <= T = {T}",
                        agree)
    if sizes.D < 2 and (agree < T).any():
        raise bad_value("params", "a model with D >= 2 tokens, so that two histories can differ",
                        f"D = {sizes.D}")
    rng = np.random.default_rng(seed)
    tail = rng.integers(0, sizes.D, size=(T, n_pairs))        # ids (T, B), shared part
    gaps = np.empty((len(agree), n_pairs))
    for j, d in enumerate(agree):
        first, second = tail.copy(), tail.copy()
        first[: T - d] = rng.integers(0, sizes.D, size=(T - d, n_pairs))
        second[: T - d] = rng.integers(0, sizes.D, size=(T - d, n_pairs))
        if d < T:   # the token before the shared part differs: a shift by 1..D-1, mod D
            shift = rng.integers(1, sizes.D, size=n_pairs)
            second[T - d - 1] = (first[T - d - 1] + shift) % sizes.D
        h_first = forward(params, first, activation=activation).h[-1]     # (B, H)
        h_second = forward(params, second, activation=activation).h[-1]
        gaps[j] = np.linalg.norm(h_first - h_second, axis=1)
    return gaps

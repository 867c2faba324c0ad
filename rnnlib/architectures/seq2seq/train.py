"""Training a seq2seq model on mini-batches of (source, target) pairs, and measuring it.

The loop is the library's one training loop, ``rnnlib.fit(params, objective=...,
optimizer=Adagrad, clip=κ)``; this module only supplies each step's mini-batch, padded, and,
for scheduled sampling, the decoder inputs of that step.
"""
from __future__ import annotations

import numpy as np

from ...core.validation import bad_type, bad_value, check_int, check_list, check_token_ids
from ...training.optim import Adagrad
from ...training.train import fit
from ...training.tree import get, param_leaves, spelled
from .decode import beam_search, check_eos, greedy_decode, sampled_inputs
from .model import check_tree, forward, loss_and_grads
from .tasks import pad_batch


def check_pairs(sources, targets, *, N: int | None = None, K: int | None = None,
                eos: int | None = None) -> tuple[list, list]:
    """n (source, target) pairs: ``sources`` a non-empty list of n id sequences (S_k,),
    ``targets`` a list of n id sequences (T_k,), each non-empty; with N (K), every source
    (target) id in [0, N) ([0, K)); with ``eos``, every target ending with it. Returned as two
    lists of int64 arrays. Errors name the sequence as the caller indexes it ("targets[3]")."""
    n = len(check_list("sources", sources, what="id sequences"))
    check_list("targets", targets, n, "id sequences, one per source")
    checked = []
    for name, seqs, upper, bound in (("sources", sources, N, "N"), ("targets", targets, K, "K")):
        axis = "S" if name == "sources" else "T"
        out = []
        for i, seq in enumerate(seqs):
            ids = check_token_ids(f"{name}[{i}]", seq, axes=(axis,))
            if ids.size == 0:
                raise bad_value(f"{name}[{i}]", "a non-empty id sequence", "an empty one")
            out.append(ids)
        if upper is not None:
            # one range check over every id; the first sequence outside is then named
            every = np.concatenate(out)
            if every.min() < 0 or every.max() >= upper:
                for i, ids in enumerate(out):
                    check_token_ids(f"{name}[{i}]", ids, upper, bound=bound)
        checked.append(out)
    if eos is not None:
        for i, t in enumerate(checked[1]):
            if t[-1] != eos:
                raise bad_value(f"targets[{i}]", f"ids ending with the end symbol eos = {eos}",
                                f"one ending with {int(t[-1])}")
    return checked[0], checked[1]


def batches(sources, targets, *, size: int, seed: int = 0):
    """A function i -> (src (S, B), src_lengths, tgt (T', B), tgt_lengths) of ``size`` random
    pairs, B = size, for sources and targets as ``check_pairs`` takes them."""
    sources, targets = check_pairs(sources, targets)
    return _batches(sources, targets, check_int("size", size, maximum=len(sources)),
                    check_int("seed", seed, minimum=0))


def _batches(sources: list, targets: list, size: int, seed: int):
    # Padded once, all pairs; a batch takes its columns and the rows up to its longest: the
    # same arrays as padding the batch's pairs on their own (the padding is PAD either way).
    n = len(sources)
    src_all, sl_all = pad_batch(sources)
    tgt_all, tl_all = pad_batch(targets)

    def batch(i: int):
        pick = np.random.default_rng([seed, i]).choice(n, size=size, replace=False)
        sl, tl = sl_all[pick], tl_all[pick]
        return (np.ascontiguousarray(src_all[:sl.max(), pick]), sl,
                np.ascontiguousarray(tgt_all[:tl.max(), pick]), tl)
    return batch


def snap_to_float32(params) -> None:
    """Round every parameter of the tree to the nearest float32 value, in place (kept float64).

    Why: results reproducible across BLAS kernels. Two machines compute the same matrix
    products with different summation orders, so a gradient differs in its last bits (~1e-16
    relative); over hundreds of updates such differences grow until a held-out example is
    decoded differently. Rounding the parameters to float32 precision (~6e-8 relative) before
    each gradient evaluation absorbs them: both machines then start every update from the same
    parameters, unless an entry lies within ~1e-16 of a float32 rounding boundary.
    """
    for _, leaf in param_leaves(params):
        leaf[...] = leaf.astype(np.float32)


def fit_seq2seq(params: dict, sources, targets, *, steps: int, batch: int = 64, lr: float = 0.05,
                clip: float = 5.0, seed: int = 0, p_true=None) -> list[float]:
    """Train ``params`` in place on sources (each (S_k,) ids) and targets (each (T_k,) ids
    ending with the end symbol); return the mean loss per target symbol at each update, a list
    of ``steps`` floats.

    p_true: None (teacher forcing), or a function i -> the probability of feeding the true
    previous symbol at update i (scheduled sampling, Bengio et al., 2015).
    The parameters are rounded to float32 precision before every update and at the end
    (``snap_to_float32``), so the trained model is the same on every machine.
    """
    tree = check_tree(params)
    for path, _ in param_leaves(tree.p):          # each is trained and snapped in place
        leaf = get(params, path)
        if not (isinstance(leaf, np.ndarray) and leaf.dtype == np.float64):
            raise bad_type(spelled(path), "a float64 ndarray (trained in place)", leaf)
    sources, targets = check_pairs(sources, targets, N=tree.N, K=tree.K)
    draw = _batches(sources, targets, check_int("batch", batch, maximum=len(sources)),
                    check_int("seed", seed, minimum=0))
    if p_true is not None and not callable(p_true):
        raise bad_type("p_true", "None or a function i -> a probability in [0, 1]", p_true)
    rng = np.random.default_rng([seed, 99])
    sizes = []

    def objective(p, i):
        snap_to_float32(p)      # the one place: reproducible across BLAS kernels (see above)
        src, sl, tgt, tl = draw(i)
        z = None
        if p_true is not None:
            z = sampled_inputs(p, src, tgt, p_true=float(p_true(i)), rng=rng, src_lengths=sl)
        loss, grads = loss_and_grads(p, src, tgt, src_lengths=sl, tgt_lengths=tl, decoder_inputs=z)
        sizes.append(int(tl.sum()))
        return loss, grads
    history = fit(params, objective=objective, steps=steps, optimizer=Adagrad(lr), clip=clip)
    snap_to_float32(params)     # the last update too: the returned model is machine-independent
    return [loss / n for loss, n in zip(history.loss, sizes)]


def exact_match(params: dict, sources, targets, *, eos: int, width: int | None = None,
                alpha: float = 1.0, batch: int = 500) -> np.ndarray:
    """For each pair, whether the decoded output equals the target exactly: bools (n,), for
    n sources (each (S_k,) ids) and n targets (each (T_k,) ids in [0, K) ending with ``eos``).

    width None: greedy decoding; else beam search of that width (length normalisation
    exponent ν = ``alpha``).
    batch: how many sources are decoded together.
    """
    tree = check_tree(params)
    eos = check_eos(eos, tree.K)
    sources, targets = check_pairs(sources, targets, N=tree.N, K=tree.K, eos=eos)
    batch = check_int("batch", batch)
    hits = []
    steps = max(len(t) for t in targets) + 2
    for start in range(0, len(sources), batch):
        src, sl = pad_batch(sources[start:start + batch])
        want = [t[:-1] for t in targets[start:start + batch]]         # without the end symbol
        if width is None:
            got = greedy_decode(params, src, steps=steps, eos=eos, src_lengths=sl).outputs
        else:
            got = [b.tokens for b in beam_search(params, src, width=width, steps=steps, eos=eos,
                                                 src_lengths=sl, alpha=alpha)]
        hits += [len(g) == len(w) and bool(np.all(g == w)) for g, w in zip(got, want)]
    return np.array(hits)


def symbol_accuracy(params: dict, sources, targets, *, teacher_forced: bool) -> float:
    """The fraction of target symbols (end symbol included) predicted right, position by
    position, over sources (each (S_k,) ids) and targets (each (T_k,) ids in [0, K)).

    teacher_forced (a bool): the decoder reads the true previous symbols (as in training), so
    each step is judged on a correct past; else it reads its own greedy outputs (free running),
    as it must when it is used, so one early mistake can spoil the steps after it.
    """
    if not isinstance(teacher_forced, bool):
        raise bad_type("teacher_forced", "a bool", teacher_forced)
    tree = check_tree(params)
    sources, targets = check_pairs(sources, targets, N=tree.N, K=tree.K)
    src, sl = pad_batch(sources)
    tgt, tl = pad_batch(targets)
    mask = np.arange(tgt.shape[0])[:, None] < tl[None, :]
    if teacher_forced:
        predicted = forward(params, src, tgt, src_lengths=sl).o.argmax(axis=-1)
    else:
        predicted = greedy_decode(params, src, steps=tgt.shape[0], eos=None, src_lengths=sl).tokens
    return float(np.mean((predicted == tgt)[mask]))

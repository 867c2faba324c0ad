"""Checks on every argument that crosses rnnlib's public surface.

Every check raises ``ValueError`` (or ``TypeError`` for a wrong type) whose message names the
argument, what it got and what it expected. The numeric path, the symbolic path and the
step-by-step trace all call :func:`check_call`, so bad input fails the same way everywhere,
before any arithmetic can turn it into a silently wrong number.

After checking, inputs are brought to one *batched* layout so the engines have a single code
path: ``xs`` (T, B, D) floats or (T, B) ids, ``h0`` (B, H), targets (T, B[, K]).
"""
from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Mapping

import numpy as np

PARAM_KEYS = ("U", "W", "V", "b", "c")
ACTIVATIONS = ("tanh", "sigmoid", "relu")
LOSSES = ("cross_entropy", "mse")
MODES = ("many_to_many", "many_to_one")
CELLS = ("rnn", "lstm", "gru")
GATE_COUNT = {"rnn": 1, "lstm": 4, "gru": 3}     # gates stacked in U, W, b


class NonFiniteError(ValueError):
    """A value that must be finite is inf or nan. ``argument`` names it: "o" for logits that
    overflowed in the forward pass (the model diverged), else the caller's argument."""

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class Sizes:
    """The sizes of a model: D inputs, H hidden units, K outputs."""

    D: int
    H: int
    K: int


@dataclass
class Call:
    """A checked call, in the batched layout, plus what is needed to undo the batching."""

    params: dict
    sizes: Sizes
    xs: np.ndarray          # (T, B, D) float64, or (T, B) int64 token ids
    token_ids: bool
    batched: bool           # False: the caller passed one sequence; results drop the B axis
    h0: np.ndarray          # (B, H)
    h0_shared: bool         # True: one (H,) state for every sequence (given as (H,), or one
                            # sequence); False: (B, H), given so or None (zeros) for a batch
    activation: str
    targets: np.ndarray | None = None   # (T, B) ids / (T, B, K) floats; (B,) / (B, K) many_to_one
    loss: str = "cross_entropy"
    mode: str = "many_to_many"
    truncate: int | None = None
    cell: str = "rnn"                   # which cell module runs it (rnnlib.core.loop.CELLS)
    s0: np.ndarray | None = None        # (B, H): the LSTM's initial cell state, else None
    s0_shared: bool = True

    def state(self) -> tuple:
        """The initial state as the cell carries it: (h0, s0) for the LSTM, (h0,) otherwise."""
        return (self.h0,) if self.s0 is None else (self.h0, self.s0)

    @property
    def T(self) -> int:
        return self.xs.shape[0]

    @property
    def B(self) -> int:
        return self.xs.shape[1]


def check_choice(name: str, value: Any, allowed: tuple) -> str | None:
    """``value`` must be one of the strings in ``allowed`` (or None, if ``allowed`` holds it)."""
    if value is None and None in allowed:
        return None
    if not isinstance(value, str):
        raise TypeError(f"argument '{name}': expected one of {list(allowed)}, got {value!r} "
                        f"of type {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"argument '{name}': expected one of {list(allowed)}, got {value!r}")
    return value


def check_int(name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` must be an int (not a bool) in [minimum, maximum]; returns it as an int."""
    upper = "" if maximum is None else f" and <= {maximum}"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"argument '{name}': expected an int >= {minimum}{upper}, got {value!r} "
                        f"of type {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"argument '{name}': expected an int >= {minimum}{upper}, got {value!r}")
    return int(value)


def check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """``value`` must be a finite real number > 0 (>= 0 with ``allow_zero``); returns a float."""
    want = f"a finite number {'>=' if allow_zero else '>'} 0"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"argument '{name}': expected {want}, got {value!r} "
                        f"of type {type(value).__name__}")
    if not (np.isfinite(value) and (value >= 0 if allow_zero else value > 0)):
        raise ValueError(f"argument '{name}': expected {want}, got {value!r}")
    return float(value)


def check_float_array(name: str, value: Any) -> np.ndarray:
    """A real float64 array, any shape (kept); rejects strings, objects, complex numbers and
    non-finite values."""
    with _overflow_expected():
        return _float_array(name, value)


def _overflow_expected():
    """Σ x² (below) may overflow for finite entries; numpy would warn, but it is expected and
    handled. Entered once per group of arrays, not per array: entering costs ~0.7 µs."""
    return np.errstate(over="ignore", invalid="ignore")


def as_array(name: str, value: Any) -> np.ndarray:
    """``np.asarray(value)`` (any shape), or a TypeError naming ``name`` when numpy cannot make
    an array of it (a ragged nested list, say) instead of numpy's own message."""
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"argument '{name}': expected a numeric array, got {type(value).__name__} "
                        f"that numpy cannot convert ({exc})") from None


def _float_array(name: str, value: Any) -> np.ndarray:
    """check_float_array's work; call it inside ``_overflow_expected()``."""
    arr = as_array(name, value)
    if arr.dtype.kind not in "iuf":       # "b" bool, "c" complex, "U" strings, "O" objects
        raise TypeError(f"argument '{name}': expected a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64, copy=False)
    # Σ x² is nan or inf when any entry is: one BLAS dot, no temporary array, about twice as
    # fast as min and max (every call checks every parameter, so this is paid per step of
    # training). It also overflows for finite |x| > 1e154; only then is the exact elementwise
    # mask built, and it decides.
    flat = arr.reshape(-1)
    if not math.isfinite(flat.dot(flat)):   # math.isfinite: a scalar test without a ufunc call
        bad = np.argwhere(~np.isfinite(arr))
        if len(bad):
            raise NonFiniteError(name, f"argument '{name}': expected finite values, got "
                                       f"{arr[tuple(bad[0])]} at index "
                                       f"{tuple(int(i) for i in bad[0])}")
    return arr


def check_param_mapping(params: Any, keys: tuple = PARAM_KEYS, name: str = "params") -> None:
    """``params`` must be a mapping holding every one of ``keys`` (default: a whole model of any
    cell; a single layer passes its own keys). ``name`` is how errors name the argument."""
    if not isinstance(params, Mapping):
        raise TypeError(f"argument '{name}': expected a mapping with keys {list(keys)}, "
                        f"got {type(params).__name__}")
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"argument '{name}': missing keys {missing}; expected keys "
                         f"{list(keys)}, got {sorted(params)}")


def check_params(params: Any, cell: str = "rnn") -> tuple[dict, Sizes]:
    """Check a model's parameters; return float64 arrays (views where possible) and the sizes.

    G gates (1 for "rnn", 4 for "lstm", 3 for "gru") are stacked along the first axis:
    U (G·H, D), W (G·H, H), b (G·H,); the output layer V (K, H), c (K,) is every cell's.
    """
    check_param_mapping(params)
    G = GATE_COUNT[cell]
    with _overflow_expected():
        p = {k: _float_array(f"params['{k}']", params[k]) for k in PARAM_KEYS}
    W = p["W"]
    if W.ndim != 2 or W.shape[1] == 0 or W.shape[0] != G * W.shape[1]:
        want = "a square (H, H) matrix" if G == 1 else \
            f"shape ({G}·H, H): cell='{cell}' stacks {G} gates"
        raise ValueError(f"argument 'params['W']': expected {want}, got shape {W.shape}")
    H = W.shape[1]
    rows, of = (f"H={H}", "") if G == 1 else (f"{G}·H={G * H}", f" for cell='{cell}'")
    if p["U"].ndim != 2 or p["U"].shape[0] != G * H or p["U"].shape[1] == 0:
        raise ValueError(f"argument 'params['U']': expected shape ({rows}, D){of}, "
                         f"got {p['U'].shape}")
    D = p["U"].shape[1]
    if p["b"].shape != (G * H,):
        want = f"(H,) = ({H},)" if G == 1 else f"({G}·H,) = ({G * H},){of}"
        raise ValueError(f"argument 'params['b']': expected shape {want}, got {p['b'].shape}")
    _check_output_shapes("params", p["V"], p["c"], H)
    return p, Sizes(D=D, H=H, K=p["V"].shape[0])


def check_xs(xs: Any, D: int) -> tuple[np.ndarray, bool, bool]:
    """Return ``(xs_batched, token_ids, batched)``; xs (T,D)/(T,B,D) floats or (T,)/(T,B) ids."""
    arr = as_array("xs", xs)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"argument 'xs': expected float inputs (T, D) / (T, B, D) or integer "
                        f"token ids (T,) / (T, B), got dtype {arr.dtype}")
    if arr.dtype.kind in "iu":
        if arr.ndim not in (1, 2) or arr.shape[0] == 0 or 0 in arr.shape:
            raise ValueError(f"argument 'xs': integer token ids must have shape (T,) or (T, B) "
                             f"with T, B >= 1, got shape {arr.shape}")
        check_id_range("xs", arr, D, "token id", "D")
        batched = arr.ndim == 2
        ids = arr.astype(np.int64, copy=False)
        return (ids if batched else ids[:, None]), True, batched
    if arr.ndim not in (2, 3) or arr.shape[-1] != D or 0 in arr.shape:
        raise ValueError(f"argument 'xs': expected float shape (T, D={D}) or (T, B, D={D}) with "
                         f"T, B >= 1, got {arr.shape}")
    arr = check_float_array("xs", arr)
    batched = arr.ndim == 3
    return (arr if batched else arr[:, None, :]), False, batched


def check_state(name: str, value: Any, H: int, B: int, batched: bool) -> tuple[np.ndarray, bool]:
    """An initial state (h0, or the LSTM's s0) as ``(state (B, H), shared)``; shared means one
    (H,) state for every sequence.

    ``None`` stands for the zeros of the shape the state would have: (H,) for one sequence,
    (B, H) for a batch, so the gradient of a batch's None state is (B, H), one row a sequence.
    """
    if value is None:
        return np.zeros((B, H)), not batched
    arr = check_float_array(name, value)
    if arr.shape == (H,):
        return np.broadcast_to(arr, (B, H)).copy(), True
    if batched and arr.shape == (B, H):
        return arr.copy(), False
    expected = f"(H,) = ({H},) or (B, H) = ({B}, {H})" if batched else f"(H,) = ({H},)"
    raise ValueError(f"argument '{name}': expected shape {expected}, got {arr.shape}")


def check_targets(targets: Any, loss: str, mode: str, T: int, B: int, K: int,
                  batched: bool) -> np.ndarray:
    """Return targets batched: (T, B) / (T, B, K), or (B,) / (B, K) for many_to_one."""
    lead = ((T,) if mode == "many_to_many" else ()) + ((B,) if batched else ())
    if loss == "cross_entropy":
        arr = check_class_ids("targets", targets, lead, K,
                              f" (loss='cross_entropy', mode='{mode}')")
    else:
        expected = lead + (K,)
        arr = check_float_array("targets", targets)
        if arr.shape != expected:
            raise ValueError(f"argument 'targets': expected float targets of shape {expected} "
                             f"(loss='mse', mode='{mode}'), got {arr.shape}")
    if not batched:  # add the B axis after the time axis (or first, for many_to_one)
        arr = arr[:, None] if mode == "many_to_many" else arr[None]
    return arr


def check_truncate(truncate: Any) -> int | None:
    """None (full BPTT) or a chunk length k >= 1."""
    return None if truncate is None else check_int("truncate", truncate)


def check_call(params: Any, xs: Any, *, h0: Any = None, activation: str = "tanh",
               targets: Any = None, loss: str | None = None, mode: str = "many_to_many",
               truncate: Any = None) -> Call:
    """Check a whole call. ``targets=None`` and ``loss=None`` mean a forward-only call.

    xs (T, D) / (T, B, D) floats or (T,) / (T, B) ids, h0 (H,) / (B, H) / None, targets as the
    contract says; the Call holds them batched: xs (T, B, D) or (T, B), h0 (B, H).
    """
    p, sizes = check_params(params)
    check_choice("activation", activation, ACTIVATIONS)
    xs_b, token_ids, batched = check_xs(xs, sizes.D)
    h0_b, shared = check_state("h0", h0, sizes.H, xs_b.shape[1], batched)
    call = Call(p, sizes, xs_b, token_ids, batched, h0_b, shared, activation)
    return _check_scoring(call, targets, loss, mode, truncate)


def _check_scoring(call: Call, targets: Any, loss: Any, mode: Any, truncate: Any) -> Call:
    """The loss, mode, truncation and targets (T, [B,] ...) of a call that is scored: one given
    targets or a loss. (A forward-only call gives neither, so a scored call's loss=None is an
    error here rather than a crash in the loop.)"""
    if loss is None and targets is None:
        return call
    call.loss = check_choice("loss", loss, LOSSES)
    call.mode = check_choice("mode", mode, MODES)
    call.truncate = check_truncate(truncate)
    call.targets = check_targets(targets, loss, mode, call.T, call.B, call.sizes.K, call.batched)
    return call


def require_targets(call: Call) -> Call:
    """A call that must be scored (a loss and its gradients): targets=None with loss=None passes
    :func:`check_call` as a forward-only call, so say here that the targets are missing."""
    if call.targets is None:
        raise bad_type("targets", "targets to score (a loss needs them; rnnlib.forward runs "
                       "without them)", None)
    return call


def check_finite_logits(o: np.ndarray) -> None:
    """Logits o (T, B, K) (any shape) overflow only when the parameters are absurd; say so
    instead of returning NaN."""
    flat = o.reshape(-1)
    with _overflow_expected():           # Σ o² is inf or nan if any logit is (see _float_array)
        suspect = not math.isfinite(flat.dot(flat))
    if suspect and not np.all(np.isfinite(o)):
        raise NonFiniteError("o", "logits 'o' became non-finite (inf or nan) during the forward "
                                  "pass; expected finite logits: check the scale of params and xs")


# --- gated cells (LSTM, GRU) -------------------------------------------------------------
# The gates are stacked along the first axis of U, W and b (G·H rows instead of H); V and c are
# the output layer as before. The LSTM carries a second state, s0.


def check_gated_call(params, xs, *, cell: str, h0=None, s0=None, activation: str = "tanh",
                     targets=None, loss: str | None = None, mode: str = "many_to_many",
                     truncate=None) -> Call:
    """Check a whole call to a gated cell (no targets and no loss: forward only), as
    :func:`check_call`: xs (T, [B,] D) or ids (T, [B,]); h0, s0 (H,) / (B, H) / None."""
    check_choice("cell", cell, CELLS)
    if cell != "lstm" and s0 is not None:
        raise ValueError("argument 's0': only cell='lstm' has a cell state s; expected None for "
                         f"cell='{cell}', got an array of shape {np.shape(s0)}")
    if cell == "rnn":
        raise bad_value("cell", "'lstm' or 'gru' (a gated cell; the plain cell is "
                        "rnnlib.forward / rnnlib.loss_and_grads)", repr(cell))
    if activation != "tanh":
        raise ValueError(f"argument 'activation': does not apply to cell='{cell}' (its "
                         f"nonlinearities are fixed); expected the default 'tanh', got "
                         f"{activation!r}")
    p, sizes = check_params(params, cell)
    xs_b, token_ids, batched = check_xs(xs, sizes.D)
    B = xs_b.shape[1]
    h0_b, h_shared = check_state("h0", h0, sizes.H, B, batched)
    call = Call(p, sizes, xs_b, token_ids, batched, h0_b, h_shared, "tanh", cell=cell)
    if cell == "lstm":
        call.s0, call.s0_shared = check_state("s0", s0, sizes.H, B, batched)
    return _check_scoring(call, targets, loss, mode, truncate)


def check_cell_call(params, xs, *, cell: str = "rnn", h0=None, s0=None, activation: str = "tanh",
                    targets=None, loss: str | None = None, mode: str = "many_to_many",
                    truncate=None) -> Call:
    """Check a whole call to any cell: :func:`check_call` for the plain cell (which has no s0),
    :func:`check_gated_call` for the others. Shapes as :func:`check_call`; s0 (H,) / (B, H)."""
    if cell == "rnn" and s0 is None:
        return check_call(params, xs, h0=h0, activation=activation, targets=targets, loss=loss,
                          mode=mode, truncate=truncate)
    return check_gated_call(params, xs, cell=cell, h0=h0, s0=s0, activation=activation,
                            targets=targets, loss=loss, mode=mode, truncate=truncate)


# --- checks the architectures, the training loop and the text tools share ------------------
# Every message has one form: "argument 'NAME': expected WHAT, got WHAT" (TypeError for a
# wrong type, ValueError for a wrong value). ``bad_value`` / ``bad_type`` build it for a check
# that is one line where it is used; the rest are here whole.

def bad_value(name: str, expected: str, got: Any) -> ValueError:
    """The ValueError every check raises: ``raise bad_value("lengths", "at least 1", 0)``.
    ``got`` is shown as given when it is a string, else by repr."""
    shown = got if isinstance(got, str) else repr(got)
    return ValueError(f"argument '{name}': expected {expected}, got {shown}")


def bad_type(name: str, expected: str, got: Any) -> TypeError:
    """The TypeError for a value of the wrong type: names ``got``'s type (an array's shape and
    dtype, which say more than the start of its repr)."""
    if isinstance(got, np.ndarray):
        return TypeError(f"argument '{name}': expected {expected}, got an ndarray of shape "
                         f"{got.shape} and dtype {got.dtype}")
    return TypeError(f"argument '{name}': expected {expected}, got {got!r:.60} of type "
                     f"{type(got).__name__}")


def check_fraction(name: str, value: Any, *, low_open: bool = False,
                   high_open: bool = True) -> float:
    """A real number in [0, 1); ``low_open`` excludes 0, ``high_open=False`` includes 1 (a
    leak rate is in (0, 1], a probability in [0, 1]). Returns a float."""
    want = f"a number in {'(' if low_open else '['}0, 1{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise bad_type(name, want, value)
    above = 0 < value if low_open else 0 <= value
    below = value < 1 if high_open else value <= 1
    if not (above and below):            # nan fails both
        raise bad_value(name, want, value)
    return float(value)


def check_even(name: str, value: Any) -> int:
    """An even int >= 2 (a size that sines and cosines fill in pairs, as position encodings do)."""
    if check_int(name, value, minimum=2) % 2:
        raise bad_value(name, "an even int >= 2", value)
    return int(value)


def check_str(name: str, value: Any) -> str:
    """``value`` must be a str (a text, a name)."""
    if not isinstance(value, str):
        raise bad_type(name, "a str", value)
    return value


def check_vector(name: str, value: Any, what: str = "numbers", *, size: int | None = None,
                 finite: bool = True, positive: bool = False, minimum: float | None = None,
                 maximum: float | None = None) -> np.ndarray:
    """A 1-D float64 array (N,) of real numbers, non-empty (or of exactly N = ``size`` entries);
    finite unless ``finite=False`` (a diverged run's losses are allowed to be inf or nan); each
    > 0 with ``positive``, and in [minimum, maximum] when those are given (:func:`check_range`;
    say so in ``what``, e.g. "temperatures > 0", "accuracies in [0, 1]")."""
    want = (f"a non-empty 1-D sequence of {what}" if size is None
            else f"{size} {what}, shape ({size},)")
    arr = check_float_array(name, value) if finite else as_array(name, value)
    if arr.dtype.kind not in "iuf":      # only reachable with finite=False
        raise bad_type(name, want, arr)
    if arr.ndim != 1 or (arr.size == 0 if size is None else arr.size != size):
        raise bad_value(name, want, f"shape {arr.shape}")
    if positive and not np.all(arr > 0):
        i = int(np.flatnonzero(~(arr > 0))[0])
        raise bad_value(name, want, f"{arr[i]:g} at index {i}")
    return check_range(name, arr.astype(np.float64, copy=False), want,
                       minimum=minimum, maximum=maximum)


def check_range(name: str, arr: np.ndarray, what: str, *, minimum: float | None = None,
                maximum: float | None = None) -> np.ndarray:
    """``arr`` (a real array, any shape) unchanged if every entry is >= ``minimum`` and <=
    ``maximum`` (None: no bound); else a ValueError naming the first entry outside, and its
    index. nan is outside every bound. ``what`` is the expectation the message states, e.g.
    "accuracies in [0, 1]"."""
    outside = np.zeros(arr.shape, dtype=bool)
    if minimum is not None:
        outside |= ~(arr >= minimum)
    if maximum is not None:
        outside |= ~(arr <= maximum)
    if outside.any():
        where = tuple(int(i) for i in np.argwhere(outside)[0])
        raise bad_value(name, what, f"{arr[where]:g} at index {where[0] if arr.ndim == 1 else where}")
    return arr


def check_mapping(name: str, value: Any, what: str = "values") -> Mapping:
    """A non-empty mapping {label: what}, such as one curve per labelled run."""
    want = f"a non-empty mapping {{label: {what}}}"
    if not isinstance(value, Mapping):
        raise bad_type(name, want, value)
    if not value:
        raise bad_value(name, want, "an empty one")
    return value


def check_shape(name: str, value: Any, shape: tuple, what: str = "") -> np.ndarray:
    """``value`` as an array of exactly ``shape`` (a tuple such as (T, B, H)); ``what`` says what
    the shape is, e.g. "like the layer's states"."""
    arr = as_array(name, value)
    if arr.shape != tuple(shape):
        raise bad_value(name, f"shape {tuple(shape)}{' ' + what if what else ''}", str(arr.shape))
    return arr


def check_int_ids(name: str, ids: Any, what: str = "integer ids") -> np.ndarray:
    """An integer array (any shape, any integer dtype; not bool): TypeError otherwise."""
    arr = as_array(name, ids)
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise TypeError(f"argument '{name}': expected {what}, got dtype {arr.dtype}")
    return arr


def check_id_range(name: str, arr: np.ndarray, upper: int, what: str = "id",
                   bound: str = "") -> np.ndarray:
    """Every entry of the integer array ``arr`` (any shape) in [0, upper); ``bound`` names the
    upper end (e.g. "K", "D", "size")."""
    if arr.size and (arr.min() < 0 or arr.max() >= upper):
        bad = arr.min() if arr.min() < 0 else arr.max()
        limit = f"[0, {bound}) = [0, {upper})" if bound else f"[0, {upper})"
        raise ValueError(f"argument '{name}': {what} {int(bad)} is outside {limit}")
    return arr


def check_class_ids(name: str, ids: Any, shape: tuple, K: int, why: str = "") -> np.ndarray:
    """Integer class ids of exactly ``shape`` (e.g. (T, B)), each in [0, K); returned as int64
    (no copy when they are). ``why`` is added to the shape's message, e.g. " (mode=...)"."""
    arr = check_int_ids(name, ids, f"integer class ids of shape {shape}{why}")
    if arr.shape != shape:
        raise ValueError(f"argument '{name}': expected class ids of shape {shape}{why}, "
                         f"got {arr.shape}")
    return check_id_range(name, arr, K, "class id", "K").astype(np.int64, copy=False)


def check_token_ids(name: str, ids: Any, upper: int | None = None, *, axes: tuple | None = None,
                    bound: str = "") -> np.ndarray:
    """Integer token ids as int64, any shape, or with ``axes`` (the names of the axes, e.g.
    ("T", "B") for ids (T, B)) exactly that many; with ``upper``, each in [0, upper) (``bound``
    names it, e.g. "D")."""
    shape = "" if axes is None else f" of shape ({', '.join(axes)}{',' * (len(axes) == 1)})"
    arr = check_int_ids(name, ids, f"integer token ids{shape}")
    if axes is not None and arr.ndim != len(axes):
        raise bad_value(name, f"integer token ids{shape}", f"shape {arr.shape}")
    if upper is not None:
        check_id_range(name, arr, upper, "token id", bound)
    return arr.astype(np.int64, copy=False)


def check_lengths(lengths: Any, T: int, B: int, name: str = "lengths") -> np.ndarray:
    """Sequence lengths (B,) of ints in [1, T]; None means every sequence is T steps long."""
    if lengths is None:
        return np.full(B, T, dtype=np.int64)
    arr = check_int_ids(name, lengths, f"integer lengths of shape ({B},)")
    if arr.shape != (B,):
        raise ValueError(f"argument '{name}': expected shape (B,) = ({B},), got {arr.shape}")
    if arr.min() < 1 or arr.max() > T:
        bad = arr.min() if arr.min() < 1 else arr.max()
        raise ValueError(f"argument '{name}': length {int(bad)} is outside [1, T] = [1, {T}]")
    return arr.astype(np.int64)


def check_output_layer(params: Any, H: int, name: str = "params") -> tuple[np.ndarray, np.ndarray]:
    """V (K, H) and c (K,) from ``params``, finite, checked against the width H of the states."""
    if not isinstance(params, Mapping):
        raise bad_type(name, f"a mapping with the output layer V (K, H={H}) and c (K,)", params)
    for key in ("V", "c"):
        if key not in params:
            raise ValueError(f"argument '{name}': missing key {key!r}; the output layer needs "
                             f"V (K, H={H}) and c (K,)")
    with _overflow_expected():
        V = _float_array(f"{name}['V']", params["V"])
        c = _float_array(f"{name}['c']", params["c"])
    _check_output_shapes(name, V, c, H)
    return V, c


def _check_output_shapes(name: str, V: np.ndarray, c: np.ndarray, H: int) -> None:
    """The output layer's shapes: V (K, H), c (K,); ``name`` is the mapping that holds them."""
    if V.ndim != 2 or V.shape[1] != H or V.shape[0] == 0:
        raise ValueError(f"argument '{name}['V']': expected shape (K, H={H}), got {V.shape}")
    if c.shape != (V.shape[0],):
        raise ValueError(f"argument '{name}['c']': expected shape (K,) = ({V.shape[0]},), "
                         f"got {c.shape}")


def check_list(name: str, value: Any, length: int | None = None, what: str = "items") -> list:
    """A list or tuple (of ``length`` entries when given, else non-empty) of ``what``."""
    want = f"a list of {length} {what}" if length is not None else f"a non-empty list of {what}"
    if not isinstance(value, (list, tuple)):
        raise bad_type(name, want, value)
    if (length is not None and len(value) != length) or (length is None and not value):
        raise bad_value(name, want, f"a list of length {len(value)}")
    return list(value)


@contextmanager
def named(prefix: str):
    """Re-raise a check's ValueError/TypeError with the parameters renamed for an architecture.

    The core says "argument 'params['U']'"; inside a bidirectional model the caller should read
    "argument 'params['forward']['U']'". ``prefix`` is the path, e.g. "params['forward']".
    """
    def rename(text: str) -> str:
        return re.sub(r"argument 'params(\[[^\]]*\])?'",
                      lambda m: f"argument '{prefix}{m.group(1) or ''}'", text)
    try:
        yield
    except NonFiniteError as exc:        # a ValueError that also carries the argument's name
        argument = rename(f"argument '{exc.argument}'")[len("argument '"):-1]
        raise NonFiniteError(argument, rename(str(exc))) from None
    except (ValueError, TypeError) as exc:
        raise type(exc)(rename(str(exc))) from None

"""rnnlib: the small numpy RNN package that *Recurrent Neural Networks, Step by Step* stands on.

One notation everywhere (Goodfellow et al., ch. 10), column vectors, time-major:

    a_t = b + W h_{t-1} + U x_t,   h_t = f(a_t),   o_t = c + V h_t,   ŷ_t = softmax(o_t)

Each concept lives in its own module (forward.py, bptt.py, step.py, trace.py, jacobians.py,
gradcheck.py, optim.py, clipping.py, train.py, vocab.py, sampling.py, notation.py,
datasets.py, corpus.py, embeddings.py; symbolic/, widgets/ and plotting/ are
packages, imported on their own); the names below are the public surface.
"""
from .activations import activate, derivative, relu, sigmoid
from .bptt import loss_and_grads
from .clipping import clip_by_global_norm, clip_elementwise, global_norm
from .datasets import recall_first, sine_windows
from .forward import ForwardResult, forward, predict
from .gradcheck import check_grads, numerical_grads, relative_error
from .jacobians import jacobian_norms, spectral_radius, step_jacobians, with_spectral_radius
from .notation import NOTATIONS, forward_in_notation, from_notation, to_notation
from .optim import Adagrad, sgd_step
from .params import copy_params, init_params
from .sampling import sample
from .softmax import log_softmax, softmax
from .step import StepCache, StepGrads, one_hot, step_backward, step_forward
from .trace import Trace, trace
from .train import History, accuracy, fit
from .validation import ACTIVATIONS, LOSSES, MODES, PARAM_KEYS
from .vocab import EOS, UNK, Vocabulary, tokenize

__all__ = [
    "ACTIVATIONS", "Adagrad", "EOS", "ForwardResult", "History", "LOSSES", "MODES", "NOTATIONS",
    "PARAM_KEYS", "StepCache", "StepGrads", "Trace", "UNK", "Vocabulary", "accuracy", "activate",
    "check_grads", "clip_by_global_norm", "clip_elementwise", "copy_params", "derivative", "fit",
    "forward", "forward_in_notation", "from_notation", "global_norm", "init_params",
    "jacobian_norms", "log_softmax", "loss_and_grads", "numerical_grads", "one_hot", "predict",
    "recall_first", "relative_error", "relu", "sample", "sgd_step", "sigmoid", "sine_windows",
    "softmax", "spectral_radius", "step_backward", "step_forward", "step_jacobians",
    "to_notation", "tokenize", "trace", "with_spectral_radius",
]


def __getattr__(name):
    # rnnlib.symbolic imports sympy (slow to load); load it only when a caller asks for it.
    if name == "symbolic":
        import importlib
        return importlib.import_module(".symbolic", __name__)
    raise AttributeError(f"module 'rnnlib' has no attribute {name!r}")

"""rnnlib: the small numpy RNN package that *Recurrent Neural Networks, Step by Step* stands on.

One notation everywhere (Goodfellow et al., ch. 10), column vectors, time-major:

    a_t = b + W h_{t-1} + U x_t,   h_t = f(a_t),   o_t = c + V h_t,   ŷ_t = softmax(o_t)

The packages (rnnlib/README.md has the map):

    the library     core/ (cells, losses, forward, BPTT, checks), training/ (optimisers,
                    clipping, the one loop ``fit``, the sampler), text/, architectures/
    for the book    book/ (report, notation, traces, cost), plotting/, widgets/, symbolic/
    experiments/    the chapters' data sets and experiments

The names below are the public surface; ``rnnlib.symbolic`` loads on first use.
"""
from .core import reference
from .core.activations import activate, derivative, relu, sigmoid
from .core.bptt import loss_and_grads
from .training.clipping import clip_by_global_norm, clip_elementwise, global_norm
from .training.tree import as_vector, check_grads
from .experiments.datasets import recall_first, sine_windows
from .core.forward import ForwardResult, GatedForwardResult, forward, predict
from .core.gated import to_pytorch
from .core.gru import pytorch_gru_forward
from .core.gradcheck import numerical_grads, relative_error
from .core.similarity import cosine_similarity
from .core.jacobians import jacobian_norms, spectral_radius, step_jacobians, with_spectral_radius
from .book.notation import NOTATIONS, forward_in_notation, from_notation, to_notation
from .training.language_model import (batchify, generate, mean_loss, perplexity,
                                      random_windows, train_language_model)
from .training.optim import SGD, Adagrad, Adam, sgd_step
from .core.params import copy_params, init_params
from .training.sampling import sample
from .core.softmax import entropy, log_softmax, softmax
from .core.encoding import one_hot
from .core.step import StepCache, StepGrads, step_backward, step_forward
from .book.trace import Trace, trace
from .book.gated_trace import GatedTrace, gated_trace
from .experiments.forgetting import shared_suffix_gaps
from .book.cost import peak_bytes, step_multiply_adds
from .training.train import OPTIMIZERS, History, accuracy, fit, freeze, minibatches
from .core.validation import ACTIVATIONS, CELLS, LOSSES, MODES, PARAM_KEYS
from .text.vocab import EOS, UNK, Vocabulary, tokenize
from . import architectures as architectures  # chapter 7: bidirectional, stacked, encoder–decoder, masking
from .architectures import attention as attention  # chapter 10: additive and dot-product attention
from . import book as book, experiments as experiments, training as training
from .book import report as report

# Module paths from before the packages were split; the chapters and assignments still import
# these two, so they keep working.
OLD_MODULE_PATHS = {
    "rnnlib.report": "rnnlib.book.report",
    "rnnlib.training.recall": "rnnlib.experiments.recall",
}


def _alias_old_paths() -> None:
    import importlib
    import sys
    for old, new in OLD_MODULE_PATHS.items():
        sys.modules.setdefault(old, importlib.import_module(new))
    training.recall = sys.modules["rnnlib.training.recall"]


_alias_old_paths()

__all__ = [
    "ACTIVATIONS", "Adagrad", "Adam", "SGD", "minibatches", "random_windows", "CELLS", "GatedForwardResult", "GatedTrace",
    "OPTIMIZERS", "batchify", "freeze", "gated_trace", "generate", "mean_loss", "perplexity",
    "shared_suffix_gaps", "step_multiply_adds", "train_language_model", "EOS",
    "ForwardResult", "History", "LOSSES", "MODES", "NOTATIONS",
    "PARAM_KEYS", "StepCache", "StepGrads", "Trace", "UNK", "Vocabulary", "accuracy", "activate",
    "as_vector",
    "check_grads", "clip_by_global_norm", "clip_elementwise", "copy_params", "cosine_similarity",
    "derivative", "entropy", "fit",
    "forward", "forward_in_notation", "from_notation", "global_norm", "init_params",
    "jacobian_norms", "log_softmax", "loss_and_grads", "numerical_grads", "one_hot", "peak_bytes",
    "predict",
    "pytorch_gru_forward", "reference", "to_pytorch",
    "recall_first", "relative_error", "relu", "sample", "sgd_step", "sigmoid", "sine_windows",
    "softmax", "spectral_radius", "step_backward", "step_forward", "step_jacobians",
    "to_notation", "tokenize", "trace", "with_spectral_radius",
]


def __getattr__(name):
    # rnnlib.symbolic imports sympy (slow to load); load it only when a caller asks for it.
    if name == "symbolic":
        import importlib
        return importlib.import_module(".symbolic", __name__)
    # not an argument error: Python's attribute protocol (hasattr, getattr) expects this one
    raise AttributeError(f"module 'rnnlib' has no attribute {name!r}")

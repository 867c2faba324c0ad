"""rnnlib: the small numpy RNN package that *Recurrent Neural Networks, Step by Step* stands on.

One notation everywhere (Goodfellow et al., ch. 10), column vectors, time-major:

    a_t = b + W h_{t-1} + U x_t,   h_t = f(a_t),   o_t = c + V h_t,   ŷ_t = softmax(o_t)

The package, one concept per module:

    core/        the model: params, activations, softmax, losses, step (one time step),
                 reference (forward and BPTT written as the algorithm, one sequence, loops),
                 forward and bptt (the same numbers, fast, for batches), jacobians,
                 gradcheck, validation
    training/    optim, clipping, train (the loop), sampling, datasets
    text/        vocab, corpus, embeddings
    teaching layer: trace.py (every intermediate per step), notation.py (the sources'
                 notations), report.py (numbers as the book prints them), and the packages
                 symbolic/ (sympy), widgets/ (steppers) and plotting/, imported on their own

The names below are the public surface; ``rnnlib.symbolic`` loads on first use.
"""
from .core import reference
from .core.activations import activate, derivative, relu, sigmoid
from .core.bptt import loss_and_grads
from .training.clipping import clip_by_global_norm, clip_elementwise, global_norm
from .training.datasets import recall_first, sine_windows
from .core.forward import ForwardResult, forward, predict
from .core.gated import GatedForwardResult, to_pytorch
from .core.gru import pytorch_gru_forward
from .core.gradcheck import check_grads, numerical_grads, relative_error
from .core.jacobians import jacobian_norms, spectral_radius, step_jacobians, with_spectral_radius
from .notation import NOTATIONS, forward_in_notation, from_notation, to_notation
from .training.adam import Adam
from .training.language_model import (LMHistory, batchify, generate, mean_loss, perplexity,
                                      train_language_model)
from .training.optim import Adagrad, sgd_step
from .core.params import copy_params, init_params
from .training.sampling import sample
from .core.softmax import log_softmax, softmax
from .core.encoding import one_hot
from .core.step import StepCache, StepGrads, step_backward, step_forward
from .trace import Trace, trace
from .gated_trace import GatedTrace, gated_trace
from .forgetting import shared_suffix_gaps
from .cost import step_multiply_adds
from .training.train import OPTIMIZERS, History, accuracy, fit, freeze
from .core.validation import ACTIVATIONS, CELLS, LOSSES, MODES, PARAM_KEYS
from .text.vocab import EOS, UNK, Vocabulary, tokenize
from . import architectures  # chapter 7: bidirectional, stacked, encoder–decoder, masking
from . import attention  # chapter 10: additive and dot-product attention

__all__ = [
    "ACTIVATIONS", "Adagrad", "Adam", "CELLS", "GatedForwardResult", "GatedTrace", "LMHistory",
    "OPTIMIZERS", "batchify", "freeze", "gated_trace", "generate", "mean_loss", "perplexity",
    "shared_suffix_gaps", "step_multiply_adds", "train_language_model", "EOS",
    "ForwardResult", "History", "LOSSES", "MODES", "NOTATIONS",
    "PARAM_KEYS", "StepCache", "StepGrads", "Trace", "UNK", "Vocabulary", "accuracy", "activate",
    "check_grads", "clip_by_global_norm", "clip_elementwise", "copy_params", "derivative", "fit",
    "forward", "forward_in_notation", "from_notation", "global_norm", "init_params",
    "jacobian_norms", "log_softmax", "loss_and_grads", "numerical_grads", "one_hot", "predict",
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
    raise AttributeError(f"module 'rnnlib' has no attribute {name!r}")

"""The shapes of sequence tasks (chapter 7), built on the core's recurrence.

    layer.py            one recurrent layer without an output layer: forward, and backward
                        from ∂L/∂h_t given from above at every step
    heads.py            the output layer o = c + V h, scored per step (masked) or once
    masking.py          variable-length batches: padding, masks, last real states
    bidirectional.py    two layers, one reading each way, states side by side
    stacked.py          layers on layers (deep RNNs)
    encoder_decoder.py  read a sequence into one vector, write another sequence from it
    attention.py        additive and dot-product attention (chapter 10)
    seq2seq/            embeddings, an encoder–decoder with attention, beam search (chapter 10)
    reservoir.py        leaky units and echo-state networks (chapter 10)

Parameters are nested mappings (``rnnlib.training.tree``), trained by the one loop,
``rnnlib.fit(params, objective=..., optimizer="adagrad", clip=5.0)``; ``train`` is that call.

Every model has ``*_loss_and_grads`` (the summed cross-entropy and gradients shaped like its
parameter tree, "h0" as the contract says) and a ``*_predict``.
"""
from .bidirectional import (bidirectional_backward, bidirectional_forward, bidirectional_loss_and_grads,
                            bidirectional_predict, init_bidirectional)
from .encoder_decoder import (Decoding, encoder_decoder_loss_and_grads, encoder_decoder_predict,
                              greedy_decode, init_encoder_decoder)
from .layer import init_layer, layer_backward, layer_forward
from .masking import (PaddedBatch, last_states, length_mask, masked_loss_and_grads, masked_predict,
                      pad, reverse_within)
from .stacked import init_stacked, stacked_backward, stacked_forward, stacked_loss_and_grads, stacked_predict
from ..training.train import fit, minibatches
from ..training.tree import copy_tree, count, leaves

__all__ = [
    "Decoding", "PaddedBatch", "bidirectional_backward", "bidirectional_forward",
    "bidirectional_loss_and_grads", "bidirectional_predict", "copy_tree", "count",
    "encoder_decoder_loss_and_grads", "encoder_decoder_predict", "greedy_decode",
    "init_bidirectional", "init_encoder_decoder", "init_layer", "init_stacked", "last_states",
    "layer_backward", "layer_forward", "leaves", "length_mask", "masked_loss_and_grads",
    "masked_predict", "minibatches", "pad", "reverse_within", "stacked_backward", "stacked_forward",
    "stacked_loss_and_grads", "stacked_predict", "train",
]


def train(step, params, *, steps: int, lr: float = 0.1, clip: float | None = 5.0) -> list[float]:
    """``steps`` Adagrad updates of the parameter tree ``params`` (in place), gradients clipped to
    global norm ``clip`` (None: not clipped); returns the loss of each update.

    step: function (params, i) -> (loss, grads), grads shaped like params. The same as
    ``rnnlib.fit(params, objective=step, steps=steps, optimizer="adagrad", lr=lr, clip=clip)``.
    """
    return fit(params, objective=step, steps=steps, optimizer="adagrad", lr=lr, clip=clip).loss

"""The shapes of sequence tasks (chapter 7), built on the core's recurrence.

    layer.py            one recurrent layer without an output layer: forward, and backward
                        from ∂L/∂h_t given from above at every step
    heads.py            the output layer o = c + V h, scored per step (masked) or once
    masking.py          variable-length batches: padding, masks, last real states
    bidirectional.py    two layers, one reading each way, states side by side
    stacked.py          layers on layers (deep RNNs)
    encoder_decoder.py  read a sequence into one vector, write another sequence from it
    tree.py, train.py   parameters as nested mappings; Adagrad with clipping for any of them

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
from .train import TreeAdagrad, minibatches, train
from .tree import copy_tree, count, leaves

__all__ = [
    "Decoding", "PaddedBatch", "TreeAdagrad", "bidirectional_backward", "bidirectional_forward",
    "bidirectional_loss_and_grads", "bidirectional_predict", "copy_tree", "count",
    "encoder_decoder_loss_and_grads", "encoder_decoder_predict", "greedy_decode",
    "init_bidirectional", "init_encoder_decoder", "init_layer", "init_stacked", "last_states",
    "layer_backward", "layer_forward", "leaves", "length_mask", "masked_loss_and_grads",
    "masked_predict", "minibatches", "pad", "reverse_within", "stacked_backward", "stacked_forward",
    "stacked_loss_and_grads", "stacked_predict", "train",
]

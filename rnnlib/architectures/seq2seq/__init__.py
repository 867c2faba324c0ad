"""Sequence to sequence (chapter 10): embeddings, an encoder–decoder of any cell with optional
attention, teacher forcing and scheduled sampling, greedy and beam-search decoding.

    embedding.py   the embedding layer: a lookup forward, a scatter-add backward
    recurrent.py   one layer of any cell over float inputs, run by the core's recurrences
    model.py       init_seq2seq, encode, forward, loss_and_grads (the tree of parameters)
    decode.py      greedy_decode, beam_search, sampled_inputs (scheduled sampling)
    self_attention.py  one head of self-attention, its backward, a self-attention encoder
    tasks.py       number words -> digits, generated from a seed
    train.py       training on mini-batches with rnnlib.fit (Adagrad, clipping, float32-snapped)
"""
from .decode import Beam, Greedy, beam_search, cut, greedy_decode, normalised, sampled_inputs
from .embedding import embedding_backward, embedding_forward, init_embedding
from .model import (attention_of, decoder_inputs, encode, forward, init_seq2seq, loss_and_grads,
                    start_id)
from .recurrent import cell_of, init_recurrent, recurrent_backward, recurrent_forward

__all__ = ["Beam", "Greedy", "attention_of", "beam_search", "cell_of", "cut", "decoder_inputs",
           "embedding_backward", "embedding_forward", "encode", "forward", "greedy_decode",
           "init_embedding", "init_recurrent", "init_seq2seq", "loss_and_grads", "normalised",
           "recurrent_backward", "recurrent_forward", "sampled_inputs", "start_id"]

"""Sequence to sequence (chapter 10): embeddings, an encoder–decoder of any cell with optional
attention, teacher forcing and scheduled sampling, greedy and beam-search decoding.

    embedding.py   the embedding layer: a lookup forward, a scatter-add backward
    model.py       init_seq2seq, encode, forward, loss_and_grads (the tree of parameters); the
                   encoder and the decoder are layers of rnnlib.architectures.layer
    decode.py      greedy_decode, beam_search, sampled_inputs (scheduled sampling)
    self_attention.py  one head of self-attention, its backward, a self-attention encoder
    tasks.py       number words -> digits, generated from a seed
    train.py       training on mini-batches with rnnlib.fit (Adagrad, clipping, float32-snapped)
"""
from ..encoder_decoder import decoder_inputs       # teacher forcing's inputs, chapter 7's
from .decode import Beam, Greedy, beam_search, cut, greedy_decode, normalised, sampled_inputs
from .embedding import embedding_backward, embedding_forward, init_embedding
from .model import attention_of, encode, forward, init_seq2seq, loss_and_grads, start_id

__all__ = ["Beam", "Greedy", "attention_of", "beam_search", "cut", "decoder_inputs",
           "embedding_backward", "embedding_forward", "encode", "forward", "greedy_decode",
           "init_embedding", "init_seq2seq", "loss_and_grads", "normalised", "sampled_inputs",
           "start_id"]

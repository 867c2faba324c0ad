"""Steppers: step through an RNN's computation one frame at a time (chapters 2–10).

    forward_stepper(params=None, text="hello", ...)     chapter 2: the forward pass, t = 1..T
    softmax_temperature(logits=..., temperature=1.0)    chapter 3: softmax(o / τ) as bars
    backward_stepper(params=None, text="hello", ...)    chapter 4: BPTT, t = T..1, with the check
    gradient_flow_explorer(rho=0.9, T=30, ...)          chapter 5: ‖∂h_T/∂h_t‖ against t
    encoder_decoder_stepper(params, source, ...)        chapter 7: encode, then decode greedily
    lstm_stepper(params=None, text="hello", ...)        chapter 8: an LSTM's gates and cell state
    beam_stepper(params, source, width=4, ...)          chapter 10: beam search, step by step
    attention_stepper(params, source, ...)              chapter 10: attention weights, step by step

Each computes once with rnnlib (trace, jacobian_norms, softmax, greedy_decode, beam_search)
and then only displays. Each returns a stepper with two forms:

- ``stepper.show()`` — the static player: precomputed frames as HTML/SVG with First / Previous
  frame / Play / Next frame buttons and a slider, driven by a few lines of inline JavaScript.
  It is what the published book shows (no kernel, no network) and it also works in Jupyter.
  Its HTML is deterministic (no random ids). A stepper left as a cell's last expression
  displays the same thing.
- ``stepper.live()`` — ipywidgets controls for a running kernel (change the text, the seed,
  the activation, or any ρ, T, τ, logits); ``stepper.show(live=True)`` displays both.
"""
from .backward import BackwardStepper, backward_stepper
from .base import Stepper
from .encoder_decoder import EncoderDecoderStepper, encoder_decoder_stepper
from .forward import ForwardStepper, forward_stepper
from .lstm import LSTMStepper, lstm_stepper
from .gradient_flow import GradientFlowExplorer, gradient_flow_explorer
from .player import Axis, StaticHTML, player_html
from .softmax_temperature import SoftmaxTemperature, softmax_temperature
from .seq2seq import AttentionStepper, BeamStepper, attention_stepper, beam_stepper

# Each stepper's class and the function that makes it, in the order of the chapters.
__all__ = [
    "Axis", "StaticHTML", "Stepper", "player_html",
    "ForwardStepper", "forward_stepper",                       # chapter 2
    "SoftmaxTemperature", "softmax_temperature",               # chapter 3
    "BackwardStepper", "backward_stepper",                     # chapter 4
    "GradientFlowExplorer", "gradient_flow_explorer",          # chapter 5
    "EncoderDecoderStepper", "encoder_decoder_stepper",        # chapter 7
    "LSTMStepper", "lstm_stepper",                             # chapter 8
    "BeamStepper", "beam_stepper", "AttentionStepper", "attention_stepper",   # chapter 10
]

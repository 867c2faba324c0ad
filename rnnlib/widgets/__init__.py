"""Steppers: step through an RNN's computation one frame at a time (chapters 2–5).

    forward_stepper(params=None, text="hello", ...)     chapter 2: the forward pass, t = 1..T
    softmax_temperature(logits=..., temperature=1.0)    chapter 3: softmax(o / τ) as bars
    backward_stepper(params=None, text="hello", ...)    chapter 4: BPTT, t = T..1, with the check
    gradient_flow_explorer(rho=0.9, T=30, ...)          chapter 5: ‖∂h_T/∂h_t‖ against t
    lstm_stepper(params=None, text="hello", ...)        chapter 8: an LSTM's gates and cell state
    beam_stepper(params, source, width=4, ...)          chapter 10: beam search, step by step
    attention_stepper(params, source, ...)              chapter 10: attention weights, step by step

Each computes once with rnnlib (trace, jacobian_norms, softmax) and then only displays. Each
returns a stepper with two forms:

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
from .forward import ForwardStepper, forward_stepper
from .lstm import LSTMStepper, lstm_stepper
from .gradient_flow import GradientFlowExplorer, gradient_flow_explorer
from .player import Axis, StaticHTML, player_html
from .softmax_temperature import SoftmaxTemperature, softmax_temperature
from .seq2seq import AttentionStepper, BeamStepper, attention_stepper, beam_stepper

__all__ = [
    "Axis", "BackwardStepper", "ForwardStepper", "GradientFlowExplorer", "SoftmaxTemperature",
    "StaticHTML", "Stepper", "backward_stepper", "forward_stepper", "gradient_flow_explorer",
    "player_html", "softmax_temperature", "LSTMStepper", "lstm_stepper",
    "AttentionStepper", "BeamStepper", "attention_stepper", "beam_stepper",
]

"""Shared by the forward and the backward stepper: a sequence, its trace, and the live controls.

The default input is a short text read character by character (Karpathy's "hello" example):
the vocabulary is the text's distinct characters in sorted order, the inputs are the
characters ``text[:-1]`` and each step's target is the next character ``text[1:]``, so "hello"
gives T = 4 steps (h→e, e→l, l→l, l→o). Numbers work too: pass ``xs`` (T, D) floats or token
ids, and ``targets`` for the backward stepper.
"""
from __future__ import annotations

import numpy as np

from ..core.params import init_params
from ..book.trace import trace as make_trace
from ..core.validation import ACTIVATIONS, bad_value, check_choice, check_str
from ..plotting.graph import unrolled
from .base import Stepper
from .player import Axis
from .formatting import esc, token_label


def char_sequence(text: str):
    """(vocabulary chars, input ids (T,), target ids (T,)) for next-character prediction."""
    if len(check_str("text", text)) < 2:
        raise bad_value("text", "at least 2 characters (an input and the next character to "
                        "predict)", repr(text))
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    return chars, ids[:-1], ids[1:]


class SequenceStepper(Stepper):
    """A stepper over the time steps of one traced sequence (forward or backward)."""

    direction = "forward"
    needs_targets = False

    def __init__(self, params=None, text: str = "hello", *, xs=None, targets=None,
                 hidden_size: int = 4, seed: int = 0, activation: str = "tanh",
                 loss: str = "cross_entropy", h0=None):
        super().__init__()
        self.user_params = params
        self.h0 = h0
        self.hidden_size = hidden_size
        self.loss = loss
        self._xs_given, self._targets_given = xs, targets
        self.configure(text=text, seed=seed, activation=activation)

    # --------------------------------------------------------------- the one computation
    def configure(self, *, text=None, seed=None, activation=None) -> None:
        """(Re)compute the trace for a new text, seed or activation; everything else displays."""
        text = self.__dict__.get("text", "hello") if text is None else text
        seed = self.__dict__.get("seed", 0) if seed is None else seed
        activation = self.__dict__.get("activation", "tanh") if activation is None else activation
        check_choice("activation", activation, ACTIVATIONS)
        if self._xs_given is not None:
            xs = np.asarray(self._xs_given)
            targets = self._targets_given
            chars = None
            tokens = list(np.asarray(xs)) if xs.ndim == 1 else None
            target_tokens = None if targets is None or np.ndim(targets) != 1 else list(np.asarray(targets))
        else:
            chars, xs, targets = char_sequence(text)
            tokens = [chars[i] for i in xs]
            target_tokens = [chars[i] for i in targets]
        if self.needs_targets and targets is None:
            raise bad_value("targets", "targets with xs (the backward stepper scores them)",
                            "None")
        if self.user_params is not None:
            params = self.user_params
        else:
            D = len(chars) if chars is not None else (int(xs.max()) + 1 if xs.ndim == 1 else xs.shape[1])
            K = D if chars is not None or self.loss == "cross_entropy" else np.shape(targets)[-1]
            if chars is None and self.loss == "cross_entropy" and targets is not None:
                K = max(K, int(np.max(targets)) + 1)
            params = init_params(D, self.hidden_size, K, seed=seed)
        if chars is not None:
            D = params["U"].shape[1]
            if D != len(chars) or params["V"].shape[0] != len(chars):
                raise bad_value(
                    "params", f"U with {len(chars)} columns and V with {len(chars)} rows (the "
                    f"text {text!r} has {len(chars)} distinct characters {chars})",
                    f"U {params['U'].shape}, V {params['V'].shape}")
        tr = make_trace(params, xs, targets if self.needs_targets else None, h0=self.h0,
                        activation=activation, loss=self.loss)
        self.text, self.seed, self.activation = text, seed, activation
        self.chars, self.tokens, self.target_tokens = chars, tokens, target_tokens
        self.xs, self.targets, self.params, self.trace = xs, targets, params, tr
        self.out_labels = ([token_label(c) for c in chars] if chars is not None
                           else [str(k) for k in range(params["V"].shape[0])])
        self.in_labels = ([token_label(c) for c in chars] if chars is not None
                          else [str(d) for d in range(params["U"].shape[1])])
        self._invalidate()
        self.prepare()

    def prepare(self) -> None:
        """Colour scales etc., computed once per trace (subclasses)."""

    # --------------------------------------------------------------- frames = time steps
    @property
    def T(self) -> int:
        return self.trace.T

    def steps(self) -> list[int]:
        """The t of each frame, in frame order (1..T forward, T..1 backward)."""
        return list(range(1, self.T + 1)) if self.direction == "forward" else list(range(self.T, 0, -1))

    def frame_of(self, t: int) -> int:
        return self.steps().index(t)

    def axes(self) -> list[Axis]:
        name = "t" if self.direction == "forward" else "t (from T down)"
        return [Axis(name, [f"t = {t}" for t in self.steps()])]

    def render_frame(self, k: int) -> str:
        return self.render_step(self.steps()[k])

    def render_step(self, t: int) -> str:
        raise NotImplementedError      # abstract: the forward and the backward stepper draw it

    def token_at(self, t: int) -> str:
        return "" if self.tokens is None else f" = {esc(token_label(self.tokens[t - 1]))}"

    def graph_svg(self, t: int) -> str:
        """The network unrolled over the sequence, step t lit: the picture on top of frame t
        (at most 8 steps drawn, around t, so a long text keeps the frame's width)."""
        labels = None if self.tokens is None else [token_label(tok) for tok in self.tokens]
        return unrolled(self.T, t, show_loss=False, output_name="\u0177", labels=labels,
                        direction=self.direction, window=8).svg()

    # --------------------------------------------------------------- live controls
    def live(self):
        """ipywidgets: text / seed / activation inputs (recompute), and a time slider with
        First, Previous, Play and Next buttons (display only)."""
        import ipywidgets as w

        lay = w.Layout
        text = w.Text(value=self.text, description="text", continuous_update=False,
                      layout=lay(width="220px"), disabled=self._xs_given is not None)
        seed = w.BoundedIntText(value=self.seed, min=0, max=10**6, description="seed",
                                layout=lay(width="150px"), disabled=self.user_params is not None)
        act = w.Dropdown(options=list(ACTIVATIONS), value=self.activation, description="f",
                         layout=lay(width="150px"))
        slider = w.SelectionSlider(options=self._options(), value=self.steps()[0],
                                   description="t", continuous_update=True,
                                   layout=lay(width="420px"))
        play = w.Play(value=0, min=0, max=self.n_frames - 1, interval=self.delay_ms,
                      description="Play", show_repeat=False)
        b_first = w.Button(description="First", tooltip="First frame", layout=lay(width="80px"))
        b_prev = w.Button(description="◀ Previous", tooltip="Previous frame", layout=lay(width="110px"))
        b_next = w.Button(description="Next ▶", tooltip="Next frame", layout=lay(width="90px"))
        status = w.HTML(value="")
        errors = self._errors_widget()
        view = w.HTML(value=self._view_value(self.frame_html(0)))
        w.link((play, "value"), (slider, "index"))

        @self._timed
        def redraw(change=None):
            view.value = self._view_value(self.frame_html(slider.index))

        def recompute(change=None):
            try:
                self.configure(text=text.value, seed=seed.value, activation=act.value)
            except (ValueError, TypeError) as err:
                status.value = f'<span style="color:#b00">{esc(err)}</span>'
                return
            status.value = ""
            # New options first: ipywidgets then moves the slider to the first of them and
            # fires redraw. (Setting the value while the old options still hold fails when
            # the new sequence is longer, e.g. "hello" -> "recurrent".)
            play.value = 0
            play.max = self.n_frames - 1
            slider.options = self._options()
            slider.index = 0
            redraw()

        def move(delta):
            slider.index = min(max(slider.index + delta, 0), self.n_frames - 1)

        guard = self._guard
        slider.observe(guard(redraw), names="value")
        for widget in (text, seed, act):
            widget.observe(guard(recompute), names="value")
        b_first.on_click(guard(lambda _: setattr(slider, "index", 0)))
        b_prev.on_click(guard(lambda _: move(-1)))
        b_next.on_click(guard(lambda _: move(+1)))
        box = w.VBox([w.HBox([text, seed, act]), w.HBox([b_first, b_prev, play, b_next]),
                      slider, status, errors, view])
        self.controls = {"text": text, "seed": seed, "activation": act, "slider": slider,
                         "play": play, "first": b_first, "prev": b_prev, "next": b_next,
                         "view": view, "status": status, "errors": errors}
        self._widget = box
        return box

    def _options(self):
        return [(str(t), t) for t in self.steps()]

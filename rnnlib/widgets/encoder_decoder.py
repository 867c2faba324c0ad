"""The encoder–decoder stepper (chapter 7): encode step by step, then decode step by step.

Frames 1..T are the encoder reading the source, one symbol per frame: the input x_t, the state
before and after. Frames T+1..T+T' are the decoder writing: the symbol it is fed (the start
symbol, then its own previous output), its state h^dec_j, the distribution ŷ_j over the output
symbols with the chosen one outlined, and the output so far. The diagram on top shows the whole
unrolled model with the current step highlighted; the arrow between the two halves is the
context C = h^enc_T, the only thing the decoder learns about the source. The names are the
book's: encoder states h^enc_t, decoder states h^dec_j, context C. All numbers come from one
``rnnlib.architectures.greedy_decode`` call.
"""
from __future__ import annotations

import numpy as np

from ..architectures.encoder_decoder import greedy_decode, start_symbol
from ..architectures.layer import layer_forward
from ..core.validation import bad_type, bad_value, check_int, check_list
from ..plotting.style import PALETTE
from .base import Stepper
from .player import Axis
from .cells import legend_html, vector_row
from .formatting import esc

_DONE, _TODO = "#d6e6f4", "#ffffff"


def _box(cx, y, text, fill, bold=False, w=44, h=26) -> str:
    weight = "700" if bold else "400"
    return (f'<rect x="{cx - w / 2:.1f}" y="{y}" width="{w}" height="{h}" rx="5" fill="{fill}" '
            f'stroke="#333" stroke-width="{2 if bold else 1}"/>'
            f'<text x="{cx:.1f}" y="{y + 18}" text-anchor="middle" font-size="13" '
            f'font-weight="{weight}" fill="#111">{text}</text>')


def _line(x1, y1, x2, y2, colour="#555", width=1.3) -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width}"/>')


def _state(half: str, t) -> str:
    """SVG text for h^half_t (half "enc" or "dec"): the superscript over the subscript."""
    t = esc(t)
    return (f'h<tspan dy="4" font-size="10">{t}</tspan>'
            f'<tspan dx="{-5.6 * len(t):.1f}" dy="-10" font-size="9">{half}</tspan><tspan dy="6"></tspan>')


def _html_state(half: str, t) -> str:
    """HTML for h^half_t."""
    return f"h<sup>{half}</sup><sub>{t}</sub>"


def symbol_ids(source, labels: list[str], name: str = "source") -> np.ndarray:
    """Symbol ids (n,) from ids or labels (a list, or one string of labels separated by spaces)."""
    if isinstance(source, str):
        source = source.split()
    if not isinstance(source, (list, tuple, np.ndarray)):
        raise bad_type(name, "a sequence of symbol ids or labels", source)
    ids = []
    for s in source:
        if isinstance(s, str):
            if s not in labels:
                raise bad_value(name, f"symbols from {labels}", repr(s))
            ids.append(labels.index(s))
        else:
            ids.append(check_int(name, s, minimum=0, maximum=len(labels) - 1))   # an id
    if not ids:
        raise bad_value(name, "at least one symbol", "none")
    return np.array(ids, dtype=np.int64)


class EncoderDecoderStepper(Stepper):
    """See :func:`encoder_decoder_stepper`."""

    delay_ms = 1000

    def __init__(self, params: dict, source, *, steps: int | None = None, src_labels=None,
                 out_labels=None, start=None, activation: str = "tanh"):
        super().__init__()
        self.params, self.activation = params, activation
        self.start = start_symbol(params, start)
        K = np.shape(params["V"])[0]
        D = np.shape(params["encoder"]["U"])[1]
        self.src_labels = (check_list("src_labels", list(src_labels), D, "source labels")
                           if src_labels is not None else [str(i) for i in range(D)])
        self.out_labels = (check_list("out_labels", list(out_labels), K, "output labels")
                           if out_labels is not None else [str(k) for k in range(K)])
        self._steps = None if steps is None else check_int("steps", steps)
        self.configure(source)

    @property
    def title(self) -> str:
        src = " ".join(self.src_labels[i] for i in self.source)
        return (f"Encoder–decoder, step by step: read [{esc(src)}] (T = {self.T}), then write "
                f"{self.T_out} symbols greedily")

    def configure(self, source) -> None:
        """(Re)compute for a new source: a sequence of symbol ids or of labels."""
        self.source = symbol_ids(source, self.src_labels)
        self.T = len(self.source)
        self.T_out = self.T if self._steps is None else self._steps
        xs = self.source[:, None]
        self.enc = layer_forward(self.params["encoder"], xs, activation=self.activation,
                                 name="params['encoder']")
        self.dec = greedy_decode(self.params, xs, self.T_out, start=self.start,
                                 activation=self.activation)
        self.H = self.enc.h.shape[-1]
        self._invalidate()

    # --------------------------------------------------------------- frames
    def labels(self) -> list[str]:
        return ([f"encode t = {t}" for t in range(1, self.T + 1)]
                + [f"decode j = {j}" for j in range(1, self.T_out + 1)])

    def axes(self) -> list[Axis]:
        return [Axis("step", self.labels())]

    def header_html(self) -> str:
        return legend_html("encoder and decoder states", "probabilities ŷ")

    def diagram(self, k: int) -> str:
        """The unrolled model; frame k's step is orange, finished steps blue."""
        T, T_out, step = self.T, self.T_out, 62
        left, gap = 60, 40
        width = left + (T + T_out) * step + gap + 20
        y_out, y_h, y_in = 10, 62, 114
        hot = PALETTE["orange"]
        out = [f'<svg viewBox="0 0 {width} 160" width="{width}" height="160" '
               f'style="max-width:100%;height:auto" role="img" aria-label="The encoder–decoder '
               f'unrolled: {T} encoder steps, then {T_out} decoder steps; step {k + 1} of '
               f'{T + T_out} highlighted">',
               _box(left - 34, y_h, _state("enc", 0), "#eeeeee")]
        for t in range(1, T + 1):
            cx = left + (t - 1) * step + 20
            fill = hot if k == t - 1 else _DONE if k > t - 1 else _TODO
            out.append(_line(cx - step + 22 if t > 1 else left - 12, y_h + 13, cx - 22, y_h + 13))
            out.append(_line(cx, y_in, cx, y_h + 26))
            out.append(_box(cx, y_h, _state("enc", t), fill, k == t - 1))
            out.append(_box(cx, y_in, esc(self.src_labels[self.source[t - 1]]), fill, k == t - 1))
        ctx_x = left + T * step + gap / 2 - 10
        out.append(_line(left + (T - 1) * step + 42, y_h + 13, ctx_x + 30, y_h + 13,
                         PALETTE["vermillion"], 2.4))
        out.append(f'<text x="{ctx_x + 4:.1f}" y="{y_h - 4}" text-anchor="middle" font-size="12" '
                   f'fill="{PALETTE["vermillion"]}">C</text>')
        for j in range(1, T_out + 1):
            cx = left + T * step + gap + (j - 1) * step + 20
            kk = T + j - 1
            fill = hot if k == kk else _DONE if k > kk else _TODO
            if j > 1:
                out.append(_line(cx - step + 22, y_h + 13, cx - 22, y_h + 13))
            out.append(_line(cx, y_in, cx, y_h + 26))
            out.append(_line(cx, y_h, cx, y_out + 26))
            out.append(_box(cx, y_h, _state("dec", j), fill, k == kk))
            z = self.dec.inputs[j - 1, 0]
            # z_j is the decoder's own output y_{j-1}: unknown until step j - 1 has run
            z_label = "go" if j == 1 else self.out_labels[z] if k >= kk - 1 else "?"
            out.append(_box(cx, y_in, esc(z_label), fill, k == kk))
            y_label = esc(self.out_labels[self.dec.tokens[j - 1, 0]]) if k >= kk else "?"
            out.append(_box(cx, y_out, y_label, fill, k == kk))
        out.append("</svg>")
        return "".join(out)

    def render_frame(self, k: int) -> str:
        parts = [self.diagram(k)]
        if k < self.T:
            t = k + 1
            x = self.src_labels[self.source[t - 1]]
            prev = self.enc.h0[0] if t == 1 else self.enc.h[t - 2, 0]
            parts.append(f'<div class="rnnw-head"><b>Encoder step t = {t}</b> of T = {self.T}: '
                         f'reads x<sub>{t}</sub> = {esc(x)}. {_html_state("enc", t)} = f(b<sub>e</sub> + '
                         f'W<sub>e</sub> {_html_state("enc", t - 1)} + U<sub>e</sub> x<sub>{t}</sub>); '
                         f'no output yet.</div>')
            rows = [vector_row(f"{_html_state('enc', t - 1)} (before)", prev, "signed", 1.0, key="e_prev"),
                    vector_row(f"{_html_state('enc', t)} (after)", self.enc.h[t - 1, 0], "signed", 1.0,
                               key="e")]
            if t == self.T:
                parts.append('<div class="rnnw-note">This last state is the context C: the '
                             'decoder starts from it and sees nothing else of the source.</div>')
        else:
            j = k - self.T + 1
            z = self.dec.inputs[j - 1, 0]
            fed = "the start symbol go" if j == 1 else f"its previous output {esc(self.out_labels[z])}"
            prev = self.dec.context[0] if j == 1 else self.dec.states[j - 2, 0]
            chosen = int(self.dec.tokens[j - 1, 0])
            written = " ".join(self.out_labels[i] for i in self.dec.tokens[:j, 0])
            p = self.dec.probs[j - 1, 0]
            parts.append(f'<div class="rnnw-head"><b>Decoder step j = {j}</b> of {self.T_out}: '
                         f'fed {fed}; writes <b>{esc(self.out_labels[chosen])}</b> (probability '
                         f'{p[chosen]:.3f}). Output so far: <b>{esc(written)}</b></div>')
            prev_name = (f"{_html_state('dec', 0)} = C" if j == 1
                         else _html_state("dec", j - 1))
            rows = [vector_row(f"{prev_name} (before)", prev, "signed", 1.0, key="d_prev"),
                    vector_row(f"{_html_state('dec', j)} (after)", self.dec.states[j - 1, 0], "signed",
                               1.0, key="d"),
                    vector_row(f"ŷ<sub>{j}</sub> = softmax(c + V {_html_state('dec', j)})", p, "magnitude",
                               1.0, key="y_hat", index_labels=self.out_labels, mark=chosen)]
        parts.append('<div class="rows">' + "".join(rows) + "</div>")
        return "".join(parts)

    # --------------------------------------------------------------- live
    def live(self):
        """ipywidgets: a text box for the source (labels separated by spaces) and a step slider."""
        import ipywidgets as w

        text = w.Text(value=" ".join(self.src_labels[i] for i in self.source), description="source",
                      continuous_update=False, layout=w.Layout(width="320px"))
        slider = w.SelectionSlider(options=self.labels(), value=self.labels()[0], description="step",
                                   layout=w.Layout(width="460px"))
        b_prev = w.Button(description="◀ Previous", tooltip="Previous frame")
        b_next = w.Button(description="Next ▶", tooltip="Next frame")
        status, view = w.HTML(value=""), w.HTML(value=self._view_value(self.frame_html(0)))

        @self._timed
        def redraw(change=None):
            view.value = self._view_value(self.frame_html(slider.index))

        def recompute(change=None):
            try:
                self.configure(text.value.split())
            except (ValueError, TypeError) as err:
                status.value = f'<span style="color:#b00">{esc(err)}</span>'
                return
            status.value = ""
            with slider.hold_trait_notifications():
                slider.options = self.labels()
                slider.value = self.labels()[0]
            redraw()

        def move(delta):
            slider.index = min(max(slider.index + delta, 0), self.n_frames - 1)

        slider.observe(redraw, names="value")
        text.observe(recompute, names="value")
        b_prev.on_click(lambda _: move(-1))
        b_next.on_click(lambda _: move(+1))
        self.controls = {"source": text, "slider": slider, "prev": b_prev, "next": b_next,
                         "view": view, "status": status}
        self._widget = w.VBox([text, w.HBox([b_prev, b_next]), slider, status, view])
        return self._widget


def encoder_decoder_stepper(params: dict, source, *, steps: int | None = None, src_labels=None,
                            out_labels=None, start=None,
                            activation: str = "tanh") -> EncoderDecoderStepper:
    """Step through an encoder–decoder: T encoder frames, then ``steps`` greedy decoder frames.

    params: from ``rnnlib.architectures.init_encoder_decoder`` (trained or not). source: symbol
    ids, or labels from ``src_labels``. steps: how many symbols to write (default T).
    ``.show()`` displays the static player; ``.live()`` lets you type another source.
    """
    return EncoderDecoderStepper(params, source, steps=steps, src_labels=src_labels,
                                 out_labels=out_labels, start=start, activation=activation)

"""Chapter 10's steppers: a beam search step by step, and attention step by step.

    beam_stepper(params, source, width=4, ...)      each step's live hypotheses, their log P,
                                                     the ended ones with their normalised score
    attention_stepper(params, source, ...)           each decoder step's weights α_{ij} over the
                                                     source, and the heatmap of the rows so far

Both compute once with ``rnnlib.architectures.seq2seq`` (beam_search, greedy_decode) and then only display:
``.show()`` is the static player the site shows, ``.live()`` the controls of a running kernel
(type another source; for the beam also the width and the length exponent ν).
"""
from __future__ import annotations

import numpy as np

from ..architectures.seq2seq.decode import beam_search, check_eos, greedy_decode
from ..architectures.seq2seq.model import attention_of, check_tree, start_id
from .base import Stepper
from ..core.validation import bad_value, check_int, check_list
from .cells import matrix, vector_row
from .encoder_decoder import symbol_ids
from .formatting import esc, fixed_point
from .player import Axis


# the steppers' tables, styled inline (the shared stylesheet has no table rule)
_TABLE = ('<table class="rnnw-table" data-name="{key}" style="border-collapse:collapse;'
          'font-size:13px;margin:4px 0;font-variant-numeric:tabular-nums">'
          '<caption style="text-align:left;font-size:12.5px">{caption}</caption>')
_TD = '<td style="border:1px solid #ccc;padding:1px 8px">'
_TH = '<th style="border:1px solid #999;padding:1px 8px;background:#f2f2f2">'


def _row(cells, header: bool = False, style: str = "") -> str:
    tag, close = (_TH, "</th>") if header else (_TD, "</td>")
    return f"<tr{style}>" + "".join(f"{tag}{c}{close}" for c in cells) + "</tr>"


def _text(ids, labels, sep=" ") -> str:
    return sep.join(labels[int(i)] for i in ids)


class _Seq2SeqStepper(Stepper):
    """What both steppers share: labels, the source, and a live form with a source text box."""

    delay_ms = 1200

    def __init__(self, params, source, *, src_labels, out_labels, eos: int, steps: int):
        super().__init__()
        check_tree(params)
        self.params, self.steps = params, check_int("steps", steps)
        self.eos = check_eos(eos, start_id(params))
        self.src_labels = list(src_labels)
        self.out_labels = check_list("out_labels", list(out_labels), start_id(params),
                                     "labels (one per output symbol)")
        self.configure(source)

    def configure(self, source) -> None:
        self.source = symbol_ids(source, self.src_labels)
        self.compute()
        self._invalidate()

    def compute(self) -> None:
        raise NotImplementedError      # abstract: each stepper computes its own run

    def out_text(self, ids) -> str:
        return _text(ids, self.out_labels, "") or "(nothing)"

    def extra_controls(self) -> list:
        return []

    def live(self):
        """ipywidgets: a text box for the source, a step slider, Previous / Next."""
        import ipywidgets as w

        text = w.Text(value=_text(self.source, self.src_labels), description="source",
                      continuous_update=False, layout=w.Layout(width="420px"))
        slider = w.IntSlider(value=0, min=0, max=self.n_frames - 1, description="frame")
        b_prev = w.Button(description="◀ Previous", tooltip="Previous frame")
        b_next = w.Button(description="Next ▶", tooltip="Next frame")
        status, view = w.HTML(value=""), w.HTML(value=self._view_value(self.frame_html(0)))
        extra = self.extra_controls()

        @self._timed
        def redraw(change=None):
            view.value = self._view_value(self.frame_html(slider.value))

        def recompute(change=None):
            try:
                for ctrl, apply in extra:
                    apply(ctrl.value)
                self.configure(text.value)
            except (ValueError, TypeError) as err:
                status.value = f'<span style="color:#b00">{esc(err)}</span>'
                return
            status.value = ""
            with slider.hold_trait_notifications():
                slider.max = self.n_frames - 1
                slider.value = 0
            redraw()

        def move(delta):
            slider.value = min(max(slider.value + delta, 0), self.n_frames - 1)

        slider.observe(self._guard(redraw), names="value")
        text.observe(self._guard(recompute), names="value")
        for ctrl, _ in extra:
            ctrl.observe(self._guard(recompute), names="value")
        b_prev.on_click(self._guard(lambda _: move(-1)))
        b_next.on_click(self._guard(lambda _: move(+1)))
        self.controls = {"source": text, "slider": slider, "prev": b_prev, "next": b_next,
                         "view": view, "status": status}
        self._widget = w.VBox([text, *[c for c, _ in extra], w.HBox([b_prev, b_next]), slider,
                               status, self._errors_widget(), view])
        return self._widget


class BeamStepper(_Seq2SeqStepper):
    """See :func:`beam_stepper`."""

    def __init__(self, params, source, *, width: int = 4, alpha: float = 1.0, steps: int = 9,
                 src_labels, out_labels, eos: int):
        self.width, self.alpha = width, alpha
        super().__init__(params, source, src_labels=src_labels, out_labels=out_labels, eos=eos,
                         steps=steps)

    @property
    def title(self) -> str:
        return (f"Beam search, width {self.width}, length normalisation ν = {self.alpha}: "
                f"reading “{esc(_text(self.source, self.src_labels))}”")

    def compute(self) -> None:
        self.beam = beam_search(self.params, self.source[:, None], width=self.width,
                                steps=self.steps, eos=self.eos, alpha=self.alpha)[0]

    def axes(self) -> list[Axis]:
        n = len(self.beam.history)
        return [Axis("step", [f"step {i}" for i in range(1, n + 1)] + ["result"])]

    def header_html(self) -> str:
        return ('<div class="rnnw-note">log P is the sum of log ŷ over the symbols written so '
                'far; an ended hypothesis (it wrote the end symbol) is ranked by log P / '
                'length<sup>ν</sup>, the end symbol counted in the length.</div>')

    def _finished_rows(self, upto: int, best: int | None) -> str:
        rows = []
        for n, ((tokens, lp, score), step) in enumerate(zip(self.beam.finished,
                                                             self.beam.finished_step)):
            if step > upto:
                continue
            mark = ' style="font-weight:700;background:#fde7c8"' if n == best else ""
            rows.append(_row([esc(self.out_text(tokens)), step, fixed_point(lp, 3), fixed_point(score, 3)],
                             style=mark))
        if not rows:
            return '<div class="rnnw-note">No hypothesis has ended yet.</div>'
        return (_TABLE.format(key="finished", caption="ended hypotheses")
                + _row(["output", "ended at step", "log P", "score"], header=True)
                + "".join(rows) + "</table>")

    def render_frame(self, k: int) -> str:
        n = len(self.beam.history)
        if k == n:
            best = max(range(len(self.beam.finished)), key=lambda i: self.beam.finished[i][2])
            return (f'<div class="rnnw-head"><b>Result</b>: the ended hypothesis with the best '
                    f'score, <b>{esc(self.out_text(self.beam.tokens))}</b> (score '
                    f'{fixed_point(self.beam.score, 3)}).</div>' + self._finished_rows(n, best))
        live = self.beam.history[k]
        rows = "".join(_row([r + 1, esc(self.out_text(t)), fixed_point(lp, 3)])
                       for r, (t, lp) in enumerate(live))
        before = 1 if k == 0 else len(self.beam.history[k - 1])
        head = (f'<div class="rnnw-head"><b>Step {k + 1}</b>: {before} hypothes'
                f'{"is" if before == 1 else "es"} × {len(self.out_labels)} symbols = '
                f'{before * len(self.out_labels)} candidates; the best by log P that do not end '
                f'stay alive (at most {self.width}).</div>')
        table = (_TABLE.format(key="live", caption="live hypotheses")
                 + _row(["rank", "output so far", "log P"], header=True) + rows + "</table>")
        return head + table + self._finished_rows(k + 1, None)

    def extra_controls(self) -> list:
        import ipywidgets as w

        width = w.IntSlider(value=self.width, min=1, max=8, description="width")
        alpha = w.FloatSlider(value=self.alpha, min=0.0, max=1.0, step=0.25, description="ν")
        return [(width, lambda v: setattr(self, "width", int(v))),
                (alpha, lambda v: setattr(self, "alpha", float(v)))]


class AttentionStepper(_Seq2SeqStepper):
    """See :func:`attention_stepper`."""

    @property
    def title(self) -> str:
        return (f"Attention, step by step: each digit written and where the decoder looked, "
                f"reading “{esc(_text(self.source, self.src_labels))}”")

    def compute(self) -> None:
        if attention_of(self.params) is None:
            raise bad_value("params", "a model with attention (init_seq2seq(..., "
                            "attention='additive' or 'dot'))", "one without")
        run = greedy_decode(self.params, self.source[:, None], steps=self.steps, eos=self.eos)
        n = len(run.outputs[0]) + (len(run.outputs[0]) < self.steps)   # the end symbol's step too
        self.tokens = run.tokens[:n, 0]
        self.probs = np.exp(run.log_probs[:n, 0])
        self.weights = run.weights[:n, :, 0]                              # (n, S)

    def axes(self) -> list[Axis]:
        return [Axis("decoder step", [f"i = {i}" for i in range(1, len(self.tokens) + 1)])]

    def header_html(self) -> str:
        return (
            '<div class="rnnw-note">Row i holds α<sub>i1</sub>..α<sub>iS</sub>: how much of '
            'each source word’s encoder state h<sup>enc</sup><sub>j</sub> goes into the context '
            'C<sub>i</sub> of step i (each row sums to 1; darker is less).</div>')

    def render_frame(self, k: int) -> str:
        src = [self.src_labels[i] for i in self.source]
        written = self.out_labels[int(self.tokens[k])]
        j = int(np.argmax(self.weights[k]))
        head = (f'<div class="rnnw-head"><b>Decoder step i = {k + 1}</b>: writes '
                f'<b>{esc(written)}</b> (probability {fixed_point(self.probs[k], 3)}), looking mostly at '
                f'“{esc(src[j])}” (α = {fixed_point(self.weights[k, j], 2)}). Output so far: '
                f'<b>{esc(self.out_text(self.tokens[:k + 1]))}</b></div>')
        row = vector_row(f"α<sub>{k + 1}j</sub>", self.weights[k], "magnitude", 1.0,
                         key="alpha", index_labels=src, mark=j)
        heat = matrix(self.weights[:k + 1], "magnitude", 1.0, "rows so far: one per digit written",
                      key="alphas", max_labelled_cols=12, col_labels=src,
                      row_labels=[self.out_labels[int(t)] for t in self.tokens[:k + 1]])
        return head + f'<div class="rows">{row}</div>' + heat


def beam_stepper(params: dict, source, *, width: int = 4, alpha: float = 1.0, steps: int = 9,
                 src_labels, out_labels, eos: int) -> BeamStepper:
    """Step through a beam search on one source (ids, or words from ``src_labels``).

    params: a trained ``rnnlib.architectures.seq2seq`` model. One frame per step (the live hypotheses and
    the ended ones), then the result. ``.live()`` changes the source, the width and α.
    """
    return BeamStepper(params, source, width=width, alpha=alpha, steps=steps,
                       src_labels=src_labels, out_labels=out_labels, eos=eos)


def attention_stepper(params: dict, source, *, steps: int = 9, src_labels, out_labels,
                      eos: int) -> AttentionStepper:
    """Step through greedy decoding with attention: one frame per symbol written, with its
    weights over the source and the heatmap of the rows so far. ``.live()`` changes the source."""
    return AttentionStepper(params, source, steps=steps, src_labels=src_labels,
                            out_labels=out_labels, eos=eos)

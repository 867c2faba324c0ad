"""The chapters' experiments: the toy data sets (datasets: recall_first, sine_windows), the
cue-recall sweep over cells and distances (recall), and the shared-suffix forgetting measure
(forgetting). Built on the library; nothing in the library imports them."""

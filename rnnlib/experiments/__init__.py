"""The chapters' experiments: the toy data sets (datasets: recall_first, sine_windows), the
cue-recall sweep over cells and distances (recall), skip connections and leaky units trained on
it (long_memory), and the shared-suffix forgetting measure (forgetting).
Built on the library; nothing in the library imports them."""

"""Training pieces built on the core: optimisers, clipping, the training loop, sampling, toy data."""

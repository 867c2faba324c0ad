"""The core: the plain RNN cell, its forward pass, BPTT, losses, Jacobians, gradient checks
and the cosine of two arrays.

Everything here works in the book's notation (Goodfellow et al., ch. 10), column vectors,
time-major. ``validation`` holds every argument check the rest of the package relies on.
"""

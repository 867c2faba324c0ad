"""What serves the book rather than the library: numbers as the chapters print them (report),
the sources' notations and converters (notation), every intermediate of a step for the steppers
(trace, gated_trace), and the cost count of a step (cost). Figures are in ``rnnlib.plotting``,
steppers in ``rnnlib.widgets``, the sympy derivations in ``rnnlib.symbolic``."""

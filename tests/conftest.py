import os
import sys
from pathlib import Path

from hypothesis import settings

# Lets the test modules import the shared problem generator in tests/helpers.py.
sys.path.insert(0, str(Path(__file__).parent))

# Locally, hypothesis explores new random cases on every run (that is how it finds bugs).
# CI replays a fixed set, so a submission's result does not depend on the luck of the draw.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

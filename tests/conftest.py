import sys
from pathlib import Path

# Lets the test modules import the shared problem generator in tests/helpers.py.
sys.path.insert(0, str(Path(__file__).parent))

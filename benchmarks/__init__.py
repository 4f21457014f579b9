"""Valet's benchmarks (``valet-sim bench``, doc/benchmarks.md).

They run from a source checkout and share the random stacks and the live
``valet-api`` helpers of ``tests/support`` with the tests, so the checkout's
root goes on ``sys.path`` (a console script's path holds only its own
directory).
"""

import pathlib
import sys

_CHECKOUT = str(pathlib.Path(__file__).resolve().parents[1])
if _CHECKOUT not in sys.path:
    sys.path.insert(0, _CHECKOUT)

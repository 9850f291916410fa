"""What the benchmark scripts share: the TF1 reference library and best-of-N wall-clock timing.

The scripts run as `python benchmarks/<name>.py`, so this module is imported from the scripts' own folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def load_tf1():
    """tensorflow.compat.v1 in graph mode with its logging quietened, or None when TensorFlow is not installed."""
    try:
        import tensorflow.compat.v1 as tf1
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    tf1.logging.set_verbosity(tf1.logging.ERROR)
    return tf1


def best_seconds(fn: Callable[[], object], repeats: int, calls: int = 1,
                 setup: Callable[[], object] | None = None) -> float:
    """The shortest wall time, over `repeats` tries, of `calls` back-to-back calls of `fn` (`setup()` runs untimed
    before each try). The best is reported because the machine is shared: it is the most stable figure."""
    best = float("inf")
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, time.perf_counter() - start)
    return best

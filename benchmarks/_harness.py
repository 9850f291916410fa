"""What the benchmark scripts share: the TF1 reference library and best-of-N wall-clock timing.

The scripts run as `python benchmarks/<name>.py`, so this module is imported from the scripts' own folder.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path


def load_tf1():
    """tensorflow.compat.v1 in graph mode with its logging quietened, or None when TensorFlow is not installed."""
    try:
        import tensorflow.compat.v1 as tf1
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    tf1.logging.set_verbosity(tf1.logging.ERROR)
    return tf1


def load_library(name: str):
    """The library a benchmark worker measures: "teachtf" (this checkout's, not an installed copy) or
    "tensorflow" (tensorflow.compat.v1 in graph mode). Raises ImportError when TensorFlow is missing."""
    if name == "teachtf":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        import teachtf

        return teachtf
    tf1 = load_tf1()
    if tf1 is None:
        raise ImportError("tensorflow is not installed")
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

"""teachtf.ext: teachtf-only additions that no TF1 program needs (API.md §21).

Names load lazily from their modules, so each feature lives with its own code.
"""

import importlib

from .strict import is_strict, set_strict  # noqa: F401
from ..backend import get_backend, set_backend  # noqa: F401

_LAZY = {
    "max_unpool": ".unpool",
    "graph_to_dot": ".graph_drawing",
    "load_scalars": ".summary_io",
    "inspect": ".inspect",
}


def __getattr__(name):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'teachtf.ext' has no attribute {name!r}")
    return getattr(importlib.import_module(mod, __name__), name)


def _graph_mimebundle(graph):
    try:
        drawing = importlib.import_module(".graph_drawing", __name__)
    except ImportError:
        return None
    fn = getattr(drawing, "graph_mimebundle", None)
    return None if fn is None else fn(graph)

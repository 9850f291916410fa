"""teachtf: a TensorFlow 1.x graph/session engine for learning, on NumPy (and CuPy on NVIDIA GPUs).

    import teachtf as tf     # instead of: import tensorflow as tf
"""

import importlib as _importlib

__version__ = "0.1.0"
VERSION = "1.15.0"
GIT_VERSION = "teachtf-" + __version__
COMPILER_VERSION = "numpy"
GRAPH_DEF_VERSION = 134

from ._api_core import *  # noqa: E402,F401,F403  graphs, sessions, variables, math/array/random ops
from . import _api_core  # noqa: E402  (legacy names, see __getattr__)
from ._api_scopes import *  # noqa: E402,F401,F403  variable scopes, initializers, control flow, misc
from ._api_nn import *  # noqa: E402,F401,F403  top-level names of the nn area
from ._api_data import *  # noqa: E402,F401,F403  legacy summary names and data helpers
from .gradients import *  # noqa: E402,F401,F403  tf.gradients, hessians, RegisterGradient, UnconnectedGradients
from .framework import errors  # noqa: E402,F401
from .framework.errors import OpError  # noqa: E402,F401
from ._install import install_as_tensorflow  # noqa: E402,F401

# Namespaces load on first use (`tf.nn`, `tf.train`, ...), so `import teachtf` stays fast.
_SUBMODULES = {
    "nn", "train", "summary", "losses", "layers", "image", "contrib", "math", "compat", "gfile", "logging", "app",
    "flags", "keras", "ext", "test", "python", "examples", "datasets", "widgets", "initializers", "random",
    "linalg", "io", "version", "sysconfig", "saved_model", "distributions", "metrics", "sets", "strings", "bitwise",
    "user_ops", "debugging", "dtypes", "graph_util", "resource_loader", "profiler",
}


# Parts of TensorFlow outside teachtf's graph-and-session surface (API.md, "out of scope"): what to use instead.
_NOT_PROVIDED = {
    "data": "feed batches through placeholders and feed_dict (e.g. mnist.train.next_batch) as TF1 tutorials do",
    "estimator": "build the graph and run it in a tf.Session, or a tf.train.MonitoredTrainingSession",
    "GradientTape": "use tf.gradients(loss, variables) on the graph",
    "function": "graphs are built directly in teachtf; run them with tf.Session",
}


def __getattr__(name):
    if name in _SUBMODULES:
        try:
            mod = _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                raise AttributeError(f"module 'teachtf' has no attribute {name!r} (teachtf does not provide "
                                     f"tf.{name})") from None
            raise
        globals()[name] = mod
        return mod
    if name in _api_core.LEGACY_ALIASES:  # pre-1.0 spellings: warn once, return the modern object
        return _api_core.legacy_attr(name)
    if name in ("Summary", "SummaryMetadata", "HistogramProto", "Event", "SessionLog"):  # TensorBoard's protos
        return getattr(_importlib.import_module(".summary", __name__), name)
    if name in _NOT_PROVIDED:
        raise AttributeError(f"module 'teachtf' has no attribute {name!r}: teachtf teaches TF1's graph-and-session "
                             f"core, without tf.{name}; {_NOT_PROVIDED[name]}.")
    raise AttributeError(f"module 'teachtf' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_api_core.LEGACY_ALIASES)
                  | {"Summary", "SummaryMetadata", "HistogramProto", "Event", "SessionLog"})

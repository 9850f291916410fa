"""teachtf: a TensorFlow 1.x graph/session engine for learning, on NumPy (and CuPy on NVIDIA GPUs).

    import teachtf as tf     # instead of: import tensorflow as tf
"""

__version__ = "0.1.0"
VERSION = "1.15.0"
GIT_VERSION = "teachtf-" + __version__
COMPILER_VERSION = "numpy"

from ._api_core import *  # noqa: E402,F401,F403
from ._api_core import __all__ as _core_all  # noqa: E402
from .gradients import NoGradient, NotDifferentiable, RegisterGradient, gradients, hessians  # noqa: E402,F401
from .framework import errors  # noqa: E402,F401
from .framework.errors import OpError  # noqa: E402,F401

"""The tf.nn names of the activations, softmax and cross-entropy, dropout, normalization and misc ops.

Each group lives in its own module (`nn_activations`, `nn_softmax`, `nn_logistic`, `nn_dropout`,
`nn_normalization`, `nn_misc`); `teachtf/nn/__init__.py` star-imports this module's `__all__`.
"""

from . import nn_activations, nn_dropout, nn_logistic, nn_misc, nn_normalization, nn_softmax
from .math_ops import sigmoid, tanh  # noqa: F401  tf.nn.sigmoid is tf.sigmoid
from .nn_activations import *  # noqa: F401,F403
from .nn_dropout import *  # noqa: F401,F403
from .nn_logistic import *  # noqa: F401,F403
from .nn_misc import *  # noqa: F401,F403
from .nn_normalization import *  # noqa: F401,F403
from .nn_softmax import *  # noqa: F401,F403

__all__ = ["sigmoid", "tanh"] + (nn_activations.__all__ + nn_softmax.__all__ + nn_logistic.__all__ + nn_dropout.__all__
           + nn_normalization.__all__ + nn_misc.__all__)

"""`from tensorflow.contrib.layers.python.layers import batch_norm` and friends: the tf.contrib.layers objects."""

from ... import *  # noqa: F401,F403
from ... import __all__  # noqa: F401
from ...initializers import *  # noqa: F401,F403
from ...layers import *  # noqa: F401,F403
from ...regularizers import *  # noqa: F401,F403

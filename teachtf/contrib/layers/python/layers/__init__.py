"""`from tensorflow.contrib.layers.python.layers import batch_norm` and friends: the tf.contrib.layers objects."""

from ... import *  # noqa: F401,F403
from ...layers import collect_named_outputs, get_variable_collections  # noqa: F401

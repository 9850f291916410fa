"""`from tensorflow.python.platform import gfile`: the same objects as `tf.gfile`."""

from ...gfile import *  # noqa: F401,F403
from ...gfile import __all__  # noqa: F401

"""tf.version: the emulated TensorFlow version (TF 1.15) and teachtf's build identifiers."""

VERSION = "1.15.0"
GIT_VERSION = "teachtf"
COMPILER_VERSION = "numpy"
GRAPH_DEF_VERSION = 134
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0

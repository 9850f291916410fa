"""The old import path `tf.contrib.layers.python.layers` (same objects as tf.contrib.layers)."""

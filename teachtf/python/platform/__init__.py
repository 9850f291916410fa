"""`teachtf.python.platform`: `gfile` (the same objects as `tf.gfile`)."""

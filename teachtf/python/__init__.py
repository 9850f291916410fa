"""`teachtf.python`: the classic `tensorflow.python...` import paths that TF1 programs use."""

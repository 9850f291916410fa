"""teachtf.python: TF1 module paths that classic programs import (`tensorflow.python.*`)."""

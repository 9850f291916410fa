"""teachtf.python.tools: command-line tools of TF1 (inspect_checkpoint)."""

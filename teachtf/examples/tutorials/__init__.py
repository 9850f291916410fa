"""teachtf.examples.tutorials."""

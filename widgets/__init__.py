"""teachtf.widgets (being written)."""

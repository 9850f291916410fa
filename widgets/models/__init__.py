"""Widget models: pure NumPy, no ipywidgets. Each turns parameters into frames using the engine's ops."""

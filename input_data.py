"""Top-level `import input_data` (classic TF1 tutorials): re-exports the MNIST loader."""

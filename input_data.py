"""Top-level `import input_data` (classic TF1 tutorials): re-exports the MNIST loader (API.md §20)."""

from teachtf.examples.tutorials.mnist.input_data import (DataSet, Datasets, dense_to_one_hot,  # noqa: F401
                                                         extract_images, extract_labels, load_mnist,
                                                         read_data_sets)

__all__ = ["DataSet", "Datasets", "dense_to_one_hot", "extract_images", "extract_labels", "load_mnist",
           "read_data_sets"]

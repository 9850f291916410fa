"""tf.keras, a tiny subset (API.md §1): `datasets.mnist` / `datasets.fashion_mnist`.load_data (local files
only), `utils.to_categorical`, `regularizers.l1/l2/l1_l2`. Keras models and layers are out of scope."""

from . import datasets, regularizers, utils  # noqa: F401

__all__ = ["datasets", "regularizers", "utils"]


def __getattr__(name):
    raise AttributeError(f"teachtf provides only tf.keras.datasets, tf.keras.utils and tf.keras.regularizers; "
                         f"tf.keras.{name} is out of scope (Keras models, layers and optimizers are TF2-era APIs). "
                         "Use tf.layers and tf.train instead.")

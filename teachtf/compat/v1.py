"""`tf.compat.v1`: the TF1 top-level namespace, name for name the same objects as `teachtf` (API.md §1).

    import teachtf.compat.v1 as tf
    tf.disable_v2_behavior()          # a no-op, so TF2-era TF1 code runs unchanged
"""

import teachtf as _tf


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(_tf, name)
    except AttributeError as e:
        why = str(e).partition(f"{name!r}")[2]  # teachtf's hint, when it has one
        raise AttributeError(f"module 'teachtf.compat.v1' has no attribute {name!r}{why}") from None


def __dir__():
    return dir(_tf)

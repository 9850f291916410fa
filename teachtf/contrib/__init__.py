"""tf.contrib: the subset classic TF1 programs use (layers, framework, rnn, slim, seq2seq)."""

import importlib as _importlib

_SUBMODULES = {"layers", "framework", "rnn", "slim", "seq2seq", "legacy_seq2seq", "losses", "training"}


def __getattr__(name):
    if name in _SUBMODULES:
        try:
            mod = _importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{name}":
                raise AttributeError(f"teachtf does not provide tf.contrib.{name}") from None
            raise
        globals()[name] = mod
        return mod
    raise AttributeError(f"teachtf does not provide tf.contrib.{name}")

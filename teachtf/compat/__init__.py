"""tf.compat: string/bytes helpers, forward-compatibility checks and the `v1` alias of the whole API (API.md §1, §18).

`tf.compat.v1` is the top-level namespace itself (every name is the same object); `tf.compat.v2` does not
exist because teachtf is TF1 only.
"""

from __future__ import annotations

import contextlib
import datetime
import numbers
import os

import numpy as np

from ..framework.shapes import dimension_at_index, dimension_value  # noqa: F401

bytes_or_text_types = (bytes, str)
integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)
complex_types = (numbers.Complex, np.number)

_FORWARD_COMPATIBILITY_HORIZON = [datetime.date(2019, 10, 15)]


def as_bytes(bytes_or_text, encoding="utf-8") -> bytes:
    """`bytes` as is, `str` encoded; anything else is a TypeError."""
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8") -> str:
    """`str` as is, `bytes` decoded; anything else is a TypeError."""
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text
as_unicode = as_text


def as_str_any(value) -> str:
    """`str(value)`, decoding bytes first."""
    if isinstance(value, bytes):
        return as_str(value)
    return str(value)


def path_to_str(path):
    """A `str` for a path-like object (`os.fspath`), other values unchanged."""
    if isinstance(path, os.PathLike):
        return os.fspath(path)
    return path


def forward_compatible(year, month, day) -> bool:
    """True when the emulated TF (1.15) is past the given date's forward-compatibility horizon."""
    return _FORWARD_COMPATIBILITY_HORIZON[0] > datetime.date(year, month, day)


@contextlib.contextmanager
def forward_compatibility_horizon(year, month, day):
    old = _FORWARD_COMPATIBILITY_HORIZON[0]
    _FORWARD_COMPATIBILITY_HORIZON[0] = datetime.date(year, month, day)
    try:
        yield
    finally:
        _FORWARD_COMPATIBILITY_HORIZON[0] = old


def __getattr__(name):
    if name == "v1":
        from . import v1

        return v1
    if name == "v2":
        raise AttributeError("teachtf has no tf.compat.v2: it provides the TF1 API only (use tf.compat.v1 or tf).")
    raise AttributeError(f"module 'teachtf.compat' has no attribute {name!r}")

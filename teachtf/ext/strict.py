"""Strict mode: turns teachtf's lenient pre-1.0 forms back into TF 1.15's errors (API.md §0)."""

from __future__ import annotations

import os
import warnings

_state = {"strict": os.environ.get("TEACHTF_STRICT", "") not in ("", "0", "false", "False")}
_warned: set = set()


def set_strict(flag: bool) -> None:
    _state["strict"] = bool(flag)


def is_strict() -> bool:
    return _state["strict"]


def lenient(key: str, message: str, strict_error: Exception | None = None) -> None:
    """Called where a lenient (pre-1.0) form is accepted: raises `strict_error` in strict mode, else warns once."""
    if _state["strict"]:
        if strict_error is not None:
            raise strict_error
        raise TypeError(message)
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, DeprecationWarning, stacklevel=3)

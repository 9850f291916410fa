"""Helpers shared by the lessons: self-checks, data lookup, image grids and a summary viewer.

Nothing here builds TensorFlow graphs: every TF1 program a learner should read stays in the notebooks.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CheckFailed", "check", "check_close", "check_equal"]


# --------------------------------------------------------------------------------------------- self-checks

class CheckFailed(AssertionError):
    """A self-check that did not pass. In Jupyter it shows as one line with the hint, without a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython calls this instead of printing a traceback
        return [str(self)]


def check(label: str, ok: bool, hint: str = "") -> None:
    """Print `✓ label` when `ok`; otherwise raise CheckFailed with `✗ label — hint`.

    Failing loudly keeps automated runs (CI, nbval) honest; in a notebook the learner sees only the hint line.
    """
    if bool(ok):
        print(f"✓ {label}")
        return
    raise CheckFailed(f"✗ {label} — {hint}" if hint else f"✗ {label}")


def check_equal(label: str, actual, expected, hint: str = "") -> None:
    """check() that `actual == expected` (lists, tuples, strings, numbers, dicts); the hint shows both."""
    ok = _plain(actual) == _plain(expected)
    detail = f"expected {expected!r}, got {actual!r}"
    check(label, ok, f"{hint} ({detail})" if hint else detail)


def check_close(label: str, actual, expected, *, rtol: float = 1e-5, atol: float = 1e-6, hint: str = "") -> None:
    """check() that two arrays have the same shape and agree within |a − e| ≤ atol + rtol·|e| everywhere."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        detail = f"shapes differ: {a.shape} vs expected {e.shape}"
        check(label, False, f"{hint} ({detail})" if hint else detail)
    finite = np.isfinite(a).all()
    ok = finite and np.allclose(a, e, rtol=rtol, atol=atol)
    worst = float(np.max(np.abs(a - e))) if a.size and finite else float("nan")
    detail = "non-finite values (NaN or inf)" if not finite else f"largest difference {worst:.3g}"
    check(label, ok, f"{hint} ({detail})" if hint else detail)


def _plain(value):
    """Turn NumPy scalars/arrays and tuples into plain Python values so == compares contents."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value

"""Helpers for the `show_code()` snippets: short, exact literals of the arrays a widget uses."""

from __future__ import annotations

import numpy as np


def number_literal(v, dtype=np.float32) -> str:
    """The shortest text that reads back as the same `dtype` value (ints without a decimal point)."""
    v = dtype(v)
    if np.issubdtype(dtype, np.integer):
        return str(int(v))
    if float(v) == int(v) and abs(float(v)) < 1e15:
        return f"{int(v)}."
    return np.format_float_positional(v, unique=True, trim="-")


def array_literal(arr, dtype=np.float32) -> str:
    """A nested Python list literal of `arr`, written with `number_literal`."""
    arr = np.asarray(arr)
    if arr.ndim == 0:
        return number_literal(arr, dtype)
    return "[" + ", ".join(array_literal(a, dtype) for a in arr) + "]"


def np_array_code(arr, dtype: str = "float32") -> str:
    """`np.array([...], dtype=np.float32)` for `arr`, keeping its shape."""
    npdt = np.dtype(dtype).type
    return f"np.array({array_literal(arr, npdt)}, dtype=np.{dtype})"


def rows_literal(arr2d, indent: int, dtype=np.float32) -> str:
    """A 2-D list literal with one row per line, continuation lines indented by `indent` spaces."""
    rows = [array_literal(r, dtype) for r in np.asarray(arr2d)]
    return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"


def filled_array_code(var: str, arr, comment: str = "", dtype: str = "float32") -> list[str]:
    """Lines building `arr` (2-D to 4-D) as np.zeros of its shape, then one 2-D slice at a time.

    A 2-D array is a single literal; a 4-D one is filled per [..., :, :, ...] slice, so every row
    of numbers the widget shows appears as one line.
    """
    arr = np.asarray(arr)
    npdt = np.dtype(dtype).type
    suffix = f"  # {comment}" if comment else ""
    if arr.ndim == 2:
        prefix = f"{var} = np.array("
        return [f"{prefix}{rows_literal(arr, len(prefix), npdt)}, dtype=np.{dtype}){suffix}"]
    lines = [f"{var} = np.zeros({list(arr.shape)}, dtype=np.{dtype}){suffix}"]
    if arr.ndim == 3:  # [h, w, c]
        slices = [((f":, :, {c}"), arr[:, :, c]) for c in range(arr.shape[2])]
    elif arr.ndim == 4 and arr.shape[0] == 1:  # NHWC with one example
        slices = [((f"0, :, :, {c}"), arr[0, :, :, c]) for c in range(arr.shape[3])]
    elif arr.ndim == 4:  # HWIO
        slices = [((f":, :, {i}, {o}"), arr[:, :, i, o]) for i in range(arr.shape[2]) for o in range(arr.shape[3])]
    else:
        raise ValueError(f"filled_array_code handles 2-D to 4-D arrays; got shape {arr.shape}.")
    for index, part in slices:
        if not np.any(part):
            continue
        prefix = f"{var}[{index}] = "
        lines.append(prefix + rows_literal(part, len(prefix), npdt))
    return lines

"""In-place variants of elementwise kernels (registry `inplace=`), so a dead buffer holds the next result.

Evaluating the MNIST CNN on 10,000 images makes a 1 GB conv output; without reuse the bias add and the ReLU
each allocate another. The plan passes an op's in-place variant the input positions whose buffers are fresh
(made by a `fresh_output` op this run) and read by no other step; the variant checks at run time that the
buffer has the result's shape and dtype and writes into it, else it computes as the plain kernel does.
"""

from __future__ import annotations

from collections.abc import Callable

# Below this many elements a new buffer costs less than the checks, and reuse saves no memory worth having.
MIN_INPLACE_ELEMENTS = 1 << 12


def broadcast_shape(shapes: list[tuple]) -> tuple | None:
    """NumPy's broadcast of host shape tuples; None when they do not broadcast (the plain kernel then raises)."""
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(ndim):
        sizes = {s[axis - ndim + len(s)] for s in shapes if axis - ndim + len(s) >= 0} - {1}
        if len(sizes) > 1:
            return None
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def reusable_input(xp, arrays, positions, shape=None):
    """The first array at `positions` that can hold the result: an `xp.ndarray` whose shape is `shape` (the
    broadcast shape of all inputs when None, a tuple) and whose dtype every input shares; None when none can."""
    for p in positions:
        if getattr(arrays[p], "size", 0) >= MIN_INPLACE_ELEMENTS:
            break
    else:
        return None
    dtype = None
    for a in arrays:
        if not isinstance(a, xp.ndarray):
            return None  # a NumPy scalar or a Python value: leave dtype promotion to the plain kernel
        if dtype is None:
            dtype = a.dtype
            if dtype.kind not in "biufc":
                return None  # strings and objects: the plain kernel
        elif a.dtype != dtype:
            return None
    if shape is None:
        shape = broadcast_shape([a.shape for a in arrays])
    for p in positions:
        a = arrays[p]
        if a.shape == shape and getattr(a.flags, "writeable", True):
            return a
    return None


def elementwise(kernel: Callable, ufunc: Callable[..., Callable]) -> Callable:
    """An in-place variant for an elementwise op: `ufunc(xp)(*arrays, out=buffer)` into a reusable input, else
    `kernel` itself."""

    def inplace(ctx, positions, *arrays, **attrs):
        target = reusable_input(ctx.xp, arrays, positions)
        if target is None:
            return kernel(ctx, *arrays, **attrs)
        ufunc(ctx.xp)(*arrays, out=target)
        return target

    return inplace

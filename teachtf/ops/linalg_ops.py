"""Contractions and small linear algebra (API.md §7 P2): einsum, tensordot, trace, matrix_inverse,
matrix_determinant, matrix_solve, and the diagonal ops diag/diag_part/matrix_diag/matrix_diag_part/
matrix_set_diag, with their gradients.

einsum and tensordot share one Einsum op (NumPy's einsum, contracting pairs
through BLAS); its gradient is an einsum of the output gradient with the other
inputs, broadcast back over indices only one input carried.
"""

from __future__ import annotations

import builtins
import string as _string

import numpy as np

from ..framework import graph as _graph
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from .constant_op import convert_to_tensor
from .math_ops import build_op, check_dtype, matmul, negative
from .registry import apply, register

__all__ = ["einsum", "tensordot", "trace", "matrix_inverse", "matrix_determinant", "matrix_solve", "diag",
           "diag_part", "matrix_diag", "matrix_diag_part", "matrix_set_diag"]


# -- contractions: tensordot, einsum, trace -----------------------------------------------------------


def _einsum_parse(equation, ranks):
    """Input subscripts and output of an einsum equation, with `...` expanded to letters (known ranks)."""
    eq = equation.replace(" ", "")
    lhs, out = eq.split("->") if "->" in eq else (eq, None)
    ins = lhs.split(",")
    if len(ins) != len(ranks):
        raise ValueError(f"einsum equation '{equation}' names {len(ins)} inputs but {len(ranks)} were given")
    free = [c for c in _string.ascii_letters if c not in set(eq)]
    ks = []
    for s, r in zip(ins, ranks):
        if "..." not in s:
            ks.append(0)
        elif r is None:
            raise ValueError("einsum with '...' needs inputs of known rank")
        else:
            ks.append(r - (len(s) - 3))
    ell = "".join(free[:builtins.max(ks, default=0)])
    ins = [s.replace("...", ell[len(ell) - k:] if k else "") for s, k in zip(ins, ks)]
    if out is None:
        counts = {}
        for s in ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    for s, r in zip(ins, ranks):
        if r is not None and len(s) != r:
            raise ValueError(f"einsum subscripts '{s}' do not match an input of rank {r}")
    return ins, out


def _einsum_shape(inputs, attrs):
    ins, out = attrs["_subscripts"], attrs["_output"]
    dt = inputs[0].dtype.base_dtype
    sizes = {}
    for t, s in zip(inputs, ins):
        if t.dtype.base_dtype != dt:
            raise TypeError(f"Tensors in list passed to 'inputs' of 'Einsum' Op have types "
                            f"[{', '.join(i.dtype.base_dtype.name for i in inputs)}] that don't all match.")
        if t.shape.ndims is None:
            continue
        for c, d in zip(s, t.shape.as_list()):
            if d is None or d == 1:
                continue
            if sizes.setdefault(c, d) != d:
                raise ValueError(f"Expected dimension {sizes[c]} for subscript '{c}', got {d} "
                                 f"(equation '{attrs['equation']}')")
    known = {c for t, s in zip(inputs, ins) if t.shape.ndims is not None for c in s}
    return [([sizes.get(c, 1 if c in known and _all_ones(inputs, ins, c) else None) for c in out], dt)]


def _all_ones(inputs, ins, c):
    return builtins.all(t.shape.ndims is not None and t.shape.as_list()[s.index(c)] == 1
                        for t, s in zip(inputs, ins) if c in s)


def _einsum_grad(op, grad):
    """Gradient of each input: einsum of the output gradient with the other inputs, broadcast back over
    indices that only that input carried."""
    from . import array_ops

    ins, out = op.get_attr("_subscripts"), op.get_attr("_output")
    grads = []
    for i, (x, s) in enumerate(zip(op.inputs, ins)):
        if len(set(s)) != len(s):
            raise LookupError(f"No gradient for einsum '{op.get_attr('equation')}': input subscripts '{s}' repeat "
                              "an index (diagonals); use tf.matrix_diag_part instead.")
        others = [(t, o) for j, (t, o) in enumerate(zip(op.inputs, ins)) if j != i]
        present = set(out).union(*[set(o) for _, o in others]) if others else set(out)
        kept = "".join(c for c in s if c in present)
        eq = ",".join([out] + [o for _, o in others]) + "->" + kept
        g = einsum(eq, grad, *[t for t, _ in others])
        if kept != s:
            shape_kept = [1 if c not in kept else -1 for c in s]
            g = array_ops.reshape(g, _reshape_for(x, s, kept, shape_kept))
            g = array_ops.broadcast_to(g, array_ops.shape(x) if not x.shape.is_fully_defined()
                                       else x.shape.as_list())
        grads.append(g)
    return grads


def _reshape_for(x, s, kept, shape_kept):
    if x.shape.is_fully_defined():
        dims = x.shape.as_list()
        return [dims[k] if c in kept else 1 for k, c in enumerate(s)]
    if shape_kept.count(-1) > 1:
        raise ValueError("einsum gradient needs static shapes when several indices are summed away")
    return shape_kept


@register("Einsum", shape=_einsum_shape, grad=_einsum_grad)
def _einsum_kernel(ctx, *xs, equation):
    # The expanded subscripts were stored (as hidden attrs) when the op was built. optimize=True lets NumPy
    # contract pairs through BLAS (tensordot) instead of its C loops.
    attrs = ctx.op._attrs
    return ctx.xp.einsum(",".join(attrs["_subscripts"]) + "->" + attrs["_output"], *xs, optimize=len(xs) > 1)


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Einstein summation, e.g. `einsum('ij,jk->ik', a, b)`; `...` is supported for inputs of known rank."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"invalid keyword arguments for einsum: {', '.join(kwargs)}")
    with _graph.name_scope(name, "einsum", list(inputs)) as scope:
        ts = [convert_to_tensor(x, name=f"inputs_{i}") for i, x in enumerate(inputs)]
        ins, out = _einsum_parse(equation, [t.shape.ndims for t in ts])
        del scope
        return apply("Einsum", ts, {"equation": equation, "_subscripts": tuple(ins), "_output": out}, "Einsum")


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sums a·b over `axes`: an int N (last N of a with first N of b) or a pair of axis lists."""
    with _graph.name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        ra, rb = a.shape.ndims, b.shape.ndims
        if ra is None or rb is None:
            raise ValueError("tensordot needs inputs of known rank")
        if isinstance(axes, (int, np.integer)):
            n = int(axes)
            if n < 0 or n > builtins.min(ra, rb):
                raise ValueError(f"'axes' must be at most {builtins.min(ra, rb)}, got {n}")
            ax_a, ax_b = list(builtins.range(ra - n, ra)), list(builtins.range(n))
        else:
            ax_a, ax_b = axes
            ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
            ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
            if len(ax_a) != len(ax_b):
                raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(ax_a)} != {len(ax_b)}")
        ax_a = [int(i) % ra for i in ax_a]
        ax_b = [int(i) % rb for i in ax_b]
        letters = _string.ascii_letters
        sa = list(letters[:ra])
        sb = list(letters[ra:ra + rb])
        for i, j in zip(ax_a, ax_b):
            sb[j] = sa[i]
        out = "".join(c for k, c in enumerate(sa) if k not in ax_a) + "".join(
            c for k, c in enumerate(sb) if k not in ax_b)
        eq = "".join(sa) + "," + "".join(sb) + "->" + out
        return apply("Einsum", [a, b], {"equation": eq, "_subscripts": ("".join(sa), "".join(sb)), "_output": out},
                     scope)


def trace(x, name=None) -> Tensor:
    """Sum of the main diagonal of each innermost matrix."""
    from . import array_ops

    from .reduction_ops import reduce_sum

    with _graph.name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return reduce_sum(array_ops.matrix_diag_part(x), [-1], name=scope)


# -- small linear algebra: inverse, determinant, solve ----------------------------------------------------


def _square_matrix_shape(inputs, attrs):
    x = inputs[0]
    check_dtype(x, ("float16", "float32", "float64", "complex64", "complex128"), "input")
    if x.shape.ndims is not None:
        if x.shape.ndims < 2:
            raise ValueError(f"Shape must be at least rank 2 but is rank {x.shape.ndims}")
        m, n = x.shape.as_list()[-2:]
        if m is not None and n is not None and m != n:
            raise ValueError(f"Dimensions must be equal, but are {m} and {n} (a square matrix is needed)")
    return x.shape, x.dtype.base_dtype


def _inverse_grad(op, grad):
    ainv = op.outputs[0]
    return [negative(matmul(ainv, matmul(grad, ainv, transpose_b=True), transpose_a=True))]


@register("MatrixInverse", shape=lambda i, a: [_square_matrix_shape(i, a)], grad=_inverse_grad)
def _matrix_inverse_kernel(ctx, x, adjoint=False):
    inv = ctx.xp.linalg.inv(x)
    return ctx.xp.swapaxes(inv, -1, -2).conj() if adjoint else inv


def matrix_inverse(input, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """The inverse of each innermost square matrix (a singular matrix fails at run time)."""
    return build_op("MatrixInverse", "MatrixInverse", name, [(input, "input", None, None)],
                    {"adjoint": bool(adjoint)})


def _determinant_shape(inputs, attrs):
    s, dt = _square_matrix_shape(inputs, attrs)
    return [(TensorShape(None) if s.ndims is None else s[:-2], dt)]


def _determinant_grad(op, grad):
    from . import array_ops

    a, det = op.inputs[0], op.outputs[0]
    scale = array_ops.expand_dims(array_ops.expand_dims(grad * det, -1), -1)
    return [scale * matrix_inverse(a, adjoint=True)]


@register("MatrixDeterminant", shape=_determinant_shape, grad=_determinant_grad)
def _matrix_determinant_kernel(ctx, x):
    return ctx.xp.linalg.det(x).astype(x.dtype, copy=False)


def matrix_determinant(input, name=None) -> Tensor:  # noqa: A002
    """The determinant of each innermost square matrix."""
    return build_op("MatrixDeterminant", "MatrixDeterminant", name, [(input, "input", None, None)])


def _solve_shape(inputs, attrs):
    a, b = inputs
    s, dt = _square_matrix_shape([a], attrs)
    if b.dtype.base_dtype != dt:
        raise TypeError(f"Input 'rhs' of 'MatrixSolve' Op has type {b.dtype.base_dtype.name} that does not match "
                        f"type {dt.name} of argument 'matrix'.")
    if s.ndims is not None and b.shape.ndims is not None:
        n, k = s[-1].value, b.shape[-2].value if b.shape.ndims >= 2 else None
        if n is not None and k is not None and n != k:
            raise ValueError(f"Dimensions must be equal, but are {n} and {k} (matrix and rhs of matrix_solve)")
    return [(b.shape, dt)]


def _solve_grad(op, grad):
    a, _ = op.inputs
    x = op.outputs[0]
    adj = op.get_attr("adjoint")
    gb = matrix_solve(a, grad, adjoint=not adj)
    ga = negative(matmul(x, gb, transpose_b=True)) if adj else negative(matmul(gb, x, transpose_b=True))
    return [ga, gb]


@register("MatrixSolve", shape=_solve_shape, grad=_solve_grad)
def _matrix_solve_kernel(ctx, a, b, adjoint=False):
    xp = ctx.xp
    if adjoint:
        a = xp.swapaxes(a, -1, -2).conj()
    return xp.linalg.solve(a, b)


def matrix_solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """X with matrix · X = rhs (or adjoint(matrix) · X = rhs) for each innermost square matrix."""
    return build_op("MatrixSolve", "MatrixSolve", name, [(matrix, "matrix", "T", None), (rhs, "rhs", "T", None)],
                    {"adjoint": bool(adjoint)})


# -- diagonals ----------------------------------------------------------------------------------------------


def _diag_shape(inputs, attrs):
    x = inputs[0]
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    if x.shape.ndims < 1:
        raise ValueError("Input must be at least rank 1 (tf.diag)")
    return [(x.shape.as_list() * 2, x.dtype.base_dtype)]


@register("Diag", shape=_diag_shape, grad=lambda op, g: [diag_part(g)])
def _diag_kernel(ctx, x):
    xp = ctx.xp
    n = x.size
    out = xp.zeros(n * n, dtype=x.dtype)
    out[:: n + 1] = x.reshape(-1)
    return out.reshape(x.shape + x.shape)


def diag(diagonal, name=None) -> Tensor:
    """A tensor with `diagonal` on its diagonal: out[i1..ik, i1..ik] = diagonal[i1..ik]."""
    return build_op("Diag", "Diag", name, [(diagonal, "diagonal", None, None)])


def _diag_part_shape(inputs, attrs):
    x = inputs[0]
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    nd = x.shape.ndims
    if nd % 2 or nd == 0:
        raise ValueError(f"Input must have even rank >= 2 (tf.diag_part), got rank {nd}")
    dims = x.shape.as_list()
    half = dims[: nd // 2]
    for a, b in zip(half, dims[nd // 2:]):
        if a is not None and b is not None and a != b:
            raise ValueError(f"Invalid shape {x.shape}: the first half of the dimensions must equal the second half")
    return [(half, x.dtype.base_dtype)]


@register("DiagPart", shape=_diag_part_shape, grad=lambda op, g: [diag(g)])
def _diag_part_kernel(ctx, x):
    half = x.shape[: x.ndim // 2]
    n = int(np.prod(half)) if half else 1
    return x.reshape(n, n).diagonal().reshape(half)


def diag_part(input, name=None) -> Tensor:  # noqa: A002
    """The diagonal of a tensor of shape d + d (the inverse of tf.diag)."""
    return build_op("DiagPart", "DiagPart", name, [(input, "input", None, None)])


def _matrix_diag_shape(inputs, attrs):
    x = inputs[0]
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    if x.shape.ndims < 1:
        raise ValueError("Input must be at least rank 1 (tf.matrix_diag)")
    dims = x.shape.as_list()
    return [(dims + [dims[-1]], x.dtype.base_dtype)]


@register("MatrixDiag", shape=_matrix_diag_shape, grad=lambda op, g: [matrix_diag_part(g)])
def _matrix_diag_kernel(ctx, x):
    xp = ctx.xp
    n = x.shape[-1]
    out = xp.zeros(x.shape[:-1] + (n * n,), dtype=x.dtype)
    out[..., :: n + 1] = x
    return out.reshape(x.shape + (n,))


def matrix_diag(diagonal, name=None) -> Tensor:
    """Batched diagonal matrices: [..., n] → [..., n, n]."""
    return build_op("MatrixDiag", "MatrixDiag", name, [(diagonal, "diagonal", None, None)])


def _matrix_diag_part_shape(inputs, attrs):
    x = inputs[0]
    if x.shape.ndims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    if x.shape.ndims < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {x.shape.ndims} (tf.matrix_diag_part)")
    dims = x.shape.as_list()
    m, n = dims[-2:]
    k = None if m is None or n is None else builtins.min(m, n)
    return [(dims[:-2] + [k], x.dtype.base_dtype)]


def _matrix_diag_part_grad(op, grad):
    from .array_ops import zeros_like

    x = op.inputs[0]
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is not None and dims[-1] is not None and dims[-1] == dims[-2]:
        return [matrix_diag(grad)]
    return [matrix_set_diag(zeros_like(x), grad)]


@register("MatrixDiagPart", shape=_matrix_diag_part_shape, grad=_matrix_diag_part_grad)
def _matrix_diag_part_kernel(ctx, x):
    return ctx.xp.diagonal(x, axis1=-2, axis2=-1).copy()


def matrix_diag_part(input, name=None) -> Tensor:  # noqa: A002
    """The main diagonal of each innermost matrix: [..., m, n] → [..., min(m, n)]."""
    return build_op("MatrixDiagPart", "MatrixDiagPart", name, [(input, "input", None, None)])


def _matrix_set_diag_shape(inputs, attrs):
    x, d = inputs
    if x.dtype.base_dtype != d.dtype.base_dtype:
        raise TypeError(f"Input 'diagonal' of 'MatrixSetDiag' Op has type {d.dtype.base_dtype.name} that does not "
                        f"match type {x.dtype.base_dtype.name} of argument 'input'.")
    return [(x.shape, x.dtype.base_dtype)]


def _matrix_set_diag_grad(op, grad):
    from .array_ops import zeros_like

    return [matrix_set_diag(grad, zeros_like(op.inputs[1])), matrix_diag_part(grad)]


@register("MatrixSetDiag", shape=_matrix_set_diag_shape, grad=_matrix_set_diag_grad)
def _matrix_set_diag_kernel(ctx, x, d):
    xp = ctx.xp
    m, n = x.shape[-2:]
    k = builtins.min(m, n)
    out = x.copy()
    rows = xp.arange(k)
    out[..., rows, rows] = d
    return out


def matrix_set_diag(input, diagonal, name=None) -> Tensor:  # noqa: A002
    """`input` with the main diagonal of each innermost matrix replaced by `diagonal`."""
    return build_op("MatrixSetDiag", "MatrixSetDiag", name, [(input, "input", "T", None),
                                                             (diagonal, "diagonal", "T", None)])

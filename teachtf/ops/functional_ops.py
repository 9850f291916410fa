"""tf.map_fn, tf.scan, tf.foldl and tf.foldr: a Python function applied along the first dimension, as a loop in the
graph (tf.while_loop), so the length may be known only at run time and gradients flow through every element.

Each loop unpacks element i of every tensor in `elems` (shape [n, ...]) with a slice. Results are collected in a
flat accumulator per output, one element appended per iteration, and reshaped to [n, ...] after the loop: the
same values and static shapes as TF1's TensorArray-based versions (the graph's internal ops differ).
`parallel_iterations`, `swap_memory` and `infer_shape` are accepted for compatibility: iterations run in order.
"""

from __future__ import annotations

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework import nest
from ..framework.graph import Tensor
from ..framework.shapes import TensorShape
from . import array_ops
from .constant_op import constant, convert_to_tensor
from .while_ops import while_loop

__all__ = ["foldl", "foldr", "map_fn", "scan"]

_ANY_LENGTH = TensorShape([None])
_SCALAR = TensorShape([])


def _elems(elems, what: str) -> tuple[list, int | None]:
    """The flat list of tensors of `elems`, each at least 1-D with compatible static lengths, and that length
    (None when no static shape knows it)."""
    flat = nest.flatten(elems)
    if not flat:
        raise ValueError(f"{what}: elems must be a Tensor or (possibly nested) sequence of Tensors, got {elems!r}")
    try:
        flat = [convert_to_tensor(e, name="elem") for e in flat]
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: elems must be a Tensor or (possibly nested) sequence of Tensors. {e}") from None
    length = None
    for t in flat:
        if t.shape.ndims == 0:
            raise ValueError(f"{what}: elements in elems must be 1+ dimensional Tensors, not scalars ({t.name}).")
        if t.shape.ndims is not None:
            n = t.shape.as_list()[0]
            if n is not None and length is not None and n != length:
                raise ValueError(f"{what}: every tensor in elems must have the same first dimension; got {length} "
                                 f"and {n} ({t.name}).")
            length = n if n is not None else length
    return flat, length


def _length(flat) -> Tensor:
    return array_ops.shape(flat[0])[0]


def _outputs(what: str, structure, result, out_dtypes) -> list:
    """`result` of the user's function, flattened and checked against `structure` and the expected dtypes."""
    try:
        nest.assert_same_structure(structure, result, check_types=False)
    except (TypeError, ValueError) as e:
        like = "dtype (or elems when dtype is not given)" if what == "map_fn" else "the initializer (or elems)"
        raise ValueError(f"{what}: fn must return the same structure as {like}: {e}") from None
    out = []
    for t, dt in zip(nest.flatten(result), out_dtypes):
        t = convert_to_tensor(t, dtype=dt) if not isinstance(t, Tensor) else t
        if t.dtype.base_dtype != dt:
            hint = " (pass dtype= for outputs of another dtype than elems)" if what == "map_fn" else ""
            raise TypeError(f"{what}: fn returned a {t.dtype.base_dtype.name} tensor where {dt.name} was expected"
                            f"{hint}: {t.name}")
        out.append(t)
    return out


class _Collector:
    """Per output: a flat accumulator that each iteration appends one element to, and that element's shape."""

    def __init__(self, out_dtypes, first=None):
        self.dtypes = out_dtypes
        self.static_shapes = [None] * len(out_dtypes)  # filled in while the loop body is built
        if first is None:
            self.init = [array_ops.zeros([0], dt) for dt in out_dtypes], \
                [array_ops.zeros([0], dtypes.int32) for _ in out_dtypes]
        else:  # scan without initializer: the first output is the first element itself
            self.init = [array_ops.reshape(t, [-1]) for t in first], [array_ops.shape(t) for t in first]
            self.static_shapes = [t.shape for t in first]

    def invariants(self):
        return [_ANY_LENGTH] * len(self.dtypes), [_ANY_LENGTH] * len(self.dtypes)

    def append(self, accs, ys):
        self.static_shapes = [y.shape for y in ys]
        return ([array_ops.concat([a, array_ops.reshape(y, [-1])], 0) for a, y in zip(accs, ys)],
                [array_ops.shape(y) for y in ys])

    def stacked(self, accs, shapes, n, n_static) -> list:
        """The accumulators as [n, ...] tensors."""
        from .control_flow_ops import identity
        from .logging_ops import Assert
        from .math_ops import greater

        out = []
        for acc, dyn, static in zip(accs, shapes, self.static_shapes):
            if static.is_fully_defined():
                dims = static.as_list()
                t = array_ops.reshape(acc, [n_static] + dims if n_static is not None else
                                      array_ops.concat([[n], constant(dims, dtypes.int32)], 0))
            else:
                # Zero elements give no shape to stack with: TF1 refuses this case as well.
                check = Assert(greater(n, 0), ["Cannot stack zero elements whose shape is not fully defined:",
                                               str(static)])
                with _graph.control_dependencies([check]):
                    acc = identity(acc)
                t = array_ops.reshape(acc, array_ops.concat([[n], dyn], 0))
            t.set_shape(TensorShape([n_static]).concatenate(static))
            out.append(t)
        return out


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False, infer_shape=True,
           name=None):
    """[fn(elems[0]), …, fn(elems[n−1])] stacked: shape [n] + the shape of fn's output.

    elems: a tensor [n, ...] or a nested structure of them (fn then receives that structure, sliced). dtype: the
    dtype (structure) of fn's output when it differs from elems'.
    """
    if not callable(fn):
        raise TypeError("fn must be callable.")
    flat, n_static = _elems(elems, "map_fn")
    out_structure = elems if dtype is None else dtype
    out_dtypes = ([e.dtype.base_dtype for e in flat] if dtype is None else
                  [dtypes.as_dtype(d).base_dtype for d in nest.flatten(dtype)])
    with _graph.name_scope(name, "map", flat):
        n = _length(flat)
        collect = _Collector(out_dtypes)

        def body(i, accs, shapes):
            x = nest.pack_sequence_as(elems, [e[i] for e in flat])
            ys = _outputs("map_fn", out_structure, fn(x), out_dtypes)
            accs, shapes = collect.append(accs, ys)
            return i + 1, accs, shapes

        _, accs, shapes = while_loop(lambda i, *_: i < n, body, (constant(0), *collect.init),
                                     shape_invariants=(_SCALAR, *collect.invariants()), back_prop=back_prop)
        out = collect.stacked(accs, shapes, n, n_static)
    return nest.pack_sequence_as(out_structure, out)


def _first_or_last(flat, reverse):
    return [e[-1] if reverse else e[0] for e in flat]


def _carry(what, fn, elems, initializer, reverse, name, scope, collect_outputs, back_prop):
    """The loop of scan and fold: a = fn(a, elems[i]) for i ascending (descending when `reverse`)."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    flat, n_static = _elems(elems, what)
    with _graph.name_scope(name, scope, flat):
        n = _length(flat)
        if initializer is None:
            a_structure, a0, start = elems, _first_or_last(flat, reverse), 1
        else:
            a_structure, start = initializer, 0
            a0 = [convert_to_tensor(t, name="initializer") for t in nest.flatten(initializer)]
        a_dtypes = [t.dtype.base_dtype for t in a0]
        collect = _Collector(a_dtypes, first=a0 if initializer is None else None) if collect_outputs else None

        def body(j, a, *collected):
            i = n - 1 - j if reverse else j
            x = nest.pack_sequence_as(elems, [e[i] for e in flat])
            new_a = _outputs(what, a_structure, fn(nest.pack_sequence_as(a_structure, list(a)), x), a_dtypes)
            if collect is None:
                return j + 1, new_a
            return (j + 1, new_a, *collect.append(collected[0], new_a))

        loop_vars = (constant(start), a0) + (collect.init if collect else ())
        invariants = (_SCALAR, [t.shape for t in a0]) + (collect.invariants() if collect else ())
        result = while_loop(lambda j, *_: j < n, body, loop_vars, shape_invariants=invariants,
                            back_prop=back_prop, return_same_structure=True)
        if collect is None:
            return nest.pack_sequence_as(a_structure, list(result[1]))
        out = collect.stacked(result[2], result[3], n, n_static)
        if reverse:  # element j of the loop belongs to position n − 1 − j
            out = [array_ops.reverse(t, [0]) for t in out]
        return nest.pack_sequence_as(a_structure, out)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
         reverse=False, name=None):
    """out[i] = fn(out[i−1], elems[i]) stacked along a new first axis, out[−1] = initializer (default: out[0] =
    elems[0]). reverse: from the last element to the first (out[i] = fn(out[i+1], elems[i]))."""
    return _carry("scan", fn, elems, initializer, reverse, name, "scan", collect_outputs=True,
                  back_prop=back_prop)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """a = fn(a, elems[i]) for i = 0 … n−1 from a = initializer (default: elems[0], then from i = 1); returns a."""
    return _carry("foldl", fn, elems, initializer, False, name, "foldl", collect_outputs=False,
                  back_prop=back_prop)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """a = fn(a, elems[i]) for i = n−1 … 0 from a = initializer (default: elems[n−1]); returns a."""
    return _carry("foldr", fn, elems, initializer, True, name, "foldr", collect_outputs=False,
                  back_prop=back_prop)

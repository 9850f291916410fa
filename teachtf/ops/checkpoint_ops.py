"""SaveV2 and RestoreV2: the ops a `tf.train.Saver` runs to write and read checkpoints.

SaveV2(prefix, tensor_names, shape_and_slices, *tensors) writes the tensors
(variables are read when the op runs) to the checkpoint `prefix`.
RestoreV2(prefix, tensor_names, shape_and_slices) returns the saved values,
after checking that every key exists and that dtypes and shapes match; the
Saver then assigns them. A failed restore raises before any assignment, and the
session commits variable writes only when a run succeeds, so variables keep
their old values.
"""

from __future__ import annotations

import re

import numpy as np

from ..framework import dtypes
from ..framework import errors
from ..framework import graph as _graph
from ..framework.shapes import TensorShape
from .registry import NO_GRADIENT, apply_op, register

_SUFFIXED = re.compile(r"^(.*)_(\d+)$")


def _text(value) -> str:
    v = value.item() if isinstance(value, np.ndarray) else value
    return v.decode() if isinstance(v, bytes) else str(v)


def _names(arr) -> list:
    return [_text(x) for x in np.asarray(arr, dtype=object).reshape(-1)]


def _save_shape(inputs, attrs):
    n = len(inputs) - 3
    if n != len(attrs["dtypes"]):
        raise ValueError(f"SaveV2 got {n} tensors but {len(attrs['dtypes'])} dtypes")
    for t, dt in zip(inputs[3:], attrs["dtypes"]):
        if t.dtype.base_dtype != dt:
            raise TypeError(f"SaveV2: tensor {t.name} has dtype {t.dtype.base_dtype.name}, expected {dt.name}")
    return []


@register("SaveV2", shape=_save_shape, grad=NO_GRADIENT, stateful=True, cpu_only=True)
def _save_v2(ctx, prefix, tensor_names, shape_and_slices, *tensors, dtypes):
    from ..train import checkpoint_io

    names = _names(tensor_names)
    if len(names) != len(tensors):
        raise errors.InvalidArgumentError(None, ctx.op, f"Got {len(names)} tensor names for {len(tensors)} tensors")
    checkpoint_io.write_checkpoint(_text(prefix), dict(zip(names, tensors)))


def _restore_shape(inputs, attrs):
    shapes = attrs.get("expected_shapes") or [None] * len(attrs["dtypes"])
    if attrs.get("reshape"):
        shapes = [None] * len(shapes)  # the saved shape; the Saver reshapes it
    return [(s if s is not None else TensorShape(None), dt) for s, dt in zip(shapes, attrs["dtypes"])]


def _uniquify_hint(missing, present) -> str:
    """Explains keys like 'w_1' vs 'w': a model built twice in one graph (a re-run notebook cell)."""
    pairs = []
    for k in missing:
        m = _SUFFIXED.match(k)
        if m and m.group(1) in present:
            pairs.append(f"the graph wants '{k}' where the checkpoint has '{m.group(1)}'")
    for k in present:
        m = _SUFFIXED.match(k)
        if m and m.group(1) in missing:
            pairs.append(f"the checkpoint has '{k}' where the graph wants '{m.group(1)}'")
    if not pairs:
        return ""
    return ("\n  Hint: " + "; ".join(pairs[:4]) + ". A '_1' suffix means the model was built twice in one graph "
            "(for example a notebook cell run again). Call tf.reset_default_graph() before building the model, "
            "then save and restore again.")


def _check_keys(ctx, ckpt, names):
    missing = [k for k in names if not ckpt.has(k)]
    if not missing:
        return
    unexpected = [k for k in ckpt.keys() if k not in set(names)]
    msg = (f"Key {missing[0]} not found in checkpoint\n"
           f"  Keys the graph restores that are missing from checkpoint {ckpt.prefix}: {missing}\n"
           f"  Keys in the checkpoint that nothing restores: {unexpected}")
    raise errors.NotFoundError(None, ctx.op, msg + _uniquify_hint(missing, set(ckpt.keys())))


def _check_values(ctx, ckpt, names, want_dtypes, want_shapes, reshape):
    problems = []
    for k, dt, shape in zip(names, want_dtypes, want_shapes):
        have_dt = ckpt.dtype(k)
        if have_dt != dt:
            problems.append(f"tensor_name = {k}; expected dtype {dt.name} does not equal original dtype "
                            f"{have_dt.name}")
            continue
        have = ckpt.shape(k)
        if shape is None or shape.ndims is None:
            continue
        if reshape:
            want_n = shape.num_elements()
            if want_n is not None and want_n != int(np.prod(have)):
                problems.append(f"key '{k}': cannot reshape the saved shape {have} ({int(np.prod(have))} values) "
                                f"to the variable's shape {shape.as_list()} ({want_n} values)")
        elif not TensorShape(have).is_compatible_with(shape):
            problems.append(f"Assign requires shapes of both tensors to match. lhs shape= {shape.as_list()} rhs "
                            f"shape= {have} (key '{k}': the graph's variable has shape {shape.as_list()}, the "
                            "checkpoint holds "
                            f"{have})")
    if problems:
        raise errors.InvalidArgumentError(None, ctx.op, "\n".join(problems))


@register("RestoreV2", shape=_restore_shape, grad=NO_GRADIENT, stateful=True, cpu_only=True)
def _restore_v2(ctx, prefix, tensor_names, shape_and_slices, dtypes, expected_shapes=None, reshape=False):
    from ..train import checkpoint_io

    names = _names(tensor_names)
    ckpt = checkpoint_io.CheckpointFile(_text(prefix))
    _check_keys(ctx, ckpt, names)
    _check_values(ctx, ckpt, names, dtypes, expected_shapes or [None] * len(names), reshape)
    values = ckpt.read_many(names)
    out = tuple(values[k] for k in names)
    return out[0] if len(out) == 1 else out


def _name_inputs(prefix, tensor_names, shape_and_slices):
    from .constant_op import constant, convert_to_tensor

    return [convert_to_tensor(prefix, dtypes.string),
            constant(list(tensor_names), dtypes.string, name="tensor_names"),
            constant(list(shape_and_slices), dtypes.string, name="shape_and_slices")]


def save_v2(prefix, tensor_names, shape_and_slices, tensors, name="SaveV2"):
    """Builds a SaveV2 op writing `tensors` under `tensor_names` to the checkpoint `prefix`."""
    with _graph.name_scope(name) as scope:
        ins = _name_inputs(prefix, tensor_names, shape_and_slices)
        return apply_op("SaveV2", ins + list(tensors), {"dtypes": [t.dtype.base_dtype for t in tensors]}, scope)


def restore_v2(prefix, tensor_names, shape_and_slices, dtypes_, expected_shapes=None, reshape=False,
               name="RestoreV2"):
    """Builds a RestoreV2 op; returns its output tensors (one per name)."""
    attrs = {"dtypes": list(dtypes_), "expected_shapes": list(expected_shapes) if expected_shapes else None,
             "reshape": bool(reshape)}
    with _graph.name_scope(name) as scope:
        ins = _name_inputs(prefix, tensor_names, shape_and_slices)
        return apply_op("RestoreV2", ins, attrs, scope).outputs

"""Clipping: clip_by_value, clip_by_norm, clip_by_average_norm, global_norm, clip_by_global_norm (API.md §7).

All are built from elementwise ops, so their gradients come from those ops:
`clip_by_value` passes the gradient where lo <= t <= hi and gives 0 outside.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..framework import dtypes
from ..framework import graph as _graph
from ..framework.graph import Tensor
from .constant_op import constant, convert_to_tensor
from .math_ops import maximum, minimum, rsqrt, sqrt, square
from .reduction_ops import reduce_sum

__all__ = ["clip_by_value", "clip_by_norm", "clip_by_average_norm", "global_norm", "clip_by_global_norm"]


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """min(max(t, lo), hi) elementwise. Gradient: 1 where lo <= t <= hi, 0 outside (ties at the bounds pass).

    The bounds may broadcast against `t` but must not enlarge it (ValueError).
    """
    with _graph.name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        values.shape.merge_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.merge_with(t_max.shape)
        return t_max


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """t · clip_norm / max(‖t‖₂, clip_norm), the L2 norm taken over `axes` (all when None)."""
    from .array_ops import ones_like, where
    from .control_flow_ops import identity

    with _graph.name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = convert_to_tensor(t, name="t")
        l2sum = reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        # Two selects keep the gradient finite when the norm is 0.
        l2sum_safe = where(pred, l2sum, ones_like(l2sum))
        l2norm = where(pred, sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        values.shape.merge_with(intermediate.shape)
        return identity(intermediate / maximum(l2norm, clip_norm), name=scope)


def clip_by_average_norm(t, clip_norm, name=None) -> Tensor:
    """t · clip_norm / max(‖t‖₂ / N, clip_norm), N the number of elements."""
    from .array_ops import rank, size
    from .control_flow_ops import identity
    from .math_ops import cast
    from .math_ops import range as _range

    with _graph.name_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t")
        n_element = cast(size(t), t.dtype.base_dtype)
        l2norm_inv = rsqrt(reduce_sum(t * t, _range(rank(t))))
        one = constant(1.0, dtype=t.dtype.base_dtype)
        return identity(t * clip_norm * minimum(l2norm_inv * n_element, one / clip_norm), name=scope)


def global_norm(t_list, name=None) -> Tensor:
    """sqrt(Σ‖t‖₂²) over the tensors of `t_list` (None entries are skipped)."""
    from .array_ops import stack

    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    with _graph.name_scope(name, "global_norm", [t for t in t_list if t is not None]):
        values = [convert_to_tensor(t, name=f"t_{i}") for i, t in enumerate(t_list) if t is not None]
        if not values:
            raise ValueError("global_norm needs at least one tensor that is not None")
        squared = [reduce_sum(square(v)) for v in values]
        return sqrt(reduce_sum(stack(squared)), name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor by clip_norm / max(global_norm, clip_norm); returns (clipped_list, global_norm).

    None entries pass through. If the global norm is inf or NaN every entry becomes NaN.
    """
    from .control_flow_ops import identity

    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    with _graph.name_scope(name, "clip_by_global_norm", [t for t in t_list if t is not None] + [clip_norm]) \
            as scope:
        dt = use_norm.dtype.base_dtype if isinstance(use_norm, Tensor) else dtypes.float32
        scale_for_finite = clip_norm * minimum(1.0 / use_norm, constant(1.0, dtype=dt) / clip_norm)
        scale = scale_for_finite + (use_norm - use_norm)  # NaN when the norm is not finite
        clipped = []
        for i, t in enumerate(t_list):
            if t is None:
                clipped.append(None)
                continue
            v = convert_to_tensor(t, name=f"t_{i}")
            clipped.append(identity(v * scale, name=f"{scope}_{i}"))
        return clipped, use_norm

"""tf.test.compute_gradient / compute_gradient_error: symbolic Jacobians against central differences (TF1 forms).

Both Jacobians have shape [x_size, y_size]: entry (i, j) is ∂y_j/∂x_i, with x
and y flattened. The theoretical one seeds y with each unit vector in turn and
runs tf.gradients; the numerical one perturbs each x_i by ±delta. Without
`x_init_value`, x is drawn uniformly from [0, 1) with NumPy's global generator,
as TF1 does.
"""

from __future__ import annotations

import numpy as np

from ..client.session import get_default_session
from ..gradients import gradients
from ..ops.constant_op import placeholder


def _session():
    sess = get_default_session()
    if sess is None:
        raise ValueError("compute_gradient needs a default session: run it inside `with tf.Session():`.")
    return sess


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _theoretical_jacobian(x, x_shape, x_data, y, y_shape, feed, sess):
    """Column j is the gradient of y_j w.r.t. x (zeros when y does not depend on x)."""
    y_size = _size(y_shape)
    dy = placeholder(y.dtype.base_dtype, shape=y_shape, name="grad_check_dy")
    (dx,) = gradients(y, x, grad_ys=dy)
    jacobian = np.zeros((_size(x_shape), y_size), dtype=x.dtype.base_dtype.as_numpy_dtype)
    if dx is None:
        return jacobian
    dy_data = np.zeros(y_size, dtype=y.dtype.base_dtype.as_numpy_dtype)
    for col in range(y_size):
        dy_data[col] = 1
        backprop = sess.run(dx, feed | {x: x_data, dy: dy_data.reshape(y_shape)})
        jacobian[:, col] = np.asarray(backprop).reshape(-1)
        dy_data[col] = 0
    return jacobian


def _numerical_jacobian(x, x_shape, x_data, y, y_shape, delta, feed, sess):
    """Row i is (y(x + δ·e_i) − y(x − δ·e_i)) / 2δ, computed in y's dtype."""
    y_dtype = y.dtype.base_dtype.as_numpy_dtype
    scale = np.asarray(2 * delta, dtype=y_dtype)
    jacobian = np.zeros((_size(x_shape), _size(y_shape)), dtype=x.dtype.base_dtype.as_numpy_dtype)
    for row in range(jacobian.shape[0]):
        x_pos, x_neg = x_data.copy(), x_data.copy()
        x_pos.reshape(-1)[row] += delta
        x_neg.reshape(-1)[row] -= delta
        y_pos = np.asarray(sess.run(y, feed | {x: x_pos}))
        y_neg = np.asarray(sess.run(y, feed | {x: x_neg}))
        jacobian[row, :] = ((y_pos - y_neg) / scale).reshape(-1)
    return jacobian


def _init_value(x, x_shape, x_init_value):
    dtype = x.dtype.base_dtype.as_numpy_dtype
    if x_init_value is None:
        return np.random.random_sample(x_shape).astype(dtype)
    data = np.asarray(x_init_value, dtype=dtype)
    if tuple(data.shape) != tuple(x_shape):
        raise ValueError(f"x_init_value has shape {data.shape}, which does not match x_shape {list(x_shape)}.")
    return data


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """(theoretical, numerical) Jacobians, each [x_size, y_size]; a list of such pairs when `x` is a list.

    x: a Tensor (placeholder or Variable) fed with `x_init_value`; y: a Tensor of shape `y_shape`.
    """
    sess = _session()
    for target in init_targets or ():
        sess.run(target)
    feed = dict(extra_feed_dict or {})
    if isinstance(x, (list, tuple)):
        inits = x_init_value if x_init_value is not None else [None] * len(x)
        datas = [_init_value(xi, si, vi) for xi, si, vi in zip(x, x_shape, inits)]
        out = []
        for i, (xi, si, di) in enumerate(zip(x, x_shape, datas)):
            others = {xj: dj for j, (xj, dj) in enumerate(zip(x, datas)) if j != i}
            f = feed | others
            out.append((_theoretical_jacobian(xi, si, di, y, y_shape, f, sess),
                        _numerical_jacobian(xi, si, di, y, y_shape, delta, f, sess)))
        return out
    data = _init_value(x, x_shape, x_init_value)
    return (_theoretical_jacobian(x, x_shape, data, y, y_shape, feed, sess),
            _numerical_jacobian(x, x_shape, data, y, y_shape, delta, feed, sess))


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                           extra_feed_dict=None):
    """max |theoretical − numerical| over all Jacobian entries (and over all pairs when `x` is a list)."""
    grads = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict)
    if isinstance(grads, tuple):
        grads = [grads]
    error = 0
    for jac_t, jac_n in grads:
        if jac_t.size or jac_n.size:
            error = np.maximum(error, np.fabs(jac_t - jac_n).max())
    return error

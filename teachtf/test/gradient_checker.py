"""Numeric Jacobians by central differences against the symbolic ones (TF1's tf.test.compute_gradient)."""

from __future__ import annotations

import numpy as np

from ..client.session import get_default_session
from ..gradients import gradients
from ..ops.constant_op import placeholder


def _session():
    sess = get_default_session()
    if sess is None:
        raise ValueError("compute_gradient needs a default session: use `with tf.Session():` around it.")
    return sess


def _theoretical(x, x_shape, x_data, y, y_shape, feed, sess):
    x_size = int(np.prod(x_shape))
    y_size = int(np.prod(y_shape))
    dy = placeholder(y.dtype.base_dtype, shape=y_shape, name="grad_check_dy")
    (gx,) = gradients(y, x, grad_ys=dy)
    jac = np.zeros((x_size, y_size), dtype=x_data.dtype)
    if gx is None:
        return jac
    for col in range(y_size):
        dy_val = np.zeros(y_size, dtype=y.dtype.base_dtype.as_numpy_dtype)
        dy_val[col] = 1
        f = dict(feed)
        f[x] = x_data
        f[dy] = dy_val.reshape(y_shape)
        jac[:, col] = np.asarray(sess.run(gx, f)).reshape(-1)
    return jac


def _numerical(x, x_shape, x_data, y, y_shape, delta, feed, sess):
    x_size = int(np.prod(x_shape))
    y_size = int(np.prod(y_shape))
    jac = np.zeros((x_size, y_size), dtype=x_data.dtype)
    flat = x_data.reshape(-1).copy()
    for row in range(x_size):
        orig = flat[row]
        flat[row] = orig + delta
        f = dict(feed)
        f[x] = flat.reshape(x_shape)
        y_pos = np.asarray(sess.run(y, f), dtype=np.float64)
        flat[row] = orig - delta
        f[x] = flat.reshape(x_shape)
        y_neg = np.asarray(sess.run(y, f), dtype=np.float64)
        flat[row] = orig
        jac[row, :] = ((y_pos - y_neg) / (2 * delta)).reshape(-1)
    return jac


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """(theoretical, numerical) Jacobians of shape [x_size, y_size]; lists of pairs when `x` is a list."""
    sess = _session()
    if init_targets is not None:
        for t in init_targets:
            sess.run(t)
    feed = dict(extra_feed_dict or {})
    xs = x if isinstance(x, (list, tuple)) else [x]
    shapes = x_shape if isinstance(x, (list, tuple)) else [x_shape]
    inits = x_init_value if isinstance(x, (list, tuple)) else [x_init_value]
    if inits is None:
        inits = [None] * len(xs)
    rng = np.random.default_rng(0)
    datas = []
    for xi, shp, init in zip(xs, shapes, inits):
        if init is None:
            init = rng.standard_normal(shp).astype(xi.dtype.base_dtype.as_numpy_dtype)
        datas.append(np.asarray(init, dtype=xi.dtype.base_dtype.as_numpy_dtype).reshape(shp))
    out = []
    for i, (xi, shp, data) in enumerate(zip(xs, shapes, datas)):
        f = dict(feed)
        for j, (xj, dj) in enumerate(zip(xs, datas)):
            if j != i:
                f[xj] = dj
        th = _theoretical(xi, shp, data, y, y_shape, f, sess)
        nu = _numerical(xi, shp, data, y, y_shape, delta, f, sess)
        out.append((th, nu))
    return out if isinstance(x, (list, tuple)) else out[0]


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                           extra_feed_dict=None) -> float:
    """The largest absolute difference between the theoretical and numerical Jacobians."""
    grads = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict)
    if isinstance(grads, tuple):
        grads = [grads]
    err = 0.0
    for th, nu in grads:
        if th.size:
            err = max(err, float(np.max(np.abs(th - nu))))
    return err

"""Gradient checks with a random output cotangent in float64 (DESIGN §6).

`check_gradients(build, *arrays)` builds `y = build(*placeholders)`, draws a
random cotangent c, and compares tf.gradients(sum(y * c)) with central
differences of the same scalar. A sum of outputs would miss errors that cancel
(e.g. a wrong softmax gradient), so the cotangent is random.
"""

from __future__ import annotations

import numpy as np

import teachtf as tf


def check_gradients(build, *arrays, delta=1e-6, rtol=1e-5, atol=1e-6, seed=0, device=None, wrt=None):
    arrays = [np.array(a, dtype=np.float64) for a in arrays]  # contiguous copies: perturbed in place via reshape(-1)
    graph = tf.Graph()
    with graph.as_default():
        ctx = tf.device(device) if device else _NullContext()
        with ctx:
            phs = [tf.placeholder(tf.float64, shape=a.shape) for a in arrays]
            y = build(*phs)
            ys = y if isinstance(y, (list, tuple)) else [y]
        with tf.Session(graph=graph) as sess:
            feed = dict(zip(phs, arrays))
            y_vals = sess.run(ys, feed)
            rng = np.random.default_rng(seed)
            cots = [rng.standard_normal(np.shape(v)) for v in y_vals]
            cphs = [tf.constant(c) for c in cots]
            loss = tf.add_n([tf.reduce_sum(yy * cc) for yy, cc in zip(ys, cphs)]) if len(ys) > 1 else \
                tf.reduce_sum(ys[0] * cphs[0])
            idx = range(len(phs)) if wrt is None else wrt
            grads = tf.gradients(loss, [phs[i] for i in idx])
            analytic = sess.run([g if g is not None else tf.zeros_like(phs[i]) for g, i in zip(grads, idx)], feed)
            for k, i in enumerate(idx):
                num = np.zeros_like(arrays[i])
                flat = arrays[i].reshape(-1)
                for j in range(flat.size):
                    orig = flat[j]
                    flat[j] = orig + delta
                    lp = sess.run(loss, feed)
                    flat[j] = orig - delta
                    lm = sess.run(loss, feed)
                    flat[j] = orig
                    num.reshape(-1)[j] = (lp - lm) / (2 * delta)
                np.testing.assert_allclose(analytic[k], num, rtol=rtol, atol=atol,
                                           err_msg=f"gradient w.r.t. input {i} differs from central differences")
    return True


class _NullContext:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False

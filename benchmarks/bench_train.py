"""Training-step throughput of teachtf against tensorflow.compat.v1, in one run (issue 3).

    python benchmarks/bench_train.py [--repeats 5]

Two workloads, each built identically in both libraries:

- line fit: 100 points, y = W·x + b, mean squared error, 201 gradient-descent
  steps (the classic first TF1 program); the timed part is the 201-step loop.
- softmax regression: 784 → 10, batch 100, summed softmax cross entropy,
  gradient descent, a fixed fed batch; timed per step.

Prints steps per second and the ratio teachtf / TF for each, plus the same
line-fit step written by hand in NumPy (the ceiling for an engine that runs
one NumPy kernel per op). The TF columns
are skipped cleanly when TensorFlow is not installed. The best of `--repeats`
timings is reported (the machine is shared, so the best is the most stable).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from _harness import best_seconds, load_tf1

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

LINE_STEPS = 201
SOFTMAX_STEPS = 200
RNG = np.random.default_rng(0)
X_LINE = RNG.random(100).astype(np.float32)
Y_LINE = X_LINE * 0.1 + 0.3
X_SOFTMAX = RNG.random((100, 784)).astype(np.float32)
Y_SOFTMAX = np.eye(10, dtype=np.float32)[RNG.integers(0, 10, 100)]


def line_fit(tf, repeats):
    """Best time of the 201-step loop, and the fitted (W, b)."""
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(tf.random_uniform([1], -1.0, 1.0))
        b = tf.Variable(tf.zeros([1]))
        y = w * X_LINE + b
        loss = tf.reduce_mean(tf.square(y - Y_LINE))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        init = tf.global_variables_initializer()
        with tf.Session(graph=g) as sess:
            def reset():
                sess.run(init)
                sess.run(train)  # warm the run plan / TF's executor
                sess.run(init)

            best = best_seconds(lambda: sess.run(train), repeats, LINE_STEPS, setup=reset)
            fitted = sess.run([w, b])
    return best, fitted


def line_fit_numpy_floor(repeats):
    """Best time of the same 201 steps written by hand in NumPy: the floor for any NumPy-op engine."""
    best = float("inf")
    n, lr, two = np.float32(X_LINE.size), np.float32(0.5), np.float32(2)
    for _ in range(repeats):
        w, b = np.array([0.5], np.float32), np.zeros(1, np.float32)
        t0 = time.perf_counter()
        for _ in range(LINE_STEPS):
            err = w * X_LINE + b - Y_LINE
            loss = np.add.reduce(err * err) / n  # computed as the graph computes it
            d_err = np.ones_like(loss) / n * two * err
            w = w - lr * np.add.reduce(d_err * X_LINE, keepdims=True)
            b = b - lr * np.add.reduce(d_err, keepdims=True)
        best = min(best, time.perf_counter() - t0)
    return best


def softmax_cross_entropy(tf, labels, logits):
    """The summed loss; teachtf falls back to the explicit form while tf.nn lacks the fused op."""
    fused = getattr(tf.nn, "softmax_cross_entropy_with_logits_v2", None) or \
        getattr(tf.nn, "softmax_cross_entropy_with_logits", None)
    if fused is not None:
        return tf.reduce_sum(fused(labels=labels, logits=logits)), "fused"
    return -tf.reduce_sum(labels * tf.log(tf.nn.softmax(logits))), "explicit -sum(y*log(softmax))"


def softmax_regression(tf, repeats):
    """Best seconds per step of a 784→10 softmax-regression step, and which loss form was used."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        w = tf.Variable(tf.zeros([784, 10]))
        b = tf.Variable(tf.zeros([10]))
        logits = tf.matmul(x, w) + b
        loss, form = softmax_cross_entropy(tf, y_, logits)
        train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        feed = {x: X_SOFTMAX, y_: Y_SOFTMAX}
        with tf.Session(graph=g) as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, feed)
            best = best_seconds(lambda: sess.run(train, feed), repeats, SOFTMAX_STEPS) / SOFTMAX_STEPS
            final_loss = sess.run(loss, feed)
    return best, form, final_loss


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import teachtf

    tf1 = load_tf1()
    rows = []

    t_ours, fit = line_fit(teachtf, args.repeats)
    ours = LINE_STEPS / t_ours
    ref = LINE_STEPS / line_fit(tf1, args.repeats)[0] if tf1 else None
    rows.append(("line fit (201 GD steps)", ours, ref, 5.0))
    print(f"teachtf line fit: W={fit[0][0]:.4f} b={fit[1][0]:.4f} (want 0.1, 0.3)")
    floor = LINE_STEPS / line_fit_numpy_floor(args.repeats)
    print(f"hand-written NumPy line-fit step (no engine at all): {floor:.0f} steps/s"
          + (f" = {floor / ref:.1f}x TF" if ref else ""))

    t_ours, form, final_loss = softmax_regression(teachtf, args.repeats)
    ref = 1.0 / softmax_regression(tf1, args.repeats)[0] if tf1 else None
    rows.append(("softmax regression step (784→10, batch 100)", 1.0 / t_ours, ref, 3.0))
    print(f"teachtf softmax loss form: {form}; loss after training {final_loss:.3f}")

    print()
    print(f"{'workload':<46}{'teachtf steps/s':>16}{'TF1 steps/s':>14}{'ratio':>8}{'target':>8}")
    for name, ours, ref, target in rows:
        ref_s = f"{ref:14.0f}" if ref else f"{'(no TF)':>14}"
        ratio = f"{ours / ref:7.1f}x" if ref else f"{'-':>8}"
        print(f"{name:<46}{ours:16.0f}{ref_s}{ratio}{target:7.0f}x")


if __name__ == "__main__":
    main()

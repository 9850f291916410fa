"""LSTM-128 on 28-step MNIST rows, batch 128: teachtf against tensorflow.compat.v1 in one run (issue 8).

    python benchmarks/bench_rnn.py [--steps 20] [--repeats 3]

Model: x [batch, 28, 28] -> tf.nn.dynamic_rnn(BasicLSTMCell(128)) -> last output ->
dense 10, softmax cross-entropy, Adam(1e-3). Each library runs in its own subprocess
(`--worker LIB`) so TensorFlow's thread pools never compete with NumPy's BLAS threads.
Prints the best-of-repeats ms per training step, steps/s and the ratio. The TensorFlow
column is skipped cleanly when it is not installed (it needs tf-keras for the cells).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np
from _harness import best_seconds, load_library

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

BATCH, STEPS, ROWS, UNITS = 128, 28, 28, 128


def build(tf):
    x = tf.placeholder(tf.float32, [None, STEPS, ROWS])
    y = tf.placeholder(tf.int64, [None])
    outputs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(UNITS), x, dtype=tf.float32)
    logits = tf.layers.dense(outputs[:, -1], 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    return x, y, tf.train.AdamOptimizer(1e-3).minimize(loss)


def worker(lib: str, steps: int, repeats: int) -> dict:
    tf = load_library(lib)
    rng = np.random.default_rng(0)
    feed_x = rng.random((BATCH, STEPS, ROWS), dtype=np.float32)
    feed_y = rng.integers(0, 10, BATCH)
    x, y, train = build(tf)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {x: feed_x, y: feed_y}
        for _ in range(3):
            sess.run(train, feed)
        best = best_seconds(lambda: sess.run(train, feed), repeats, calls=steps) / steps
    return {"ms_per_step": best * 1e3, "steps_per_s": 1.0 / best}


def run_worker(lib: str, steps: int, repeats: int):
    cmd = [sys.executable, __file__, "--worker", lib, "--steps", str(steps), "--repeats", str(repeats)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.steps, args.repeats)))
        return
    print(f"LSTM-{UNITS}, {STEPS} steps of {ROWS} inputs, batch {BATCH}, Adam; best of {args.repeats} x {args.steps}")
    ours, err = run_worker("teachtf", args.steps, args.repeats)
    if ours is None:
        sys.exit(f"teachtf run failed: {err}")
    print(f"teachtf      {ours['ms_per_step']:8.1f} ms/step  {ours['steps_per_s']:7.2f} steps/s")
    try:
        import importlib.util

        has_tf = importlib.util.find_spec("tensorflow") is not None
    except ValueError:
        has_tf = False
    if not has_tf:
        print("tensorflow   not installed: reference skipped")
        return
    ref, err = run_worker("tensorflow", args.steps, args.repeats)
    if ref is None:
        print(f"tensorflow   reference failed ({err}): skipped")
        return
    print(f"tensorflow   {ref['ms_per_step']:8.1f} ms/step  {ref['steps_per_s']:7.2f} steps/s")
    print(f"ratio (teachtf steps/s / tensorflow steps/s): {ours['steps_per_s'] / ref['steps_per_s']:.2f}")


if __name__ == "__main__":
    main()

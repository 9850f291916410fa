"""The classic MNIST CNN on teachtf against tensorflow.compat.v1, in one run (issue 4).

    python benchmarks/bench_cnn.py [--steps 30] [--repeats 3]

Network (the TF1 "Deep MNIST for experts" model): conv 5×5×32 – max-pool 2×2 –
conv 5×5×64 – max-pool 2×2 – fc 1024 – dropout – fc 10, softmax cross-entropy,
Adam(1e-4), batch 50. Measured:

1. one training step (ms and steps/s) for each library, and the ratio;
2. a reference: the GEMMs of one step alone in NumPy (the im2col conv GEMMs with
   their filter/input gradients plus the dense layers): the BLAS-bound floor;
3. peak resident memory of evaluating the network on 10,000 images in one
   `sess.run` (the tutorial's `accuracy.eval(feed_dict={x: mnist.test.images, ...})`),
   on the real MNIST test set when ../shared/data/mnist has it.

Every measurement runs in a fresh subprocess (`--worker KIND LIB`), so peak RSS
belongs to that measurement alone and TensorFlow's thread pools never compete with
NumPy's BLAS threads. Timings are the best of `--repeats` (the machine is shared).
The TensorFlow columns are skipped cleanly when it is not installed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _harness import best_seconds, load_library

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

BATCH = 50
EVAL_IMAGES = 10_000
MNIST_DIRS = [Path(os.environ.get("TEACHTF_DATA_DIR", "/nonexistent")) / "mnist",
              Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"]


def build_cnn(tf):
    """The tutorial network; returns (x, y_, keep_prob, train_step, accuracy)."""
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    def weight(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bias(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))

    def conv_pool(h, w_shape):
        conv = tf.nn.relu(tf.nn.conv2d(h, weight(w_shape), strides=[1, 1, 1, 1], padding="SAME") + bias(w_shape[-1:]))
        return tf.nn.max_pool(conv, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")

    h = conv_pool(tf.reshape(x, [-1, 28, 28, 1]), [5, 5, 1, 32])
    h = conv_pool(h, [5, 5, 32, 64])
    fc = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 7 * 7 * 64]), weight([3136, 1024])) + bias([1024]))
    logits = tf.matmul(tf.nn.dropout(fc, keep_prob), weight([1024, 10])) + bias([10])
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    train_step = tf.train.AdamOptimizer(1e-4).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return x, y_, keep_prob, train_step, accuracy


def mnist_test_set():
    """(images [N, 784] float32 in [0, 1], one-hot labels [N, 10]) of the real test set, or None."""
    for folder in MNIST_DIRS:
        images, labels = folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz"
        if images.exists() and labels.exists():
            with gzip.open(images) as f:
                pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
            with gzip.open(labels) as f:
                ids = np.frombuffer(f.read(), np.uint8, offset=8)
            return pixels.astype(np.float32) / 255.0, np.eye(10, dtype=np.float32)[ids]
    return None


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


# -- workers (one measurement each, in a fresh process) ------------------------------------------------------


def worker_train(lib: str, steps: int, repeats: int) -> dict:
    tf = load_library(lib)
    x, y_, keep_prob, train_step, _ = build_cnn(tf)
    rng = np.random.default_rng(0)
    feed = {x: rng.random((BATCH, 784), dtype=np.float32),
            y_: np.eye(10, dtype=np.float32)[rng.integers(0, 10, BATCH)], keep_prob: 0.5}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train_step, feed)
        best = best_seconds(lambda: sess.run(train_step, feed), repeats, steps) / steps
    return {"ms_per_step": best * 1e3}


def worker_eval(lib: str) -> dict:
    tf = load_library(lib)
    data = mnist_test_set()
    real = data is not None
    if data is None:
        rng = np.random.default_rng(0)
        data = (rng.random((EVAL_IMAGES, 784), dtype=np.float32),
                np.eye(10, dtype=np.float32)[rng.integers(0, 10, EVAL_IMAGES)])
    images, labels = data[0][:EVAL_IMAGES], data[1][:EVAL_IMAGES]
    x, y_, keep_prob, _, accuracy = build_cnn(tf)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = peak_rss_mib()
        start = time.perf_counter()
        acc = sess.run(accuracy, {x: images, y_: labels, keep_prob: 1.0})
        seconds = time.perf_counter() - start
    return {"peak_rss_mib": peak_rss_mib(), "rss_before_mib": before, "seconds": seconds, "accuracy": float(acc),
            "images": len(images), "real_mnist": real}


def worker_gemm(repeats: int) -> dict:
    """The GEMMs of one training step with NumPy alone (forward, filter and input gradients, dense layers)."""
    rng = np.random.default_rng(0)

    def mats(m, k, n):
        return rng.random((m, k), dtype=np.float32), rng.random((k, n), dtype=np.float32)

    p1, p2 = BATCH * 28 * 28, BATCH * 14 * 14
    shapes = [
        (p1, 25, 32), (25, p1, 32),                       # conv1: forward, filter gradient
        (p2, 800, 64), (800, p2, 64), (p2, 64, 800),      # conv2: forward, filter gradient, input gradient
        (BATCH, 3136, 1024), (3136, BATCH, 1024), (BATCH, 1024, 3136),  # fc1: forward and both gradients
        (BATCH, 1024, 10), (1024, BATCH, 10), (BATCH, 10, 1024),        # fc2
    ]
    operands = [mats(*s) for s in shapes]
    flops = sum(2 * m * k * n for m, k, n in shapes)

    def one_step():
        for a, b in operands:
            np.matmul(a, b)

    best = best_seconds(one_step, repeats * 3)
    return {"ms_per_step": best * 1e3, "gflops": flops / best / 1e9}


# -- driver --------------------------------------------------------------------------------------------------


def run_worker(*args) -> dict | None:
    proc = subprocess.run([sys.executable, __file__, "--worker", *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"  [worker {' '.join(map(str, args))} failed]\n{proc.stderr.strip()[-2000:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def has_tensorflow() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("tensorflow") is not None
    except (ImportError, ValueError):
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30, help="training steps per timed repeat")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (the best is reported)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        kind, rest = args.worker[0], args.worker[1:]
        result = {"train": lambda: worker_train(rest[0], int(rest[1]), int(rest[2])),
                  "eval": lambda: worker_eval(rest[0]),
                  "gemm": lambda: worker_gemm(int(rest[0]))}[kind]()
        print(json.dumps(result))
        return

    libs = ["teachtf"] + (["tensorflow"] if has_tensorflow() else [])
    print(f"MNIST CNN (conv5x5x32-pool-conv5x5x64-pool-fc1024-dropout-fc10, Adam, batch {BATCH}); "
          f"{os.cpu_count()} CPUs")
    train = {lib: run_worker("train", lib, args.steps, args.repeats) for lib in libs}
    for lib, r in train.items():
        if r:
            print(f"  training step   {lib:<10} {r['ms_per_step']:8.1f} ms   {1e3 / r['ms_per_step']:6.1f} steps/s")
    if train.get("teachtf") and train.get("tensorflow"):
        ratio = train["tensorflow"]["ms_per_step"] / train["teachtf"]["ms_per_step"]
        print(f"  ratio (teachtf steps/s ÷ TF steps/s): {ratio:.2f}   (target ≥ 1)")
    else:
        print("  (tensorflow not installed: no reference ratio)")
    gemm = run_worker("gemm", args.repeats)
    if gemm:
        print(f"  GEMMs of one step alone (NumPy BLAS): {gemm['ms_per_step']:.1f} ms ({gemm['gflops']:.0f} GFLOP/s)")
    for lib in libs:
        r = run_worker("eval", lib)
        if r:
            data = "real MNIST test set" if r["real_mnist"] else "random images"
            print(f"  evaluate {r['images']} images ({data}) {lib:<10} peak RSS {r['peak_rss_mib']:7.0f} MiB "
                  f"(before the run {r['rss_before_mib']:.0f} MiB), {r['seconds']:.2f} s"
                  + ("   (target < 2048 MiB)" if lib == "teachtf" else ""))


if __name__ == "__main__":
    main()

"""Per-call overhead of `sess.run` on a tiny fed graph, teachtf against tensorflow.compat.v1 in one run (issue 2).

    python benchmarks/bench_session.py [--calls 20000] [--repeats 5]

The graph is `(a + b) * 2` with `a` and `b` fed as float32 scalars, so the
time is almost all per-call work: feed conversion, the cached plan, three
kernels, fetch conversion. Also timed: `make_callable` of the same graph and a
fetch-only run of a constant. Prints microseconds per call and the ratio
teachtf / TF (target: at most 0.1). The TF column is skipped cleanly when
TensorFlow is not installed. The best of `--repeats` timings is reported (the
machine is shared, so the best is the most stable).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _harness import best_seconds, load_tf1

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _best_us_per_call(fn, calls, repeats):
    fn()  # warm-up: builds and caches the plan
    return best_seconds(fn, repeats, calls) / calls * 1e6


def measure(tf, calls, repeats) -> dict:
    """Microseconds per call of three workloads in library `tf` (teachtf or tf.compat.v1)."""
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, shape=[], name="a")
        b = tf.placeholder(tf.float32, shape=[], name="b")
        y = (a + b) * 2
        c = tf.constant(1.0)
    sess = tf.Session(graph=g)
    feed = {a: np.float32(1.5), b: np.float32(2.0)}
    assert float(sess.run(y, feed)) == 7.0
    call = sess.make_callable(y, [a, b])
    out = {
        "run (a + b) * 2, fed": _best_us_per_call(lambda: sess.run(y, feed), calls, repeats),
        "make_callable of the same": _best_us_per_call(lambda: call(1.5, 2.0), calls, repeats),
        "run a constant, no feed": _best_us_per_call(lambda: sess.run(c), calls, repeats),
    }
    sess.close()
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=20000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)

    import teachtf

    ours = measure(teachtf, args.calls, args.repeats)
    tf1 = load_tf1()
    ref = measure(tf1, max(args.calls // 10, 100), args.repeats) if tf1 is not None else None
    print(f"{'workload':<30} {'teachtf µs':>11} {'TF µs':>9} {'ratio':>7}")
    for k, v in ours.items():
        if ref is None:
            print(f"{k:<30} {v:>11.2f} {'n/a':>9} {'n/a':>7}")
        else:
            print(f"{k:<30} {v:>11.2f} {ref[k]:>9.2f} {v / ref[k]:>7.3f}")
    if ref is None:
        print("tensorflow is not installed: reference column skipped")
    else:
        ratio = ours["run (a + b) * 2, fed"] / ref["run (a + b) * 2, fed"]
        print(f"per-call overhead ratio (fed run): {ratio:.3f} (target <= 0.100)")


if __name__ == "__main__":
    main()

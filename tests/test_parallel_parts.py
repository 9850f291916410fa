"""CPU kernels that split their work into parts run on threads (conv, its gradients, large 2-D matmuls, Adam):
every split gives the one-part result, and reused update buffers never change a value anyone holds."""

import threading

import numpy as np
import pytest

import teachtf as tf
from teachtf.backend import parallel
from teachtf.train import training_ops


def _force_parts(monkeypatch, parts):
    """Every GEMM-bound kernel splits into `parts` parts (or as many items as there are), whatever the machine."""
    monkeypatch.setattr(parallel, "gemm_parts", lambda items, macs, min_macs=0: max(1, min(parts, items)))


def _run_conv_and_grads(seed, x_shape, f_shape, strides, padding):
    rng = np.random.RandomState(seed)
    x_val = rng.randn(*x_shape).astype(np.float32)
    f_val = rng.randn(*f_shape).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.constant(x_val)
        f = tf.constant(f_val)
        y = tf.nn.conv2d(x, f, strides=strides, padding=padding)
        dy = tf.constant(rng.randn(*y.shape.as_list()).astype(np.float32))
        dx, df = tf.gradients(y, [x, f], grad_ys=dy)
        with tf.Session() as sess:
            return sess.run([y, dx, df])


@pytest.mark.parametrize("parts", [2, 3, 4])
@pytest.mark.parametrize("x_shape, f_shape, strides, padding", [
    ((7, 9, 9, 3), (3, 3, 3, 5), [1, 1, 1, 1], "SAME"),
    ((5, 8, 10, 2), (2, 3, 2, 4), [1, 2, 2, 1], "VALID"),
    ((3, 6, 6, 4), (1, 1, 4, 6), [1, 1, 1, 1], "SAME"),
])
def test_conv_and_its_gradients_in_parts_equal_one_part(monkeypatch, parts, x_shape, f_shape, strides, padding):
    _force_parts(monkeypatch, 1)
    want = _run_conv_and_grads(0, x_shape, f_shape, strides, padding)
    _force_parts(monkeypatch, parts)
    got = _run_conv_and_grads(0, x_shape, f_shape, strides, padding)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_parts_really_run_on_other_threads(monkeypatch):
    """The split is not a no-op: with several parts, some of the conv's GEMMs run off the calling thread."""
    _force_parts(monkeypatch, 3)
    seen = set()
    real = parallel.run_parts

    def spy(fn, parts):
        return real(lambda p: (seen.add(threading.get_ident()), fn(p))[1], parts)

    monkeypatch.setattr(parallel, "run_parts", spy)
    _run_conv_and_grads(1, (6, 5, 5, 2), (3, 3, 2, 2), [1, 1, 1, 1], "SAME")
    assert len(seen) > 1


@pytest.mark.parametrize("a_shape, b_shape, transpose_b", [
    ((200, 30), (30, 17), False),   # many rows: blocks of a's rows
    ((5, 40), (40, 90), False),     # few rows: blocks of b's columns
    ((64, 33), (21, 33), True),
])
def test_matmul_in_parts_equals_one_gemm(monkeypatch, a_shape, b_shape, transpose_b):
    rng = np.random.RandomState(2)
    a_val = rng.randn(*a_shape).astype(np.float32)
    b_val = rng.randn(*b_shape).astype(np.float32)
    _force_parts(monkeypatch, 3)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, a_shape[1]])
        prod = tf.matmul(a, tf.constant(b_val), transpose_b=transpose_b)
        with tf.Session() as sess:
            got = sess.run(prod, {a: a_val})
    want = a_val @ (b_val.T if transpose_b else b_val)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _adam_trajectory(steps, size=1000, fetch_each_step=False):
    """Adam on ½‖w − target‖² for `steps` steps; the values of w after each step."""
    rng = np.random.RandomState(3)
    target = rng.randn(size).astype(np.float32)
    with tf.Graph().as_default():
        w = tf.Variable(np.zeros(size, np.float32))
        loss = 0.5 * tf.reduce_sum(tf.square(w - target))
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        held = []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
                held.append(sess.run(w))
    return held


def _numpy_adam(steps, size=1000, lr=0.05, b1=0.9, b2=0.999, eps=1e-8):
    target = np.random.RandomState(3).randn(size).astype(np.float32)
    w = np.zeros(size, np.float32)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t in range(1, steps + 1):
        g = w - target
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        out.append(w.copy())
    return out


def test_adam_in_parts_with_reused_buffers_keeps_every_held_value(monkeypatch):
    """Small blocks split over threads, buffers reused from step to step: each step's value, held by the
    caller, stays what it was when fetched, and the trajectory is Adam's."""
    monkeypatch.setattr(training_ops, "_BLOCK", 64)
    monkeypatch.setattr(parallel, "num_parts", lambda items, min_items=1: max(1, min(3, items)))
    held = _adam_trajectory(6)
    snapshots = [h.copy() for h in held]
    want = _numpy_adam(6)
    for h, s, w in zip(held, snapshots, want):
        np.testing.assert_array_equal(h, s)
        np.testing.assert_allclose(h, w, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(held[-1], held[-2])


def test_failed_run_after_adam_leaves_variables_and_slots_as_they_were():
    with tf.Graph().as_default():
        w = tf.Variable(np.arange(5000, dtype=np.float32))
        opt = tf.train.AdamOptimizer(0.1)
        train = opt.minimize(tf.reduce_sum(tf.square(w)))
        p = tf.placeholder(tf.float32, [None])
        with tf.control_dependencies([train]):
            bad = tf.reshape(p, [3])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):  # buffers now exist and are reused
                sess.run(train)
            names = [w, opt.get_slot(w, "m"), opt.get_slot(w, "v")]
            before = [v.copy() for v in sess.run(names)]
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(bad, {p: np.zeros(4, np.float32)})
            for got, want in zip(sess.run(names), before):
                np.testing.assert_array_equal(got, want)
            sess.run(train)  # and training goes on from there
            assert not np.array_equal(sess.run(w), before[0])


def test_run_parts_returns_each_parts_result_in_order():
    assert parallel.run_parts(lambda p: p * p, 4) == [0, 1, 4, 9]
    assert parallel.run_parts(lambda p: "only", 1) == ["only"]
    assert parallel.run_parts(lambda p: 1 / 0, 0) == []


def test_run_parts_reraises_a_part_error_after_every_part_finished():
    finished = []

    def fn(p):
        if p == 2:
            raise ValueError("part 2 failed")
        finished.append(p)

    with pytest.raises(ValueError, match="part 2 failed"):
        parallel.run_parts(fn, 3)
    assert sorted(finished) == [0, 1]

    def first_fails(p):
        if p == 0:
            raise KeyError("zero")
        threading.Event().wait(0.05)
        finished.append(p)

    finished.clear()
    with pytest.raises(KeyError):
        parallel.run_parts(first_fails, 3)
    assert sorted(finished) == [1, 2]  # the workers were waited for before the error reached the caller


def test_part_slices_cover_every_item_once():
    for items in range(0, 30):
        for parts in range(1, 6):
            covered = [i for s in parallel.part_slices(items, parts) for i in range(items)[s]]
            assert covered == list(range(items))
            assert len(parallel.part_slices(items, parts)) <= parts


@pytest.mark.parametrize("files, want", [
    ({"cpu.max": "max 100000\n"}, None),
    ({"cpu.max": "150000 100000\n"}, 2),
    ({"cpu.max": "50000 100000\n"}, 1),
    ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),
])
def test_usable_cores_follow_a_containers_cpu_quota(tmp_path, files, want):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    pinned = parallel.usable_cores(str(tmp_path / "no-such-cgroup"))
    got = parallel.usable_cores(str(tmp_path))
    assert got == (pinned if want is None else min(pinned, want))

"""Random ops (API.md §5): shapes, dtypes, names, distributions, seeding and fresh samples per run."""

import numpy as np
import pytest

import teachtf as tf
from tests.devices import DEVICES


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_normal_and_uniform_dtypes_shapes_and_moments(dtype, device):
    with tf.device(device):
        n = tf.random_normal([200, 100], mean=3.0, stddev=2.0, dtype=dtype, seed=1)
        t = tf.truncated_normal([200, 100], mean=-1.0, stddev=0.5, dtype=dtype, seed=2)
        u = tf.random_uniform([200, 100], minval=-2.0, maxval=6.0, dtype=dtype, seed=3)
    nv, tv, uv = run([n, t, u])
    for tensor, value in ((n, nv), (t, tv), (u, uv)):
        assert tensor.dtype == dtype and tensor.shape == (200, 100)
        assert value.dtype == dtype.as_numpy_dtype and value.shape == (200, 100)
    nv, tv, uv = (v.astype(np.float64) for v in (nv, tv, uv))
    assert abs(nv.mean() - 3.0) < 0.05 and abs(nv.std() - 2.0) < 0.05
    # truncated at 2 standard deviations (re-drawn, not clipped): std of a N(0,1) cut at ±2 is 0.8796
    assert np.all(np.abs(tv + 1.0) <= 1.0 + 1e-3) and abs(tv.std() / 0.5 - 0.8796) < 0.02
    assert np.mean(np.abs(tv + 1.0) > 0.999) < 0.001
    # (float16 arithmetic in `min + u * (max - min)` may round the top value up to maxval, as in TF)
    assert uv.min() >= -2.0 and (uv.max() < 6.0 or dtype == tf.float16 and uv.max() == 6.0)
    assert abs(uv.mean() - 2.0) < 0.05


def test_names_follow_tf1():
    n = tf.random_normal([2])
    assert n.name == "random_normal:0" and n.op.type in ("Add", "AddV2")
    g = tf.get_default_graph()
    assert g.get_operation_by_name("random_normal/RandomStandardNormal").type == "RandomStandardNormal"
    assert g.get_operation_by_name("random_normal/shape").type == "Const"
    assert tf.truncated_normal([2]).name == "truncated_normal:0"
    assert tf.random_uniform([2]).name == "random_uniform:0"
    assert g.get_operation_by_name("random_uniform/RandomUniform").type == "RandomUniform"
    i = tf.random_uniform([2], 0, 5, dtype=tf.int32)
    assert i.name == "random_uniform_1:0" and i.op.type == "RandomUniformInt"
    assert tf.random_shuffle([1, 2]).name == "RandomShuffle:0"


def test_integer_uniform():
    i = tf.random_uniform([1000], 3, 7, dtype=tf.int64, seed=5)
    v = run(i)
    assert v.dtype == np.int64 and v.min() == 3 and v.max() == 6
    with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
        tf.random_uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Invalid dtype"):
        tf.random_uniform([2], dtype=tf.bool)
    from teachtf.framework import errors

    with pytest.raises(errors.InvalidArgumentError, match="Need minval < maxval"):
        run(tf.random_uniform([2], 5, 5, dtype=tf.int32))


def test_fresh_sample_each_run_and_shape_tensors():
    x = tf.placeholder(tf.float32, [None, 3])
    r = tf.random_normal(tf.shape(x))
    assert r.shape.as_list() == [None, 3]
    with tf.Session() as sess:
        a = sess.run(r, {x: np.zeros((4, 3))})
        b = sess.run(r, {x: np.zeros((4, 3))})
    assert a.shape == (4, 3) and not np.array_equal(a, b)
    assert tf.random_normal(5).shape == (5,)
    m = tf.random_normal([2], mean=tf.constant([0.0, 100.0]), stddev=0.0)
    np.testing.assert_array_equal(run(m), [0.0, 100.0])


def _sequence(graph_seed, op_seed, runs=2):
    tf.reset_default_graph()
    if graph_seed is not None:
        tf.set_random_seed(graph_seed)
    tf.constant(0.0)  # an earlier op, so op indices are not all zero
    a = tf.random_uniform([3], seed=op_seed)
    b = tf.random_normal([3], seed=op_seed)
    with tf.Session() as sess:
        return [sess.run([a, b]) for _ in range(runs)]


def test_seeds_make_programs_reproducible():
    first = _sequence(42, None)
    second = _sequence(42, None)
    np.testing.assert_array_equal(np.array(first, dtype=object).tolist(), np.array(second, dtype=object).tolist())
    assert not np.array_equal(first[0][0], first[1][0])  # still fresh numbers on every run
    np.testing.assert_array_equal(_sequence(None, 7)[0][0], _sequence(None, 7)[0][0])  # op seed alone
    assert not np.array_equal(_sequence(42, None)[0][0], _sequence(43, None)[0][0])
    assert not np.array_equal(_sequence(None, None)[0][0], _sequence(None, None)[0][0])
    tf.reset_default_graph()
    tf.set_random_seed(1)
    twins = [tf.random_uniform([4]), tf.random_uniform([4])]
    a, b = run(twins)
    assert not np.array_equal(a, b)  # same graph seed, different ops: different streams


def test_random_shuffle_is_a_permutation_of_rows():
    x = np.arange(20).reshape(10, 2)
    s = tf.random_shuffle(x, seed=3)
    with tf.Session() as sess:
        a, b = sess.run(s), sess.run(s)
    for v in (a, b):
        assert sorted(v[:, 0].tolist()) == list(range(0, 20, 2))
        np.testing.assert_array_equal(v[:, 1], v[:, 0] + 1)
    assert not np.array_equal(a, b)


def test_multinomial_frequencies():
    logits = np.log([[0.2, 0.8], [0.9, 0.1]])
    m = tf.multinomial(logits, 4000, seed=1)
    assert m.shape == (2, 4000) and m.dtype == tf.int64
    v = run(m)
    assert set(np.unique(v)) <= {0, 1}
    assert abs(v[0].mean() - 0.8) < 0.03 and abs(v[1].mean() - 0.1) < 0.03
    assert tf.multinomial(logits, 3, output_dtype=tf.int32).dtype == tf.int32


def test_random_crop():
    x = np.arange(48).reshape(6, 8)
    c = tf.random_crop(x, [2, 3], seed=4)
    assert c.shape == (2, 3)
    v = run(c)
    r0, c0 = np.argwhere(x == v[0, 0])[0]
    np.testing.assert_array_equal(v, x[r0:r0 + 2, c0:c0 + 3])
    with pytest.raises(ValueError, match="Need value.shape >= size"):
        tf.random_crop(x, [7, 1])


def test_random_ops_have_no_gradient_but_mean_and_stddev_do():
    mu = tf.constant(1.0)
    sd = tf.constant(2.0)
    eps = tf.random_normal([5], mean=mu, stddev=sd, seed=1)
    g_mu, g_sd = tf.gradients(tf.reduce_sum(eps), [mu, sd])
    with tf.Session() as sess:
        e, gm, gs = sess.run([eps, g_mu, g_sd])
    assert gm == pytest.approx(5.0)
    assert gs == pytest.approx(((e - 1.0) / 2.0).sum(), rel=1e-5)


def test_set_random_seed_does_not_seed_ops_built_before_it():
    """TF1 fixes an op's seeds when the op is built (API.md: graph-level seed at construction)."""
    before = tf.random_uniform([4])
    tf.set_random_seed(1)
    after = tf.random_uniform([4])
    runs = []
    for _ in range(2):
        with tf.Session() as sess:
            runs.append(sess.run([before, after]))
    assert not np.array_equal(runs[0][0], runs[1][0])  # unseeded: fresh entropy per session
    np.testing.assert_array_equal(runs[0][1], runs[1][1])  # seeded by the graph seed it was built under

"""Operator overloads on tensors and variables, their names and dtype rules, tf.math aliases and the legacy
(pre-1.0) spellings (API.md §3.1, §4.3, §19)."""

import warnings

import numpy as np
import pytest

import teachtf as tf
from teachtf import _api_core
from teachtf.ext import set_strict


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


OPERATOR_NAMES = [
    (lambda a, b: a + b, "add", "AddV2"), (lambda a, b: a - b, "sub", "Sub"), (lambda a, b: a * b, "mul", "Mul"),
    (lambda a, b: a / b, "truediv", "RealDiv"), (lambda a, b: a // b, "floordiv", "FloorDiv"),
    (lambda a, b: a % b, "mod", "FloorMod"), (lambda a, b: a ** b, "pow", "Pow"),
    (lambda a, b: a < b, "Less", "Less"), (lambda a, b: a <= b, "LessEqual", "LessEqual"),
    (lambda a, b: a > b, "Greater", "Greater"), (lambda a, b: a >= b, "GreaterEqual", "GreaterEqual"),
]


@pytest.mark.parametrize("fn,name,op_type", OPERATOR_NAMES)
def test_operator_names_and_types(fn, name, op_type):
    a = tf.placeholder(tf.float32, [3])
    out = fn(a, 2.0)
    assert out.name == f"{name}:0" and out.op.type == op_type
    again = fn(a, a)
    assert again.name == f"{name}_1:0"


def test_operator_values():
    a = np.array([1.0, -2.0, 3.5], np.float32)
    t = tf.constant(a)
    vals = run([t + 1, 1 - t, t * 2, 2 / t, t // 2, t % 2, t ** 2, -t, abs(t), t < 1, 3.0 >= t])
    want = [a + 1, 1 - a, a * 2, 2 / a, a // 2, a % 2, a ** 2, -a, abs(a), a < 1, 3.0 >= a]
    for v, w in zip(vals, want):
        assert v.dtype == w.dtype
        np.testing.assert_allclose(v, w)


def test_unary_operator_names():
    a = tf.constant([1.0])
    assert (-a).name == "Neg:0"
    assert abs(a).name == "Abs:0"
    b = tf.constant([True])
    inv = ~b
    assert inv.name == "LogicalNot:0" and run(inv).tolist() == [False]


def test_reverse_operators_and_converted_constant_names():
    a = tf.placeholder(tf.float32, [2])
    r = 2.0 - a
    assert r.name == "sub:0"
    assert tf.get_default_graph().get_operation_by_name("sub/x").type == "Const"
    f = a - 2.0
    assert tf.get_default_graph().get_operation_by_name("sub_1/y").type == "Const"
    np.testing.assert_allclose(run([r, f], {a: [1.0, 3.0]}), [[1.0, -1.0], [-1.0, 1.0]])


def test_operator_dtype_rules():
    w32 = tf.constant([1.0, 2.0])
    x64 = np.array([0.5, 0.25])
    prod = w32 * x64
    assert prod.dtype == tf.float32
    left = x64 - w32
    assert isinstance(left, tf.Tensor) and left.dtype == tf.float32
    np.testing.assert_allclose(run(left), [-0.5, -1.75])
    with pytest.raises(TypeError, match="Expected int32, got 0.5 of type 'float' instead"):
        tf.constant(1) + 0.5
    with pytest.raises(TypeError, match="does not match"):
        tf.constant(1) + tf.constant(1.0)
    assert (tf.constant(7) / 2).dtype == tf.float64
    assert (tf.constant(7, tf.int16) / tf.constant(2, tf.int16)).dtype == tf.float32
    assert (tf.constant(7) // 2).dtype == tf.int32


def test_matmul_operator():
    a = tf.constant(np.eye(2, dtype=np.float32))
    m = a @ a
    assert m.name == "matmul:0" and m.op.type == "MatMul"
    np.testing.assert_array_equal(run(np.ones((2, 2), np.float32) @ a), np.ones((2, 2)))


def test_bool_operators_are_bool_only():
    p, q = tf.constant([True, True, False]), tf.constant([True, False, False])
    assert (p & q).name == "and:0" and (p | q).name == "or:0"
    x = p ^ q
    assert x.name == "xor:0" and x.op.type == "LogicalAnd"
    assert tf.get_default_graph().get_operation_by_name("xor/LogicalOr").type == "LogicalOr"
    np.testing.assert_array_equal(run([p & q, p | q, x]), [[True, False, False], [True, True, False],
                                                          [False, True, False]])
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values: bool"):
        tf.constant(1) & tf.constant(2)


def test_equality_stays_identity_and_tensors_hash():
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert (a == a) is True and (a == b) is False and a != b
    assert len({a, b}) == 2


def test_variable_operators_and_slicing():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    y = v * 2.0 + 1.0
    s = v[1, :]
    c = v > 2.0
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        yv, sv, cv = sess.run([y, s, c])
    np.testing.assert_array_equal(yv, [[3, 5], [7, 9]])
    np.testing.assert_array_equal(sv, [3, 4])
    np.testing.assert_array_equal(cv, [[False, False], [True, True]])


def test_operator_gradients():
    from tests.gradcheck import check_gradients

    a = np.random.default_rng(0).uniform(0.5, 2.0, size=(2, 3))
    check_gradients(lambda t: (2.0 - t) * t / (1.0 + t) ** 2.0 + t % 0.7 - t[0], a)


def test_math_namespace_aliases_are_the_same_objects():
    for name in ["log", "exp", "tanh", "sigmoid", "add", "reduce_sum", "reduce_mean", "argmax", "equal",
                 "maximum", "squared_difference", "cumsum", "segment_sum", "count_nonzero", "floormod"]:
        assert getattr(tf.math, name) is getattr(tf, name), name
    assert tf.math.divide_no_nan is tf.div_no_nan
    np.testing.assert_array_equal(run(tf.math.divide_no_nan([1.0, 2.0], [0.0, 4.0])), [0.0, 0.5])
    assert not hasattr(tf.math, "no_such_function")


def test_legacy_names_are_modern_objects_and_warn_once():
    _api_core._warned.clear()
    pairs = {"sub": "subtract", "mul": "multiply", "neg": "negative", "pack": "stack", "unpack": "unstack",
             "select": "where", "batch_matmul": "matmul", "inv": "reciprocal", "listdiff": "setdiff1d",
             "complex_abs": "abs", "arg_max": "argmax", "arg_min": "argmin"}
    for old, new in pairs.items():
        with pytest.warns(DeprecationWarning, match=f"tf.{old} is a pre-1.0 TensorFlow name; use tf.{new}"):
            assert getattr(tf, old) is getattr(tf, new)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert getattr(tf, old) is getattr(tf, new)  # second lookup: no warning
    assert "sub" in dir(tf)
    assert not hasattr(tf, "run")


def test_legacy_calls_compute_the_modern_results():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        a = tf.constant([4.0, 6.0])
        vals = run([tf.sub(a, 1.0), tf.mul(a, 2.0), tf.neg(a), tf.inv(a), tf.pack([a, a]), tf.unpack(a)[1],
                    tf.select([True, False], a, -a), tf.listdiff([1, 2, 3], [2])[0], tf.arg_max(a, 0)])
    np.testing.assert_allclose(vals[0], [3, 5])
    np.testing.assert_allclose(vals[1], [8, 12])
    np.testing.assert_allclose(vals[2], [-4, -6])
    np.testing.assert_allclose(vals[3], [0.25, 1 / 6])
    assert vals[4].shape == (2, 2) and vals[5] == 6.0
    np.testing.assert_allclose(vals[6], [4, -6])
    np.testing.assert_array_equal(vals[7], [1, 3])
    assert vals[8] == 1


def test_strict_mode_rejects_lenient_forms():
    set_strict(True)
    try:
        with pytest.raises(TypeError):
            tf.concat(1, [tf.zeros([1, 1]), tf.zeros([1, 1])])
        with pytest.raises(ValueError):
            tf.split(0, 2, tf.zeros([2]))
        with pytest.raises(TypeError):
            tf.reverse(tf.zeros([2, 2]), [True, False])
    finally:
        set_strict(False)


@pytest.mark.oracle
def test_oracle_operator_names_and_dtypes(tf1):

    def build(m):
        a = m.placeholder(m.float32, [2], name="a")
        i = m.placeholder(m.int32, [2], name="i")
        b = m.placeholder(m.bool, [2], name="b")
        return [a + 1.0, 1.0 + a, a - a, 2.0 * a, a / 2.0, a // 2.0, a % 2.0, a ** 2.0, -a, abs(a), a < 1.0,
                1.0 < a, a <= a, a > a, a >= 0.0, i / i, i // 2, i % 3, ~b, b | b, np.ones(2, np.float64) * a,
                m.add(a, 1.0), m.multiply(a, 3), m.pow(a, 2.0), m.maximum(a, 0.0), m.square(a), m.cast(i, m.float32)]

    g = tf1.Graph()
    with g.as_default():
        ref = build(tf1)
    for r, o in zip(ref, build(tf)):
        assert o.name == r.name, (o.name, r.name)
        assert o.op.type == r.op.type, (o.name, o.op.type, r.op.type)
        assert o.dtype.name == r.dtype.name and o.shape.as_list() == r.shape.as_list()
    with g.as_default():
        for fn in (lambda: tf1.constant(1) + 0.5, lambda: tf1.add(1, tf1.constant(2.0)),
                   lambda: tf1.multiply(np.ones(2), tf1.ones([2])), lambda: tf1.exp(tf1.constant(1))):
            with pytest.raises(TypeError):
                fn()

"""Elementwise math, comparisons, casts, reductions, scans, contractions and clipping (API.md §4.3-4.5, §7, §9)."""

import math

import numpy as np
import pytest

import teachtf as tf
from teachtf.framework import errors
from teachtf.ops.math_ops import erf_array

from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(7)


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


# -- elementwise forward values and dtypes -------------------------------------------------------------------

UNARY_FLOAT = [
    ("exp", np.exp), ("log", np.log), ("log1p", np.log1p), ("expm1", np.expm1), ("sqrt", np.sqrt),
    ("rsqrt", lambda x: 1 / np.sqrt(x)), ("tanh", np.tanh), ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("sin", np.sin), ("cos", np.cos), ("tan", np.tan), ("atan", np.arctan), ("sinh", np.sinh), ("cosh", np.cosh),
    ("erf", np.vectorize(math.erf)), ("erfc", np.vectorize(math.erfc)), ("floor", np.floor), ("ceil", np.ceil),
    ("reciprocal", lambda x: 1 / x), ("square", np.square), ("abs", np.abs), ("sign", np.sign),
    ("negative", np.negative),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,ref", UNARY_FLOAT)
def test_unary_float_values_and_dtype(name, ref, dtype, device):
    x = RNG.uniform(0.1, 2.0, size=(2, 3)).astype(dtype)
    with tf.device(device):
        y = getattr(tf, name)(tf.constant(x))
    out = run(y)
    assert y.dtype == tf.as_dtype(dtype) and out.dtype == dtype
    assert y.shape == (2, 3)
    np.testing.assert_allclose(out, ref(x.astype(np.float64)), rtol=1e-6 if dtype == np.float64 else 2e-6)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid", "sin", "erf", "floor", "rsqrt"])
def test_float_only_ops_reject_integers(name):
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        getattr(tf, name)(tf.constant([1, 2]))


@pytest.mark.parametrize("name,ref", [("square", np.square), ("abs", np.abs), ("sign", np.sign),
                                      ("negative", np.negative)])
def test_integer_unary_keep_dtype(name, ref):
    x = np.array([-3, 0, 2], np.int32)
    out = run(getattr(tf, name)(x))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, ref(x))


def test_sigmoid_is_stable_and_accurate_for_large_inputs():
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    out = run(tf.sigmoid(x))
    np.testing.assert_allclose(out, [0.0, 1 / (1 + np.exp(40.0)), 0.5, 1.0, 1.0], rtol=1e-12)


def test_erf_without_scipy_matches_math_erf():
    x = np.concatenate([np.linspace(-6, 6, 4001), [0.0, 1e-8, -1e-300, 0.4999, 0.5]])
    ref = np.array([math.erf(v) for v in x])
    got = erf_array(np, x)
    np.testing.assert_allclose(got, ref, rtol=2e-15, atol=5e-16)
    assert got[x == 0.0][0] == 0.0


def test_round_is_half_to_even_and_identity_on_ints():
    np.testing.assert_array_equal(run(tf.round([0.5, 1.5, 2.5, -0.5, -1.5, 0.4])), [0, 2, 2, -0, -2, 0])
    ints = tf.constant([1, 2])
    assert tf.round(ints) is ints


def test_log_of_zero_is_minus_inf_and_zero_times_inf_is_nan():
    with np.errstate(divide="ignore", invalid="ignore"):
        out = run(tf.log([0.0, -1.0]))
        assert out[0] == -np.inf and np.isnan(out[1])
        assert np.isnan(run(0.0 * tf.log(0.0)))


BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply), ("maximum", np.maximum),
    ("minimum", np.minimum), ("squared_difference", lambda a, b: (a - b) ** 2), ("floordiv", np.floor_divide),
    ("floormod", np.mod), ("mod", np.mod), ("pow", np.power), ("div", None), ("truediv", None), ("realdiv", None),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("name,ref", BINARY)
def test_binary_values_dtypes_and_broadcasting(name, ref, dtype, device):
    a = RNG.integers(-5, 6, size=(2, 3)).astype(dtype)
    b = RNG.integers(1, 4, size=(3,)).astype(dtype)
    if name == "pow":
        a = np.abs(a)
    if name == "realdiv" and dtype == np.int32:
        pytest.skip("realdiv is the float op")
    with tf.device(device):
        y = getattr(tf, name)(tf.constant(a), tf.constant(b))
    out = run(y)
    assert y.shape == (2, 3)
    if name == "truediv":
        want = a / b
        assert out.dtype == (np.float64 if dtype == np.int32 else dtype)
    elif name == "div":
        want = np.floor_divide(a, b) if dtype == np.int32 else a / b
        assert out.dtype == dtype
    elif name == "realdiv":
        want = a / b
        assert out.dtype == dtype
    else:
        want = ref(a, b)
        assert out.dtype == dtype
    np.testing.assert_allclose(out, want, rtol=1e-6)


def test_truediv_small_ints_become_float32():
    out = tf.truediv(tf.constant([3], tf.int16), tf.constant([2], tf.int16))
    assert out.dtype == tf.float32
    np.testing.assert_allclose(run(out), [1.5])


def test_mod_follows_sign_of_divisor_and_floordiv_floors():
    x = np.array([7, -7, 7, -7], np.int32)
    y = np.array([3, 3, -3, -3], np.int32)
    np.testing.assert_array_equal(run(tf.mod(x, y)), [1, 2, -2, -1])
    np.testing.assert_array_equal(run(tf.floordiv(x, y)), [2, -3, -3, 2])
    np.testing.assert_allclose(run(tf.mod([-7.5], [2.0])), [0.5])


@pytest.mark.parametrize("fn", [tf.floordiv, tf.mod, tf.div])
def test_integer_division_by_zero_is_invalid_argument(fn):
    with pytest.raises(errors.InvalidArgumentError, match="Integer division by zero"):
        run(fn(tf.constant([1, 2]), tf.constant([1, 0])))


def test_integer_negative_power_fails_at_run_time():
    with pytest.raises(errors.InvalidArgumentError, match="negative integer powers"):
        run(tf.pow(tf.constant(2), tf.constant(-1)))


def test_function_form_dtype_rules_left_to_right():
    w32 = tf.constant([1.0, 2.0])
    x64 = np.array([1.0, 2.0])
    assert tf.multiply(w32, x64).dtype == tf.float32
    with pytest.raises(TypeError, match="Input 'y' of 'Mul' Op has type float32 that does not match type float64 of "
                                        "argument 'x'"):
        tf.multiply(x64, w32)
    with pytest.raises(TypeError, match="Input 'y' of 'AddV2' Op has type float32 that does not match type int32"):
        tf.add(1, w32)
    with pytest.raises(TypeError, match="Expected int32 passed to parameter 'y' of op 'AddV2', got 0.5"):
        tf.add(tf.constant(1), 0.5)
    with pytest.raises(TypeError, match="does not match"):
        tf.add(w32, tf.constant([1, 2]))


def test_truediv_function_needs_equal_dtypes_but_divide_converts():
    x = tf.constant([3.0])
    with pytest.raises(TypeError, match="x and y must have the same dtype"):
        tf.truediv(x, 2)
    d = tf.divide(x, 2)
    np.testing.assert_allclose(run(d), [1.5])
    assert d.op.type == "RealDiv" and d.name.startswith("truediv")


def test_function_form_names_and_converted_constants():
    x = tf.placeholder(tf.float32, [2])
    y = tf.add(x, 2.0)
    assert y.name == "Add:0" and y.op.type == "AddV2"
    assert tf.get_default_graph().get_operation_by_name("Add/y").type == "Const"
    assert tf.subtract(x, 1.0).name == "Sub:0"
    assert tf.multiply(x, 1.0).name == "Mul:0"
    assert tf.maximum(x, 0.0).name == "Maximum:0"
    assert tf.pow(x, 2.0).name == "Pow:0"
    assert tf.mod(x, 2.0).name == "FloorMod:0"
    assert tf.floordiv(x, 2.0).name == "floordiv:0"
    assert tf.div(x, 2.0).name == "div:0"
    assert tf.square(x).name == "Square:0"
    assert tf.negative(x).name == "Neg:0"
    assert tf.abs(x).name == "Abs:0"
    assert tf.exp([1.0]).name == "Exp:0"
    assert tf.equal(x, 1.0).name == "Equal:0"
    assert tf.add(x, 1.0, name="plus").name == "plus:0"


def test_comparisons_and_logic():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    b = np.array([2.0, 2.0, 2.0], np.float32)
    for fn, ref in [(tf.equal, np.equal), (tf.not_equal, np.not_equal), (tf.less, np.less),
                    (tf.less_equal, np.less_equal), (tf.greater, np.greater), (tf.greater_equal, np.greater_equal)]:
        out = run(fn(a, b))
        assert out.dtype == np.bool_
        np.testing.assert_array_equal(out, ref(a, b))
    p = np.array([True, True, False, False])
    q = np.array([True, False, True, False])
    np.testing.assert_array_equal(run(tf.logical_and(p, q)), p & q)
    np.testing.assert_array_equal(run(tf.logical_or(p, q)), p | q)
    np.testing.assert_array_equal(run(tf.logical_xor(p, q)), p ^ q)
    np.testing.assert_array_equal(run(tf.logical_not(p)), ~p)
    np.testing.assert_array_equal(run(tf.equal(["a", "b"], ["a", "c"])), [True, False])
    with pytest.raises(TypeError, match="DataType float32 not in list"):
        tf.logical_and(tf.constant([1.0]), tf.constant([0.0]))


def test_is_nan_inf_finite():
    x = np.array([1.0, np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(run(tf.is_nan(x)), np.isnan(x))
    np.testing.assert_array_equal(run(tf.is_inf(x)), np.isinf(x))
    np.testing.assert_array_equal(run(tf.is_finite(x)), np.isfinite(x))


def test_broadcast_mismatch_is_value_error_at_build_time():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.add(tf.zeros([2, 3]), tf.zeros([3, 2]))


# -- casts ---------------------------------------------------------------------------------------------------


def test_cast_rules():
    x = tf.constant([1.7, -1.7, 0.0])
    c = tf.cast(x, tf.int32)
    assert c.name == "Cast:0" and c.dtype == tf.int32
    np.testing.assert_array_equal(run(c), [1, -1, 0])
    assert tf.cast(x, tf.float32) is x
    np.testing.assert_array_equal(run(tf.cast([True, False], "float")), [1.0, 0.0])
    np.testing.assert_array_equal(run(tf.cast(x, tf.bool)), [True, True, False])
    half = tf.cast(0.5, tf.int32, name="half")
    assert half.op.inputs[0].op.name == "half/x" and run(half) == 0
    assert tf.to_float(tf.constant(1)).name == "ToFloat:0"
    for fn, dt in [(tf.to_double, tf.float64), (tf.to_int32, tf.int32), (tf.to_int64, tf.int64)]:
        assert fn(tf.constant([1.5])).dtype == dt


def test_saturate_cast_clamps():
    out = run(tf.saturate_cast(tf.constant([-5.0, 100.0, 300.0]), tf.uint8))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [0, 100, 255])


# -- reductions ------------------------------------------------------------------------------------------------

REDUCTIONS = [("reduce_sum", np.sum), ("reduce_mean", np.mean), ("reduce_max", np.max), ("reduce_min", np.min),
              ("reduce_prod", np.prod)]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name,ref", REDUCTIONS)
@pytest.mark.parametrize("axis,keep", [(None, False), (0, False), (1, True), ([0, 1], False), (-1, False),
                                       ([], False)])
def test_reductions_values_shapes_dtypes(name, ref, axis, keep, device):
    x = RNG.uniform(0.5, 2.0, size=(3, 4)).astype(np.float32)
    with tf.device(device):
        y = getattr(tf, name)(x, axis=axis, keepdims=keep)
    want = ref(x.astype(np.float64), axis=tuple(np.atleast_1d(axis)) if axis is not None else None, keepdims=keep)
    out = run(y)
    assert y.shape == want.shape and out.shape == want.shape
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, want, rtol=1e-5)


def test_reduction_aliases_and_default_names():
    x = tf.placeholder(tf.float32, [2, 3])
    assert tf.reduce_sum(x).name == "Sum:0"
    assert tf.reduce_mean(x, reduction_indices=[1], keep_dims=True).shape == (2, 1)
    assert tf.reduce_max(x, 1).name == "Max:0"
    assert tf.get_default_graph().get_operation_by_name("Max/reduction_indices").type == "Const"
    with pytest.raises(ValueError, match="Cannot specify both 'axis' and 'reduction_indices'"):
        tf.reduce_sum(x, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        tf.reduce_sum(x, 2)
    assert tf.reduce_sum(tf.placeholder(tf.float32)).shape == ()


def test_reduce_list_of_tensors_is_stacked():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    np.testing.assert_allclose(run(tf.reduce_sum([a, b], 0)), [4.0, 6.0])


def test_integer_mean_truncates_and_int_sum_keeps_dtype():
    acc = tf.cast(tf.constant([True, False, False]), tf.int32)
    m = tf.reduce_mean(acc)
    assert m.dtype == tf.int32 and run(m) == 0
    assert run(tf.reduce_mean(tf.constant([-3, -4]))) == -3
    s = run(tf.reduce_sum(tf.constant([1, 2], tf.int32)))
    assert s.dtype == np.int32 and s == 3


def test_empty_mean_is_nan():
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.isnan(run(tf.reduce_mean(tf.zeros([0]))))
        assert np.isnan(run(tf.reduce_mean(tf.zeros([2, 0]), 1))).all()


def test_all_any_logsumexp_count_nonzero():
    b = np.array([[True, False], [True, True]])
    np.testing.assert_array_equal(run(tf.reduce_all(b, 1)), [False, True])
    np.testing.assert_array_equal(run(tf.reduce_any(b, 0)), [True, True])
    x = np.array([[1000.0, 1000.0], [-1.0, 2.0]])
    np.testing.assert_allclose(run(tf.reduce_logsumexp(x, 1)), [1000 + np.log(2), np.log(np.exp(-1) + np.exp(2))])
    assert tf.reduce_logsumexp(x).shape == ()
    c = tf.count_nonzero([[0, 1, 2], [0, 0, 3]], axis=1)
    assert c.dtype == tf.int64
    np.testing.assert_array_equal(run(c), [2, 1])


def test_argmax_argmin():
    x = np.array([[1, 5, 5], [7, 0, 7]], np.float32)
    a = tf.argmax(x, 1)
    assert a.dtype == tf.int64 and a.name == "ArgMax:0" and a.shape == (2,)
    np.testing.assert_array_equal(run(a), [1, 0])  # ties go to the smallest index
    np.testing.assert_array_equal(run(tf.argmin(x, dimension=0)), [0, 1, 0])
    np.testing.assert_array_equal(run(tf.argmax(x)), [1, 0, 1])
    assert tf.argmax(x, 1, output_type=tf.int32).dtype == tf.int32
    with pytest.raises(ValueError, match="Expected dimension in the range"):
        tf.argmax(x, 2)


def test_norms():
    x = np.array([[3.0, -4.0], [1.0, 2.0]])
    np.testing.assert_allclose(run(tf.norm(x)), np.linalg.norm(x))
    np.testing.assert_allclose(run(tf.norm(x, axis=1)), np.linalg.norm(x, axis=1))
    np.testing.assert_allclose(run(tf.norm(x, ord=1, axis=0)), np.abs(x).sum(0))
    np.testing.assert_allclose(run(tf.norm(x, ord=np.inf, axis=1, keepdims=True)), [[4.0], [2.0]])
    np.testing.assert_allclose(run(tf.norm(x, ord=3, axis=1)), np.sum(np.abs(x) ** 3, 1) ** (1 / 3))
    np.testing.assert_allclose(run(tf.norm(x, ord=1, axis=[0, 1])), np.linalg.norm(x, 1))
    np.testing.assert_allclose(run(tf.norm(x, ord=np.inf, axis=[0, 1])), np.linalg.norm(x, np.inf))
    with pytest.raises(ValueError, match="'ord' must be a supported vector norm"):
        tf.norm(x, ord=-1)


# -- clipping -----------------------------------------------------------------------------------------------


def test_clip_by_value_and_names():
    x = tf.constant([-2.0, 0.5, 3.0])
    c = tf.clip_by_value(x, 0.0, 1.0)
    assert c.name == "clip_by_value:0"
    np.testing.assert_allclose(run(c), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError):
        tf.clip_by_value(x, tf.zeros([2, 3]), 1.0)


def test_clip_by_norm_and_global_norm():
    t = np.array([3.0, 4.0])
    np.testing.assert_allclose(run(tf.clip_by_norm(t, 1.0)), t / 5.0)
    np.testing.assert_allclose(run(tf.clip_by_norm(t, 10.0)), t)
    np.testing.assert_allclose(run(tf.clip_by_norm(np.zeros(2), 1.0)), [0.0, 0.0])
    a, b = np.array([3.0, 0.0]), np.array([[4.0]])
    gn = tf.global_norm([a, None, b])
    np.testing.assert_allclose(run(gn), 5.0)
    clipped, norm = tf.clip_by_global_norm([a, None, b], 2.5)
    assert clipped[1] is None
    va, vb, vn = run([clipped[0], clipped[2], norm])
    np.testing.assert_allclose(va, a / 2)
    np.testing.assert_allclose(vb, b / 2)
    assert vn == pytest.approx(5.0)
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.clip_by_global_norm(tf.constant(a), 1.0)
    np.testing.assert_allclose(run(tf.clip_by_average_norm(t, 1.0)), t * 1.0 * min(2 / 5.0, 1.0))


# -- add_n, range, linspace --------------------------------------------------------------------------------


def test_add_n():
    a = tf.constant([1.0, 2.0])
    assert tf.add_n([a]) is a
    np.testing.assert_allclose(run(tf.add_n([a, a, [1.0, 1.0]])), [3.0, 5.0])
    with pytest.raises(ValueError, match="same shape"):
        tf.add_n([a, tf.zeros([3])])
    with pytest.raises(TypeError, match="don't all match"):
        tf.add_n([a, tf.constant([1, 2])])


def test_range_dtypes_shapes_and_names():
    r = tf.range(5)
    assert r.name == "range:0" and r.dtype == tf.int32 and r.shape == (5,)
    np.testing.assert_array_equal(run(r), np.arange(5))
    f = tf.range(1, 2, 0.25)
    assert f.dtype == tf.float32 and f.shape == (4,)
    np.testing.assert_allclose(run(f), np.arange(1, 2, 0.25))
    np.testing.assert_array_equal(run(tf.range(10, 0, -3)), [10, 7, 4, 1])
    assert tf.range(3, dtype=tf.float64).dtype == tf.float64
    n = tf.placeholder(tf.int32, [])
    assert tf.range(n).shape.as_list() == [None]
    with pytest.raises(errors.InvalidArgumentError, match="delta != 0"):
        run(tf.range(0, 5, n), {n: 0})


def test_linspace():
    lin = tf.linspace(0.0, 1.0, 5)
    assert lin.name == "LinSpace:0" and lin.shape == (5,)
    np.testing.assert_allclose(run(lin), np.linspace(0, 1, 5))
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.linspace(0, 1, 5)


# -- scans, segments, contractions ---------------------------------------------------------------------------


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_cumprod(exclusive, reverse):
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

    def ref(fn, ident):
        y = np.flip(x, 1) if reverse else x
        out = fn(y, axis=1)
        if exclusive:
            out = np.concatenate([np.full((2, 1), ident), out[:, :-1]], 1)
        return np.flip(out, 1) if reverse else out

    np.testing.assert_allclose(run(tf.cumsum(x, 1, exclusive=exclusive, reverse=reverse)), ref(np.cumsum, 0))
    np.testing.assert_allclose(run(tf.cumprod(x, 1, exclusive=exclusive, reverse=reverse)), ref(np.cumprod, 1))


def test_segment_sums():
    data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_allclose(run(tf.segment_sum(data, [0, 0, 2])), [[4, 6], [0, 0], [5, 6]])
    out = tf.unsorted_segment_sum(data, [2, 0, 2], 4)
    assert out.shape == (4, 2)
    np.testing.assert_allclose(run(out), [[3, 4], [0, 0], [6, 8], [0, 0]])
    np.testing.assert_allclose(run(tf.unsorted_segment_sum(data, [-1, 0, 0], 1)), [[8, 10]])
    with pytest.raises(errors.InvalidArgumentError, match="not increasing"):
        run(tf.segment_sum(data, [1, 0, 2]))
    with pytest.raises(errors.InvalidArgumentError, match="outside the range"):
        run(tf.unsorted_segment_sum(data, [0, 5, 1], 2))


def test_matmul_einsum_tensordot_trace():
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(run(tf.matmul(a, b)), a @ b)
    np.testing.assert_allclose(run(a @ tf.constant(b)), a @ b)
    e = tf.einsum("ij,jk->ik", a, b)
    assert e.shape == (2, 4)
    np.testing.assert_allclose(run(e), a @ b)
    np.testing.assert_allclose(run(tf.einsum("ij->", a)), a.sum())
    np.testing.assert_allclose(run(tf.einsum("bij,bjk->bik", np.stack([a, a]), np.stack([b, b]))),
                               np.stack([a @ b, a @ b]))
    np.testing.assert_allclose(run(tf.einsum("...j,jk->...k", a, b)), a @ b)
    t = tf.tensordot(a, b, axes=1)
    assert t.shape == (2, 4)
    np.testing.assert_allclose(run(t), a @ b)
    c = RNG.standard_normal((3, 2, 5))
    np.testing.assert_allclose(run(tf.tensordot(a, c, axes=[[0, 1], [1, 0]])), np.tensordot(a, c, ([0, 1], [1, 0])))
    m = RNG.standard_normal((3, 3))
    np.testing.assert_allclose(run(tf.trace(m)), np.trace(m))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(tf.zeros([1, 2]), tf.zeros([1, 2]))
    with pytest.raises(ValueError, match="rank 2"):
        tf.matmul(tf.zeros([2]), tf.zeros([2, 2]))
    with pytest.raises(TypeError, match="does not match"):
        tf.matmul(np.ones((2, 2)), tf.ones([2, 2]))


# -- gradients (float64, random cotangent) ---------------------------------------------------------------------

POS = RNG.uniform(0.3, 1.5, size=(2, 3))
SIGNED = RNG.uniform(-1.5, 1.5, size=(2, 3))


@pytest.mark.parametrize("name", ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "tanh", "sigmoid", "sin", "cos",
                                  "tan", "atan", "sinh", "cosh", "erf", "erfc", "reciprocal", "square", "negative"])
def test_unary_gradients(name):
    check_gradients(getattr(tf, name), POS)


def test_asin_acos_abs_gradients():
    small = RNG.uniform(-0.8, 0.8, size=(5,))
    check_gradients(tf.asin, small)
    check_gradients(tf.acos, small)
    check_gradients(tf.abs, SIGNED)


def test_abs_and_sign_gradients_at_zero():
    x = tf.constant([0.0, -2.0, 3.0], tf.float64)
    ga, = tf.gradients(tf.reduce_sum(tf.abs(x)), x)
    np.testing.assert_array_equal(run(ga), [0.0, -1.0, 1.0])
    for fn in (tf.sign, tf.round, tf.floor, tf.ceil):
        assert tf.gradients(tf.reduce_sum(fn(x)), x) == [None]
    assert tf.gradients(tf.reduce_sum(tf.cast(tf.less(x, 1.0), tf.float64)), x) == [None]


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "truediv", "maximum", "minimum",
                                  "squared_difference", "floormod", "atan2"])
def test_binary_gradients_with_broadcasting(name):
    a = RNG.uniform(0.5, 2.0, size=(2, 3))
    b = RNG.uniform(0.5, 2.0, size=(3,)) + 0.05
    check_gradients(getattr(tf, name), a, b)
    check_gradients(getattr(tf, name), b[:1], a)


def test_pow_gradients():
    check_gradients(tf.pow, POS, RNG.uniform(0.5, 2.0, size=(3,)))


def test_maximum_minimum_ties_go_to_first_argument():
    x = tf.constant([1.0, 2.0, 3.0], tf.float64)
    y = tf.constant([1.0, 5.0, 0.0], tf.float64)
    for fn in (tf.maximum, tf.minimum):
        gx, gy = tf.gradients(tf.reduce_sum(fn(x, y)), [x, y])
        gxv, gyv = run([gx, gy])
        assert gxv[0] == 1.0 and gyv[0] == 0.0
        np.testing.assert_array_equal(gxv + gyv, [1.0, 1.0, 1.0])


def test_clip_by_value_gradient_is_zero_outside():
    x = tf.constant([-1.0, 0.0, 0.5, 1.0, 2.0], tf.float64)
    g, = tf.gradients(tf.reduce_sum(tf.clip_by_value(x, 0.0, 1.0)), x)
    np.testing.assert_array_equal(run(g), [0.0, 1.0, 1.0, 1.0, 0.0])
    check_gradients(lambda t: tf.clip_by_value(t, -0.5, 0.5), SIGNED)


@pytest.mark.parametrize("name", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                                  "reduce_logsumexp"])
@pytest.mark.parametrize("axis,keep", [(None, False), (1, False), (0, True), ([0, 1], True)])
def test_reduction_gradients(name, axis, keep):
    check_gradients(lambda t: getattr(tf, name)(t, axis=axis, keepdims=keep), SIGNED)


def test_max_gradient_split_among_ties_and_prod_with_zero():
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], tf.float64)
    g, = tf.gradients(tf.reduce_sum(tf.reduce_max(x, 1)), x)
    np.testing.assert_allclose(run(g), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    check_gradients(lambda t: tf.reduce_prod(t, 1), np.array([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0]]))


def test_dynamic_shape_reduction_gradients():
    def build(t):
        u = tf.placeholder_with_default(t, shape=[None, None])
        return tf.reduce_mean(tf.reduce_max(u * u, 1))

    check_gradients(build, SIGNED)


def test_cast_cumsum_segment_matmul_einsum_norm_gradients():
    check_gradients(lambda t: 3.0 * tf.cast(tf.cast(t, tf.float32), tf.float64), SIGNED, delta=1e-3, rtol=1e-3)
    check_gradients(lambda t: tf.cumsum(t, 1, exclusive=True, reverse=True), SIGNED)
    check_gradients(lambda t: tf.cumprod(t, 1), POS)
    check_gradients(lambda t: tf.unsorted_segment_sum(t, [1, -1], 3), SIGNED)
    check_gradients(lambda t: tf.segment_sum(t, [0, 0]), SIGNED)
    check_gradients(lambda a, b: tf.matmul(a, b, transpose_b=True), SIGNED, POS)
    check_gradients(lambda a, b: tf.einsum("ij,kj->ik", a, b), SIGNED, POS)
    check_gradients(lambda a: tf.einsum("ij->j", a), SIGNED)
    check_gradients(lambda a, b: tf.tensordot(a, b, [[1], [1]]), SIGNED, POS)
    check_gradients(lambda t: tf.norm(t, axis=1), SIGNED)
    check_gradients(lambda t: tf.clip_by_norm(t, 0.5), SIGNED)
    check_gradients(lambda t: tf.trace(tf.reshape(t[:, :2], [2, 2])), SIGNED)
    check_gradients(lambda t: tf.add_n([t, t * t]), SIGNED)


def test_integer_and_bool_paths_have_no_gradient():
    x = tf.constant([1.0, 2.0], tf.float64)
    i = tf.cast(x, tf.int32)
    assert tf.gradients(tf.reduce_sum(tf.cast(i * 2, tf.float64)), x) == [None]


def test_second_order_gradients():
    x = tf.constant([-0.7, 0.2, 1.3], tf.float64)
    g1, = tf.gradients(tf.reduce_sum(tf.tanh(x)), x)
    g2, = tf.gradients(tf.reduce_sum(g1), x)
    t = np.tanh([-0.7, 0.2, 1.3])
    np.testing.assert_allclose(run(g2), -2 * t * (1 - t * t))
    c1, = tf.gradients(tf.reduce_sum(x * x * x), x)
    c2, = tf.gradients(tf.reduce_sum(c1), x)
    np.testing.assert_allclose(run(c2), 6 * np.array([-0.7, 0.2, 1.3]))
    for fn in (tf.sigmoid, tf.sqrt, tf.rsqrt, tf.reciprocal):
        check_gradients(lambda t, fn=fn: tf.gradients(tf.reduce_sum(fn(t)), t)[0], POS, rtol=1e-4)
    check_gradients(lambda t: tf.gradients(tf.reduce_sum(tf.tanh(t) * t), t)[0], SIGNED, rtol=1e-4)


# -- oracle -------------------------------------------------------------------------------------------------


@pytest.mark.oracle
def test_oracle_math_values_names_dtypes(tf1):
    x = RNG.uniform(-2, 2, size=(3, 4)).astype(np.float32)

    def build(m):
        xt = m.constant(x)
        return [m.tanh(xt), m.sigmoid(xt), m.reduce_mean(xt, 1), m.argmax(xt, 1), m.reduce_logsumexp(xt, 0),
                m.round(xt * 3), m.mod(m.constant([-7, 7]), 3), m.truediv(m.constant([7]), m.constant([2])),
                m.reduce_mean(m.constant([-3, -4])), m.clip_by_norm(xt, 1.0), m.cumsum(xt, 1, exclusive=True),
                m.squared_difference(xt, 1.0), m.erf(xt), m.floordiv(xt, 0.7)]

    g = tf1.Graph()
    with g.as_default():
        ref = build(tf1)
        with tf1.Session() as s:
            ref_vals = s.run(ref)
    ours = build(tf)
    vals = run(ours)
    for r, rv, o, ov in zip(ref, ref_vals, ours, vals):
        assert o.name == r.name, (o.name, r.name)
        assert o.dtype.name == r.dtype.name
        assert o.shape.as_list() == r.shape.as_list()
        np.testing.assert_allclose(ov, rv, rtol=2e-5, atol=1e-6)


@pytest.mark.oracle
def test_oracle_gradients_match(tf1):
    x = RNG.uniform(0.2, 2, size=(3, 4))

    def build(m):
        xt = m.constant(x)
        y = m.reduce_sum(m.reduce_max(m.concat([xt, xt], 0), 0) * m.log(xt) + m.maximum(xt, 1.0) ** 2)
        return m.gradients(y, xt)[0]

    g = tf1.Graph()
    with g.as_default():
        ref = build(tf1)
        with tf1.Session() as s:
            want = s.run(ref)
    np.testing.assert_allclose(run(build(tf)), want, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.int32])
@pytest.mark.parametrize("name,ref", [("reduce_sum", np.sum), ("reduce_max", np.max), ("reduce_min", np.min),
                                      ("reduce_prod", np.prod)])
def test_reductions_keep_float64_and_int32(name, ref, dtype):
    x = RNG.integers(-3, 4, size=(3, 4)).astype(dtype)
    out = run(getattr(tf, name)(x, axis=1))
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, ref(x, axis=1))


def test_scans_segments_and_linspace_keep_dtypes():
    i = np.array([[1, 2], [3, 4]], np.int32)
    assert run(tf.cumsum(i, 1)).dtype == np.int32
    assert run(tf.cumprod(i, 0, exclusive=True)).dtype == np.int32
    assert run(tf.segment_sum(i, [0, 0])).dtype == np.int32
    assert run(tf.linspace(np.float64(0), np.float64(1), 3)).dtype == np.float64
    assert run(tf.range(0.0, 1.0, 0.5, dtype=tf.float64)).dtype == np.float64
    assert run(tf.reciprocal(tf.constant([1, -1, 2]))).tolist() == [1, -1, 0]


def test_small_helpers():
    x = tf.constant([1.0, 2.0])
    np.testing.assert_allclose(run(tf.scalar_mul(3.0, x)), [3.0, 6.0])
    with pytest.raises(ValueError, match="Only scalar multiply works"):
        tf.scalar_mul([1.0, 2.0], x)
    np.testing.assert_allclose(run(tf.accumulate_n([x, x])), [2.0, 4.0])
    np.testing.assert_allclose(run(tf.realdiv(x, x)), [1.0, 1.0])
    np.testing.assert_allclose(run(tf.rint([0.5, 1.5])), [0.0, 2.0])
    assert tf.floor_div(x, x).name.startswith("FloorDiv")
    np.testing.assert_allclose(run(tf.atan2([1.0], [-1.0])), np.arctan2(1.0, -1.0))


def test_matrix_inverse_determinant_solve():
    a = np.array([[2.0, 1.0], [0.5, 3.0]])
    b = RNG.standard_normal((2, 3))
    np.testing.assert_allclose(run(tf.matrix_inverse(a)), np.linalg.inv(a))
    np.testing.assert_allclose(run(tf.matrix_determinant(np.stack([a, 2 * a]))), [5.5, 22.0])
    np.testing.assert_allclose(run(tf.matrix_solve(a, b)), np.linalg.solve(a, b))
    np.testing.assert_allclose(run(tf.matrix_solve(a, b, adjoint=True)), np.linalg.solve(a.T, b))
    with pytest.raises(ValueError, match="square matrix"):
        tf.matrix_inverse(tf.zeros([2, 3]))
    check_gradients(tf.matrix_inverse, a)
    check_gradients(tf.matrix_determinant, a)
    check_gradients(tf.matrix_solve, a, b)
    check_gradients(lambda m, r: tf.matrix_solve(m, r, adjoint=True), a, b)


def test_kernel_errors_name_the_op_and_the_learners_line():
    d = tf.placeholder(tf.int32, [2])
    q = tf.floordiv(tf.constant([4, 4]), d, name="ratio")
    with pytest.raises(errors.InvalidArgumentError) as info:
        run(q, {d: [2, 0]})
    assert "ratio" in str(info.value) and "test_math_ops.py" in str(info.value)
    with pytest.raises(TypeError, match=r"for 'Exp' \(op: 'Exp'\)[\s\S]*created at .*test_math_ops.py"):
        tf.exp(tf.constant([1, 2]))


def _np_unbroadcast(g, shape):
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    return g.sum(axis=tuple(i for i, d in enumerate(shape) if d == 1), keepdims=True)


@pytest.mark.parametrize("x_static,y_static,x_shape,y_shape,static", [
    ([None, 3], [3], (4, 3), (3,), True),             # a batch plus a bias: decided by the static shapes
    ([None, 1, 3], [5, 3], (2, 1, 3), (5, 3), True),  # x's size-1 axis is known to be broadcast
    ([None, 1], [None, 3], (4, 1), (4, 3), False),    # whether the batch axis broadcasts is known at run time
    ([None, None], [1, 3], (4, 1), (1, 3), False),
    ([None, 3], [None, 1], (1, 3), (4, 1), False),
])
@pytest.mark.parametrize("name", ["add", "multiply"])
def test_broadcast_gradients_with_unknown_batch_sizes(name, x_static, y_static, x_shape, y_shape, static):
    rng = np.random.RandomState(3)
    xv, yv = rng.randn(*x_shape), rng.randn(*y_shape)
    cv = rng.randn(*np.broadcast_shapes(x_shape, y_shape))
    x = tf.placeholder(tf.float64, x_static)
    y = tf.placeholder(tf.float64, y_static)
    c = tf.placeholder(tf.float64)
    gx, gy = tf.gradients(getattr(tf, name)(x, y), [x, y], grad_ys=c)
    ops = {op.type for op in tf.get_default_graph().get_operations()}
    assert ("BroadcastGradientArgs" not in ops) == static
    gxv, gyv = run([gx, gy], {x: xv, y: yv, c: cv})
    dx, dy = (cv, cv) if name == "add" else (cv * yv, cv * xv)
    np.testing.assert_allclose(gxv, _np_unbroadcast(dx, x_shape))
    np.testing.assert_allclose(gyv, _np_unbroadcast(dy, y_shape))
    assert gxv.shape == x_shape and gyv.shape == y_shape

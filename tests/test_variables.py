"""tf.Variable, state ops, collections and initializers (API.md §6)."""

import numpy as np
import pytest

import teachtf as tf

# -- construction ---------------------------------------------------------------------------------------------------


def test_dtype_comes_from_the_initial_value_or_dtype_argument():
    assert tf.Variable(0).dtype.base_dtype is tf.int32
    assert tf.Variable(0.0).dtype.base_dtype is tf.float32
    assert tf.Variable(np.float64(1.5)).dtype.base_dtype is tf.float64
    assert tf.Variable(0, dtype=tf.float32).dtype.base_dtype is tf.float32
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead"):
        tf.Variable(1.5, dtype=tf.int32)
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float64 for Tensor with dtype float32"):
        tf.Variable(tf.constant(1.0), dtype=tf.float64)


def test_initial_value_forms():
    a = tf.Variable([[1, 2], [3, 4]], name="a")
    b = tf.Variable(tf.fill([2], 3.0), name="b")
    c = tf.Variable(lambda: tf.ones([3]), name="c")
    d = tf.Variable(np.arange(4.0).reshape(2, 2), name="d")
    assert c.initial_value.op.name.startswith("c/Initializer/")
    assert a.initial_value.op.name == "a/initial_value"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        va, vb, vc, vd = sess.run([a, b, c, d])
    np.testing.assert_array_equal(va, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(vb, [3, 3])
    np.testing.assert_array_equal(vc, [1, 1, 1])
    np.testing.assert_array_equal(vd, [[0, 1], [2, 3]])


def test_bad_initial_values():
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable()
    with pytest.raises(ValueError, match="initial_value must have a shape specified"):
        tf.Variable(tf.placeholder(tf.float32, [None]))
    assert tf.Variable(tf.placeholder(tf.float32, [None]), validate_shape=False).shape.ndims is None
    with pytest.raises(ValueError, match="collections argument to Variable constructor must be a list"):
        tf.Variable(1.0, collections="mine")


def test_collections_and_trainable():
    a = tf.Variable(1.0)
    b = tf.Variable(1.0, trainable=False)
    c = tf.Variable(1.0, collections=["mine"])
    assert tf.global_variables() == [a, b] and tf.trainable_variables() == [a, c]
    assert tf.get_collection("mine") == [c] and c.trainable
    with tf.name_scope("s"):
        d = tf.Variable(1.0)
    assert tf.global_variables(scope="s") == [d]


def test_variable_created_in_control_dependencies_has_a_clean_initializer():
    a = tf.constant(1.0)
    with tf.control_dependencies([a]):
        v = tf.Variable(2.0)
    assert v.initializer.control_inputs == []


# -- identity and repr ----------------------------------------------------------------------------------------------


def test_variable_attributes_and_repr():
    v = tf.Variable(tf.zeros([784, 10]), name="w")
    assert v.name == "w:0" and v.op.name == "w" and v.op.type == "VariableV2"
    assert repr(v) == "<tf.Variable 'w:0' shape=(784, 10) dtype=float32_ref>"
    assert v.shape.as_list() == [784, 10] and v.get_shape() == [784, 10]
    assert v.dtype.name == "float32_ref" and (v.dtype == tf.float32) is False
    assert v.graph is tf.get_default_graph() and v.initializer.type == "Assign"
    assert callable(v.value) and "bound method" in repr(v.value), "v.value without () is a method"
    assert v.value().name == "w/read:0"


def test_variable_works_as_a_tensor():
    v = tf.Variable([1.0, 2.0])
    w = tf.Variable(3.0)
    exprs = [v + 1, 1 + v, v * w, -v, v[0], tf.reduce_sum(v), np.array([1.0, 1.0]) - v]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(exprs)
    np.testing.assert_array_equal(out[0], [2, 3])
    np.testing.assert_array_equal(out[1], [2, 3])
    np.testing.assert_array_equal(out[2], [3, 6])
    np.testing.assert_array_equal(out[3], [-1, -2])
    assert out[4] == 1.0 and out[5] == 3.0
    np.testing.assert_array_equal(out[6], [0, -1])
    with pytest.raises(TypeError):
        bool(v)
    with pytest.raises(TypeError, match="tf.exp"):
        np.exp(v)


# -- reading and writing ---------------------------------------------------------------------------------------------


def test_assign_methods_and_functions_return_new_values():
    v = tf.Variable(10.0)
    add = v.assign_add(5)
    sub = tf.assign_sub(v, 1.0)
    setv = v.assign(2)
    assert add.dtype.name == "float32_ref" and repr(add).endswith("dtype=float32_ref>")
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(add) == 15.0 and sess.run(sub) == 14.0 and sess.run(setv) == 2.0
        assert sess.run(v) == 2.0
        assert v.assign(7.0, read_value=False).type == "Assign"


def test_assign_errors():
    v = tf.Variable([1.0, 2.0, 3.0], name="v")
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 3 and 2"):
        tf.assign(v, [1.0, 2.0])
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 1 and 0"):
        tf.assign_add(v, 1.0)
    with pytest.raises(TypeError, match="Input 'value' of 'Assign' Op has type int32 that does not match type "
                                        "float32 of argument 'ref'"):
        tf.assign(v, tf.constant([1, 2, 3]))
    with pytest.raises(TypeError, match="needs to be a Variable"):
        tf.assign(tf.constant(1.0), 2.0)
    assert tf.assign(v, [1.0, 2.0], validate_shape=False).shape.as_list() == [2]


def test_assign_is_lazy_and_counter_pattern():
    state = tf.Variable(0, name="counter")
    new_value = tf.add(state, tf.constant(1))
    update = tf.assign(state, new_value)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(state) == 0
        values = []
        for _ in range(3):
            sess.run(update)
            values.append(sess.run(state))
    assert values == [1, 2, 3]


def test_read_value_respects_control_dependencies_and_value_does_not():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        after = v.read_value()
        snap = v.value()
    assert after.op.control_inputs == [inc.op] and snap.op.control_inputs == []
    assert after.op.name == "read"
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 2.0
        assert sess.run(v) == 2.0


def test_initialized_value_lets_initial_values_depend_on_other_variables():
    w = tf.Variable(tf.constant([1.0, 2.0]), name="w")
    w2 = tf.Variable(w.initialized_value() * 2.0, name="w2")
    w3 = tf.Variable(w2 * 10.0, name="w3")  # plain read: guarded automatically, as TF1 does
    guarded = w3.initializer.inputs[1]
    assert guarded.op.name == "mul_1_w3" and guarded.op.inputs[0].op.name == "w2/read_w3"
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([w3, w2, w]))
        np.testing.assert_array_equal(sess.run(w3), [20.0, 40.0])
        np.testing.assert_array_equal(sess.run(w2), [2.0, 4.0])


def test_load_sets_the_value_without_adding_ops():
    v = tf.Variable(1.0, name="x")
    with tf.Session() as sess:
        sess.run(v.initializer)
        n = len(tf.get_default_graph().get_operations())
        v.load(5, sess)
        assert sess.run(v) == 5.0 and v.eval(session=sess) == 5.0
        assert len(tf.get_default_graph().get_operations()) == n
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2,\) for Tensor 'x/initial_value:0'"):
            v.load([1, 2], sess)


def test_scatter_ops_and_count_up_to():
    v = tf.Variable([1.0, 2.0, 3.0, 4.0])
    upd = tf.scatter_update(v, [0, 2], [9.0, 8.0])
    add = tf.scatter_add(v, [1, 1], [1.0, 1.0])
    sub = tf.scatter_sub(v, [3], [4.0])
    bad = tf.scatter_update(v, [7], [1.0])
    i = tf.Variable(0)
    count = i.count_up_to(2)
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: int32, int64"):
        v.count_up_to(3)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(upd), [9, 2, 8, 4])
        np.testing.assert_array_equal(sess.run(add), [9, 4, 8, 4])
        np.testing.assert_array_equal(sess.run(sub), [9, 4, 8, 0])
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"is not in \[0, 4\)"):
            sess.run(bad)
        assert [sess.run(count), sess.run(count)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 2"):
            sess.run(count)


# -- initialization ----------------------------------------------------------------------------------------------------


def test_uninitialized_read_names_the_variable():
    v = tf.Variable(1.0, name="weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="Attempting to use uninitialized value weights"):
            sess.run(v * 2)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value weights"):
            sess.run(v)


def test_global_variables_initializer_captures_only_existing_variables():
    a = tf.Variable(1.0, name="a")
    init = tf.global_variables_initializer()
    b = tf.Variable(2.0, name="b")
    assert init.name == "init" and [c.name for c in init.control_inputs] == ["a/Assign"]
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value b"):
            sess.run(b)
    assert tf.variables_initializer([]).type == "NoOp"


def test_reinitializing_redraws_random_values():
    v = tf.Variable(tf.random_normal([50]))
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        first = sess.run(v)
        sess.run(init)
        assert not np.array_equal(first, sess.run(v))


def test_report_and_check_initialization():
    a = tf.Variable(1.0, name="a")
    tf.Variable(1.0, name="b")
    report = tf.report_uninitialized_variables()
    ok = tf.is_variable_initialized(a)
    check = tf.assert_variables_initialized()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(report), [b"a", b"b"])
        assert sess.run(ok) is np.False_ or not sess.run(ok)
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(check)
        sess.run(a.initializer)
        np.testing.assert_array_equal(sess.run(report), [b"b"])
        assert bool(sess.run(ok))


def test_two_sessions_have_independent_values():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    s1, s2 = tf.Session(), tf.Session()
    s1.run(v.initializer)
    s2.run(v.initializer)
    s1.run(inc)
    assert s1.run(v) == 2.0 and s2.run(v) == 1.0
    s1.close()
    s2.close()


def test_legacy_initializer_names_warn_once_and_are_the_modern_objects():
    import warnings

    from teachtf import _api_core

    names = ["initialize_all_variables", "all_variables", "initialize_variables", "initialize_local_variables"]
    for n in names:
        _api_core._warned.discard(n)
    with pytest.warns(DeprecationWarning) as record:
        objs = [getattr(tf, n) for n in names]
    assert len(record) == 4 and "tf.global_variables_initializer" in str(record[0].message)
    assert objs == [tf.global_variables_initializer, tf.global_variables, tf.variables_initializer,
                    tf.local_variables_initializer]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tf.initialize_all_variables is tf.global_variables_initializer  # warns only once


# -- initializers ------------------------------------------------------------------------------------------------------


def _value(t):
    with tf.Session() as sess:
        return sess.run(t)


def test_compute_fans_for_dense_and_conv_kernels():
    from teachtf.ops.init_ops import compute_fans

    assert compute_fans([]) == (1, 1)
    assert compute_fans([7]) == (7, 7)
    assert compute_fans([784, 10]) == (784, 10)
    assert compute_fans([5, 5, 3, 32]) == (5 * 5 * 3, 5 * 5 * 32)


def test_zeros_ones_constant_initializers():
    np.testing.assert_array_equal(_value(tf.zeros_initializer()([2, 3])), np.zeros((2, 3)))
    assert tf.zeros_initializer()([2], dtype=tf.int32).dtype is tf.int32
    np.testing.assert_array_equal(_value(tf.ones_initializer()([2])), [1, 1])
    np.testing.assert_array_equal(_value(tf.constant_initializer(3.0)([2, 2])), np.full((2, 2), 3.0))
    np.testing.assert_array_equal(_value(tf.constant_initializer([1, 2])([2, 2])), [[1, 2], [2, 2]])
    with pytest.raises(TypeError):
        tf.constant_initializer({"a": 1})


def test_random_initializers_statistics():
    tf.set_random_seed(1)
    n = (200, 200)
    ru = _value(tf.random_uniform_initializer(-2.0, 3.0)(n))
    assert ru.min() >= -2.0 and ru.max() < 3.0 and ru.mean() == pytest.approx(0.5, abs=0.05)
    assert _value(tf.random_uniform_initializer()([100])).max() < 1.0
    rn = _value(tf.random_normal_initializer(1.0, 2.0)(n))
    assert rn.mean() == pytest.approx(1.0, abs=0.05) and rn.std() == pytest.approx(2.0, rel=0.05)
    tn = _value(tf.truncated_normal_initializer(0.0, 1.0)(n))
    assert np.abs(tn).max() <= 2.0 and tn.std() == pytest.approx(0.8796, rel=0.05)


def test_glorot_and_variance_scaling_initializers():
    tf.set_random_seed(2)
    shape = [5, 5, 16, 32]
    fan_in, fan_out = 5 * 5 * 16, 5 * 5 * 32
    g = _value(tf.glorot_uniform_initializer()(shape))
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(g).max() <= limit and np.abs(g).max() > 0.95 * limit
    gn = _value(tf.glorot_normal_initializer()(shape))
    assert gn.std() == pytest.approx(np.sqrt(2.0 / (fan_in + fan_out)), rel=0.05)
    vs = _value(tf.variance_scaling_initializer(scale=2.0, mode="fan_in", distribution="uniform")(shape))
    assert np.abs(vs).max() <= np.sqrt(3 * 2.0 / fan_in)
    with pytest.raises(ValueError):
        tf.variance_scaling_initializer(mode="fan_sideways")
    with pytest.raises(ValueError, match="Expected floating point type"):
        tf.random_normal_initializer(dtype=tf.int32)


def test_orthogonal_and_identity_initializers():
    q = _value(tf.orthogonal_initializer(gain=2.0)([4, 6]))
    np.testing.assert_allclose(q @ q.T, 4.0 * np.eye(4), atol=1e-5)
    r = _value(tf.orthogonal_initializer()([6, 3]))
    np.testing.assert_allclose(r.T @ r, np.eye(3), atol=1e-5)
    np.testing.assert_array_equal(_value(tf.initializers.identity(gain=3.0)([2, 2])), 3 * np.eye(2))


def test_initializers_namespace():
    assert tf.initializers.zeros is tf.zeros_initializer
    assert tf.initializers.glorot_uniform is tf.glorot_uniform_initializer
    assert tf.initializers.global_variables is tf.global_variables_initializer

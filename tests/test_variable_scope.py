"""variable_scope, get_variable and the variable store (API.md §3.4, §3.5)."""

import numpy as np
import pytest

import teachtf as tf


def _init_and_run(*fetches):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(list(fetches))


# -- scopes --------------------------------------------------------------------------------------------------------


def test_variable_scope_binds_scope_object_with_names():
    with tf.variable_scope("enc") as scope:
        assert tf.get_variable_scope() is scope
        with tf.variable_scope("inner") as inner:
            pass
    assert scope.name == "enc" and scope.original_name_scope == "enc/"
    assert inner.name == "enc/inner" and inner.original_name_scope == "enc/inner/"
    assert tf.get_variable_scope().name == ""


def test_reentering_a_name_reuses_variable_scope_but_not_name_scope():
    with tf.variable_scope("enc"):
        a = tf.constant(1.0, name="c")
    with tf.variable_scope("enc") as s2:
        b = tf.constant(1.0, name="c")
    assert (a.op.name, b.op.name) == ("enc/c", "enc_1/c")
    assert s2.name == "enc" and s2.original_name_scope == "enc_1/"


def test_default_name_creates_uniquified_variable_scopes():
    with tf.variable_scope(None, default_name="dense") as d0:
        k0 = tf.get_variable("kernel", [2])
    with tf.variable_scope(None, default_name="dense") as d1:
        k1 = tf.get_variable("kernel", [2])
    assert (d0.name, d1.name) == ("dense", "dense_1")
    assert (k0.name, k1.name) == ("dense/kernel:0", "dense_1/kernel:0")


def test_default_name_counters_restart_when_reentering_a_captured_scope():
    with tf.variable_scope("foo") as vs:
        with tf.variable_scope(None, default_name="bar"):
            a = tf.get_variable("a", [1])
        with tf.variable_scope(None, default_name="bar"):
            b = tf.get_variable("b", [1])
    with tf.variable_scope(vs):
        with tf.variable_scope(None, default_name="bar"):
            c = tf.get_variable("c", [1])
    assert [v.name for v in (a, b, c)] == ["foo/bar/a:0", "foo/bar_1/b:0", "foo/bar/c:0"]


def test_reentering_a_captured_scope_from_anywhere():
    with tf.variable_scope("enc") as enc:
        pass
    with tf.variable_scope("outer"):
        with tf.variable_scope(enc) as again:
            v = tf.get_variable("w", [1])
    assert v.name == "enc/w:0"
    assert again.name == "enc" and again.original_name_scope == "enc/"


def test_empty_variable_scope_adds_an_empty_component():
    with tf.variable_scope("a"):
        with tf.variable_scope(""):
            v = tf.get_variable("x", [1])
    assert v.name == "a//x:0"
    with tf.variable_scope(""):
        w = tf.get_variable("y", [1])
    assert w.name == "y:0"


def test_reuse_true_is_inherited_and_cannot_be_switched_off():
    with tf.variable_scope("s"):
        tf.get_variable("w", [1])
        with tf.variable_scope("in"):
            tf.get_variable("u", [1])
    with tf.variable_scope("s", reuse=True) as s:
        assert s.reuse is True
        with tf.variable_scope("in", reuse=False) as inner:
            assert inner.reuse is True
            tf.get_variable("u", [1])


def test_reuse_variables_turns_reuse_on_for_the_rest_of_the_scope():
    with tf.variable_scope("s") as scope:
        w = tf.get_variable("w", [1])
        scope.reuse_variables()
        assert tf.get_variable("w", [1]) is w
        assert tf.get_variable_scope().reuse is True


def test_auto_reuse_creates_then_reuses():
    def layer():
        with tf.variable_scope("layer", reuse=tf.AUTO_REUSE):
            return tf.get_variable("w", [3])

    assert layer() is layer()
    assert len(tf.global_variables()) == 1


def test_bad_reuse_arguments():
    with pytest.raises(ValueError, match="The reuse parameter must be True or False or None"):
        tf.variable_scope("x", reuse="yes")
    with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
        with tf.variable_scope(None, default_name="d", reuse=True):
            pass
    with pytest.raises(TypeError, match="If default_name is None then name_or_scope is required"):
        tf.variable_scope(None)
    with pytest.raises(TypeError, match="name_or_scope must be a string or VariableScope"):
        with tf.variable_scope(3):
            pass


def test_scope_initializer_regularizer_and_dtype_are_inherited():
    def reg(v):
        return tf.reduce_sum(v)

    with tf.variable_scope("s", initializer=tf.constant_initializer(2.0), regularizer=reg, dtype=tf.float64):
        with tf.variable_scope("in"):
            a = tf.get_variable("a", [2])
            b = tf.get_variable("b", [2], initializer=tf.zeros_initializer(), dtype=tf.float32)
    assert a.dtype.base_dtype is tf.float64 and b.dtype.base_dtype is tf.float32
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 2 and losses[0].op.name.startswith("s/in/a/Regularizer/")
    va, vb, la = _init_and_run(a, b, losses[0])
    np.testing.assert_array_equal(va, [2.0, 2.0])
    np.testing.assert_array_equal(vb, [0.0, 0.0])
    assert la == 4.0


def test_scope_setters():
    with tf.variable_scope("s") as s:
        s.set_initializer(tf.ones_initializer())
        v = tf.get_variable("v", [2])
    assert list(_init_and_run(v)[0]) == [1.0, 1.0]


def test_scope_collections_helpers():
    with tf.variable_scope("s") as s:
        a = tf.get_variable("a", [1])
        b = tf.get_variable("b", [1], trainable=False)
    tf.get_variable("other", [1])
    assert s.global_variables() == [a, b] and s.trainable_variables() == [a]


def test_variable_scope_with_values_switches_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
    with tf.variable_scope("s", values=[x]):
        assert tf.get_default_graph() is g
    assert tf.get_default_graph() is not g


def test_auxiliary_name_scope_false_keeps_the_current_name_scope():
    with tf.variable_scope("vs") as vs:
        pass
    with tf.variable_scope(vs, auxiliary_name_scope=False):
        c = tf.constant(1.0, name="c")
        v = tf.get_variable("v", [1])
    assert c.op.name == "c" and v.name == "vs/v:0"


# -- get_variable ---------------------------------------------------------------------------------------------------


def test_duplicate_get_variable_says_to_use_reuse():
    tf.get_variable("w", [2])
    with pytest.raises(ValueError, match=r"Variable w already exists, disallowed. Did you mean to set reuse=True "
                                         r"or reuse=tf.AUTO_REUSE in VarScope\? Originally defined at:") as e:
        tf.get_variable("w", [2])
    assert "test_variable_scope.py" in str(e.value)


def test_reuse_of_missing_variable():
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Variable s/nope does not exist, or was not created with "
                                             r"tf.get_variable\(\)"):
            tf.get_variable("nope", [1])


def test_reuse_with_other_shape_or_dtype():
    with tf.variable_scope("s"):
        tf.get_variable("w", [2, 3])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match=r"Trying to share variable s/w, but specified shape \(3, 2\) and found "
                                             r"shape \(2, 3\)"):
            tf.get_variable("w", [3, 2])
        with pytest.raises(ValueError, match="Trying to share variable s/w, but specified dtype float64 and found "
                                             "dtype float32_ref"):
            tf.get_variable("w", [2, 3], dtype=tf.float64)
        assert tf.get_variable("w").shape.as_list() == [2, 3]


def test_int_shape_is_one_dimensional():
    assert tf.get_variable("v", 5).shape.as_list() == [5]
    assert tf.get_variable("u", (7)).shape.as_list() == [7]


def test_default_initializers_by_dtype():
    f = tf.get_variable("f", [20, 30])
    i = tf.get_variable("i", [3], dtype=tf.int32)
    b = tf.get_variable("b", [2], dtype=tf.bool)
    vf, vi, vb = _init_and_run(f, i, b)
    limit = np.sqrt(6.0 / (20 + 30))
    assert np.abs(vf).max() <= limit and np.abs(vf).max() > 0.8 * limit, "glorot_uniform is the default"
    assert vf.std() == pytest.approx(limit / np.sqrt(3), rel=0.15)
    np.testing.assert_array_equal(vi, [0, 0, 0])
    np.testing.assert_array_equal(vb, [False, False])
    with pytest.raises(ValueError, match="An initializer for variable c of <dtype: 'complex64'> is required"):
        tf.get_variable("c", [1], dtype=tf.complex64)


def test_missing_shape_without_initializer():
    with pytest.raises(ValueError, match="Variable v did not get an initializer, so its `shape` argument must be "
                                         "specified"):
        tf.get_variable("v")


def test_initializer_forms():
    a = tf.get_variable("a", [2], initializer=tf.ones_initializer)  # a class: instantiated automatically
    b = tf.get_variable("b", initializer=tf.constant([1.0, 2.0, 3.0]))  # a tensor: shape from it
    c = tf.get_variable("c", initializer=[[1, 2], [3, 4]])  # a value: dtype and shape from it
    d = tf.get_variable("d", initializer=np.arange(3.0))
    e = tf.get_variable("e", [2, 2], initializer=lambda shape, dtype, partition_info=None: tf.fill(shape, 7.0))
    assert b.shape.as_list() == [3] and c.dtype.base_dtype is tf.int32 and d.dtype.base_dtype is tf.float64
    va, vb, vc, vd, ve = _init_and_run(a, b, c, d, e)
    np.testing.assert_array_equal(va, [1, 1])
    np.testing.assert_array_equal(vb, [1, 2, 3])
    np.testing.assert_array_equal(vc, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(vd, [0, 1, 2])
    np.testing.assert_array_equal(ve, np.full((2, 2), 7.0))
    with pytest.raises(ValueError, match="If initializer is a constant, do not specify shape"):
        tf.get_variable("f", [3], initializer=tf.constant([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="Initializer type '<dtype: 'int32'>' and explicit dtype "
                                         "'<dtype: 'float32'>' don't match"):
        tf.get_variable("g", initializer=[1, 2], dtype=tf.float32)


def test_auto_reuse_of_int_variable_with_default_dtype_is_tfs_dtype_error():
    with tf.variable_scope("s", reuse=tf.AUTO_REUSE):
        tf.get_variable("i", initializer=0)
        with pytest.raises(ValueError, match="specified dtype float32 and found dtype int32_ref"):
            tf.get_variable("i", initializer=0)


def test_regularizer_returning_none_adds_nothing():
    tf.get_variable("w", [2], regularizer=tf.no_regularizer)
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []


def test_trainable_and_collections_arguments():
    a = tf.get_variable("a", [1], trainable=False)
    b = tf.get_variable("b", [1], collections=["mine"])
    c = tf.get_local_variable("c", [1])
    assert a in tf.global_variables() and a not in tf.trainable_variables()
    assert tf.get_collection("mine") == [b] and b not in tf.global_variables()
    assert tf.local_variables() == [c] and c not in tf.trainable_variables()


def test_custom_getter_wraps_creation():
    seen = []

    def getter(getter, name, *args, **kwargs):
        seen.append(name)
        return getter(name + "_x", *args, **kwargs)

    with tf.variable_scope("s", custom_getter=getter):
        v = tf.get_variable("w", [1])
    assert seen == ["s/w"] and v.name == "s/w_x:0"


def test_store_is_per_graph():
    tf.get_variable("w", [1])
    with tf.Graph().as_default():
        assert tf.get_variable("w", [1]).graph is tf.get_default_graph()


def test_tf_variable_never_enters_the_store():
    tf.Variable(1.0, name="w")
    v = tf.get_variable("w", [1])
    assert v.name == "w_1:0"
    with tf.variable_scope("", reuse=True):
        assert tf.get_variable("w") is v


def test_variable_op_scope_legacy_spelling():
    x = tf.constant(1.0)
    with tf.variable_op_scope([x], None, default_name="legacy") as s:
        v = tf.get_variable("v", [1])
    assert s.name == "legacy" and v.name == "legacy/v:0"


@pytest.mark.oracle
def test_reuse_error_messages_match_tensorflow(tf1):

    def messages(lib):
        out = []
        with lib.Graph().as_default():
            lib.get_variable("w", [2])
            for fn in (lambda: lib.get_variable("w", [2]),
                       lambda: lib.get_variable("w", [3])):
                try:
                    fn()
                except ValueError as e:
                    out.append(str(e).split(" Originally")[0].split("\n")[0])
            with lib.variable_scope("", reuse=True):
                for fn in (lambda: lib.get_variable("zz", [1]), lambda: lib.get_variable("w", [3])):
                    try:
                        fn()
                    except ValueError as e:
                        out.append(str(e))
        return out

    assert messages(tf) == messages(tf1)

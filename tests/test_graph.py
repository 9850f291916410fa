"""Graph, Operation, Tensor, TensorShape/Dimension and DType semantics (API.md §2.1–2.4, §4.1)."""

import threading

import numpy as np
import pytest

import teachtf as tf

# -- default graph stack ------------------------------------------------------------------------------------


def test_as_default_nests_and_restores():
    outer = tf.get_default_graph()
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default() as entered:
        assert entered is g1 and tf.get_default_graph() is g1
        with g2.as_default():
            assert tf.get_default_graph() is g2
            c = tf.constant(1.0)
        assert tf.get_default_graph() is g1
    assert tf.get_default_graph() is outer
    assert c.graph is g2


def test_default_graph_stack_is_per_thread():
    g = tf.Graph()
    seen = []
    with g.as_default():
        t = threading.Thread(target=lambda: seen.append(tf.get_default_graph()))
        t.start()
        t.join()
    assert seen[0] is not g


def test_reset_default_graph_replaces_global_graph():
    old = tf.get_default_graph()
    c = tf.constant(1.0)
    tf.reset_default_graph()
    assert tf.get_default_graph() is not old
    assert c.graph is old
    assert tf.get_default_graph().get_operations() == []


def test_reset_default_graph_inside_with_block_raises_assertion_error():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError, match="nested graphs"):
            tf.reset_default_graph()


def test_mixing_graphs_raises_value_error():
    a = tf.constant(1.0)
    tf.reset_default_graph()
    b = tf.constant(2.0)
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(a, b)


# -- lookups ------------------------------------------------------------------------------------------------------


def test_get_operations_in_creation_order():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = tf.identity(a, name="c")
    assert [op.name for op in tf.get_default_graph().get_operations()] == ["a", "b", "c"]
    assert c.op.inputs[0] is a and b.op.inputs == ()


def test_get_operation_by_name_and_errors():
    g = tf.get_default_graph()
    a = tf.constant(1.0, name="a")
    assert g.get_operation_by_name("a") is a.op
    with pytest.raises(KeyError, match="refers to an Operation not in the graph"):
        g.get_operation_by_name("zz")
    with pytest.raises(ValueError, match="Name 'a:0' appears to refer to a Tensor, not a Operation"):
        g.get_operation_by_name("a:0")
    with pytest.raises(TypeError, match="Operation names are strings"):
        g.get_operation_by_name(3)


def test_get_tensor_by_name_and_errors():
    g = tf.get_default_graph()
    a = tf.constant(1.0, name="a")
    assert g.get_tensor_by_name("a:0") is a
    with pytest.raises(ValueError, match="The name 'a' refers to an Operation, not a Tensor"):
        g.get_tensor_by_name("a")
    with pytest.raises(ValueError, match="looks like an \\(invalid\\) Operation name"):
        g.get_tensor_by_name("zz")
    with pytest.raises(KeyError, match="The operation, 'zz', does not exist in the graph"):
        g.get_tensor_by_name("zz:0")
    with pytest.raises(KeyError, match="exists but only has 1 outputs"):
        g.get_tensor_by_name("a:3")
    with pytest.raises(ValueError, match="looks a like a Tensor name, but is not a valid one"):
        g.get_tensor_by_name("a:x")
    with pytest.raises(TypeError, match="Tensor names are strings"):
        g.get_tensor_by_name(3)


def test_as_graph_element_resolves_tensors_ops_variables_and_names():
    g = tf.get_default_graph()
    v = tf.Variable(1.0, name="v")
    assert g.as_graph_element(v) is v.op.outputs[0]
    assert g.as_graph_element("v") is v.op
    assert g.as_graph_element("v:0") is v.op.outputs[0]
    with pytest.raises(TypeError, match="Can not convert a int into a Tensor or Operation"):
        g.as_graph_element(3)
    with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
        g.as_graph_element("v", allow_operation=False)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        tf.Graph().as_graph_element(v)


def test_as_graph_def_lists_nodes_with_inputs_and_control_inputs():
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.constant(2.0, name="b")
    c = tf.add(a, b, name="c")
    gd = tf.get_default_graph().as_graph_def()
    nodes = {n.name: n for n in gd.node}
    assert [n.name for n in gd.node] == ["a", "b", "c"]
    assert nodes["c"].input == ["a", "b"] and nodes["c"].op == c.op.type
    assert nodes["b"].input == ["^a"]
    assert 'name: "c"' in str(gd)


# -- collections --------------------------------------------------------------------------------------------------


def test_collections_new_list_live_ref_and_scope_regex():
    g = tf.get_default_graph()
    with tf.name_scope("layer1"):
        a = tf.constant(1.0, name="w")
    b = tf.constant(2.0, name="layer10")
    c = tf.constant(3.0, name="other")
    for t in (a, b, c):
        tf.add_to_collection("mine", t)
    tf.add_to_collection("mine", "no name attribute")
    got = tf.get_collection("mine")
    got.append("x")
    assert len(tf.get_collection("mine")) == 4, "get_collection must return a new list"
    assert tf.get_collection("mine", scope="layer1") == [a, b]  # re.match: a prefix regex
    assert tf.get_collection("mine", scope="layer1/") == [a]
    ref = tf.get_collection_ref("mine")
    ref.append("y")
    assert tf.get_collection("mine")[-1] == "y"
    assert tf.get_collection("absent") == []
    tf.add_to_collections(["k1", "k2"], c)
    assert {"mine", "k1", "k2"} <= set(g.get_all_collection_keys())
    g.clear_collection("k1")
    assert tf.get_collection("k1") == []


def test_graph_keys_have_tf_string_values():
    assert tf.GraphKeys.GLOBAL_VARIABLES == tf.GraphKeys.VARIABLES == "variables"
    assert tf.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"
    assert tf.GraphKeys.UPDATE_OPS == "update_ops"
    assert tf.GraphKeys.REGULARIZATION_LOSSES == "regularization_losses"
    assert tf.GraphKeys.SUMMARIES == "summaries"


def test_finalize_blocks_new_ops_and_collection_items():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
    g.finalize()
    assert g.finalized
    with g.as_default():
        with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified."):
            tf.constant(2.0)
        with pytest.raises(RuntimeError, match="finalized"):
            tf.add_to_collection("k", 1)
    assert len(g.get_operations()) == 1


# -- control dependencies ----------------------------------------------------------------------------------------


def test_control_dependencies_nest_and_none_clears():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with tf.control_dependencies([a]):
        c = tf.constant(3.0, name="c")
        with tf.control_dependencies([b.op]):
            d = tf.constant(4.0, name="d")
            with tf.control_dependencies(None):
                e = tf.constant(5.0, name="e")
    assert c.op.control_inputs == [a.op]
    assert d.op.control_inputs == [a.op, b.op]
    assert e.op.control_inputs == []


def test_control_dependencies_skip_ops_whose_inputs_were_built_in_the_block():
    a = tf.constant(1.0, name="a")
    x = tf.constant(1.0, name="x")
    with tf.control_dependencies([a]):
        b = tf.identity(x, name="b")
        c = tf.identity(b, name="c")  # dominated: b already depends on a
        d = tf.identity(a, name="d")  # a is a data input already
    assert b.op.control_inputs == [a.op]
    assert c.op.control_inputs == []
    assert d.op.control_inputs == []


def test_control_dependencies_accept_variables_and_reject_other_values():
    v = tf.Variable(1.0, name="v")
    with tf.control_dependencies([v.initializer, v]):
        c = tf.constant(1.0)
    assert c.op.control_inputs == [v.initializer, v.op]
    with pytest.raises(TypeError, match="Control input must be Operation or Tensor"):
        with tf.control_dependencies([3]):
            pass


# -- Tensor ------------------------------------------------------------------------------------------------------------


def test_tensor_identity_attributes():
    x = tf.placeholder(tf.float32, [None, 10], name="x")
    t = tf.identity(x, name="out")
    assert t.name == "out:0" and t.op.name == "out" and t.value_index == 0
    assert t.dtype is tf.float32 and t.graph is tf.get_default_graph()
    assert t.shape.as_list() == [None, 10] and t.get_shape() is t.shape
    assert x.consumers() == [t.op]


def test_tensor_repr_and_str():
    x = tf.placeholder(tf.float32, [None, 10], name="x")
    assert repr(x) == "<tf.Tensor 'x:0' shape=(?, 10) dtype=float32>"
    assert str(x) == 'Tensor("x:0", shape=(?, 10), dtype=float32)'
    s = tf.placeholder(tf.int32, name="s")
    assert str(s) == 'Tensor("s:0", shape=<unknown>, dtype=int32)'


def test_set_shape_merges_and_rejects_incompatible_shapes():
    x = tf.placeholder(tf.float32, [None, 3])
    x.set_shape([5, None])
    assert x.shape.as_list() == [5, 3]
    with pytest.raises(ValueError, match=r"\(5, 3\) and \(5, 4\)"):
        x.set_shape([5, 4])


def test_tensor_equality_is_identity_and_tensors_are_hashable():
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert (a == a) is True and (a == b) is False and (a != b) is True
    assert {a: 1, b: 2}[b] == 2


@pytest.mark.parametrize("use", [bool, iter, len], ids=["bool", "iter", "len"])
def test_python_protocols_raise_type_error(use):
    t = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError):
        use(t)


def test_bool_message_is_tfs():
    with pytest.raises(TypeError, match="Using a `tf.Tensor` as a Python `bool` is not allowed"):
        if tf.constant(True):
            pass


def test_numpy_functions_on_tensors_raise_clear_type_errors():
    t = tf.constant([1.0, 2.0], name="t")
    with pytest.raises(TypeError, match="tf.exp") as e:
        np.exp(t)
    assert "sess.run" in str(e.value) and "'t:0'" in str(e.value)
    with pytest.raises(TypeError, match="sess.run"):
        np.asarray(t)


def test_ndarray_on_the_left_builds_graph_ops():
    assert tf.Tensor.__array_priority__ == 100
    t = tf.constant([1.0, 2.0])
    a = np.array([10.0, 20.0])
    r = a - t
    assert isinstance(r, tf.Tensor) and r.dtype is tf.float32
    assert isinstance(np.float32(2.0) * t, tf.Tensor)
    assert (a == t) is False
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(r), [9.0, 18.0])


# -- Operation -------------------------------------------------------------------------------------------------------


def test_operation_attributes_repr_and_str():
    a = tf.constant([1.0, 2.0], name="a")
    init = tf.no_op(name="init")
    assert repr(init) == "<tf.Operation 'init' type=NoOp>"
    assert a.op.type == "Const" and a.op.outputs == [a] and a.op.values() == (a,)
    assert a.op.get_attr("dtype") is tf.float32
    text = str(a.op)
    assert 'name: "a"' in text and 'op: "Const"' in text and 'key: "dtype"' in text and "DT_FLOAT" in text
    with pytest.raises(ValueError, match="has no attr named 'nope'"):
        a.op.get_attr("nope")
    assert a.op.node_def.name == "a"


def test_operation_run_and_tensor_eval_use_the_default_session():
    v = tf.Variable(3.0)
    with tf.Session():
        v.initializer.run()
        assert v.eval() == 3.0
        assert (v * 2).eval() == 6.0


# -- TensorShape and Dimension -----------------------------------------------------------------------------------------


def test_tensorshape_str_repr_and_construction():
    s = tf.TensorShape([None, 784])
    assert str(s) == "(?, 784)" and repr(s) == "TensorShape([Dimension(None), Dimension(784)])"
    assert str(tf.TensorShape([])) == "()" and str(tf.TensorShape(None)) == "<unknown>"
    assert str(tf.TensorShape([3])) == "(3,)"
    assert repr(tf.TensorShape(None)) == "TensorShape(None)"
    assert tf.TensorShape(5).as_list() == [5], "an int means a 1-D shape"
    with pytest.raises(TypeError):
        tf.TensorShape("ab")


def test_tensorshape_queries():
    s = tf.TensorShape([None, 3, 4])
    assert s.as_list() == [None, 3, 4] and s.ndims == 3 and len(s) == 3
    assert not s.is_fully_defined() and s.num_elements() is None
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert isinstance(s[1], tf.Dimension) and s[1].value == 3
    assert s[1:].as_list() == [3, 4]
    u = tf.TensorShape(None)
    with pytest.raises(ValueError, match="as_list\\(\\) is not defined on an unknown TensorShape"):
        u.as_list()
    with pytest.raises(ValueError, match="unknown rank"):
        len(u)
    assert u[0].value is None and u[1:3].as_list() == [None, None]


def test_tensorshape_compatibility_merge_and_concatenate():
    a = tf.TensorShape([None, 3])
    assert a.is_compatible_with([5, 3]) and not a.is_compatible_with([5, 4])
    assert not a.is_compatible_with([5]) and tf.TensorShape(None).is_compatible_with([1, 2, 3])
    assert a.merge_with([5, None]).as_list() == [5, 3]
    with pytest.raises(ValueError, match=r"Shapes \(1, 2\) and \(1, 3\) are not compatible"):
        tf.TensorShape([1, 2]).merge_with([1, 3])
    assert a.concatenate([7]).as_list() == [None, 3, 7]
    assert (tf.TensorShape([1, 2]) + tf.TensorShape([3])).as_list() == [1, 2, 3]
    with pytest.raises(ValueError, match=r"Shape \(1, 2\) must have rank 3"):
        tf.TensorShape([1, 2]).with_rank(3)
    with pytest.raises(ValueError, match="is not fully defined"):
        tf.TensorShape([1, None]).assert_is_fully_defined()


def test_tensorshape_equality_with_lists_and_unknown_dims():
    assert tf.TensorShape([2, 3]) == [2, 3] and tf.TensorShape([2, 3]) == (2, 3)
    assert tf.TensorShape([2, 3]) != [2, 4]
    assert not (tf.TensorShape([None]) == tf.TensorShape([None])), "unknown dims are never known to be equal"
    with pytest.raises(ValueError, match="inequality of unknown TensorShapes is undefined"):
        _ = tf.TensorShape(None) != tf.TensorShape(None)


def test_dimension_semantics():
    d, u = tf.Dimension(784), tf.Dimension(None)
    assert d == 784 and d.value == 784 and int(d) == 784
    assert (u == 3) is None and (u != 3) is None and (u < 4) is None and (d > u) is None
    assert (d < 800) is True
    assert str(u) == "?" and repr(u) == "Dimension(None)" and repr(d) == "Dimension(784)"
    assert (d + 1).value == 785 and (u + 1).value is None and (2 * d).value == 1568 and (d // 2).value == 392
    with pytest.raises(TypeError):
        int(u)
    with pytest.raises(ValueError, match="Ambiguous dimension"):
        tf.Dimension(2.5)
    with pytest.raises(ValueError, match="must be >= 0"):
        tf.Dimension(-1)
    with pytest.raises(TypeError, match="please use // instead"):
        d / 2
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible"):
        tf.Dimension(3).merge_with(4)
    assert tf.Dimension(None).merge_with(4).value == 4


def test_dimension_value_helpers():
    assert tf.dimension_value(tf.Dimension(3)) == 3 and tf.dimension_value(None) is None
    assert tf.dimension_at_index(tf.TensorShape(None), 2).value is None


# -- DType ---------------------------------------------------------------------------------------------------------


def test_dtype_properties():
    assert tf.float32.name == "float32" and tf.float32.as_numpy_dtype is np.float32
    assert tf.float32.is_floating and not tf.int32.is_floating and tf.int32.is_integer and tf.bool.is_bool
    assert tf.uint8.is_unsigned and tf.float64.size == 8 and tf.int16.size == 2
    assert tf.int8.min == -128 and tf.int8.max == 127 and tf.float32.max == float(np.finfo(np.float32).max)
    assert repr(tf.float32) == "tf.float32" and str(tf.float32) == "<dtype: 'float32'>"
    assert tf.float32.as_datatype_enum == 1 and tf.float32._ref_type.as_datatype_enum == 101
    assert tf.as_dtype(1) is tf.float32


@pytest.mark.parametrize("spec,expected", [("float", "float32"), ("double", "float64"), ("half", "float16"),
                                           (float, "float32"), (int, "int32"), (bool, "bool"), (str, "string"),
                                           (np.float64, "float64"), (np.dtype("int64"), "int64"),
                                           ("float32_ref", "float32_ref")])
def test_as_dtype_accepts_tf1_spellings(spec, expected):
    assert tf.as_dtype(spec).name == expected


def test_as_dtype_rejects_unknown_values():
    with pytest.raises(TypeError, match="Cannot convert value 'floaty' to a TensorFlow DType"):
        tf.as_dtype("floaty")


def test_float_strings_work_for_every_dtype_argument():
    x = tf.placeholder("float", [2])
    assert x.dtype is tf.float32
    assert tf.cast(x, "double").dtype is tf.float64
    assert tf.constant(1, dtype="float").dtype is tf.float32


def test_ref_dtypes():
    v = tf.Variable(1.0)
    assert v.dtype.name == "float32_ref" and v.dtype.base_dtype is tf.float32 and v.dtype.is_ref_dtype
    assert (v.dtype == tf.float32) is False and v.dtype == "float32_ref"
    assert tf.float32.is_compatible_with(v.dtype) and not v.dtype.is_compatible_with(tf.float32)
    assert tf.float32 == "float32" and tf.float32 != tf.float64

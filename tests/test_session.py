"""Session: fetch, feed and execution rules, lifetime, default sessions, make_callable (API.md §2.5)."""

import collections
import warnings

import numpy as np
import pytest

import teachtf as tf

# -- fetches --------------------------------------------------------------------------------------------------------


def test_fetch_structures_are_preserved():
    a = tf.constant(1.0)
    b = tf.constant([1, 2])
    op = tf.no_op()
    Pair = collections.namedtuple("Pair", "x y")
    ordered = collections.OrderedDict([("b", b), ("a", a)])
    with tf.Session() as sess:
        out = sess.run({"k": [a, (b, op)], "p": Pair(a, {"z": op}), "o": ordered})
    assert isinstance(out, dict) and isinstance(out["k"], list) and isinstance(out["k"][1], tuple)
    assert out["k"][0] == 1.0 and out["k"][1][1] is None
    np.testing.assert_array_equal(out["k"][1][0], [1, 2])
    assert isinstance(out["p"], Pair) and out["p"].y == {"z": None}
    assert isinstance(out["o"], collections.OrderedDict) and list(out["o"]) == ["b", "a"]


def test_operations_fetch_as_none_and_lists_stay_lists():
    v = tf.Variable(1.0)
    train = v.assign_add(1.0).op
    loss = v * 2
    with tf.Session() as sess:
        sess.run(v.initializer)
        out = sess.run([train, loss])
    assert isinstance(out, list) and out[0] is None and out[1] == 2.0


def test_scalar_results_are_numpy_scalars_and_strings_are_bytes():
    with tf.Session() as sess:
        f, i, b, s, arr = sess.run([tf.constant(1.5), tf.constant(3), tf.constant(True), tf.constant("hé"),
                                    tf.constant(["ab", "c"])])
    assert type(f) is np.float32 and type(i) is np.int32 and type(b) is np.bool_
    assert s == "hé".encode() and isinstance(s, bytes)
    assert arr.dtype == object and list(arr) == [b"ab", b"c"]


def test_fetch_by_name_strings():
    a = tf.constant(2.0, name="a")
    tf.identity(a, name="b")
    with tf.Session() as sess:
        assert sess.run("b:0") == 2.0
        assert sess.run("b") is None
        with pytest.raises(ValueError, match="Fetch argument 'zz:0' cannot be interpreted as a Tensor"):
            sess.run("zz:0")


def test_same_tensor_twice_and_one_random_sample_per_run():
    r = tf.random_normal([5])
    s = r + 0.0
    with tf.Session() as sess:
        x, y, z = sess.run([r, r, s])
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
        assert not np.array_equal(x, sess.run(r))


def test_none_and_invalid_fetches():
    a = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="^Fetch argument None has invalid type <class 'NoneType'>$"):
            sess.run([a, None])
        with pytest.raises(TypeError, match="Fetch argument 3 has invalid type <class 'int'>, must be a string or "
                                            "Tensor. \\(Can not convert a int into a Tensor or Operation.\\)"):
            sess.run(3)
        with pytest.raises(TypeError, match="invalid type"):
            sess.run(np.ones(2))
    g = tf.Graph()
    with g.as_default():
        other = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="cannot be interpreted as a Tensor. .*is not an element of this graph"):
            sess.run(other)


def test_fetching_a_variable_returns_a_copy_of_its_value():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 100.0
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


# -- feeds ------------------------------------------------------------------------------------------------------------


def test_feed_keys_tensor_name_string_and_variable():
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable(10.0)
    y = x * v
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {"x:0": [1, 2], v: 3.0}), [3, 6])
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(y, {x: [1, 2]}), [10, 20])
        assert sess.run(v) == 10.0, "a fed variable keeps its stored value"


def test_any_tensor_can_be_fed_and_fed_tensors_cut_the_graph():
    x = tf.placeholder(tf.float32, name="x")
    hidden = x * 2.0
    out = hidden + 1.0
    counter = tf.Variable(0)
    bumped = tf.identity(tf.cast(counter.assign_add(1), tf.float32), name="bumped")
    y = bumped * 10.0
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(out, {hidden: 5.0}) == 6.0, "x is not needed once hidden is fed"
        assert sess.run(y, {bumped: 1.0}) == 10.0
        assert sess.run(counter) == 0, "the producer of a fed tensor does not run"


def test_feed_values_are_cast_to_the_key_dtype():
    f = tf.placeholder(tf.float32)
    i = tf.placeholder(tf.int32)
    with tf.Session() as sess:
        r = sess.run(f, {f: np.array([1.0, 2.0], np.float64)})
        assert r.dtype == np.float32
        np.testing.assert_array_equal(sess.run(i, {i: [1.7, -2.9]}), [1, -2])
        assert sess.run(f, {f: 3}) == 3.0
        with pytest.raises(TypeError, match="is not compatible with Tensor type int32"):
            sess.run(i, {i: 2**40})


def test_feed_shape_must_be_compatible():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    with tf.Session() as sess:
        assert sess.run(tf.shape(x), {x: np.zeros((3, 784))}).tolist() == [3, 784]
        with pytest.raises(ValueError, match=r"^Cannot feed value of shape \(3,\) for Tensor 'x:0', which has shape "
                                             r"'\(\?, 784\)'$"):
            sess.run(x, {x: np.zeros(3)})


def test_tensor_as_feed_value_is_a_type_error():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor object"):
            sess.run(x, {x: tf.constant(1.0)})


def test_bad_feed_keys_are_type_errors():
    x = tf.placeholder(tf.float32, name="x")
    other = tf.Graph()
    with other.as_default():
        o = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: The name 'zz:0' refers to a "
                                            "Tensor which does not exist"):
            sess.run(x, {"zz:0": 1.0, x: 1.0})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: Can not convert a int"):
            sess.run(x, {3: 1.0})
        with pytest.raises(TypeError, match="is not an element of this graph"):
            sess.run(x, {o: 1.0, x: 1.0})


def test_unfed_placeholder_message_and_feed_lasts_one_call():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y = x + 1.0
    with tf.Session() as sess:
        sess.run(y, {x: np.zeros((1, 784))})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"You must feed a value for placeholder tensor 'x' with dtype float and shape "
                                 r"\[\?,784\]"):
            sess.run(y)


def test_string_feeds():
    s = tf.placeholder(tf.string)
    with tf.Session() as sess:
        assert sess.run(s, {s: "hé"}) == "hé".encode()
        assert list(sess.run(s, {s: ["a", b"b"]})) == [b"a", b"b"]


# -- execution rules ---------------------------------------------------------------------------------------------------


def test_pure_ops_see_state_before_updates_in_the_same_run():
    v = tf.Variable(1.0)
    loss = v * 10.0
    update = v.assign_add(1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([loss, update]) == [10.0, 2.0]
        assert sess.run([update, loss]) == [3.0, 20.0]


def test_failed_run_leaves_variables_exactly_as_they_were():
    v = tf.Variable([1.0, 2.0])
    w = tf.Variable(5.0)
    set_v = tf.assign(v, [7.0, 8.0])
    bump_w = w.assign_add(1.0)
    with tf.control_dependencies([set_v, bump_w]):
        bad = tf.check_numerics(tf.constant(np.nan), "boom")
    with tf.Session() as sess:
        sess.run([v.initializer, w.initializer])
        with pytest.raises(tf.errors.InvalidArgumentError, match="boom"):
            sess.run(bad)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        assert sess.run(w) == 5.0
        sess.run(set_v)
        np.testing.assert_array_equal(sess.run(v), [7.0, 8.0])


def test_writes_are_visible_to_later_ops_of_the_same_run():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        after = v.read_value() * 1.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(after) == 2.0


def test_each_op_runs_once_per_call():
    v = tf.Variable(0)
    inc = v.assign_add(1)
    a = inc + 0
    b = inc + 0
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run([a, b, inc])
        assert sess.run(v) == 1


def test_ops_added_after_session_creation_can_run():
    a = tf.constant(1.0)
    sess = tf.Session()
    b = a + 1.0
    assert sess.run(b) == 2.0
    sess.close()


def test_plans_are_cached_and_rebuilt_when_the_graph_changes():
    x = tf.placeholder(tf.float32)
    y = x * 2.0
    v = tf.Variable(0.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(y, {x: 1.0})
        key = (y, (x,))
        plan = sess._plans[key]
        sess.run(y, {x: 2.0})
        assert sess._plans[key] is plan
        y.op._add_control_input(v.assign_add(1.0).op)  # an existing op changes: the cached plan is stale
        sess.run(y, {x: 2.0})
        assert sess.run(v) == 1.0


def test_empty_graph_run_is_a_runtime_error():
    with tf.Graph().as_default():
        sess = tf.Session()
    other = tf.Graph()
    with other.as_default():
        tf.constant(1.0)
    with pytest.raises(RuntimeError, match="The Session graph is empty"):
        sess.run([])


# -- lifetime and defaults ---------------------------------------------------------------------------------------------


def test_closed_session_raises_runtime_error():
    a = tf.constant(1.0)
    sess = tf.Session()
    sess.close()
    with pytest.raises(RuntimeError, match="^Attempted to use a closed Session.$"):
        sess.run(a)
    with tf.Session() as s2:
        pass
    with pytest.raises(RuntimeError, match="closed Session"):
        s2.run(a)


def test_with_block_makes_session_and_graph_default():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(3.0)
    assert tf.get_default_session() is None
    with tf.Session(graph=g) as sess:
        assert tf.get_default_session() is sess and tf.get_default_graph() is g
        assert c.eval() == 3.0
        with pytest.raises(RuntimeError, match="Session context managers are not re-entrant"):
            sess.__enter__()
    assert tf.get_default_session() is None and tf.get_default_graph() is not g


def test_as_default_neither_closes_nor_changes_the_default_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(3.0)
    sess = tf.Session(graph=g)
    with sess.as_default():
        assert tf.get_default_session() is sess and tf.get_default_graph() is not g
        assert c.eval() == 3.0
    assert sess.run(c) == 3.0
    sess.close()


def test_eval_and_run_without_or_with_the_wrong_session():
    a = tf.constant(1.0)
    with pytest.raises(ValueError, match="Cannot evaluate tensor using `eval\\(\\)`: No default session"):
        a.eval()
    with pytest.raises(ValueError, match="Cannot execute operation using `run\\(\\)`: No default session"):
        a.op.run()
    g = tf.Graph()
    with g.as_default():
        b = tf.constant(2.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Cannot use the default session to evaluate tensor"):
            b.eval()
        with pytest.raises(ValueError, match="Cannot use the given session to execute operation"):
            b.op.run(session=sess)


def test_eval_with_feed_dict():
    x = tf.placeholder(tf.float32)
    with tf.Session():
        assert (x * 2).eval({x: 4.0}) == 8.0
        assert (x * 2).eval(feed_dict={x: 1.0}) == 2.0


def test_interactive_session_is_default_until_closed_and_warns_for_a_second_one():
    a = tf.constant(2.0)
    s1 = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is s1 and a.eval() == 2.0
        b = a * 3.0
        assert b.eval() == 6.0
        with pytest.warns(UserWarning, match="An interactive session is already active"):
            s2 = tf.InteractiveSession()
        s2.close()
    finally:
        s1.close()
    assert tf.get_default_session() is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s3 = tf.InteractiveSession()
        s3.close()


def test_make_callable_runs_a_fixed_plan():
    a = tf.placeholder(tf.float32)
    b = tf.placeholder(tf.float32)
    y = (a + b) * 2
    with tf.Session() as sess:
        f = sess.make_callable(y, [a, b])
        assert f(1.5, 2.0) == 7.0 and f(0.0, 1.0) == 2.0
        g = sess.make_callable([y, y.op], feed_list=[a, b])
        assert g(1.0, 1.0) == [4.0, None]
        with pytest.raises(TypeError, match="takes 2 feed value"):
            f(1.0)
        h = sess.make_callable(tf.constant(5))
        assert h() == 5
    with pytest.raises(RuntimeError, match="closed Session"):
        f(1.0, 2.0)


def test_session_arguments_are_checked():
    with pytest.raises(TypeError, match="config must be a tf.ConfigProto"):
        tf.Session(config={"log_device_placement": True})
    with pytest.raises(TypeError, match="graph must be a tf.Graph"):
        tf.Session(graph="g")
    sess = tf.Session(target="", config=tf.ConfigProto(), graph=tf.get_default_graph())
    assert sess.sess_str == "" and sess.graph is tf.get_default_graph()
    assert [n.name for n in sess.graph_def.node] == []
    sess.close()


def test_run_options_and_metadata_are_accepted():
    a = tf.constant(1.0)
    with tf.Session() as sess:
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        assert sess.run(a, options=opts, run_metadata=tf.RunMetadata()) == 1.0


def test_graph_seed_makes_runs_reproducible_across_sessions():
    tf.set_random_seed(42)
    r1 = tf.random_normal([4])
    r2 = tf.random_normal([4])
    with tf.Session() as s1:
        a1, b1 = s1.run([r1, r2])
        a1_next = s1.run(r1)
    with tf.Session() as s2:
        a2, b2 = s2.run([r1, r2])
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(a1, b1), "ops get distinct streams"
    assert not np.array_equal(a1, a1_next), "each run draws a fresh sample"


def test_get_seed_follows_tf1():
    assert tf.get_seed(None) == (None, None)
    assert tf.get_seed(5) == (87654321, 5)
    tf.set_random_seed(7)
    tf.constant(1.0)
    assert tf.get_seed(None) == (7, 1) and tf.get_seed(3) == (7, 3)
    tf.set_random_seed(0)
    assert tf.get_seed(0) == (0, 2**31 - 1)

"""Op, scope and variable naming exactly as TF1 (API.md §3): the uniquification algorithm, name_scope,
variable_scope names, and oracle comparisons against tensorflow.compat.v1."""

import numpy as np
import pytest

import teachtf as tf

# -- uniquification (§3.2) ----------------------------------------------------------------------------------------


def test_unnamed_ops_get_suffixes():
    names = [tf.placeholder(tf.float32).op.name for _ in range(3)]
    assert names == ["Placeholder", "Placeholder_1", "Placeholder_2"]


def test_explicit_name_used_twice_and_composed_names_are_skipped():
    assert tf.constant(1, name="w").op.name == "w"
    assert tf.constant(1, name="w").op.name == "w_1"
    assert tf.constant(1, name="w_2").op.name == "w_2"
    assert tf.constant(1, name="w").op.name == "w_3"


def test_composed_name_taken_first_is_skipped():
    tf.constant(1, name="w")
    tf.constant(1, name="w_1")
    assert tf.constant(1, name="w").op.name == "w_2"


def test_names_collide_case_insensitively_but_keep_capitalisation():
    assert tf.constant(1, name="Add").op.name == "Add"
    assert tf.constant(1, name="add").op.name == "add_1"
    assert tf.constant(1, name="ADD").op.name == "ADD_2"


def test_unique_name_algorithm_directly():
    g = tf.get_default_graph()
    assert g.unique_name("foo") == "foo"
    assert g.unique_name("foo") == "foo_1"
    assert g.unique_name("foo", mark_as_used=False) == "foo_2"
    assert g.unique_name("foo") == "foo_2"


@pytest.mark.parametrize("bad", ["b c", "_x", "-x", "a:b"])
def test_invalid_op_names_raise_value_error(bad):
    with pytest.raises(ValueError, match="is not a valid"):
        tf.constant(1.0, name=bad)


def test_hyphens_and_dots_are_valid():
    assert tf.placeholder(tf.float32, name="x-input").name == "x-input:0"
    assert tf.constant(1, name="v1.2").op.name == "v1.2"
    with tf.name_scope("s"):
        assert tf.constant(1, name="_inner").op.name == "s/_inner", "inside a scope '_' may start a name"


def test_name_ending_in_slash_is_used_exactly_and_duplicates_are_errors():
    assert tf.constant(1.0, name="exact/").op.name == "exact"
    assert tf.constant(1.0, name="exact").op.name == "exact_1"
    with pytest.raises(ValueError, match="Duplicate node name in graph: 'exact'"):
        tf.constant(1.0, name="exact/")


# -- name_scope (§3.3) ------------------------------------------------------------------------------------------------


def test_name_scope_binds_string_with_slash_and_prefixes_ops():
    with tf.name_scope("layer") as scope:
        c = tf.constant(1.0, name="c")
        v = tf.Variable(1.0, name="w")
    assert scope == "layer/"
    assert c.op.name == "layer/c" and v.op.name == "layer/w"


def test_sibling_scopes_are_uniquified_and_nesting_same_name_is_fine():
    with tf.name_scope("layer") as a:
        with tf.name_scope("layer") as inner:
            pass
    with tf.name_scope("layer") as b:
        pass
    assert (a, inner, b) == ("layer/", "layer/layer/", "layer_1/")


def test_scopes_and_ops_share_one_table():
    tf.constant(1.0, name="loss")
    with tf.name_scope("loss") as s:
        pass
    assert s == "loss_1/"
    with tf.name_scope("block"):
        pass
    assert tf.constant(1.0, name="block").op.name == "block_1"


def test_trailing_slash_reenters_and_none_or_empty_reset():
    with tf.name_scope("outer") as outer:
        pass
    with tf.name_scope(outer):
        assert tf.constant(1.0, name="c").op.name == "outer/c"
    with tf.name_scope("a"):
        with tf.name_scope(None) as s1:
            assert s1 == "" and tf.constant(1.0, name="top").op.name == "top"
        with tf.name_scope("") as s2:
            assert s2 == ""
        assert tf.constant(1.0, name="back").op.name == "a/back"


def test_explicit_names_inside_scopes_are_relative_and_uniquified():
    with tf.name_scope("s"):
        assert tf.constant(1.0, name="x").op.name == "s/x"
        assert tf.constant(1.0, name="x").op.name == "s/x_1"
        assert tf.constant(1.0).op.name == "s/Const"


def test_default_name_and_values():
    a = tf.constant(1.0)
    with tf.name_scope(None, "dflt", [a]) as s:
        pass
    assert s == "dflt/"
    with tf.name_scope("given", "dflt", [a]) as s:
        pass
    assert s == "given/"
    with pytest.raises(ValueError, match="At least one of name \\(None\\) and default_name \\(None\\)"):
        with tf.name_scope(None, values=[a]):
            pass


def test_name_scope_with_values_from_another_graph_switches_the_default_graph():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
    with tf.name_scope("s", values=[a]):
        assert tf.get_default_graph() is g
    b = tf.constant(1.0)
    with pytest.raises(ValueError, match="must be from the same graph"):
        with tf.name_scope("s", values=[a, b]):
            pass


@pytest.mark.parametrize("bad", ["a b", "_root"])
def test_invalid_root_scope_names(bad):
    with pytest.raises(ValueError, match="is not a valid scope name"):
        with tf.name_scope(bad):
            pass


def test_graph_name_scope_and_get_name_scope():
    g = tf.get_default_graph()
    with g.name_scope("x"):
        with g.name_scope("y"):
            assert g.get_name_scope() == "x/y"
    assert g.get_name_scope() == ""


# -- variable names ----------------------------------------------------------------------------------------------------


def test_variable_op_names():
    v = tf.Variable(1.0, name="w")
    u = tf.Variable(2.0)
    u2 = tf.Variable(2.0)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names[:4] == ["w/initial_value", "w", "w/Assign", "w/read"]
    assert v.name == "w:0" and v.op.name == "w" and v.initializer.name == "w/Assign"
    assert v.value().name == "w/read:0" and v.op.type == "VariableV2"
    assert (u.op.name, u2.op.name) == ("Variable", "Variable_1")


def test_variable_scope_prefixes_variables_and_uniquifies_op_scopes():
    with tf.variable_scope("enc"):
        w = tf.get_variable("w", [2])
        c = tf.constant(1.0, name="c")
    with tf.variable_scope("enc", reuse=True):
        w2 = tf.get_variable("w")
        c2 = tf.constant(1.0, name="c")
    assert w2 is w and w.name == "enc/w:0"
    assert c.op.name == "enc/c" and c2.op.name == "enc_1/c"


def test_get_variable_ignores_name_scope_and_tf_variable_respects_it():
    with tf.name_scope("ns"):
        a = tf.get_variable("a", [1])
        b = tf.Variable(1.0, name="b")
    assert a.name == "a:0" and b.name == "ns/b:0"


def test_get_variable_op_is_uniquified_against_the_graph():
    tf.Variable(1.0, name="w")
    v = tf.get_variable("w", [1])
    assert v.name == "w_1:0"
    with pytest.raises(ValueError, match="Variable w already exists"):
        tf.get_variable("w", [1])


def test_library_normative_names():
    x = tf.constant(np.ones((2, 2), np.float32))
    init = tf.global_variables_initializer()
    assert init.name == "init" and init.type == "NoOp"
    assert tf.group(x).name == "group_deps" and tf.no_op().name == "NoOp"


# -- oracle scenarios ------------------------------------------------------------------------------------------------

def _scenario_plain(tf):
    a = tf.placeholder(tf.float32, name="a")
    tf.placeholder(tf.float32)
    tf.placeholder(tf.float32)
    tf.constant(1.0, name="w")
    tf.constant(1.0, name="w_1")
    tf.constant(1.0, name="w")
    tf.constant(1.0, name="Add")
    tf.constant(1.0, name="add")
    tf.identity(a)
    tf.identity(a, name="Identity")
    tf.Variable(1.0)
    tf.Variable(2.0, name="v")
    tf.Variable(2.0, name="v")
    tf.global_variables_initializer()


def _scenario_name_scopes(tf):
    tf.constant(1.0, name="loss")
    with tf.name_scope("loss"):
        tf.constant(1.0)
    with tf.name_scope("layer") as s:
        tf.constant(1.0, name="x")
        tf.constant(1.0, name="x")
        with tf.name_scope("layer"):
            tf.constant(1.0, name="x")
        with tf.name_scope(None):
            tf.constant(1.0, name="root")
        tf.Variable(1.0, name="w")
    with tf.name_scope("layer"):
        tf.constant(1.0)
    with tf.name_scope(s):
        tf.constant(1.0, name="again")
    with tf.name_scope(None, "dflt"):
        tf.constant(1.0)
    with tf.name_scope(None, "dflt"):
        tf.constant(1.0)
    tf.constant(1.0, name="dflt")


def _scenario_variable_scopes(tf):
    with tf.variable_scope("enc") as enc:
        tf.get_variable("w", [2])
        tf.constant(1.0, name="c")
        with tf.variable_scope("inner"):
            tf.get_variable("w", [2], initializer=tf.zeros_initializer())
    with tf.variable_scope("enc", reuse=True):
        tf.get_variable("w")
        tf.constant(1.0, name="c")
    with tf.variable_scope(enc):
        tf.get_variable("b", [1], initializer=tf.constant_initializer(0.5))
        tf.constant(1.0, name="c")
    with tf.variable_scope(None, default_name="dense"):
        tf.get_variable("kernel", [1], initializer=tf.ones_initializer())
    with tf.variable_scope(None, default_name="dense"):
        tf.get_variable("kernel", [1], initializer=tf.ones_initializer())
    with tf.variable_scope(""):
        tf.get_variable("e", [1], initializer=tf.zeros_initializer())
    with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
        tf.get_variable("s", [1], initializer=tf.zeros_initializer())
    with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
        tf.get_variable("s", [1], initializer=tf.zeros_initializer())
    with tf.name_scope("ns"):
        tf.get_variable("g", [1], initializer=tf.zeros_initializer())
        with tf.variable_scope("vs"):
            tf.get_variable("g", [1], initializer=tf.zeros_initializer())
            tf.constant(1.0, name="c")
    tf.Variable(1.0, name="clash")
    tf.get_variable("clash", [1], initializer=tf.zeros_initializer())
    with tf.variable_scope("outer"):
        with tf.variable_scope(enc):
            tf.get_variable("deep", [1], initializer=tf.zeros_initializer())
            tf.constant(1.0, name="c")


def _scenario_variable_scope_default_counts(tf):
    with tf.variable_scope("foo") as vs:
        with tf.variable_scope(None, default_name="bar"):
            tf.get_variable("a", [1], initializer=tf.zeros_initializer())
        with tf.variable_scope(None, default_name="bar"):
            tf.get_variable("b", [1], initializer=tf.zeros_initializer())
    with tf.variable_scope(vs):
        with tf.variable_scope(None, default_name="bar"):
            tf.get_variable("c", [1], initializer=tf.zeros_initializer())


def _scenario_cond_and_guard(tf):
    x = tf.placeholder(tf.float32, [], name="x")
    tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0)
    w1 = tf.Variable(2.0, name="w1")
    tf.Variable(w1 * 3.0, name="w2")


def _scenario_state_ops(tf):
    v = tf.Variable([1.0, 2.0], name="v")
    tf.assign(v, [3.0, 4.0])
    tf.assign_add(v, [1.0, 1.0])
    v.assign_sub([1.0, 1.0])
    v.read_value()
    tf.is_variable_initialized(v)
    tf.variables_initializer([v])


SCENARIOS = [_scenario_plain, _scenario_name_scopes, _scenario_variable_scopes,
             _scenario_variable_scope_default_counts, _scenario_cond_and_guard, _scenario_state_ops]


def _names(lib, scenario, what):
    g = lib.Graph()
    with g.as_default():
        scenario(lib)
        if what == "variables":
            return [v.name for v in lib.global_variables()]
        return [op.name for op in g.get_operations()]


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_variable_names_match_tensorflow(scenario, tf1):
    assert _names(tf, scenario, "variables") == _names(tf1, scenario, "variables")


# Ops whose internal structure differs by design (informative names, API.md §0): initializer internals, and
# teachtf guards variable reads in tf.cond with the pivot instead of TF's RefSwitch.
_INFORMATIVE = ("/Initializer/", "RefSwitch", "/read/Switch", "Initializer/")


@pytest.mark.oracle
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_op_names_match_tensorflow(scenario, tf1):
    ours = [n for n in _names(tf, scenario, "ops") if not any(s in n for s in _INFORMATIVE)]
    ref = [n for n in _names(tf1, scenario, "ops") if not any(s in n for s in _INFORMATIVE)]
    if scenario is _scenario_cond_and_guard:
        # TF creates a branch op before the Switch that feeds it; teachtf creates the Switch first (so ids stay
        # topologically ordered). The names are the same.
        ours, ref = sorted(ours), sorted(ref)
    assert ours == ref

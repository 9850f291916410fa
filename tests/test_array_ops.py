"""Array, shape and indexing ops (API.md §5, §8, §9): values against NumPy, static shapes, names, errors,
gradients."""

import warnings

import numpy as np
import pytest

import teachtf as tf
from teachtf.ext import set_strict
from teachtf.framework import errors
from tests.devices import DEVICES
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(3)
X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


def run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


@pytest.fixture
def strict():
    set_strict(True)
    yield
    set_strict(False)


# -- stack / autopack / unstack ----------------------------------------------------------------------------


def test_stack_of_tensors_and_of_python_values():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    s = tf.stack([a, b])
    assert s.name == "stack:0" and s.op.type == "Pack" and s.shape == (2, 2)
    np.testing.assert_array_equal(run(s), [[1, 2], [3, 4]])
    s1 = tf.stack([a, b], axis=1)
    assert s1.shape == (2, 2)
    np.testing.assert_array_equal(run(s1), [[1, 3], [2, 4]])
    c = tf.stack([1, 2])
    assert c.op.type == "Const" and c.name.startswith("stack")
    with pytest.raises(ValueError, match=r"axis = 3 not in \[-2, 2\)"):
        tf.stack([a, b], axis=3)


def test_stack_errors():
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 and 4"):
        tf.stack([tf.zeros([2, 3]), tf.zeros([2, 4])])
    with pytest.raises(TypeError, match=r"have types \[float32, float64\] that don't all match"):
        tf.stack([tf.zeros([2]), tf.zeros([2], tf.float64)])


def test_autopack_lists_containing_tensors():
    t = tf.constant(2.0)
    p = tf.convert_to_tensor([[t, 1.0], [3.0, t]])
    assert p.name == "packed:0" and p.shape == (2, 2) and p.dtype == tf.float32
    np.testing.assert_array_equal(run(p), [[2, 1], [3, 2]])
    np.testing.assert_array_equal(run(tf.reshape(tf.zeros([6]), [tf.constant(2), 3])), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="Cannot convert a list containing a tensor of dtype"):
        tf.convert_to_tensor([tf.zeros([2]), tf.zeros([2], tf.float64)])
    assert tf.convert_to_tensor([t, 1], dtype=tf.float32).dtype == tf.float32


def test_unstack():
    parts = tf.unstack(tf.constant(X), axis=1)
    assert len(parts) == 3 and parts[0].name == "unstack:0" and parts[2].shape == (2, 4)
    for p, want in zip(run(parts), np.moveaxis(X, 1, 0)):
        np.testing.assert_array_equal(p, want)
    single = tf.unstack(tf.zeros([1, 2]))
    assert len(single) == 1 and run(single[0]).shape == (2,)
    with pytest.raises(ValueError, match="Cannot infer num from shape"):
        tf.unstack(tf.placeholder(tf.float32, [None, 2]))
    assert len(tf.unstack(tf.placeholder(tf.float32, [None, 2]), num=3)) == 3


# -- concat / split ----------------------------------------------------------------------------------------


def test_concat_values_shapes_names():
    c = tf.concat([tf.constant(X), tf.constant(X)], 1)
    assert c.name == "concat:0" and c.op.type == "ConcatV2" and c.shape == (2, 6, 4)
    np.testing.assert_array_equal(run(c), np.concatenate([X, X], 1))
    assert tf.concat([tf.placeholder(tf.float32, [None, 3]), tf.zeros([2, 3])], 0).shape.as_list() == [None, 3]
    assert tf.concat([tf.zeros([2, 3]), tf.zeros([2, 3])], -1).shape == (2, 6)
    one = tf.concat([tf.zeros([2])], 0)
    assert one.name == "concat_3:0" and one.op.type == "Identity"


def test_concat_errors():
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal, but are 3 and 4"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([3])], 0)
    with pytest.raises(TypeError, match="don't all match"):
        tf.concat([tf.zeros([2]), tf.zeros([2], tf.int32)], 0)
    a = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(errors.InvalidArgumentError):
        run(tf.concat([a, tf.zeros([1, 3])], 0), {a: np.zeros((1, 2))})


def test_concat_old_argument_order_is_lenient(strict):
    set_strict(False)
    with pytest.warns(DeprecationWarning, match="pre-1.0 argument order"):
        c = tf.concat(0, [tf.zeros([1, 2]), tf.ones([1, 2])])
    np.testing.assert_array_equal(run(c), [[0, 0], [1, 1]])
    set_strict(True)
    with pytest.raises(TypeError):
        tf.concat(0, [tf.zeros([1, 2]), tf.ones([1, 2])])


def test_split():
    x = tf.constant(X)
    parts = tf.split(x, 2, axis=2)
    assert [p.name for p in parts] == ["split:0", "split:1"] and parts[0].shape == (2, 3, 2)
    np.testing.assert_array_equal(run(parts[1]), X[:, :, 2:])
    sized = tf.split(x, [1, -1], axis=1)
    assert sized[1].shape == (2, 2, 4) and sized[0].op.type == "SplitV"
    np.testing.assert_array_equal(run(sized[1]), X[:, 1:])
    assert len(tf.split(x, 1, axis=0)) == 1
    with pytest.raises(ValueError, match="evenly divisible by 3"):
        tf.split(x, 3, axis=2)
    with pytest.raises(ValueError, match="Determined shape must either match"):
        tf.split(x, [1, 1], axis=1)
    n = tf.placeholder(tf.float32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="evenly divide"):
        run(tf.split(n, 2), {n: np.zeros(3)})


def test_split_old_argument_order_is_lenient():
    with pytest.warns(DeprecationWarning, match="pre-1.0 argument order"):
        parts = tf.split(1, 2, tf.constant(np.arange(8.0).reshape(2, 4)))
    np.testing.assert_array_equal(run(parts[0]), [[0, 1], [4, 5]])


# -- transpose / expand_dims / squeeze / reshape ---------------------------------------------------------


def test_transpose():
    t = tf.transpose(tf.constant(X))
    assert t.name == "transpose:0" and t.shape == (4, 3, 2)
    assert tf.get_default_graph().get_operation_by_name("transpose/perm").type == "Const"
    np.testing.assert_array_equal(run(t), X.T)
    np.testing.assert_array_equal(run(tf.transpose(X, [1, 0, 2])), X.transpose(1, 0, 2))
    u = tf.placeholder(tf.float32)
    np.testing.assert_array_equal(run(tf.transpose(u), {u: X}), X.T)
    with pytest.raises(ValueError, match="not a permutation"):
        tf.transpose(X, [0, 0, 1])
    np.testing.assert_array_equal(run(tf.matrix_transpose(X)), X.transpose(0, 2, 1))


def test_expand_dims_and_squeeze():
    e = tf.expand_dims(tf.constant(X), -1)
    assert e.name == "ExpandDims:0" and e.shape == (2, 3, 4, 1)
    assert tf.expand_dims(X, dim=1).shape == (2, 1, 3, 4)
    with pytest.raises(ValueError, match=r"dim 4 not in the interval \[-4, 3\]"):
        tf.expand_dims(X, 4)
    with pytest.raises(ValueError, match="Must specify an axis"):
        tf.expand_dims(X)
    z = tf.zeros([1, 2, 1])
    assert tf.squeeze(z).shape == (2,)
    assert tf.squeeze(z, [0]).shape == (2, 1)
    assert tf.squeeze(z, squeeze_dims=[2]).shape == (1, 2)
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\], expected a dimension of 1, got 2"):
        tf.squeeze(z, [1])
    assert tf.squeeze(tf.placeholder(tf.float32, [None, 1])).shape.ndims is None


def test_reshape_and_shape_size_rank():
    r = tf.reshape(tf.constant(X), [-1, 4])
    assert r.shape == (6, 4)
    np.testing.assert_array_equal(run(r), X.reshape(-1, 4))
    assert tf.reshape(X, []).shape == () if X.size == 1 else True
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 24 elements"):
        tf.reshape(X, [5, 5])
    p = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(errors.InvalidArgumentError, match="Input to reshape is a tensor with 8 values"):
        run(tf.reshape(p, [3, 3]), {p: np.zeros((2, 4))})
    assert run(tf.shape(X)).tolist() == [2, 3, 4]
    s = tf.size(X)
    assert s.op.type == "Const" and run(s) == 24
    assert run(tf.size(p), {p: np.zeros((5, 4))}) == 20 and tf.size(p).op.type == "Size"
    assert run(tf.rank(p)) == 2 and tf.rank(tf.placeholder(tf.float32)).op.type == "Rank"
    np.testing.assert_array_equal(run(tf.broadcast_to([1, 2], [3, 2])), [[1, 2]] * 3)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        tf.broadcast_to([1, 2, 3], [2, 2])


# -- creating tensors --------------------------------------------------------------------------------------


def test_zeros_ones_fill():
    z = tf.zeros([2, 3])
    assert z.name == "zeros:0" and z.op.type == "Const" and z.dtype == tf.float32
    big = tf.zeros([50, 50], tf.int32)
    assert big.op.type == "Fill" and big.shape == (50, 50) and run(big).dtype == np.int32
    assert tf.ones(5).shape == (5,)
    np.testing.assert_array_equal(run(tf.ones([2], tf.bool)), [True, True])
    p = tf.placeholder(tf.float32, [None, 3])
    dyn = tf.zeros(tf.shape(p))
    assert dyn.op.type == "Fill"
    assert run(dyn, {p: np.ones((4, 3))}).shape == (4, 3)
    mixed = tf.ones([tf.shape(p)[0], 2])
    assert mixed.shape.as_list() == [None, 2]
    assert run(mixed, {p: np.ones((3, 3))}).shape == (3, 2)
    f = tf.fill([2, 2], 7)
    assert f.name == "Fill:0" and f.dtype == tf.int32
    np.testing.assert_array_equal(run(f), np.full((2, 2), 7))
    assert run(tf.fill([], 1.5)) == 1.5
    np.testing.assert_array_equal(run(tf.zeros_like(X)), np.zeros_like(X))
    assert tf.ones_like(X, dtype=tf.int32).dtype == tf.int32


def test_eye_and_diagonals():
    np.testing.assert_array_equal(run(tf.eye(3)), np.eye(3))
    np.testing.assert_array_equal(run(tf.eye(2, 3)), np.eye(2, 3))
    assert tf.eye(2, batch_shape=[4]).shape == (4, 2, 2)
    np.testing.assert_array_equal(run(tf.diag([1, 2, 3])), np.diag([1, 2, 3]))
    d = run(tf.diag([[1.0, 2.0], [3.0, 4.0]]))
    assert d.shape == (2, 2, 2, 2) and d[1, 0, 1, 0] == 3.0 and d.sum() == 10.0
    np.testing.assert_array_equal(run(tf.diag_part(d)), [[1, 2], [3, 4]])
    m = RNG.standard_normal((2, 3, 4))
    np.testing.assert_allclose(run(tf.matrix_diag_part(m)), np.diagonal(m, axis1=1, axis2=2))
    np.testing.assert_allclose(run(tf.matrix_diag([[1.0, 2.0]])), [np.diag([1.0, 2.0])])


# -- slicing -----------------------------------------------------------------------------------------------

SLICE_CASES = [
    (np.s_[0], (3, 4)), (np.s_[-1], (3, 4)), (np.s_[:, 0], (2, 4)), (np.s_[1:], (1, 3, 4)),
    (np.s_[:, ::-1], (2, 3, 4)), (np.s_[..., 1], (2, 3)), (np.s_[..., None, 1:3], (2, 3, 1, 2)),
    (np.s_[None], (1, 2, 3, 4)), (np.s_[0, -2, 3], ()), (np.s_[:, 1:-1, ::2], (2, 1, 2)), (np.s_[1, ..., ::-2], (3, 2)),
    (np.s_[-5:10], (2, 3, 4)), (np.s_[:, 5:], (2, 0, 4)), (np.s_[()], (2, 3, 4)),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("key,shape", SLICE_CASES)
def test_slicing_matches_numpy(key, shape, device):
    with tf.device(device):
        t = tf.constant(X)[key]
    assert t.shape == shape
    assert t.op.type == "StridedSlice" and t.name.startswith("strided_slice")
    np.testing.assert_array_equal(run(t), X[key])


def test_slicing_names_and_dynamic_indices():
    x = tf.constant(X)
    s = x[:, 0]
    assert s.name == "strided_slice:0"
    assert tf.get_default_graph().get_operation_by_name("strided_slice/stack").type == "Const"
    i = tf.placeholder(tf.int32, [])
    d = x[i]
    assert d.shape == (3, 4)
    np.testing.assert_array_equal(run(d, {i: 1}), X[1])
    np.testing.assert_array_equal(run(d, {i: -1}), X[-1])
    lo = tf.placeholder(tf.int32, [])
    r = x[:, lo:]
    assert r.shape.as_list() == [2, None, 4]
    np.testing.assert_array_equal(run(r, {lo: 1}), X[:, 1:])
    p = tf.placeholder(tf.float32, [None, 3])
    assert p[:, 1].shape.as_list() == [None] and p[0].shape == (3,)
    assert tf.shape(p)[0].shape == ()
    np.testing.assert_array_equal(run(x[np.int64(1), tf.constant(2, tf.int64)]), X[1, 2])


def test_slicing_errors():
    x = tf.constant(X)
    for bad in (0.5, [[0, 1]], np.array([0, 1]), tf.constant([0, 1]), tf.constant(True), "a"):
        with pytest.raises(TypeError, match="Only integers, slices"):
            x[bad]
    with pytest.raises(ValueError, match="slice index 2 of dimension 0 out of bounds"):
        x[2]
    with pytest.raises(ValueError, match="Index out of range"):
        x[0, 0, 0, 0]
    i = tf.placeholder(tf.int32, [])
    with pytest.raises(errors.InvalidArgumentError, match="out of bounds"):
        run(x[i], {i: 5})


def test_list_key_is_a_tuple_of_indices_as_in_tf1():
    np.testing.assert_array_equal(run(tf.constant(X)[[0, 1]]), X[0, 1])


def test_strided_slice_and_slice_functions():
    ss = tf.strided_slice(X, [0, 1], [2, 3], [1, 1], shrink_axis_mask=1)
    assert ss.shape == (2, 4)
    np.testing.assert_array_equal(run(ss), X[0, 1:3])
    s = tf.slice(X, [0, 1, 0], [-1, 2, 3])
    assert s.name == "Slice:0" and s.shape == (2, 2, 3)
    np.testing.assert_array_equal(run(s), X[:, 1:3, :3])
    with pytest.raises(ValueError, match=r"Expected size\[1\] in \[0, 2\], but got 3"):
        tf.slice(X, [0, 1, 0], [1, 3, 1])
    b = tf.placeholder(tf.int32, [3])
    with pytest.raises(errors.InvalidArgumentError, match="Expected begin"):
        run(tf.slice(X, b, [1, 1, 1]), {b: [0, 9, 0]})


# -- gather / scatter / where / boolean_mask -------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_gather(device):
    with tf.device(device):
        g = tf.gather(tf.constant(X), [[1, 0], [1, 1]])
        g2 = tf.gather(tf.constant(X), [3, 0], axis=2)
    assert g.name == "GatherV2:0" and g.shape == (2, 2, 3, 4) and g2.shape == (2, 3, 2)
    gv, g2v = run([g, g2])
    np.testing.assert_array_equal(gv, X[[[1, 0], [1, 1]]])
    np.testing.assert_array_equal(g2v, X[:, :, [3, 0]])


def test_gather_out_of_range_is_invalid_argument():
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = 2 is not in \[0, 2\)"):
        run(tf.gather(tf.constant(X), [0, 2]))
    with pytest.raises(errors.InvalidArgumentError, match=r"is not in \[0, 2\)"):
        run(tf.gather(tf.constant(X), [-1]))


def test_gather_nd_and_scatter_nd():
    idx = [[0, 1], [1, 2]]
    np.testing.assert_array_equal(run(tf.gather_nd(X, idx)), X[[0, 1], [1, 2]])
    np.testing.assert_array_equal(run(tf.gather_nd(X, [[1, 2, 3]])), [X[1, 2, 3]])
    sc = tf.scatter_nd([[0], [2], [0]], [1.0, 2.0, 3.0], [4])
    assert sc.name == "ScatterNd:0" and sc.shape == (4,)
    np.testing.assert_array_equal(run(sc), [4.0, 0.0, 2.0, 0.0])  # duplicates add up
    rows = tf.scatter_nd([[1], [1]], [[1.0, 2.0], [3.0, 4.0]], [3, 2])
    np.testing.assert_array_equal(run(rows), [[0, 0], [4, 6], [0, 0]])
    with pytest.raises(errors.InvalidArgumentError, match="does not index into"):
        run(tf.scatter_nd([[5]], [1.0], [4]))
    with pytest.raises(ValueError, match="The shape of updates"):
        tf.scatter_nd([[0], [1]], [1.0, 2.0, 3.0], [4])


def test_unpooling_recipe_with_scatter_nd():
    """The classic TF1 unpool: scatter max values back to their argmax positions (flattened)."""
    pooled = tf.constant([[5.0, 7.0]])
    argmax = tf.constant([[3, 6]], tf.int64)
    flat = tf.reshape(argmax, [-1, 1])
    out = tf.reshape(tf.scatter_nd(flat, tf.reshape(pooled, [-1]), tf.constant([8], tf.int64)), [1, 8])
    np.testing.assert_array_equal(run(out), [[0, 0, 0, 5, 0, 0, 7, 0]])


def test_where_and_select():
    c = np.array([[True, False], [False, True]])
    x, y = np.ones((2, 2)), np.zeros((2, 2))
    w = tf.where(c, x, y)
    assert w.name == "Select:0"
    np.testing.assert_array_equal(run(w), np.where(c, x, y))
    np.testing.assert_array_equal(run(tf.where([True, False], x, y)), [[1, 1], [0, 0]])
    coords = tf.where(c)
    assert coords.dtype == tf.int64 and coords.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(coords), np.argwhere(c))
    with pytest.raises(ValueError, match="Shapes must be equal rank"):
        tf.where(c, np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="both be non-None"):
        tf.where(c, x)
    np.testing.assert_array_equal(run(tf.where_v2(c, 1.0, np.zeros(2))), np.where(c, 1.0, 0.0))


def test_boolean_mask():
    m = tf.boolean_mask(tf.constant(X), [True, False])
    assert m.shape.as_list() == [None, 3, 4]
    np.testing.assert_array_equal(run(m), X[[True, False]])
    mask2 = X[0] > 5
    np.testing.assert_array_equal(run(tf.boolean_mask(X, mask2, axis=1)), X[:, mask2])
    p = tf.placeholder(tf.float32, [None, 2])
    mk = tf.placeholder(tf.bool, [None])
    np.testing.assert_array_equal(run(tf.boolean_mask(p, mk), {p: np.eye(3, 2), mk: [False, True, True]}),
                                  np.eye(3, 2)[1:])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(X, True)


# -- pad / tile / reverse --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["CONSTANT", "reflect", "Symmetric"])
def test_pad(mode):
    x = np.arange(12.0).reshape(3, 4)
    pads = [[1, 2], [2, 1]]
    p = tf.pad(x, pads, mode)
    assert p.shape == (6, 7)
    np.testing.assert_array_equal(run(p), np.pad(x, pads, mode=mode.lower()))


def test_pad_constant_values_and_errors():
    np.testing.assert_array_equal(run(tf.pad([[1.0]], [[1, 0], [0, 1]], constant_values=9)), [[9, 9], [1, 9]])
    assert tf.pad([[1.0]], [[1, 0], [0, 1]], constant_values=9).op.type == "PadV2"
    with pytest.raises(ValueError, match="Unknown padding mode"):
        tf.pad(X, [[0, 0]] * 3, "WRAP")
    with pytest.raises(ValueError, match="paddings must be less than"):
        tf.pad(np.zeros((2, 2)), [[2, 0], [0, 0]], "REFLECT")


def test_tile_and_reverse():
    t = tf.tile(tf.constant(X), [1, 2, 3])
    assert t.name == "Tile:0" and t.shape == (2, 6, 12)
    np.testing.assert_array_equal(run(t), np.tile(X, [1, 2, 3]))
    r = tf.reverse(X, [0, -1])
    assert r.name == "ReverseV2:0"
    np.testing.assert_array_equal(run(r), X[::-1, :, ::-1])
    with pytest.warns(DeprecationWarning, match="pre-1.0 form"):
        old = tf.reverse(X, [False, True, False])
    np.testing.assert_array_equal(run(old), X[:, ::-1])


def test_reverse_sequence():
    x = np.arange(12).reshape(3, 4)
    out = run(tf.reverse_sequence(x, [1, 3, 4], seq_axis=1, batch_axis=0))
    np.testing.assert_array_equal(out, [[0, 1, 2, 3], [6, 5, 4, 7], [11, 10, 9, 8]])
    out_t = run(tf.reverse_sequence(x.T, [1, 3, 4], seq_axis=0, batch_axis=1))
    np.testing.assert_array_equal(out_t, out.T)


# -- encodings ----------------------------------------------------------------------------------------------


def test_one_hot():
    o = tf.one_hot([0, 2, -1, 5], 3)
    assert o.name == "one_hot:0" and o.dtype == tf.float32 and o.shape == (4, 3)
    np.testing.assert_array_equal(run(o), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    o2 = tf.one_hot([[1, 0]], 2, on_value=5, off_value=-1, axis=1)
    assert o2.dtype == tf.int32 and o2.shape == (1, 2, 2)
    np.testing.assert_array_equal(run(o2), [[[-1, 5], [5, -1]]])
    assert tf.one_hot([1], 3, dtype=tf.float64).dtype == tf.float64
    with pytest.raises(TypeError, match="dtype"):
        tf.one_hot([1], 3, on_value=1.0, dtype=tf.int32)


def test_sequence_mask_sparse_to_dense_unique_setdiff_invert_meshgrid():
    sm = tf.sequence_mask([1, 3, 0], 4)
    assert sm.shape == (3, 4) and sm.dtype == tf.bool
    np.testing.assert_array_equal(run(sm), np.arange(4) < np.array([[1], [3], [0]]))
    np.testing.assert_array_equal(run(tf.sequence_mask([2, 1], dtype=tf.float32)), [[1, 1], [1, 0]])
    np.testing.assert_array_equal(run(tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], [5, 6])), [[0, 5], [0, 0], [6, 0]])
    np.testing.assert_array_equal(run(tf.sparse_to_dense([1, 3], [5], 1.0, -1.0)), [-1, 1, -1, 1, -1])
    with pytest.raises(errors.InvalidArgumentError, match="repeated or not in lexicographic order"):
        run(tf.sparse_to_dense([3, 1], [5], 1.0))
    y, idx = run(tf.unique([4, 1, 4, 2, 1]))
    np.testing.assert_array_equal(y, [4, 1, 2])
    np.testing.assert_array_equal(idx, [0, 1, 0, 2, 1])
    out, pos = run(tf.setdiff1d([1, 2, 3, 4, 3], [3, 9]))
    np.testing.assert_array_equal(out, [1, 2, 4])
    np.testing.assert_array_equal(pos, [0, 1, 3])
    np.testing.assert_array_equal(run(tf.invert_permutation([2, 0, 1])), [1, 2, 0])
    with pytest.raises(errors.InvalidArgumentError, match="not a permutation"):
        run(tf.invert_permutation([0, 0, 1]))
    gx, gy = tf.meshgrid([1, 2, 3], [4, 5])
    assert gx.shape == (2, 3)
    wx, wy = np.meshgrid([1, 2, 3], [4, 5])
    np.testing.assert_array_equal(run(gx), wx)
    np.testing.assert_array_equal(run(gy), wy)
    ix, _ = tf.meshgrid([1, 2, 3], [4, 5], indexing="ij")
    np.testing.assert_array_equal(run(ix), np.meshgrid([1, 2, 3], [4, 5], indexing="ij")[0])


def test_stop_gradient():
    x = tf.constant([1.0, 2.0], tf.float64)
    s = tf.stop_gradient(x)
    assert s.name == "StopGradient:0"
    np.testing.assert_array_equal(run(s), [1.0, 2.0])
    assert tf.gradients(tf.reduce_sum(s * s), x) == [None]
    g, = tf.gradients(tf.reduce_sum(x * tf.stop_gradient(x)), x)
    np.testing.assert_array_equal(run(g), [1.0, 2.0])


# -- gradients --------------------------------------------------------------------------------------------------

A = RNG.standard_normal((2, 3, 4))
B = RNG.standard_normal((2, 3))


ARRAY_GRADIENT_CASES = [
    lambda t: t[:, 1:, ::-2], lambda t: t[1, ..., None, 2], lambda t: t[-1, 0],
    lambda t: tf.slice(t, [0, 1, 1], [2, 2, -1]), lambda t: tf.transpose(t, [2, 0, 1]),
    lambda t: tf.reshape(t, [4, -1]), lambda t: tf.expand_dims(t, 1), lambda t: tf.squeeze(tf.expand_dims(t, 0)),
    lambda t: tf.tile(t, [2, 1, 2]), lambda t: tf.pad(t, [[1, 0], [0, 2], [1, 1]]),
    lambda t: tf.pad(t, [[1, 1], [2, 1], [1, 3]], "REFLECT"),
    lambda t: tf.pad(t, [[1, 2], [3, 0], [0, 4]], "SYMMETRIC"),
    lambda t: tf.reverse(t, [1]), lambda t: tf.gather(t, [1, 1, 0]),
    lambda t: tf.gather(t, [[3, 0], [3, 3]], axis=2), lambda t: tf.gather_nd(t, [[0, 1], [0, 1], [1, 2]]),
    lambda t: tf.boolean_mask(t, [[True, False, True], [False] * 3]), lambda t: tf.concat([t, 2 * t], 1),
    lambda t: tf.split(t, [1, 3], axis=2), lambda t: tf.split(t, 2, axis=2), lambda t: tf.stack([t, t * t], axis=1),
    lambda t: tf.unstack(t, axis=2), lambda t: tf.broadcast_to(t[:, :1], [2, 3, 4]),
    lambda t: tf.where(t[:, :, 0] > 0, t[:, :, 1], t[:, :, 2]), lambda t: tf.where_v2(t[:, :1] > 0, t, 0.0),
    lambda t: tf.reverse_sequence(t, [1, 3], seq_axis=1, batch_axis=0), lambda t: tf.diag_part(tf.diag(t[0])),
    lambda t: tf.matrix_diag(t[0]), lambda t: tf.matrix_diag_part(t), lambda t: tf.fill([2], tf.reduce_sum(t)),
    lambda t: tf.scatter_nd([[1], [1]], t, [3, 3, 4]), lambda t: tf.identity(t[0]),
]


@pytest.mark.parametrize("build", ARRAY_GRADIENT_CASES)
def test_array_gradients(build):
    check_gradients(build, A)


def test_gradients_with_dynamic_shapes():
    def build(t):
        u = tf.placeholder_with_default(t, [None, None, None])
        return tf.tile(u[:, 1:], [1, 2, 1]) + tf.pad(u, [[0, 0], [1, 0], [0, 0]])[:, :4]

    check_gradients(build, A)
    check_gradients(lambda t: tf.concat([tf.placeholder_with_default(t, [None, 3]), t], 0), B)
    check_gradients(lambda t: tf.slice(tf.placeholder_with_default(t, [None, None]), [1, 0], [1, 2]), B)


def test_second_order_through_slicing_and_gather():
    check_gradients(lambda t: tf.gradients(tf.reduce_sum(tf.square(t[:, 1:]) * t[:, :2]), t)[0], B, rtol=1e-4)
    check_gradients(lambda t: tf.gradients(tf.reduce_sum(tf.gather(t, [1, 1]) ** 3), t)[0], B, rtol=1e-4)


# -- oracle -----------------------------------------------------------------------------------------------------


@pytest.mark.oracle
def test_oracle_array_ops_names_shapes_values(tf1):

    def build(m):
        x = m.constant(X)
        return [x[:, 0], x[..., None, 1:], x[-1, ::-2], m.stack([x, x]), m.concat([x, x], 0), m.split(x, 2, 2)[1],
                m.transpose(x), m.expand_dims(x, 0), m.range(5), m.zeros([2, 3]), m.ones([2]), m.fill([2], 3.0),
                m.one_hot([0, 2, -1], 3), m.gather(x, [1, 0]), m.pad(x, [[1, 1], [0, 0], [2, 0]]),
                m.tile(x, [1, 2, 1]), m.slice(x, [0, 1, 0], [1, -1, 2]), m.reverse(x, [1]),
                m.where(x > 5, x, -x), m.scatter_nd([[0], [0]], [1.0, 2.0], [3]), m.unstack(x)[1],
                m.boolean_mask(x, [True, False]), m.sequence_mask([1, 2], 3), m.reduce_sum(x, [0, 2]),
                m.clip_by_value(x, 2.0, 5.0), m.squeeze(m.zeros([1, 2, 1]))]

    g = tf1.Graph()
    with g.as_default():
        ref = build(tf1)
        with tf1.Session() as s:
            ref_vals = s.run(ref)
    ours = build(tf)
    vals = run(ours)
    for r, rv, o, ov in zip(ref, ref_vals, ours, vals):
        assert o.name == r.name, (o.name, r.name)
        assert o.dtype.name == r.dtype.name, r.name
        assert o.shape.as_list() == r.shape.as_list(), r.name
        np.testing.assert_allclose(ov, rv)


@pytest.mark.oracle
def test_oracle_slicing_errors_match(tf1):
    for bad in (0.5, np.array([0, 1])):
        with tf1.Graph().as_default(), pytest.raises(TypeError):
            tf1.constant(X)[bad]
        with pytest.raises(TypeError):
            tf.constant(X)[bad]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with tf1.Graph().as_default(), pytest.raises(ValueError):
            tf1.constant(X)[2]


def test_partially_known_shape_arguments_give_static_dims():
    x = tf.placeholder(tf.float32, [None, 4, 5])
    assert tf.reshape(x, [-1, tf.shape(x)[1], 5]).shape.as_list() == [None, 4, 5]
    assert tf.reshape(x, [tf.shape(x)[0], -1]).shape.as_list() == [None, None]
    assert tf.reshape(tf.zeros([2, 10]), [tf.constant(5), -1]).shape == (5, 4)
    assert tf.zeros(tf.shape(x)).shape.as_list() == [None, 4, 5]
    assert tf.fill(tf.stack([tf.shape(x)[0], 7]), 1.0).shape.as_list() == [None, 7]
    assert tf.range(1, 2, 0.25).shape == (4,)
    assert tf.meshgrid([1, 2], [3, 4, 5])[0].shape == (3, 2)


def test_misc_array_functions():
    assert [s.shape for s in tf.shape_n([tf.zeros([2, 3]), tf.zeros([4])])] == [(2,), (1,)]
    assert tf.reverse_v2 is tf.reverse
    np.testing.assert_array_equal(run(tf.matrix_set_diag(np.zeros((2, 3)), [1.0, 2.0])), [[1, 0, 0], [0, 2, 0]])
    np.testing.assert_array_equal(run(tf.broadcast_to(tf.constant([[1], [2]]), [2, 3])), [[1, 1, 1], [2, 2, 2]])
    with pytest.raises(ValueError, match="batch_dims"):
        tf.gather(X, [0], batch_dims=1)
    with pytest.raises(ValueError, match="x and y must both be non-None"):
        tf.where_v2([True], [1.0])

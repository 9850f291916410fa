"""PoolingModel / UnpoolingModel and their explorers: switches, divisors, routing, round trips."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.widgets.models.pooling import PoolingModel, decode_argmax
from teachtf.widgets.models.unpooling import UnpoolingModel


def windows(n, k, s, padding):
    """Per output index, the input indices of its window (padding cells dropped), TF1's split."""
    if padding == "SAME":
        out = -(-n // s)
        before = max((out - 1) * s + k - n, 0) // 2
    else:
        out, before = (n - k) // s + 1, 0
    return [[r for r in range(i * s - before, i * s - before + k) if 0 <= r < n] for i in range(out)]


def pool_reference(x, k, s, padding):
    """max, first-max argmax (y·W + x)·C + c, average over in-bounds cells and the counts, as loops."""
    h, w, c = x.shape
    rows, cols = windows(h, k, s, padding), windows(w, k, s, padding)
    mx = np.zeros((len(rows), len(cols), c))
    am = np.zeros_like(mx, dtype=np.int64)
    av = np.zeros_like(mx)
    count = np.zeros((len(rows), len(cols)))
    for i, rr in enumerate(rows):
        for j, cc in enumerate(cols):
            count[i, j] = len(rr) * len(cc)
            for ch in range(c):
                best, where = -np.inf, None
                for r in rr:  # row-major scan: the first maximum wins
                    for q in cc:
                        if x[r, q, ch] > best:
                            best, where = x[r, q, ch], (r, q)
                mx[i, j, ch] = best
                am[i, j, ch] = (where[0] * w + where[1]) * c + ch
                av[i, j, ch] = sum(x[r, q, ch] for r in rr for q in cc) / count[i, j]
    return mx, am, av, count


CASES = [((4, 4, 1), 2, 2, "VALID"), ((5, 5, 2), 3, 2, "SAME"), ((5, 6, 1), 3, 1, "SAME"),
         ((7, 5, 3), 2, 3, "SAME"), ((6, 6, 1), 3, 2, "VALID")]


@pytest.mark.parametrize("shape,k,s,pad", CASES)
def test_max_pool_frames_and_switches(shape, k, s, pad):
    x = np.random.default_rng(11).integers(0, 4, size=shape).astype(float)  # small ints: many ties
    m = PoolingModel(x, k, s, pad, "max")
    mx, am, _, _ = pool_reference(x, k, s, pad)
    np.testing.assert_array_equal(m.output, mx)
    np.testing.assert_array_equal(m.argmax, am)  # the engine's switches follow the first-max rule
    for f in m.frames:
        c, i, j = f.cell
        assert f.value == mx[i, j, c]
        y, xx, cc = decode_argmax(am[i, j, c], shape[1], shape[2])
        assert f.extra["switch"] == (y, xx) and cc == c
        sw = f.grids[0].mask("switch")
        assert sw.sum() == 1 and sw[y + m.plan_h.pad_before, xx + m.plan_w.pad_before]
        assert f.grids[0].mask("window")[sw].all()  # the switch lies inside the window
        assert f"argmax = (y·W + x)·C + c = ({y}·{shape[1]} + {xx})·{shape[2]} + {c} = {am[i, j, c]}" in f.formula


@pytest.mark.parametrize("shape,k,s,pad", CASES)
def test_avg_pool_divides_by_in_bounds_cells(shape, k, s, pad):
    x = np.random.default_rng(12).normal(size=shape)
    m = PoolingModel(x, k, s, pad, "avg")
    _, _, av, count = pool_reference(x, k, s, pad)
    np.testing.assert_allclose(m.output, av, atol=1e-5)
    np.testing.assert_array_equal(m.counts, count)
    f = m.frames[0]
    assert f.extra["count"] == count[0, 0]
    assert f"divisor = in-bounds cells = {int(count[0, 0])} of {k * k}" in f.formula
    assert f.grids[2].title.startswith("divisor") and not f.grids[2].colored


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_backward_routing_matches_tf_gradients(kind):
    x = np.random.default_rng(2).integers(0, 3, size=(5, 5, 2)).astype(float)
    dy = np.random.default_rng(3).integers(1, 4, size=(3, 3, 2)).astype(float)
    m = PoolingModel(x, 3, 2, "SAME", kind, "backward", upstream=dy)  # overlapping windows
    mx, am, _, count = pool_reference(x, 3, 2, "SAME")
    ref = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            for c in range(2):
                if kind == "max":
                    y, xx, _ = decode_argmax(am[i, j, c], 5, 2)
                    ref[y, xx, c] += dy[i, j, c]
                else:
                    rr, cc = windows(5, 3, 2, "SAME")[i], windows(5, 3, 2, "SAME")[j]
                    for r in rr:
                        for q in cc:
                            ref[r, q, c] += dy[i, j, c] / count[i, j]
    np.testing.assert_allclose(m.grad_input, ref, atol=1e-5)
    np.testing.assert_allclose(m.grad_input_accumulated, ref, atol=1e-9)
    assert len(m.frames) == dy.size + 1
    if kind == "max":
        assert any("overlapping windows accumulate" in f.formula for f in m.frames)


def test_pool_show_code_runs():
    x = np.random.default_rng(4).normal(size=(4, 5, 2))
    m = PoolingModel(x, 2, 2, "SAME", "max", "backward")
    ns = {}
    with tf.Graph().as_default():
        exec(m.code(), ns)
    np.testing.assert_allclose(ns["result"]["y"][0], m.output, atol=1e-6)
    np.testing.assert_array_equal(ns["result"]["argmax"][0], m.argmax)
    np.testing.assert_allclose(ns["result"]["dx"][0], m.grad_input, atol=1e-6)


def test_pool_bad_input():
    with pytest.raises(ValueError, match="kind must be 'max' or 'avg'"):
        PoolingModel(np.zeros((4, 4)), kind="min")
    with pytest.raises(ValueError, match="Negative dimension size"):
        PoolingModel(np.zeros((2, 2)), ksize=3, padding="VALID")


# -- unpooling ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,k,s,pad", [((4, 4, 1), 2, 2, "VALID"), ((5, 5, 2), 3, 1, "SAME"),
                                            ((5, 7, 1), 2, 2, "SAME")])
def test_unpool_round_trip(shape, k, s, pad):
    x = np.random.default_rng(5).integers(0, 5, size=shape).astype(float)
    m = UnpoolingModel(x, k, s, pad)
    mx, am, _, _ = pool_reference(x, k, s, pad)
    ref = np.zeros_like(x)
    writes = np.zeros_like(x)
    for i in range(mx.shape[0]):
        for j in range(mx.shape[1]):
            for c in range(shape[2]):
                y, xx, _ = decode_argmax(am[i, j, c], shape[1], shape[2])
                ref[y, xx, c] += mx[i, j, c]  # max_unpool scatter-adds duplicates
                writes[y, xx, c] += 1
    np.testing.assert_array_equal(m.pooled, mx)
    np.testing.assert_array_equal(m.argmax, am)
    np.testing.assert_allclose(m.unpooled, ref)
    np.testing.assert_allclose(m.unpooled_accumulated, ref)
    np.testing.assert_array_equal(m.writes, writes)
    # non-switch cells are zero; switch cells of non-overlapping windows hold the original maximum
    assert np.all(m.unpooled[writes == 0] == 0)
    if s >= k:
        np.testing.assert_array_equal(m.unpooled[writes == 1], x[writes == 1])
    last = m.frames[-1]
    assert "largest difference 0" in last.formula and len(last.grids) == 5


def test_unpool_overlap_is_explained_and_code_runs():
    x = np.array([[1.0, 0, 0], [0, 9, 0], [0, 0, 2]])
    m = UnpoolingModel(x, 2, 1, "VALID")  # the 9 wins all four windows
    assert m.writes[1, 1, 0] == 4 and m.unpooled[1, 1, 0] == 36
    assert "switch of 4 windows so far" in m.frames[-1].formula
    ns = {}
    with tf.Graph().as_default():
        exec(m.code(), ns)
    np.testing.assert_allclose(ns["result"]["unpooled"][0], m.unpooled)


# -- the views ------------------------------------------------------------------------------------------------


def test_pooling_explorer_view():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import PoolingExplorer

    w = PoolingExplorer(kind="max", ksize=3, stride=2, padding="SAME", input_size=5)
    assert w.player.max == 8 and "−∞" in w._slots[0].table.value
    assert w._slots[0].table.value.count("ttf-switch") == 1
    w.player.value = 8
    assert "argmax switches" in w._slots[2].title.value and w._slots[2].table.value.count("ttf-pending") == 0
    w.controls["kind"].value = "avg"
    assert "divisor" in w._slots[2].title.value and ">4</td>" in w._slots[2].table.value
    assert "divides by the in-bounds cells" in w.info.value
    w.controls["mode"].value = "backward"
    assert w.player.max == 9 and "dL/dx so far" in w._slots[2].title.value
    ns = {}
    with tf.Graph().as_default():
        exec(w.show_code(), ns)
    np.testing.assert_allclose(ns["result"]["dx"][0], w.model.grad_input, atol=1e-6)


def test_unpooling_explorer_view():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import UnpoolingExplorer

    w = UnpoolingExplorer(ksize=3, stride=1, input_size=5)
    assert "windows overlap" in w.info.value and len(w._slots) == 5
    w.player.value = w.player.max
    np.testing.assert_allclose(w.frame.grids[3].values, w.model.unpooled[:, :, 0])
    w.controls["stride"].value = 3
    assert "do not overlap" in w.info.value

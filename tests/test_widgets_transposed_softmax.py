"""TransposedConvModel (scatter and gather views) and SoftmaxModel, with their explorers."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.widgets.models.softmax import ROWS, SoftmaxModel
from teachtf.widgets.models.transposed import TransposedConvModel


def forward_pads(n, k, s, padding):
    if padding == "VALID":
        return 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def transposed_reference(v, k, s, n_out, padding):
    """Scatter written as loops: each input cell adds value·kernel at offset i·s, then the forward pads are cropped."""
    (h, w), (kh, kw) = v.shape, k.shape
    (t, b), (lft, r) = forward_pads(n_out[0], kh, s, padding), forward_pads(n_out[1], kw, s, padding)
    canvas = np.zeros((n_out[0] + t + b, n_out[1] + lft + r))
    counts = np.zeros_like(canvas)
    for i in range(h):
        for j in range(w):
            canvas[i * s:i * s + kh, j * s:j * s + kw] += v[i, j] * k
            counts[i * s:i * s + kh, j * s:j * s + kw] += 1
    return canvas[t:t + n_out[0], lft:lft + n_out[1]], counts


CASES = [((2, 2), (3, 3), 2, "SAME", (4, 4)), ((2, 2), (3, 3), 2, "SAME", (3, 3)), ((3, 2), (3, 3), 2, "VALID", (7, 6)),
         ((2, 3), (2, 2), 3, "SAME", (5, 8)), ((3, 3), (3, 3), 1, "SAME", (3, 3)), ((2, 2), (4, 4), 2, "VALID", (6, 6))]


@pytest.mark.parametrize("vs,ks,s,pad,n_out", CASES)
def test_scatter_and_gather_views_agree_with_conv2d_transpose(vs, ks, s, pad, n_out):
    rng = np.random.default_rng(9)
    v = rng.integers(-2, 4, size=vs).astype(float)
    k = rng.integers(-1, 3, size=ks).astype(float)
    ref, counts = transposed_reference(v, k, s, n_out, pad)
    m = TransposedConvModel(v, k, s, pad, n_out)
    np.testing.assert_allclose(m.output, ref, atol=1e-5)  # the engine's conv2d_transpose
    np.testing.assert_allclose(m.output_scatter, ref, atol=1e-9)  # stamps, cropped
    np.testing.assert_allclose(m.output_gather, ref, atol=1e-5)  # zero insertion + flipped-kernel conv2d
    np.testing.assert_array_equal(m.overlap_counts, counts)  # transposed-conv overlap counts
    assert len(m.frames) == v.size + 1
    stamp = m.frames[1].extra["stamp"]
    assert stamp.sum() == k.size and stamp[0, 0]
    np.testing.assert_allclose(m.frames[-1].grids[-1].values, ref, atol=1e-9)
    g = TransposedConvModel(v, k, s, pad, n_out, view="gather")
    assert len(g.frames) == n_out[0] * n_out[1]
    for f in g.frames:
        r, c = f.cell
        assert f.extra["sum"] == pytest.approx(ref[r, c], abs=1e-5) and f.value == pytest.approx(ref[r, c], abs=1e-5)
    zi = g.frames[0].grids[1]
    assert zi.mask("inserted").sum() == (vs[0] - 1) * (s - 1) * vs[1] + (vs[1] - 1) * (s - 1) * vs[0] \
        + (vs[0] - 1) * (vs[1] - 1) * (s - 1) ** 2
    np.testing.assert_array_equal(g.flipped, k[::-1, ::-1])


def test_transposed_output_size_is_validated_and_code_runs():
    with pytest.raises(ValueError, match=r"possible sizes: \[3, 4\]"):
        TransposedConvModel(np.ones((2, 2)), np.ones((3, 3)), 2, "SAME", (5, 5))
    with pytest.raises(ValueError, match="single-channel"):
        TransposedConvModel(np.ones((2, 2, 3)), np.ones((3, 3)))
    m = TransposedConvModel(np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((3, 3)), 2, "SAME")
    assert m.output_size == (4, 4) and "possible" not in m.frames[1].formula
    assert "stamps overlap" in m.frames[2].formula
    ns = {}
    with tf.Graph().as_default():
        exec(m.code(), ns)
    np.testing.assert_allclose(ns["result"]["out"][0, :, :, 0], m.output)


def test_transposed_explorer_view():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import TransposedConvExplorer

    w = TransposedConvExplorer(input_size=2, kernel="ones", stride=2, padding="SAME")
    assert w.controls["output_size"].options == (3, 4) and w.controls["output_size"].value == 4
    assert "input (value) [1, 2, 2, 1]" in w._slots[0].title.value and "output" in w._slots[-1].title.value
    assert "overlap count" in w._slots[3].title.value
    w.player.value = 4
    assert w._slots[2].table.value.count("ttf-stamp") == 9
    w.controls["view"].value = "gather"
    assert "zero-inserted" in w._slots[1].title.value and "ttf-inserted" in w._slots[1].table.value
    w.controls["padding"].value = "VALID"
    assert w.controls["output_size"].options == (5, 6) and w.model.output.shape == (6, 6)
    w.controls["output_size"].value = 5
    assert w.model.output.shape == (5, 5)


# -- softmax ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("z,T,label", [([2.0, 1.0, 0.1], 1.0, 0), ([1.0, 3.0, -2.0, 0.5], 0.5, 3),
                                       ([1000.0, 999.0, 0.0], 2.0, 1)])
def test_softmax_pipeline_rows(z, T, label):
    m = SoftmaxModel(z, T, label)
    z = np.array(z)
    zt = z / T
    shifted = zt - zt.max()
    p = np.exp(shifted) / np.exp(shifted).sum()
    y = np.eye(len(z))[label]
    r = m.rows
    np.testing.assert_allclose(r["z_t"], zt, rtol=1e-6)
    np.testing.assert_allclose(r["shifted"], shifted, atol=1e-4)
    np.testing.assert_allclose(r["exp"], np.exp(shifted), rtol=1e-5, atol=1e-30)  # float32 underflows to 0
    np.testing.assert_allclose(r["p"], p, rtol=1e-5, atol=1e-30)
    np.testing.assert_allclose(r["softmax"], p, rtol=1e-5, atol=1e-30)
    np.testing.assert_allclose(r["log_p"], shifted - np.log(np.exp(shifted).sum()), atol=1e-4)
    assert r["loss"] == pytest.approx(-np.log(p[label]) if p[label] > 0 else -r["log_p"][label], rel=1e-4)
    np.testing.assert_allclose(r["grad_zt"], p - y, atol=1e-6)
    np.testing.assert_allclose(r["grad_z"], (p - y) / T, atol=1e-6)
    assert len(m.frames) == len(ROWS)
    assert all(len(f.grids) == len(ROWS) for f in m.frames)  # the layout never changes while stepping
    assert m.frames[-1].grids[-1].mask("current").all()
    assert m.frames[3].grids[4].mask("pending").all() and m.frames[3].grids[4].text[(0, 0)] == ""
    overflow = not np.all(np.isfinite(r["naive_exp"]))
    assert overflow == (zt.max() > 88.7)
    assert ("overflowed" in m.frames[2].formula) == overflow


def test_softmax_bad_input_and_code():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        SoftmaxModel([1.0, 2.0], 0.0, 0)
    with pytest.raises(ValueError, match=r"label must be a class index in \[0, 2\)"):
        SoftmaxModel([1.0, 2.0], 1.0, 2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        SoftmaxModel([1.0], 1.0, 0)
    m = SoftmaxModel([2.0, 1.0, 0.1], 0.5, 1)
    ns = {}
    with tf.Graph().as_default():
        exec(m.code(), ns)
    np.testing.assert_allclose(ns["result"]["p"], m.rows["p"], rtol=1e-6)
    np.testing.assert_allclose(ns["result"]["dz"], m.rows["grad_z"], atol=1e-6)
    assert ns["result"]["loss"] == pytest.approx(float(m.rows["loss"]), rel=1e-6)


def test_softmax_explorer_view():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import SoftmaxExplorer
    from teachtf.widgets.views.softmax_view import parse_logits

    w = SoftmaxExplorer(logits=[2.0, 1.0, 0.1], label=0, class_names=["cat", "dog", "fish"])
    assert w.player.value == len(ROWS) - 1  # starts with the whole pipeline shown
    assert w.extra.value.count('class="ttf-bar"') == 3 and ">cat<" in w.extra.value
    w.player.value = 1
    assert "p = ?" in w.extra.value and len(w._slots) == len(ROWS)
    w.controls["temperature"].value = 10.0
    w.player.value = len(ROWS) - 1
    p = w.model.probabilities
    assert p.max() - p.min() < 0.1  # a high temperature flattens the distribution
    w.controls["logits"].value = "1, 2, 3, 4"
    assert "4 class names for" not in w.error.value and "3 class names for 4 logits" in w.error.value
    w2 = SoftmaxExplorer(logits=[1.0, 2.0])
    w2.controls["logits"].value = "1, 2, 3, 4"
    assert w2.controls["label"].options[-1][1] == 3 and w2.model.z.size == 4
    w2.controls["logits"].value = "1, two"
    assert "&#x27;two&#x27; is not a number" in w2.error.value
    np.testing.assert_array_equal(parse_logits("−1 2,3"), [-1.0, 2.0, 3.0])


def test_static_figures_for_handouts():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from teachtf.widgets import PoolingExplorer, SoftmaxExplorer, TransposedConvExplorer, UnpoolingExplorer

    for widget, n_axes in ((SoftmaxExplorer(), len(ROWS)), (TransposedConvExplorer(start_frame=2), 5),
                           (PoolingExplorer(kind="avg"), 3), (UnpoolingExplorer(), 5)):
        fig = widget.to_figure()
        titles = [ax.get_title() for ax in fig.axes]
        assert sum(1 for t in titles if "[" in t) == n_axes  # every panel titled with its shape
        assert any(t.strip() for t in titles)

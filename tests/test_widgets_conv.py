"""ConvolutionModel and ConvolutionExplorer: frames against tf.nn.conv2d and a plain NumPy reference."""

import numpy as np
import pytest

import teachtf as tf
from teachtf.widgets.models.conv import ConvolutionModel
from teachtf.widgets.models.conv_presets import input_preset, kernel_preset


def same_pads(n, k, s, d):
    k_eff = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + k_eff - n, 0)
    return out, total // 2, total - total // 2


def conv2d_reference(x, w, s, d, padding):
    """y[i, j, o] = Σ_{di, dj, c} x_pad[i·s + di·d, j·s + dj·d, c] · w[di, dj, c, o], written as loops."""
    h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    if padding == "SAME":
        oh, top, bottom = same_pads(h, kh, s, d)
        ow, left, right = same_pads(wd, kw, s, d)
    else:
        oh = (h - ((kh - 1) * d + 1)) // s + 1
        ow = (wd - ((kw - 1) * d + 1)) // s + 1
        top = bottom = left = right = 0
    xp = np.zeros((h + top + bottom, wd + left + right, c_in))
    xp[top:top + h, left:left + wd] = x
    y = np.zeros((oh, ow, c_out))
    for i in range(oh):
        for j in range(ow):
            for o in range(c_out):
                for di in range(kh):
                    for dj in range(kw):
                        for c in range(c_in):
                            y[i, j, o] += xp[i * s + di * d, j * s + dj * d, c] * w[di, dj, c, o]
    return y, xp, (top, left)


CASES = [  # input (h, w, c_in), kernel (kh, kw, c_out), stride, dilation, padding
    ((5, 5, 1), (3, 3, 1), 1, 1, "VALID"),
    ((6, 6, 1), (3, 3, 1), 2, 1, "SAME"),  # asymmetric split: pad bottom/right only
    ((7, 5, 2), (3, 2, 2), 2, 1, "SAME"),  # odd sizes, even kernel width, two channels in and out
    ((7, 7, 1), (3, 3, 1), 1, 2, "VALID"),  # dilation
    ((5, 6, 3), (2, 3, 1), 3, 1, "SAME"),
]


@pytest.mark.parametrize("xs,ks,s,d,pad", CASES)
def test_forward_frames_match_engine_and_reference(xs, ks, s, d, pad):
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=xs).astype(float)
    w = rng.integers(-2, 3, size=(ks[0], ks[1], xs[2], ks[2])).astype(float)
    bias = rng.integers(-1, 2, size=ks[2]).astype(float)
    m = ConvolutionModel(x, w, bias, stride=s, padding=pad, dilation=d)
    ref, xp, (top, left) = conv2d_reference(x, w, s, d, pad)
    ref = ref + bias
    assert m.output.shape == ref.shape
    np.testing.assert_allclose(m.output, ref, atol=1e-4)
    np.testing.assert_array_equal(m.x_pad, xp)
    assert len(m.frames) == ref.size
    for f in m.frames:
        o, i, j = f.cell
        assert f.value == pytest.approx(ref[i, j, o], abs=1e-4)  # every output cell
        assert f.extra["sum"] == pytest.approx(ref[i, j, o], abs=1e-4)  # the written-out dot product adds up
        assert f.extra["rows"] == [i * s + t * d for t in range(w.shape[0])]
        window = f.grids[0].mask("window")
        assert window.sum() == w.shape[0] * w.shape[1]
        out_grid = f.grids[-1]
        assert out_grid.mask("current")[i, j] and out_grid.mask("current").sum() == 1
        assert out_grid.mask("pending").sum() == ref.shape[0] * ref.shape[1] - (i * ref.shape[1] + j) - 1
    # the padding cells drawn are exactly the ones the reference added
    pad_mask = m.frames[0].grids[0].mask("padding")
    assert pad_mask.sum() == xp.shape[0] * xp.shape[1] - xs[0] * xs[1]
    assert not pad_mask[top, left]


def test_all_ones_stride_two_demo_shows_the_asymmetric_split():
    m = ConvolutionModel(np.ones((6, 6)), np.ones((3, 3)), stride=2, padding="SAME")
    np.testing.assert_array_equal(m.output[:, :, 0], [[9, 9, 6], [9, 9, 6], [6, 6, 4]])
    assert (m.plan_h.pad_before, m.plan_h.pad_after) == (0, 1)
    assert "top 0, bottom 1" in m.size_formula()[0]
    last = m.frames[-1]
    assert "running sum: 1 → 2 → 2 → 3 → 4 → 4 → 4 → 4 → 4" in last.formula
    assert "pad T0 B1 L0 R1" in last.grids[0].title and "[1, 6, 6, 1]" in last.grids[0].title


def test_backward_frames_accumulate_to_tf_gradients():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, size=(5, 4, 2)).astype(float)
    w = rng.integers(-2, 3, size=(3, 3, 2, 2)).astype(float)
    dy_shape = (3, 2, 2)
    dy = rng.integers(-2, 3, size=dy_shape).astype(float)
    m = ConvolutionModel(x, w, stride=2, padding="SAME", mode="backward", upstream=dy)
    # independent reference: the adjoint written as loops over output cells
    _, xp, (top, left) = conv2d_reference(x, w, 2, 1, "SAME")
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for i in range(3):
        for j in range(2):
            for o in range(2):
                dxp[i * 2:i * 2 + 3, j * 2:j * 2 + 3] += dy[i, j, o] * w[:, :, :, o]
                dw[:, :, :, o] += dy[i, j, o] * xp[i * 2:i * 2 + 3, j * 2:j * 2 + 3]
    dx = dxp[top:top + 5, left:left + 4]
    np.testing.assert_allclose(m.grad_input, dx, atol=1e-4)
    np.testing.assert_allclose(m.grad_kernel, dw, atol=1e-4)
    np.testing.assert_allclose(m.grad_input_accumulated, dx, atol=1e-9)
    np.testing.assert_allclose(m.grad_kernel_accumulated, dw, atol=1e-9)
    assert len(m.frames) == dy.size + 1
    first = m.frames[0]
    assert first.value == dy[0, 0, 0]
    assert "dL/dy" in first.grids[0].title
    final = m.frames[-1]
    assert final.caption.startswith("result") and len(final.grids) == len(first.grids)
    with tf.Graph().as_default():  # cross-check against tf.gradients directly, with the same numbers
        xt, wt = tf.constant(x[None], tf.float32), tf.constant(w, tf.float32)
        y = tf.nn.conv2d(xt, wt, [1, 2, 2, 1], "SAME")
        gx, gw = tf.gradients(y, [xt, wt], grad_ys=tf.constant(dy[None], tf.float32))
        with tf.Session() as sess:
            gx, gw = sess.run([gx, gw])
    np.testing.assert_allclose(m.grad_input, gx[0], atol=1e-5)
    np.testing.assert_allclose(m.grad_kernel, gw, atol=1e-5)


def test_weight_sharing_frames():
    m = ConvolutionModel(np.arange(25.0).reshape(5, 5), np.ones((3, 3)), stride=2, padding="SAME", mode="sharing")
    assert len(m.frames) == 9
    f = m.frames[0]  # weight (0, 0): top-left tap reads padded row/col 0, 2, 4 -> with pad 1 that is x rows -1, 1, 3
    assert f.cell == (0, 0, 0, 0)
    touched = f.extra["touched"]
    assert touched.sum() == 9 and touched[0, 0] and touched[2, 4]
    assert f.extra["real_outputs"].sum() == 4  # only output cells (1..2, 1..2) read real input with this tap
    assert "4 of them real input and 5 padding" in f.formula
    assert f.grids[0].mask("touched").sum() == 9
    assert f.grids[1].mask("selected")[0, 0]


def test_show_code_runs_and_reproduces_the_output():
    rng = np.random.default_rng(5)
    m = ConvolutionModel(rng.integers(0, 5, size=(5, 5, 2)).astype(float),
                         rng.integers(-2, 3, size=(3, 3, 2, 2)).astype(float), bias=[0.5, -1.0], stride=2,
                         padding="SAME", mode="backward")
    code = m.code()
    assert "tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding='SAME'" in code
    ns = {}
    with tf.Graph().as_default():
        exec(code, ns)
    np.testing.assert_allclose(ns["result"]["y"][0], m.output, atol=1e-5)
    np.testing.assert_allclose(ns["result"]["dx"][0], m.grad_input, atol=1e-5)
    np.testing.assert_allclose(ns["result"]["dw"], m.grad_kernel, atol=1e-5)


def test_bad_input():
    with pytest.raises(ValueError, match="kernel expects 2 input channel"):
        ConvolutionModel(np.zeros((4, 4, 1)), np.zeros((3, 3, 2, 1)))
    with pytest.raises(ValueError, match="Negative dimension size"):
        ConvolutionModel(np.zeros((2, 2)), np.zeros((3, 3)), padding="VALID")
    with pytest.raises(ValueError, match="mode must be one of"):
        ConvolutionModel(np.zeros((4, 4)), np.zeros((3, 3)), mode="sideways")
    with pytest.raises(ValueError, match="kernel must be 2-D"):
        ConvolutionModel(np.zeros((4, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="3×3"):
        kernel_preset("sobel_x", 5, 5)


def test_accepts_engine_tensors():
    x = tf.constant(np.arange(16.0).reshape(1, 4, 4, 1), tf.float32)
    k = tf.constant(np.ones((2, 2, 1, 1)), tf.float32)
    m = ConvolutionModel(x, k)
    np.testing.assert_allclose(m.output[:, :, 0], conv2d_reference(np.arange(16.0).reshape(4, 4, 1),
                                                                   np.ones((2, 2, 1, 1)), 1, 1, "VALID")[0][:, :, 0])


def test_static_figure():
    pytest.importorskip("matplotlib")
    m = ConvolutionModel(input_preset("ramp", 4, 4), kernel_preset("identity", 3, 3), padding="SAME")
    fig = m.figure(5)
    assert len(fig.axes) >= 4 and "input x" in fig.axes[0].get_title()


# -- the view ----------------------------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import ConvolutionExplorer

    return ConvolutionExplorer(input_size=6, kernel="sobel_x", stride=1, padding="VALID")


def test_view_renders_frames_and_follows_the_player(explorer):
    w = explorer
    assert w.player.max == 15 and w.frame.cell == (0, 0, 0)
    table = w._slots[0].table.value
    assert table.count("ttf-window") == 9
    w.player.value = 5
    assert w.frame.cell == (0, 1, 1)
    assert "y[0, 1, 1, 0]" in w.formula.value
    assert "[1, 4, 4, 1]" in w._slots[-1].title.value
    assert "VALID out = ⌊(n − k)/s⌋ + 1 = ⌊(6 − 3)/1⌋ + 1 = 4" in w.info.value
    assert "window read in this step" in w.legend.value


def test_view_controls_rebuild_the_model(explorer):
    w = explorer
    w.controls["padding"].value = "SAME"
    w.controls["stride"].value = 2
    assert w.model.output.shape == (3, 3, 1) and "top 0, bottom 1" in w.info.value
    w.controls["scenario"].value = "all ones, stride 2 (padding demo)"
    np.testing.assert_array_equal(w.model.output[:, :, 0], [[9, 9, 6], [9, 9, 6], [6, 6, 4]])
    w.controls["mode"].value = "backward"
    assert w.player.max == 9 and "dL/dy" in w._slots[0].title.value
    w.controls["mode"].value = "sharing"
    assert w.player.max == 8 and "touched" in w._slots[0].table.value
    w.controls["out_channels"].value = 2
    w.controls["in_channels"].value = 2
    assert w.model.kernel.shape == (3, 3, 2, 2) and len(w._slots) == 5


def test_view_kernel_editor_and_errors(explorer):
    w = explorer
    w.edit_kernel(1, 1, 4.0)
    assert w.controls["kernel"].value == "custom" and w.model.kernel[1, 1, 0, 0] == 4.0
    assert w._editor_cells[4].value == 4.0
    w.controls["kernel_size"].value = 5
    assert w.model.kernel.shape[:2] == (5, 5) and w.model.kernel[1, 1, 0, 0] == 4.0
    w.controls["size"].value = 3
    assert "Negative dimension size" in w.error.value and w.model is None and w.panels.children == ()
    with pytest.raises(ValueError, match="no valid parameters"):
        w.show_code()
    w.controls["padding"].value = "SAME"
    assert w.error.value == "" and w.model is not None
    w.controls["kernel"].value = "laplacian"  # a 3×3 preset sets the kernel size to 3
    assert w.controls["kernel_size"].value == 3 and w.model.kernel[1, 1, 0, 0] == -4


def test_view_show_code_hide_controls_and_custom_input():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import ConvolutionExplorer

    x = np.arange(20.0).reshape(4, 5)
    w = ConvolutionExplorer(input=x, kernel=np.array([[1.0, -1.0]]), hide_controls=("size", "mode"), seed=3)
    assert w.controls["size"].layout.display == "none" and w.controls["stride"].layout.display != "none"
    np.testing.assert_array_equal(w.model.output[:, :, 0], x[:, :-1] - x[:, 1:])
    w.code_button.value = True
    assert "tf.nn.conv2d" in w.code_area.value
    ns = {}
    with tf.Graph().as_default():
        exec(w.show_code(), ns)
    np.testing.assert_allclose(ns["result"]["y"][0], w.model.output)
    with pytest.raises(ValueError, match="unknown control"):
        ConvolutionExplorer(hide_controls=("sizes",))
    fixed = ConvolutionExplorer(hide_controls=True)
    assert all(c.layout.display == "none" for c in fixed.controls.values())


def test_view_draws_large_maps_as_images():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets import ConvolutionExplorer

    image = np.random.default_rng(0).random((20, 20))
    w = ConvolutionExplorer(input=image, kernel="sobel_x", padding="SAME")
    slot = w._slots[0]
    assert slot.children[1] is slot.image and slot.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert w._slots[1].children[1] is w._slots[1].table  # the 3×3 kernel stays a table of numbers
    assert w.player.max == 399
    w.player.value = 250
    assert w.frame.cell == (0, 12, 10)


@pytest.mark.oracle
def test_frames_match_tensorflow(tf1):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(7, 6, 2))
    w = rng.normal(size=(3, 2, 2, 3))
    dy = rng.normal(size=(4, 3, 3))
    m = ConvolutionModel(x, w, stride=2, padding="SAME", mode="backward", upstream=dy)
    with tf1.Graph().as_default():
        xt = tf1.constant(x[None], tf1.float32)
        wt = tf1.constant(w, tf1.float32)
        y = tf1.nn.conv2d(xt, wt, [1, 2, 2, 1], "SAME")
        gx, gw = tf1.gradients(y, [xt, wt], grad_ys=tf1.constant(dy[None], tf1.float32))
        with tf1.Session() as sess:
            y, gx, gw = sess.run([y, gx, gw])
    np.testing.assert_allclose(m.output, y[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose([f.value for f in m.frames[:-1]], dy.transpose(2, 0, 1).ravel())
    np.testing.assert_allclose(m.grad_input_accumulated, gx[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(m.grad_kernel_accumulated, gw, rtol=1e-4, atol=1e-4)

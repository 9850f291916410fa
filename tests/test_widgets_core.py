"""teachtf.widgets building blocks: padding arithmetic, colour scale, PNG, frames, HTML grids, inputs, player."""

import struct
import zlib

import numpy as np
import pytest

import teachtf as tf
from teachtf.widgets import arrays, codegen, colors, frames, padding, png, render_html


# -- padding arithmetic (API.md §10.3) -----------------------------------------------------------------


def brute_force_same(n, k, s, d):
    """SAME by search: the smallest symmetric-or-bottom-heavy padding whose windows cover ⌈n/s⌉ outputs."""
    out = -(-n // s)
    k_eff = (k - 1) * d + 1
    total = max((out - 1) * s + k_eff - n, 0)
    return out, total // 2, total - total // 2


@pytest.mark.parametrize("n", range(1, 10))
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_plan_axis_matches_the_formulas(n, k, s):
    plan = padding.plan_axis(n, k, s, "SAME")
    assert (plan.out, plan.pad_before, plan.pad_after) == brute_force_same(n, k, s, 1)
    assert plan.pad_after - plan.pad_before in (0, 1)  # any odd extra cell goes at the end
    # every window lies inside the padded input and the last one reaches it
    assert plan.window_cells(plan.out - 1)[-1] < plan.padded
    if n >= k:
        v = padding.plan_axis(n, k, s, "VALID")
        assert v.out == len(range(0, n - k + 1, s)) and v.pad_total == 0


def test_plan_axis_dilation_and_errors():
    plan = padding.plan_axis(7, 3, 1, "VALID", d=2)
    assert plan.k_eff == 5 and plan.out == 3 and plan.window_cells(0) == [0, 2, 4]
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 3 from 2"):
        padding.plan_axis(2, 3, 1, "VALID")
    with pytest.raises(ValueError, match="upper case"):
        padding.plan_axis(5, 3, 1, "same")
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        padding.plan_axis(5, 3, 0, "SAME")


def test_formula_lines_show_the_numbers():
    lines = padding.plan_axis(6, 3, 2, "SAME").formula_lines("height")
    assert lines == ["height: SAME out = ⌈n/s⌉ = ⌈6/2⌉ = 3; pad = max((out − 1)·s + k − n, 0) = max(2·2 + 3 − 6, 0) = "
                     "1 → top 0, bottom 1"]
    assert "⌊(7 − 3)/2⌋ + 1 = 3" in padding.plan_axis(7, 3, 2, "VALID").formula_lines()[0]


def test_transposed_output_sizes_map_back():
    for n_in, k, s, pad in [(2, 3, 2, "SAME"), (3, 3, 2, "VALID"), (4, 2, 3, "SAME")]:
        sizes = padding.transposed_output_sizes(n_in, k, s, pad)
        assert sizes and all(padding.output_size(n, k, s, pad) == n_in for n in sizes)
    assert padding.transposed_output_sizes(2, 3, 2, "SAME") == [3, 4]


# -- colours, numbers, PNG, code literals -------------------------------------------------------------------


def test_symmetric_scale():
    scale = colors.SymmetricScale.covering(np.array([-2.0, 1.0]), np.array([[0.5]]))
    assert scale.vmax == 2.0
    assert scale.css(0.0) == "#f7f7f7"
    pos, neg = scale.rgb(1.5), scale.rgb(-1.5)
    assert pos[0] > pos[2] and neg[2] > neg[0]  # red for positive, blue for negative
    assert np.abs(pos.astype(int) - scale.rgb(1.5)).max() == 0
    assert scale.text_css(2.0) == "#fff" and scale.text_css(0.0) == "#000"
    assert colors.SymmetricScale.covering(np.zeros(3)).vmax == 1.0
    assert "−2" in scale.legend_html() and "linear-gradient" in scale.legend_html()


@pytest.mark.parametrize("value,text", [(3.0, "3"), (-2.0, "−2"), (0.125, "0.125"), (1 / 3, "0.333"),
                                        (-np.inf, "−∞"), (1e-7, "1e−7"), (float("nan"), "nan")])
def test_format_number(value, text):
    assert colors.format_number(value) == text


def test_png_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3)).astype(np.uint8)
    data = png.png_bytes(rgb)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (7, 5)
    length = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41:41 + length])
    rows = np.frombuffer(raw, np.uint8).reshape(5, 1 + 7 * 3)
    assert np.all(rows[:, 0] == 0) and np.array_equal(rows[:, 1:].reshape(5, 7, 3), rgb)
    assert png.upscale(rgb, 3).shape == (15, 21, 3)
    with pytest.raises(ValueError, match=r"\(h, w, 3\)"):
        png.png_bytes(np.zeros((2, 2)))


def test_code_literals_read_back_exactly():
    values = np.array([0.1, -1.0, 3.0, 1 / 3, 1e-8], np.float32)
    text = codegen.array_literal(values)
    assert text.startswith("[0.1, -1., 3.,")
    assert np.array_equal(np.array(eval(text), np.float32), values)  # noqa: S307 - test of our own literal
    lines = codegen.filled_array_code("w", np.arange(8.0).reshape(2, 2, 2, 1), "kernel")
    ns = {"np": np}
    exec("\n".join(lines), ns)
    assert np.array_equal(ns["w"], np.arange(8.0).reshape(2, 2, 2, 1))


# -- frames and HTML ---------------------------------------------------------------------------------------


def test_grid_validates_marks():
    with pytest.raises(ValueError, match="Unknown mark 'glow'"):
        frames.Grid("g", np.zeros((2, 2)), {"glow": np.zeros((2, 2), bool)})
    with pytest.raises(ValueError, match="has shape"):
        frames.Grid("g", np.zeros((2, 2)), {"window": np.zeros((3, 2), bool)})
    with pytest.raises(ValueError, match="2-D"):
        frames.Grid("g", np.zeros(3))


def test_grid_table_html_cells_and_marks():
    g = frames.Grid("input x [1, 2, 3, 1]", np.array([[1.0, -2.0, 0.0], [0.5, 4.0, 3.0]]),
                    {"window": frames.box_mask((2, 3), [0, 1], [1]), "padding": frames.cell_mask((2, 3), 0, 2)},
                    text={(1, 2): "−∞"}, row0=-1)
    html = render_html.grid_table_html(g, colors.SymmetricScale(4.0))
    assert html.count("<td") == 6
    assert html.count("ttf-window") == 2 and html.count("ttf-padding") == 1
    assert ">−∞</td>" in html and ">−2</td>" in html
    assert ">-1</th>" in html  # rows labelled from row0
    full = render_html.grid_html(g, colors.SymmetricScale(4.0))
    assert "input x [1, 2, 3, 1]" in full


def test_large_grids_become_images():
    g = frames.Grid("map", np.random.default_rng(1).normal(size=(20, 16)),
                    {"window": frames.box_mask((20, 16), [0, 1], [0, 1])})
    assert render_html.is_large(g)
    img = render_html.grid_rgb(g, colors.SymmetricScale(3.0), px=4)
    assert img.shape == (80, 64, 3)
    assert tuple(img[0, 0]) == (0xFF, 0x98, 0x00)  # the window outline colour
    assert "data:image/png;base64," in render_html.grid_html(g, colors.SymmetricScale(3.0))


def test_lazy_frames():
    made = []
    lf = frames.LazyFrames(3, lambda i: made.append(i) or frames.Frame([], f"f{i}"))
    assert len(lf) == 3 and lf[-1].formula == "f2" and lf[2] is lf[-1] and made == [2]
    assert [f.formula for f in lf] == ["f0", "f1", "f2"]
    with pytest.raises(IndexError):
        lf[3]


# -- inputs ---------------------------------------------------------------------------------------------------


def test_to_numpy_accepts_arrays_lists_and_tensors():
    assert arrays.to_numpy([[1, 2]]).dtype == np.float64
    c = tf.constant([[1.0, 2.0]])
    assert np.array_equal(arrays.to_numpy(c), [[1.0, 2.0]])
    v = tf.Variable([3.0, 4.0])
    with pytest.raises(ValueError, match="session=sess"):
        arrays.to_numpy(v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert np.array_equal(arrays.to_numpy(v, sess), [3.0, 4.0])
    p = tf.placeholder(tf.float32, [2])
    with pytest.raises(ValueError, match="feed_dict"):
        arrays.to_numpy(p * 2.0)
    with pytest.raises(ValueError, match="NaN"):
        arrays.to_numpy([1.0, np.nan])
    with pytest.raises(ValueError, match="must be numeric"):
        arrays.to_numpy(["a"])
    assert arrays.as_image(np.zeros((1, 4, 5, 2))).shape == (4, 5, 2)
    assert arrays.as_image(np.zeros((4, 5))).shape == (4, 5, 1)


def test_to_numpy_accepts_cupy_arrays_when_available():
    cupy = pytest.importorskip("cupy")
    try:
        a = cupy.arange(4.0)
    except Exception as e:  # noqa: BLE001 - CuPy installed without a usable GPU
        pytest.skip(f"CuPy cannot allocate: {e}")
    assert np.array_equal(arrays.to_numpy(a), np.arange(4.0))


def test_player_steps_and_clamps():
    pytest.importorskip("ipywidgets")
    from teachtf.widgets.views.player import Player

    p = Player(5)
    seen = []
    p.observe_frame(seen.append)
    p.step(+1)
    p.forward.click()
    p.back.click()
    assert seen == [1, 2, 1]
    p.value = 99
    assert p.value == 5
    p.set_max(3)
    assert p.value == 3 and p.play.max == 3
    p.speed.value = 150
    assert p.play.interval == 150


def test_a_view_without_ipywidgets_says_how_to_install_it():
    """Run in a fresh interpreter where importing ipywidgets fails, as in a plain `pip install teachtf`."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "import teachtf.widgets as w\n"
            "assert w.ConvolutionModel is not None\n"
            "try:\n"
            "    w.ConvolutionExplorer\n"
            "except ModuleNotFoundError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "teachtf.widgets.ConvolutionExplorer needs ipywidgets 8" in out and "teachtf[lessons]" in out

"""Unit tests of lessons/_support.py: self-checks, MNIST lookup and partial loading, and the plotting helpers."""

import importlib.util
import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import teachtf as tf  # noqa: E402
from teachtf.datasets.idx import write_idx  # noqa: E402

_PATH = os.path.join(os.path.dirname(__file__), os.pardir, "lessons", "_support.py")
_spec = importlib.util.spec_from_file_location("lessons_support", _PATH)
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SHARED_MNIST = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "shared", "data", "mnist")


# --------------------------------------------------------------------------------------------- check routines

def test_check_prints_one_line_on_success(capsys):
    assert support.check("shapes agree", True, "unused hint") is None
    assert capsys.readouterr().out == "✓ shapes agree\n"


def test_check_raises_with_hint_and_renders_without_traceback():
    with pytest.raises(support.CheckFailedError) as info:
        support.check("loss decreased", False, "lower the learning rate")
    assert str(info.value) == "✗ loss decreased — lower the learning rate"
    assert isinstance(info.value, AssertionError)  # plain `assert`-style failure for nbval and CI
    assert info.value._render_traceback_() == ["✗ loss decreased — lower the learning rate"]


def test_check_without_hint():
    with pytest.raises(support.CheckFailedError, match=r"^✗ label$"):
        support.check("label", 0)


def test_check_equal_compares_contents_of_numpy_and_python_values(capsys):
    support.check_equal("names", ["a:0", "b:0"], ("a:0", "b:0"))
    support.check_equal("scalar", np.int32(20), 20)
    support.check_equal("shapes", {"W": np.array([3, 4])}, {"W": [3, 4]})
    assert capsys.readouterr().out.count("✓") == 3
    with pytest.raises(support.CheckFailedError, match=r"expected \['x:0'\], got \['x_1:0'\]"):
        support.check_equal("names", ["x_1:0"], ["x:0"], hint="reused names get _1")


def test_check_close_tolerances_shapes_and_nan(capsys):
    support.check_close("close", [1.0, 2.0], np.array([1.0, 2.0 + 1e-7]))
    assert "✓ close" in capsys.readouterr().out
    with pytest.raises(support.CheckFailedError, match="largest difference 0.1"):
        support.check_close("far", [1.0, 2.1], [1.0, 2.0], rtol=0, atol=1e-3)
    with pytest.raises(support.CheckFailedError, match=r"shapes differ: \(2,\) vs expected \(2, 1\)"):
        support.check_close("shape", [1.0, 2.0], [[1.0], [2.0]])
    with pytest.raises(support.CheckFailedError, match="non-finite"):
        support.check_close("nan", [np.nan], [np.nan])


# --------------------------------------------------------------------------------------------- data lookup

@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """An empty $TEACHTF_DATA_DIR and user cache, so only files the test writes are found."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("TEACHTF_DATA_DIR", str(root))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TEACHTF_DATA_FALLBACK", raising=False)
    return root


def _write_mnist(folder, n_train=None, n_test=None, seed=0):
    """Small IDX files with MNIST's names: images are the label value spread over a 28x28 image."""
    rng = np.random.RandomState(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        if n is None:
            continue
        labels = rng.randint(0, 10, n).astype(np.uint8)
        images = np.repeat(labels[:, None, None] * 25, 28, axis=1).repeat(28, axis=2).astype(np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)


def test_data_dir_prefers_a_folder_holding_files(data_root):
    empty_default = support.data_dir("mnist")
    assert empty_default == os.path.join(str(data_root), "mnist")  # nothing anywhere: the first folder searched
    _write_mnist(data_root / "MNIST_data", n_test=5)  # a later spelling on the search path
    assert support.data_dir("mnist") == os.path.join(str(data_root), "MNIST_data")


def test_missing_files_and_has_full_dataset(data_root):
    folder = data_root / "mnist"
    assert support.missing_files(str(folder)) == list(support.MNIST_FILES)
    _write_mnist(folder, n_test=5)
    assert support.missing_files(str(folder)) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert not support.has_full_dataset(str(folder))
    _write_mnist(folder, n_train=20, n_test=5)
    os.rename(folder / "t10k-labels-idx1-ubyte.gz", folder / "t10k-labels-idx1-ubyte")  # uncompressed is fine
    assert support.missing_files(str(folder)) == []
    assert support.has_full_dataset(str(folder))


def test_load_mnist_with_all_files_is_read_data_sets(data_root, capsys):
    folder = data_root / "mnist"
    _write_mnist(folder, n_train=30, n_test=12)
    ds = support.load_mnist(str(folder), one_hot=True, validation_size=10)
    assert "NOTICE" not in capsys.readouterr().out
    assert (ds.train.num_examples, ds.validation.num_examples, ds.test.num_examples) == (20, 10, 12)
    assert ds.train.images.shape == (20, 784) and ds.train.images.dtype == np.float32
    assert ds.train.labels.shape == (20, 10) and ds.train.labels.dtype == np.float64
    # pixel value = 25 * label, scaled by 1/255
    np.testing.assert_allclose(ds.test.images[:, 0], ds.test.labels.argmax(axis=1) * 25 / 255, rtol=1e-6)
    assert support.accuracy_floor(ds, full=0.9, reduced=0.8) == 0.8  # a small training set counts as reduced


def test_load_mnist_with_only_test_files_splits_them_and_says_so(data_root, capsys):
    folder = data_root / "mnist"
    _write_mnist(folder, n_test=10000)
    ds = support.load_mnist(str(folder), one_hot=False)
    out = capsys.readouterr().out
    assert "2 of the 4 mnist files are missing: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz" in out
    assert "STAND-IN DATA" in out
    n_train = ds.train.num_examples + ds.validation.num_examples
    assert n_train + ds.test.num_examples == 10000
    assert ds.test.num_examples == 2000 and 0 < ds.validation.num_examples < 5000
    assert ds.train.labels.ndim == 1  # class ids with one_hot=False
    images, labels = ds.train.next_batch(50)
    assert images.shape == (50, 784) and labels.shape == (50,)


def test_load_mnist_without_files_uses_the_digits_stand_in(data_root, capsys):
    pytest.importorskip("sklearn")
    ds = support.load_mnist(str(data_root / "mnist"), one_hot=True)
    out = capsys.readouterr().out
    assert "4 of the 4 mnist files are missing" in out
    for name in support.MNIST_FILES:  # the notice lists the four file names to provide
        assert name in out
    assert "not MNIST" in out
    assert ds.train.images.shape[1] == 784 and ds.train.labels.shape[1] == 10
    assert support.accuracy_floor(ds, full=0.9, reduced=0.7) == 0.7


@pytest.mark.skipif(not os.path.isfile(os.path.join(SHARED_MNIST, "t10k-labels-idx1-ubyte.gz")),
                    reason="the shared MNIST test files are not present")
def test_load_mnist_on_the_real_test_files(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TEACHTF_DATA_DIR", os.path.dirname(os.path.abspath(SHARED_MNIST)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = support.data_dir("mnist")
    assert os.path.samefile(folder, SHARED_MNIST)
    ds = support.load_mnist(folder, one_hot=True)
    labels = ds.test.labels.argmax(axis=1)
    assert ds.test.num_examples == 2000 and set(labels) == set(range(10))
    assert 0.0 <= ds.train.images.min() and ds.train.images.max() <= 1.0
    capsys.readouterr()


def test_accuracy_floor_full_training_set():
    class Split:
        num_examples = 55000

    class Datasets:
        train = Split()

    assert support.accuracy_floor(Datasets(), full=0.9, reduced=0.8) == 0.9


# --------------------------------------------------------------------------------------------- plotting

def test_show_images_draws_one_titled_panel_per_image(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    images = np.random.rand(7, 784)
    assert support.show_images(images, titles=np.arange(7), ncols=4) is None
    fig = shown[0]
    visible = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 8 and len(visible) == 7
    assert [ax.get_title() for ax in visible] == [str(i) for i in range(7)]
    assert visible[0].images[0].get_array().shape == (28, 28)
    plt.close("all")


def test_show_images_symmetric_scale_is_centred_on_zero(monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    weights = np.random.randn(2, 784)
    support.show_images(weights, cmap="RdBu_r", symmetric=True)
    for ax, w in zip(shown[0].axes, weights):
        low, high = ax.images[0].get_clim()
        assert low == -high == pytest.approx(-np.abs(w).max())
    plt.close("all")


def test_plot_histograms_reads_every_written_step(tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    values = tf.placeholder(tf.float32, [None])
    summary = tf.summary.histogram("weights", values)
    writer = tf.summary.FileWriter(str(tmp_path))
    with tf.Session() as sess:
        for step in range(3):
            writer.add_summary(sess.run(summary, {values: np.random.randn(100) + step}), step)
    writer.close()
    support.plot_histograms(str(tmp_path), "weights")
    ax = shown[0].axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["step 0", "step 1", "step 2"]
    with pytest.raises(ValueError, match="No histogram summaries tagged 'missing'"):
        support.plot_histograms(str(tmp_path), "missing")
    plt.close("all")


def test_rebin_spreads_uneven_buckets_into_a_density():
    class Histo:  # the fields of TensorBoard's HistogramProto that _rebin reads
        min, max, num = 0.0, 4.0, 10
        bucket_limit = [1.0, 1.001, 4.0, 1e12]   # a very narrow bucket, as TF's exponential buckets have
        bucket = [2, 0, 8, 0]

    edges = np.linspace(0.0, 4.0, 5)
    density = support._rebin(Histo(), edges)
    np.testing.assert_allclose(density.sum() * 1.0, 1.0)              # integrates to 1 over [min, max]
    np.testing.assert_allclose(density[0], 0.2)                        # 2 of 10 examples in [0, 1)
    np.testing.assert_allclose(density[1:], 0.8 / 3 * (3 / 2.999), rtol=1e-3)   # 8 spread over [1.001, 4]

"""teachtf.datasets: IDX parsing of the real files, search path, downloads, stand-ins, CIFAR-10, tf.keras subset."""

import gzip
import hashlib
import os
import subprocess
import sys
import tarfile

import numpy as np
import pytest

import teachtf as tf
from teachtf import datasets
from teachtf.datasets import catalog, idx, loaders

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
MNIST_TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _shared_mnist_dir():
    for root in filter(None, os.environ.get("TEACHTF_DATA_DIR", "").split(os.pathsep) +
                       [os.path.join(REPO, "..", "shared", "data")]):
        d = os.path.join(root, "mnist")
        if os.path.isfile(os.path.join(d, "t10k-images-idx3-ubyte.gz")):
            return os.path.abspath(d)
    return None


MNIST_DIR = _shared_mnist_dir()
needs_mnist = pytest.mark.skipif(MNIST_DIR is None, reason="needs the real MNIST test set (TEACHTF_DATA_DIR)")
needs_fashion = pytest.mark.skipif(not os.path.isdir(FASHION_DIR), reason="needs Debian's dataset-fashion-mnist")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No $TEACHTF_DATA_DIR, an empty user cache, no fallback from the environment."""
    monkeypatch.delenv("TEACHTF_DATA_DIR", raising=False)
    monkeypatch.delenv("TEACHTF_DATA_FALLBACK", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    datasets.set_fallback(None)
    yield tmp_path
    datasets.set_fallback(None)


def _md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


# -- the real files ------------------------------------------------------------------------------------


@needs_mnist
def test_real_mnist_test_set_parses():
    for role in ("test_images", "test_labels"):
        assert _md5(os.path.join(MNIST_DIR, catalog.MNIST.files[role].name)) == catalog.MNIST.files[role].md5
    images = idx.read_images(os.path.join(MNIST_DIR, "t10k-images-idx3-ubyte.gz"))
    labels = idx.read_labels(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"))
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == MNIST_TEST_LABEL_COUNTS
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert images.max() == 255 and images[:, 0, 0].max() == 0  # corners are background
    # A digit's ink sits in the central region, as in every MNIST image.
    assert images[:, 4:24, 4:24].sum() > 0.95 * images.sum()


@needs_fashion
def test_fashion_mnist_from_debian(isolated):
    ds = datasets.fashion_mnist(download=False)
    assert ds.source == FASHION_DIR and ds.stand_in is None
    assert ds.train_images.shape == (60000, 28, 28) and ds.test_images.shape == (10000, 28, 28)
    assert np.bincount(ds.train_labels).tolist() == [6000] * 10
    assert np.bincount(ds.test_labels).tolist() == [1000] * 10
    assert ds.class_names[9] == "Ankle boot"


# -- the IDX format and bad files ------------------------------------------------------------------------


def test_idx_roundtrip_gzip_and_raw(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    idx.write_idx(tmp_path / "a.gz", arr)
    idx.write_idx(tmp_path / "a", arr, compress=False)
    np.testing.assert_array_equal(idx.read_images(tmp_path / "a.gz"), arr)
    np.testing.assert_array_equal(idx.read_images(str(tmp_path / "a")), arr)
    with open(tmp_path / "a.gz", "rb") as f:
        np.testing.assert_array_equal(idx.read_idx(f), arr)


def test_wrong_magic_number(tmp_path):
    idx.write_idx(tmp_path / "labels.gz", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="Invalid magic number 2049 in MNIST image file: .*labels.gz"):
        idx.read_images(tmp_path / "labels.gz")
    (tmp_path / "junk").write_bytes(b"\x12\x34\x56\x78" + bytes(20))
    with pytest.raises(ValueError, match="Invalid magic number 305419896"):
        idx.read_idx(tmp_path / "junk")


def test_truncated_idx_and_gzip(tmp_path):
    idx.write_idx(tmp_path / "imgs", np.ones((10, 28, 28), np.uint8), compress=False)
    raw = (tmp_path / "imgs").read_bytes()
    (tmp_path / "short").write_bytes(raw[:-100])
    with pytest.raises(datasets.IdxFormatError, match=r"truncated: its header describes shape \[10, 28, 28\]"):
        idx.read_images(tmp_path / "short")
    (tmp_path / "short.gz").write_bytes(gzip.compress(raw)[:-20])
    with pytest.raises(datasets.IdxFormatError, match="not a valid gzip file.*truncated or corrupt"):
        idx.read_images(tmp_path / "short.gz")
    (tmp_path / "tiny").write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="too short"):
        idx.read_labels(tmp_path / "tiny")


# -- search path -----------------------------------------------------------------------------------------


def _fake_mnist(folder, n_train=12, n_test=6, compress=True):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.RandomState(0)
    ext = ".gz" if compress else ""
    arrays = {"train_images": rng.randint(0, 256, (n_train, 28, 28)), "train_labels": rng.randint(0, 10, n_train),
              "test_images": rng.randint(0, 256, (n_test, 28, 28)), "test_labels": rng.randint(0, 10, n_test)}
    for role, arr in arrays.items():
        idx.write_idx(os.path.join(folder, catalog.MNIST.files[role].name[:-3] + ext), arr, compress=compress)
    return {k: v.astype(np.uint8) for k, v in arrays.items()}


def test_search_order(isolated, monkeypatch):
    env1, env2 = str(isolated / "e1"), str(isolated / "e2")
    monkeypatch.setenv("TEACHTF_DATA_DIR", os.pathsep.join([env1, env2]))
    path = datasets.search_path("fashion-mnist", path="here")
    assert path == ["here", f"{env1}/fashion_mnist", f"{env1}/fashion-mnist", f"{env2}/fashion_mnist",
                    f"{env2}/fashion-mnist", str(isolated / "cache" / "teachtf" / "fashion_mnist"), FASHION_DIR]


def test_explicit_path_wins_over_env_and_cache(isolated, monkeypatch):
    explicit = _fake_mnist(str(isolated / "explicit"), n_train=3)
    _fake_mnist(str(isolated / "env" / "mnist"), n_train=4)
    _fake_mnist(str(isolated / "cache" / "teachtf" / "mnist"), n_train=5, compress=False)
    monkeypatch.setenv("TEACHTF_DATA_DIR", str(isolated / "env"))
    ds = datasets.mnist(path=str(isolated / "explicit"), download=False)
    np.testing.assert_array_equal(ds.train_images, explicit["train_images"])
    assert datasets.mnist(download=False).train_images.shape[0] == 4  # env before cache
    monkeypatch.delenv("TEACHTF_DATA_DIR")
    ds = datasets.mnist(download=False)  # uncompressed files in the cache are accepted
    assert ds.train_images.shape[0] == 5 and ds.files["train_images"].endswith("train-images-idx3-ubyte")


def test_missing_files_error_says_how_to_provide_them(isolated, monkeypatch):
    if MNIST_DIR is None:
        pytest.skip("needs the MNIST test files")
    monkeypatch.setenv("TEACHTF_DATA_DIR", os.path.dirname(MNIST_DIR))
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.mnist(path=str(isolated / "MNIST_data"), download=False)
    msg = str(info.value)
    assert "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz" in msg
    assert f"Found: t10k-images-idx3-ubyte.gz in {MNIST_DIR}" in msg
    assert f"{isolated / 'MNIST_data'}  [the path you passed]  (does not exist)" in msg
    assert f"{MNIST_DIR}  [$TEACHTF_DATA_DIR]" in msg
    assert "python -m teachtf.datasets download mnist" in msg and "TEACHTF_DATA_DIR" in msg
    assert "fallback='t10k'" in msg
    assert isinstance(info.value, FileNotFoundError)


# -- downloads (from file:// mirrors: no internet needed) -----------------------------------------------


@needs_mnist
def test_download_verifies_and_writes_atomically(isolated):
    mirror = "file://" + MNIST_DIR + "/"
    target = str(isolated / "dl")
    got = loaders.fetch(catalog.MNIST.files["test_labels"], [mirror], target, progress=False)
    assert got == os.path.join(target, "t10k-labels-idx1-ubyte.gz")
    assert _md5(got) == catalog.MNIST.files["test_labels"].md5
    # The training files are not on this mirror: the error lists each failure, nothing partial is left.
    with pytest.raises(OSError, match="Could not download train-labels-idx1-ubyte.gz"):
        loaders.fetch(catalog.MNIST.files["train_labels"], [mirror], target, progress=False)
    assert sorted(os.listdir(target)) == ["t10k-labels-idx1-ubyte.gz"]


@needs_mnist
def test_checksum_mismatch_leaves_nothing(isolated):
    bad = isolated / "badmirror"
    bad.mkdir()
    data = bytearray(open(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"), "rb").read())
    data[100] ^= 1
    (bad / "t10k-labels-idx1-ubyte.gz").write_bytes(bytes(data))
    target = isolated / "dl"
    with pytest.raises(OSError, match="MD5 .* does not match the published ec29112dd5afa0611ce80d1b7f02629c"):
        loaders.fetch(catalog.MNIST.files["test_labels"], [f"file://{bad}/"], str(target), progress=False)
    assert os.listdir(target) == []
    # A second mirror with a good copy is tried next.
    got = loaders.fetch(catalog.MNIST.files["test_labels"], [f"file://{bad}/", f"file://{MNIST_DIR}/"],
                        str(target), progress=False)
    assert _md5(got) == catalog.MNIST.files["test_labels"].md5


def test_offline_machine_gives_up_after_the_first_file(isolated, monkeypatch):
    tried = []
    real_fetch = loaders.fetch

    def counting_fetch(remote, mirrors, dest, progress=True):
        tried.append(remote.name)
        return real_fetch(remote, mirrors, dest, progress, timeout=5)

    monkeypatch.setattr(loaders, "fetch", counting_fetch)
    with pytest.raises(datasets.DatasetNotFoundError, match="no mirror is reachable"):
        loaders.load_idx_dataset("mnist", mirrors=["http://teachtf-mirror.invalid/"], progress=False)
    assert tried == ["train-images-idx3-ubyte.gz"]
    monkeypatch.setenv("TEACHTF_OFFLINE", "1")
    tried.clear()
    with pytest.raises(datasets.DatasetNotFoundError):
        datasets.mnist()
    assert tried == []


def test_unwritable_cache(isolated):
    blocker = isolated / "not_a_dir"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(datasets.CacheNotWritableError, match="Cannot write dataset files to .*not_a_dir/mnist"):
        datasets.download("mnist", dir=str(blocker / "mnist"), mirrors=["file:///nonexistent/"], progress=False)


@needs_mnist
def test_mnist_download_into_cache_then_found(isolated):
    # Only the test files exist on this mirror, so the download of the training files fails with the full advice.
    with pytest.raises(datasets.DatasetNotFoundError, match="(?s)Download attempts:.*train-images"):
        loaders.load_idx_dataset("mnist", mirrors=[f"file://{MNIST_DIR}/"], progress=False)
    cache = isolated / "cache" / "teachtf" / "mnist"
    assert sorted(os.listdir(cache)) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    ds = datasets.mnist(download=False, fallback="t10k", verbose=False)
    assert ds.files["test_images"] == str(cache / "t10k-images-idx3-ubyte.gz")


@needs_mnist
def test_cli(isolated, capsys):
    from teachtf.datasets.__main__ import main

    target = isolated / "class" / "mnist"
    assert main(["download", "mnist", "--dir", str(target), "--mirror", f"file://{MNIST_DIR}/", "--no-progress"]) == 1
    assert "error: Could not download train-images-idx3-ubyte.gz" in capsys.readouterr().err
    assert sorted(os.listdir(target)) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    assert main(["list"]) == 0
    assert "fashion_mnist" in capsys.readouterr().out


def test_cli_entry_point_runs(isolated):
    out = subprocess.run([sys.executable, "-m", "teachtf.datasets", "where", "mnist"], capture_output=True, text=True,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": REPO}, timeout=120)
    assert out.returncode == 1  # nothing found in the isolated environment
    assert "train-images-idx3-ubyte.gz: NOT FOUND" in out.stdout


# -- offline stand-ins -----------------------------------------------------------------------------------


@needs_mnist
def test_t10k_stand_in(isolated, monkeypatch, capsys):
    monkeypatch.setenv("TEACHTF_DATA_DIR", os.path.dirname(MNIST_DIR))
    ds = datasets.mnist(download=False, fallback="t10k")
    assert "STAND-IN DATA" in capsys.readouterr().out
    assert ds.stand_in.startswith("STAND-IN DATA: the training files were not found")
    assert ds.train_images.shape == (8000, 28, 28) and ds.test_images.shape == (2000, 28, 28)
    full = idx.read_labels(os.path.join(MNIST_DIR, "t10k-labels-idx1-ubyte.gz"))
    np.testing.assert_array_equal(np.concatenate([ds.train_labels, ds.test_labels]), full)
    # set_fallback and the environment variable do the same for code that cannot pass fallback=.
    datasets.set_fallback("t10k")
    assert datasets.mnist(download=False, verbose=False).stand_in is not None
    datasets.set_fallback(None)
    monkeypatch.setenv("TEACHTF_DATA_FALLBACK", "t10k")
    assert datasets.get_fallback() == "t10k"
    assert datasets.mnist(download=False, verbose=False).train_images.shape[0] == 8000


def test_digits_stand_in(isolated):
    pytest.importorskip("sklearn")
    ds = datasets.mnist(download=False, fallback=["t10k", "digits"], verbose=False)
    assert ds.name == "digits" and "not MNIST" in ds.stand_in
    assert ds.train_images.shape == (1437, 28, 28) and ds.test_images.shape == (360, 28, 28)
    assert ds.train_images.dtype == np.uint8 and ds.train_images.max() == 255
    # The digit fills the central 20x20 box, like an MNIST digit; the 4-pixel border is empty.
    assert ds.train_images[:, :4].max() == 0 and ds.train_images[:, :, 24:].max() == 0
    from sklearn.datasets import load_digits

    d = load_digits()
    np.testing.assert_array_equal(ds.train_labels, d.target[:1437])
    # Upsampling preserves each digit's shape: 4x4 block means of the 20x20 box track those of the 8x8 original.
    coarse_big = ds.train_images[0, 4:24, 4:24].reshape(4, 5, 4, 5).mean(axis=(1, 3)).ravel()
    coarse_small = d.images[0].reshape(4, 2, 4, 2).mean(axis=(1, 3)).ravel()
    assert np.corrcoef(coarse_big, coarse_small)[0, 1] > 0.9


def test_fallback_validation(isolated):
    with pytest.raises(ValueError, match="Unknown fallback"):
        datasets.mnist(download=False, fallback="imagenet")
    # 'digits' stands in for MNIST only.
    assert loaders.stand_in_dataset(catalog.FASHION_MNIST, ("digits",), str(isolated), verbose=False) is None


def test_upsample_is_bilinear():
    img = np.zeros((1, 8, 8))
    img[0, :, 4:] = 16
    out = datasets.fallback.upsample_digits(img)[0, 4:24, 4:24]
    assert (out[:, :9] == 0).all() and (out[:, 11:] == 255).all()
    assert 0 < out[0, 9] < out[0, 10] < 255  # a linear ramp across the edge


# -- CIFAR-10 ----------------------------------------------------------------------------------------------


def _cifar_batch(n, seed):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 10, n).astype(np.uint8)
    images = rng.randint(0, 256, (n, 32, 32, 3)).astype(np.uint8)
    records = np.concatenate([labels[:, None], images.transpose(0, 3, 1, 2).reshape(n, -1)], axis=1)
    return records.astype(np.uint8).tobytes(), images, labels


def _cifar_folder(folder):
    os.makedirs(folder)
    truth = []
    for i, m in enumerate(catalog.CIFAR10_MEMBERS):
        data, images, labels = _cifar_batch(3, i)
        (folder / m).write_bytes(data)
        truth.append((images, labels))
    return truth


def test_cifar10_from_folder_and_archive(isolated):
    truth = _cifar_folder(isolated / "c" / "cifar-10-batches-bin")
    ds = datasets.cifar10(path=str(isolated / "c"), download=False)
    assert ds.train_images.shape == (15, 32, 32, 3) and ds.test_images.shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(ds.train_images[:3], truth[0][0])  # channel planes → HWC
    np.testing.assert_array_equal(ds.test_labels, truth[5][1])
    archive = isolated / "a" / "cifar-10-binary.tar.gz"
    os.makedirs(archive.parent)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(isolated / "c" / "cifar-10-batches-bin", arcname="cifar-10-batches-bin")
    ds2 = datasets.cifar10(path=str(archive.parent), download=False)
    np.testing.assert_array_equal(ds2.train_images, ds.train_images)


def test_cifar10_download_extracts_only_expected_members(isolated, monkeypatch):
    _cifar_folder(isolated / "src" / "cifar-10-batches-bin")
    archive = isolated / "src" / "cifar-10-binary.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(isolated / "src" / "cifar-10-batches-bin", arcname="cifar-10-batches-bin")
        (isolated / "evil").write_text("x")
        tar.add(isolated / "evil", arcname="../evil.sh")

    def fake_fetch(remote, mirrors, dest_dir, progress=True):
        os.makedirs(dest_dir, exist_ok=True)
        dest = os.path.join(dest_dir, remote.name)
        with open(archive, "rb") as src, open(dest, "wb") as out:
            out.write(src.read())
        return dest

    monkeypatch.setattr(loaders, "fetch", fake_fetch)
    ds = datasets.cifar10()
    cache = isolated / "cache" / "teachtf" / "cifar10"
    assert sorted(os.listdir(cache)) == ["cifar-10-batches-bin"]
    assert sorted(os.listdir(cache / "cifar-10-batches-bin")) == sorted(catalog.CIFAR10_MEMBERS)
    assert ds.train_images.shape == (15, 32, 32, 3)


def test_cifar10_bad_batch_and_missing(isolated):
    folder = isolated / "c" / "cifar-10-batches-bin"
    _cifar_folder(folder)
    (folder / "test_batch.bin").write_bytes(b"\x01" * 100)
    with pytest.raises(datasets.IdxFormatError, match="not a multiple of 3073"):
        datasets.cifar10(path=str(isolated / "c"), download=False)
    with pytest.raises(datasets.DatasetNotFoundError, match="cifar-10-binary.tar.gz"):
        datasets.cifar10(path=str(isolated / "none"), download=False)


# -- tf.keras subset ---------------------------------------------------------------------------------------


def test_keras_mnist_load_data_from_npz(isolated):
    x = np.zeros((4, 28, 28), np.uint8)
    np.savez(isolated / "m.npz", x_train=x, y_train=np.arange(4, dtype=np.uint8), x_test=x[:2],
             y_test=np.arange(2, dtype=np.uint8))
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data(str(isolated / "m.npz"))
    assert x_train.shape == (4, 28, 28) and y_test.tolist() == [0, 1]
    with pytest.raises(FileNotFoundError, match="MNIST files not found"):
        tf.keras.datasets.mnist.load_data()


@needs_fashion
def test_keras_fashion_mnist(isolated):
    (x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8 and y_test.shape == (10000,)


def test_keras_to_categorical_and_regularizers():
    cat = tf.keras.utils.to_categorical([[2], [0]], num_classes=3)
    assert cat.dtype == np.float32
    np.testing.assert_array_equal(cat, [[0, 0, 1], [1, 0, 0]])
    assert tf.keras.utils.to_categorical([1, 3]).shape == (2, 4)
    w = tf.constant([1.0, -2.0])
    with tf.Session() as sess:
        assert sess.run(tf.keras.regularizers.l2(0.5)(w)) == pytest.approx(2.5)
        assert sess.run(tf.keras.regularizers.l1(0.5)(w)) == pytest.approx(1.5)
        assert sess.run(tf.keras.regularizers.l1_l2(0.1, 0.01)(w)) == pytest.approx(0.35)
    with pytest.raises(AttributeError, match="out of scope"):
        tf.keras.Sequential  # noqa: B018

"""The classic MNIST loader `input_data.read_data_sets` and the `mnist` tutorial model (API.md §20)."""

import os

import numpy as np
import pytest

import teachtf as tf
from teachtf.datasets import catalog, idx
from teachtf.examples.tutorials.mnist import input_data
from teachtf.examples.tutorials.mnist import mnist as mnist_model
from teachtf import datasets
from tests.test_datasets import FASHION_DIR, MNIST_DIR, _fake_mnist, needs_fashion, needs_mnist


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No $TEACHTF_DATA_DIR, an empty user cache, no fallback; runs in tmp_path."""
    monkeypatch.delenv("TEACHTF_DATA_DIR", raising=False)
    monkeypatch.delenv("TEACHTF_DATA_FALLBACK", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    datasets.set_fallback(None)
    yield tmp_path
    datasets.set_fallback(None)


def test_top_level_module_reexports_the_loader():
    import input_data as top

    assert top.read_data_sets is input_data.read_data_sets
    assert top.DataSet is input_data.DataSet


@needs_fashion
def test_read_data_sets_on_full_files(isolated, capsys):
    data = input_data.read_data_sets(FASHION_DIR, one_hot=True)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"Extracting {FASHION_DIR}/{n}" for n in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz")]
    assert isinstance(data, input_data.Datasets)
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (55000, 5000, 10000)
    raw = idx.read_images(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz"))
    labels = idx.read_labels(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz"))
    # validation = the first 5000 training images, train = the rest; pixels scaled by 1/255 in float32.
    assert data.validation.images.shape == (5000, 784) and data.validation.images.dtype == np.float32
    np.testing.assert_array_equal(data.validation.images[7], raw[7].reshape(784).astype(np.float32) *
                                  np.float32(1 / 255))
    np.testing.assert_array_equal(data.train.images[0], raw[5000].reshape(784) * np.float32(1 / 255))
    assert data.train.labels.shape == (55000, 10) and data.train.labels.dtype == np.float64
    np.testing.assert_array_equal(data.train.labels.argmax(1), labels[5000:])
    assert data.train.images.min() == 0.0 and data.train.images.max() == 1.0


@needs_fashion
def test_read_data_sets_raw_uint8_and_unreshaped(isolated, capsys):
    data = input_data.read_data_sets(FASHION_DIR, dtype=tf.uint8, reshape=False, validation_size=0)
    assert data.train.images.shape == (60000, 28, 28, 1) and data.train.images.dtype == np.uint8
    assert data.train.labels.dtype == np.uint8 and data.validation.num_examples == 0
    with pytest.raises(ValueError, match="Validation size should be between 0 and 60000. Received: 60001."):
        input_data.read_data_sets(FASHION_DIR, validation_size=60001)
    with pytest.raises(TypeError, match="Invalid image dtype"):
        input_data.read_data_sets(FASHION_DIR, dtype=tf.float64)


def test_fashion_folder_name_selects_fashion_search_path(isolated, monkeypatch):
    _fake_mnist(str(isolated / "data" / "fashion_mnist"), n_train=7)
    _fake_mnist(str(isolated / "data" / "mnist"), n_train=9)
    monkeypatch.setenv("TEACHTF_DATA_DIR", str(isolated / "data"))
    assert input_data.read_data_sets("data/fashion", validation_size=0).train.num_examples == 7
    assert input_data.read_data_sets("MNIST_data", validation_size=0).train.num_examples == 9
    assert input_data.read_data_sets("x", validation_size=0, source_url="http://fashion-mnist.s3/") \
        .train.num_examples == 7


@needs_mnist
def test_only_test_files_gives_the_clear_error_unless_a_fallback_is_requested(isolated, monkeypatch, capsys):
    monkeypatch.setenv("TEACHTF_DATA_DIR", os.path.dirname(MNIST_DIR))
    with pytest.raises(FileNotFoundError) as info:
        input_data.read_data_sets("MNIST_data/", one_hot=True)
    msg = str(info.value)
    assert "MNIST files not found: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz" in msg
    assert "MNIST_data/  [the path you passed]" in msg and "python -m teachtf.datasets download mnist" in msg
    assert not os.path.exists("MNIST_data")  # nothing created, nothing downloaded
    data = input_data.read_data_sets("MNIST_data/", one_hot=True, fallback="t10k")
    out = capsys.readouterr().out
    assert "STAND-IN DATA" in out and "validation_size=5000 scaled to 667" in out
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (7333, 667, 2000)
    assert data.test.labels.shape == (2000, 10)


def test_dataset_next_batch_epochs_without_shuffle():
    images = np.arange(10, dtype=np.uint8).reshape(10, 1, 1, 1)
    ds = input_data.DataSet(images, np.arange(10), dtype=tf.uint8)
    batches = [ds.next_batch(4, shuffle=False)[1].tolist() for _ in range(4)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1], [2, 3, 4, 5]]
    assert ds.epochs_completed == 1


def test_dataset_next_batch_shuffles_each_epoch_and_tops_up():
    n = 10
    images = np.arange(n, dtype=np.uint8).reshape(n, 1, 1, 1)
    ds = input_data.DataSet(images, np.arange(n), dtype=tf.uint8, seed=3)
    seen = [ds.next_batch(4) for _ in range(5)]  # 20 examples = exactly two epochs
    for imgs, labels in seen:
        assert len(labels) == 4
        np.testing.assert_array_equal(imgs.reshape(-1), labels)  # images and labels stay paired
    order = np.concatenate([lab for _, lab in seen])
    assert sorted(order[:10]) == list(range(10)) and sorted(order[10:]) == list(range(10))
    assert order[:10].tolist() != list(range(10)) and order[:10].tolist() != order[10:].tolist()
    assert ds.epochs_completed == 1  # TF counts an epoch when a batch runs past its end
    ds.next_batch(1)
    assert ds.epochs_completed == 2
    again = input_data.DataSet(images, np.arange(n), dtype=tf.uint8, seed=3)
    np.testing.assert_array_equal(np.concatenate([again.next_batch(4)[1] for _ in range(5)]), order)


def test_graph_seed_makes_order_reproducible():
    images = np.arange(10, dtype=np.uint8).reshape(10, 1, 1, 1)
    orders = []
    for _ in range(2):
        tf.reset_default_graph()
        tf.set_random_seed(42)
        orders.append(input_data.DataSet(images, np.arange(10), dtype=tf.uint8).next_batch(10)[1].tolist())
    assert orders[0] == orders[1]


def test_fake_data():
    data = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    assert data.train.num_examples == 10000
    images, labels = data.train.next_batch(3)
    np.testing.assert_array_equal(images, np.ones((3, 784), np.float32))
    np.testing.assert_array_equal(labels, [[1] + [0] * 9] * 3)
    ids = input_data.read_data_sets("unused", fake_data=True).test.next_batch(2)[1]
    assert ids.tolist() == [0, 0]


def test_extract_helpers(tmp_path, capsys):
    idx.write_idx(tmp_path / "l.gz", np.array([3, 0, 9], np.uint8))
    idx.write_idx(tmp_path / "i.gz", np.zeros((3, 2, 2), np.uint8))
    with open(tmp_path / "i.gz", "rb") as f:
        assert input_data.extract_images(f).shape == (3, 2, 2, 1)
    with open(tmp_path / "l.gz", "rb") as f:
        one_hot = input_data.extract_labels(f, one_hot=True)
    assert capsys.readouterr().out == f"Extracting {tmp_path}/i.gz\nExtracting {tmp_path}/l.gz\n"
    np.testing.assert_array_equal(one_hot, np.eye(10)[[3, 0, 9]])
    assert one_hot.dtype == np.float64
    with open(tmp_path / "l.gz", "rb") as f, pytest.raises(ValueError, match="Invalid magic number 2049 in MNIST "
                                                                               "image file"):
        input_data.extract_images(f)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 5\)"):
        input_data.dense_to_one_hot(np.array([1, 7]), 5)


def test_corrupt_file_in_train_dir(isolated):
    _fake_mnist(str(isolated / "d"))
    path = isolated / "d" / catalog.MNIST.files["train_labels"].name
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(ValueError, match="not a valid gzip file"):
        input_data.read_data_sets(str(isolated / "d"))


def test_mnist_tutorial_model_trains_on_fake_data():
    images = tf.placeholder(tf.float32, [None, mnist_model.IMAGE_PIXELS])
    labels = tf.placeholder(tf.int32, [None])
    logits = mnist_model.inference(images, 16, 8)
    loss = mnist_model.loss(logits, labels)
    train_op = mnist_model.training(loss, 0.5)
    correct = mnist_model.evaluation(logits, labels)
    names = sorted(v.op.name for v in tf.trainable_variables())
    assert names == ["hidden1/biases", "hidden1/weights", "hidden2/biases", "hidden2/weights",
                     "softmax_linear/biases", "softmax_linear/weights"]
    assert loss.op.name == "xentropy_mean" and correct.dtype == tf.int32
    data = input_data.read_data_sets("unused", fake_data=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w1 = sess.run(tf.trainable_variables()[0])
        assert abs(w1.std() - 1 / 28) < 0.01  # truncated normal with stddev 1/sqrt(784)
        feed = dict(zip((images, labels), data.train.next_batch(20)))
        first = sess.run(loss, feed)
        for _ in range(20):
            sess.run(train_op, feed)
        assert sess.run(loss, feed) < first
        assert sess.run(correct, feed) == 20
        assert sess.run("global_step:0") == 20

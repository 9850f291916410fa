"""An LSTM (128 units) reading MNIST digits as 28 rows of 28 pixels reaches ≥ 90% test accuracy (issue 8).

Data: the real MNIST test set in ../shared/data/mnist (train on the first 8,000
images, test on the last 2,000), read straight from the IDX gzip files.
"""

import gzip
from pathlib import Path

import numpy as np
import pytest

import teachtf as tf

MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def read_idx(name: str, offset: int) -> np.ndarray:
    with gzip.open(MNIST / name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


@pytest.mark.slow
def test_lstm_on_mnist_rows_reaches_90_percent():
    if not (MNIST / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real MNIST files not found in {MNIST}")
    images = read_idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28).astype(np.float32) / 255.0
    labels = read_idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    train_x, train_y, test_x, test_y = images[:8000], labels[:8000], images[8000:], labels[8000:]

    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 28, 28])
        y = tf.placeholder(tf.int64, [None])
        outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(128), x, dtype=tf.float32)
        logits = tf.layers.dense(state.h, 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(5e-3).minimize(loss)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
        rng = np.random.default_rng(0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _epoch in range(6):
                order = rng.permutation(len(train_x))
                for start in range(0, len(order), 128):
                    batch = order[start:start + 128]
                    sess.run(train, {x: train_x[batch], y: train_y[batch]})
            acc = sess.run(accuracy, {x: test_x, y: test_y})
    print(f"LSTM-128 on MNIST rows: test accuracy {acc:.4f}")
    assert acc >= 0.90

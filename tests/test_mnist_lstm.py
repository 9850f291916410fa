"""An LSTM (128 units) reading MNIST digits as 28 rows of 28 pixels reaches ≥ 90% test accuracy (issue 8).

Data: the real MNIST test set in ../shared/data/mnist (train on the first 8,000
images, test on the last 2,000), read straight from the IDX gzip files.
"""

import pytest

import teachtf as tf
from tests.real_mnist import shuffled_batches, train_test_split


@pytest.mark.slow
def test_lstm_on_mnist_rows_reaches_90_percent():
    train_x, train_y, test_x, test_y = train_test_split()

    with tf.Graph().as_default():
        tf.set_random_seed(0)
        x = tf.placeholder(tf.float32, [None, 28, 28])
        y = tf.placeholder(tf.int64, [None])
        outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(128), x, dtype=tf.float32)
        logits = tf.layers.dense(state.h, 10)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf.train.AdamOptimizer(5e-3).minimize(loss)
        accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for batch in shuffled_batches(len(train_x), 128, epochs=6):
                sess.run(train, {x: train_x[batch], y: train_y[batch]})
            acc = sess.run(accuracy, {x: test_x, y: test_y})
    print(f"LSTM-128 on MNIST rows: test accuracy {acc:.4f}")
    assert acc >= 0.90

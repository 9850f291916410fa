"""The classic TF1 MNIST CNN (conv5x5x32-pool-conv5x5x64-pool-fc1024-dropout-fc10) trained briefly on real digits
reaches ≥ 97% test accuracy (issue 4). Data: the real MNIST test set in ../shared/data/mnist (train on the first
8,000 images, test on the last 2,000), read straight from the IDX gzip files."""

import time

import numpy as np
import pytest

import teachtf as tf
from tests.real_mnist import shuffled_batches, train_test_split


@pytest.mark.slow
def test_classic_mnist_cnn_reaches_97_percent():
    train_x, train_labels, test_x, test_labels = train_test_split()
    train_x, test_x = train_x.reshape(-1, 784), test_x.reshape(-1, 784)
    train_y, test_y = np.eye(10, dtype=np.float32)[train_labels], np.eye(10, dtype=np.float32)[test_labels]

    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y_ = tf.placeholder(tf.float32, [None, 10])
    keep_prob = tf.placeholder(tf.float32)

    def weight(shape):
        return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

    def bias(shape):
        return tf.Variable(tf.constant(0.1, shape=shape))

    x_image = tf.reshape(x, [-1, 28, 28, 1])
    h1 = tf.nn.relu(tf.nn.conv2d(x_image, weight([5, 5, 1, 32]), strides=[1, 1, 1, 1], padding="SAME") + bias([32]))
    p1 = tf.nn.max_pool(h1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    h2 = tf.nn.relu(tf.nn.conv2d(p1, weight([5, 5, 32, 64]), strides=[1, 1, 1, 1], padding="SAME") + bias([64]))
    p2 = tf.nn.max_pool(h2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
    assert p2.get_shape().as_list() == [None, 7, 7, 64]
    fc1 = tf.nn.relu(tf.matmul(tf.reshape(p2, [-1, 7 * 7 * 64]), weight([3136, 1024])) + bias([1024]))
    logits = tf.matmul(tf.nn.dropout(fc1, keep_prob), weight([1024, 10])) + bias([10])
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits))
    train_step = tf.train.AdamOptimizer(1e-3).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y_, 1)), tf.float32))

    start = time.perf_counter()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for batch in shuffled_batches(len(train_x), 50, epochs=4):
            sess.run(train_step, {x: train_x[batch], y_: train_y[batch], keep_prob: 0.5})
        test_accuracy = sess.run(accuracy, {x: test_x, y_: test_y, keep_prob: 1.0})
    seconds = time.perf_counter() - start
    print(f"MNIST CNN: test accuracy {test_accuracy:.4f} on 2,000 held-out digits after 640 steps ({seconds:.0f} s)")
    assert test_accuracy >= 0.97

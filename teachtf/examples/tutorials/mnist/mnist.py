"""The classic TF1 MNIST model (`tensorflow/examples/tutorials/mnist/mnist.py`; API.md §20).

inference() builds two ReLU layers and a linear softmax layer (scopes `hidden1`,
`hidden2`, `softmax_linear`, each with `weights` ~ truncated normal with stddev
1/sqrt(fan_in) and zero `biases`); loss() is the mean sparse softmax
cross-entropy; training() adds a loss summary and a gradient-descent train op
that increments `global_step`; evaluation() counts correct top-1 predictions.
"""

from __future__ import annotations

import math

import teachtf as tf

__all__ = ["IMAGE_PIXELS", "IMAGE_SIZE", "NUM_CLASSES", "evaluation", "inference", "loss", "training"]

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(inputs, fan_in: int, units: int):
    weights = tf.Variable(tf.truncated_normal([fan_in, units], stddev=1.0 / math.sqrt(float(fan_in))),
                          name="weights")
    biases = tf.Variable(tf.zeros([units]), name="biases")
    return tf.matmul(inputs, weights) + biases


def inference(images, hidden1_units: int, hidden2_units: int):
    """Logits [batch, NUM_CLASSES] of the two-hidden-layer network for images [batch, IMAGE_PIXELS]."""
    with tf.name_scope("hidden1"):
        hidden1 = tf.nn.relu(_layer(images, IMAGE_PIXELS, hidden1_units))
    with tf.name_scope("hidden2"):
        hidden2 = tf.nn.relu(_layer(hidden1, hidden1_units, hidden2_units))
    with tf.name_scope("softmax_linear"):
        logits = _layer(hidden2, hidden2_units, NUM_CLASSES)
    return logits


def loss(logits, labels):
    """Mean cross-entropy between `logits` and integer class `labels` [batch]."""
    labels = tf.to_int64(labels)
    cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name="xentropy")
    return tf.reduce_mean(cross_entropy, name="xentropy_mean")


def training(loss, learning_rate):
    """A gradient-descent train op on `loss` that increments a `global_step` variable; logs `loss` as a summary."""
    tf.summary.scalar("loss", loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    """The number (int32 scalar) of examples whose top-1 prediction equals the label."""
    correct = tf.nn.in_top_k(logits, labels, 1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))

"""RNN cells and drivers: NumPy references, gradients, masking, bidirectional, variable names, bad input."""

import os

import numpy as np
import pytest

import teachtf as tf
from devices import DEVICES
from gradcheck import check_gradients

rnn_cell = tf.nn.rnn_cell
RNG = np.random.default_rng(0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---- NumPy references, written for clarity -------------------------------------------------------------------

def np_basic_rnn(x, h, k, b):
    return np.tanh(np.concatenate([x, h], 1) @ k + b)


def np_lstm(x, c, h, k, b, forget_bias=1.0, peep=None, clip=None, proj=None):
    z = np.concatenate([x, h], 1) @ k + b
    i, j, f, o = np.split(z, 4, axis=1)
    if peep is not None:
        w_f, w_i, w_o = peep
        f, i = f + w_f * c, i + w_i * c
    new_c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    if clip is not None:
        new_c = np.clip(new_c, -clip, clip)
    if peep is not None:
        o = o + peep[2] * new_c
    new_h = np.tanh(new_c) * sigmoid(o)
    if proj is not None:
        new_h = new_h @ proj
    return new_c, new_h


def np_gru(x, h, kg, bg, kc, bc):
    r, u = np.split(sigmoid(np.concatenate([x, h], 1) @ kg + bg), 2, axis=1)
    cand = np.tanh(np.concatenate([x, r * h], 1) @ kc + bc)
    return u * h + (1 - u) * cand


def run_with_weights(build, weights: dict, feed=None):
    """Builds the graph, overwrites each variable (by name) with `weights`, and runs the fetches."""
    fetches = build()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        by_name = {v.op.name: v for v in tf.global_variables()}
        for name, value in weights.items():
            by_name[name].load(value, sess)
        return sess.run(fetches, feed)


def rand(*shape):
    return RNG.standard_normal(shape) * 0.5


# ---- cells ----------------------------------------------------------------------------------------------------

def test_basic_rnn_cell_matches_numpy():
    x, h, k, b = rand(3, 2), rand(3, 4), rand(6, 4), rand(4)
    with tf.Graph().as_default():
        out, state = run_with_weights(
            lambda: rnn_cell.BasicRNNCell(4)(tf.constant(x), tf.constant(h)),
            {"basic_rnn_cell/kernel": k, "basic_rnn_cell/bias": b})
    np.testing.assert_allclose(out, np_basic_rnn(x, h, k, b), rtol=1e-10)
    np.testing.assert_array_equal(out, state)


@pytest.mark.parametrize("forget_bias", [1.0, 0.3])
def test_basic_lstm_cell_matches_numpy(forget_bias):
    x, c, h, k, b = rand(3, 2), rand(3, 4), rand(3, 4), rand(6, 16), rand(16)
    with tf.Graph().as_default():
        cell = rnn_cell.BasicLSTMCell(4, forget_bias=forget_bias)
        assert cell.state_size == (4, 4) and cell.output_size == 4
        out, state = run_with_weights(
            lambda: cell(tf.constant(x), rnn_cell.LSTMStateTuple(tf.constant(c), tf.constant(h))),
            {"basic_lstm_cell/kernel": k, "basic_lstm_cell/bias": b})
    ref_c, ref_h = np_lstm(x, c, h, k, b, forget_bias)
    np.testing.assert_allclose(state.c, ref_c, rtol=1e-10)
    np.testing.assert_allclose(state.h, ref_h, rtol=1e-10)
    np.testing.assert_allclose(out, ref_h, rtol=1e-10)


def test_basic_lstm_cell_concatenated_state():
    x, c, h, k, b = rand(2, 3), rand(2, 5), rand(2, 5), rand(8, 20), rand(20)
    with tf.Graph().as_default():
        cell = rnn_cell.BasicLSTMCell(5, state_is_tuple=False)
        assert cell.state_size == 10
        out, state = run_with_weights(lambda: cell(tf.constant(x), tf.constant(np.concatenate([c, h], 1))),
                                      {"basic_lstm_cell/kernel": k, "basic_lstm_cell/bias": b})
    ref_c, ref_h = np_lstm(x, c, h, k, b)
    np.testing.assert_allclose(state, np.concatenate([ref_c, ref_h], 1), rtol=1e-10)


def test_lstm_cell_peepholes_clip_projection_match_numpy():
    x, c, h = rand(3, 2), rand(3, 4) * 4, rand(3, 3)
    k, b, proj = rand(5, 16), rand(16), rand(4, 3)
    peep = (rand(4), rand(4), rand(4))
    with tf.Graph().as_default():
        cell = rnn_cell.LSTMCell(4, use_peepholes=True, cell_clip=0.8, num_proj=3)
        assert cell.state_size == (4, 3) and cell.output_size == 3
        out, state = run_with_weights(
            lambda: cell(tf.constant(x), rnn_cell.LSTMStateTuple(tf.constant(c), tf.constant(h))),
            {"lstm_cell/kernel": k, "lstm_cell/bias": b, "lstm_cell/w_f_diag": peep[0],
             "lstm_cell/w_i_diag": peep[1], "lstm_cell/w_o_diag": peep[2], "lstm_cell/projection/kernel": proj})
    ref_c, ref_h = np_lstm(x, c, h, k, b, peep=peep, clip=0.8, proj=proj)
    np.testing.assert_allclose(state.c, ref_c, rtol=1e-10)
    np.testing.assert_allclose(out, ref_h, rtol=1e-10)


def test_gru_cell_matches_numpy_and_gate_bias_starts_at_one():
    x, h = rand(3, 2), rand(3, 4)
    kg, bg, kc, bc = rand(6, 8), rand(8), rand(6, 4), rand(4)
    with tf.Graph().as_default():
        cell = rnn_cell.GRUCell(4)
        out, _ = cell(tf.constant(x), tf.constant(h))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            init_bias = sess.run(tf.global_variables()[1])
            for v, val in zip(tf.global_variables(), [kg, bg, kc, bc]):
                v.load(val, sess)
            got = sess.run(out)
    np.testing.assert_array_equal(init_bias, np.ones(8))
    np.testing.assert_allclose(got, np_gru(x, h, kg, bg, kc, bc), rtol=1e-10)


def _weights_from(placeholders: list):
    """A custom getter that hands out `placeholders` in creation order, so gradients w.r.t. weights are checked."""
    queue = iter(placeholders)
    by_name = {}

    def getter(getter, name, shape=None, **kwargs):
        if name not in by_name:  # later time steps reuse the variable, so they get the same placeholder
            by_name[name] = next(queue)
        ph = by_name[name]
        assert ph.shape.as_list() == list(shape), f"{name}: expected {shape}, got {ph.shape}"
        return ph
    return getter


@pytest.mark.parametrize("make_cell,state_shapes,weight_shapes", [
    (lambda: rnn_cell.BasicRNNCell(3), [(2, 3)], [(7, 3), (3,)]),
    (lambda: rnn_cell.BasicLSTMCell(3), [(2, 3), (2, 3)], [(7, 12), (12,)]),
    (lambda: rnn_cell.LSTMCell(3, use_peepholes=True, num_proj=2), [(2, 3), (2, 2)],
     [(6, 12), (12,), (3,), (3,), (3,), (3, 2)]),
    (lambda: rnn_cell.GRUCell(3), [(2, 3)], [(7, 6), (6,), (7, 3), (3,)]),
], ids=["basic_rnn", "basic_lstm", "lstm_peephole_proj", "gru"])
def test_cell_gradients_wrt_inputs_state_and_weights(make_cell, state_shapes, weight_shapes):
    arrays = [rand(2, 4)] + [rand(*s) for s in state_shapes] + [rand(*w) for w in weight_shapes]
    n_state = len(state_shapes)

    def build(x, *rest):
        state, weights = rest[:n_state], rest[n_state:]
        s = rnn_cell.LSTMStateTuple(*state) if n_state == 2 else state[0]
        with tf.variable_scope("w", custom_getter=_weights_from(list(weights))):
            out, new_state = make_cell()(x, s)
        return [out] + (list(new_state) if isinstance(new_state, tuple) else [new_state])

    assert check_gradients(build, *arrays)


def test_cell_gradient_wrt_kernel_matches_numpy_bptt():
    """d(sum(c_out·h_T))/dK over a 3-step BasicLSTM, by central differences on the NumPy reference."""
    xs, k, b = rand(3, 2, 2), rand(5, 12), rand(12)
    cot = rand(2, 3)

    def np_loss(kk):
        c = h = np.zeros((2, 3))
        for t in range(3):
            c, h = np_lstm(xs[t], c, h, kk, b)
        return np.sum(h * cot)

    num = np.zeros_like(k)
    for idx in np.ndindex(*k.shape):
        kp, km = k.copy(), k.copy()
        kp[idx] += 1e-6
        km[idx] -= 1e-6
        num[idx] = (np_loss(kp) - np_loss(km)) / 2e-6
    with tf.Graph().as_default():
        def build():
            out, _ = tf.nn.static_rnn(rnn_cell.BasicLSTMCell(3), [tf.constant(x) for x in xs], dtype=tf.float64)
            kernel = [v for v in tf.global_variables() if v.op.name.endswith("kernel")][0]
            return tf.gradients(tf.reduce_sum(out[-1] * cot), kernel)[0]
        got = run_with_weights(build, {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b})
    np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-8)


# ---- drivers --------------------------------------------------------------------------------------------------

def _np_lstm_sequence(xs, k, b, seq_len=None):
    """xs [batch, time, in] -> outputs [batch, time, units], final (c, h), with TF1 masking."""
    batch, steps, _ = xs.shape
    units = b.size // 4
    c = h = np.zeros((batch, units))
    outs = np.zeros((batch, steps, units))
    for t in range(steps):
        nc, nh = np_lstm(xs[:, t], c, h, k, b)
        live = np.ones(batch, bool) if seq_len is None else t < np.asarray(seq_len)
        outs[:, t] = np.where(live[:, None], nh, 0.0)
        c, h = np.where(live[:, None], nc, c), np.where(live[:, None], nh, h)
    return outs, c, h


@pytest.mark.parametrize("seq_len", [None, [5, 2, 0]])
@pytest.mark.parametrize("time_major", [False, True])
def test_dynamic_rnn_matches_numpy_with_masking(seq_len, time_major):
    xs, k, b = rand(3, 5, 2), rand(5, 12), rand(12)
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float64, [5, None, 2] if time_major else [None, 5, 2])

        def build():
            return tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), inp, sequence_length=seq_len, dtype=tf.float64,
                                     time_major=time_major)
        feed_x = xs.transpose(1, 0, 2) if time_major else xs
        out, state = run_with_weights(build, {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b},
                                      {inp: feed_x})
    ref_out, ref_c, ref_h = _np_lstm_sequence(xs, k, b, seq_len)
    np.testing.assert_allclose(out.transpose(1, 0, 2) if time_major else out, ref_out, rtol=1e-10)
    np.testing.assert_allclose(state.c, ref_c, rtol=1e-10)
    np.testing.assert_allclose(state.h, ref_h, rtol=1e-10)


@pytest.mark.parametrize("time_major", [False, True])
def test_dynamic_rnn_unknown_time_uses_while_loop_and_matches_numpy(time_major):
    xs, k, b, seq = rand(3, 5, 2), rand(5, 12), rand(12), [5, 2, 0]
    with tf.Graph().as_default():
        inp = tf.placeholder(tf.float64, [None, None, 2])

        def build():
            out, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), inp, sequence_length=seq, dtype=tf.float64,
                                           time_major=time_major)
            assert out.shape.as_list() == [None, None, 3]
            assert any(op.type == "While" for op in tf.get_default_graph().get_operations())
            return out, state
        out, state = run_with_weights(build, {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b},
                                      {inp: xs.transpose(1, 0, 2) if time_major else xs})
    ref_out, ref_c, ref_h = _np_lstm_sequence(xs, k, b, seq)
    np.testing.assert_allclose(out.transpose(1, 0, 2) if time_major else out, ref_out, rtol=1e-10)
    np.testing.assert_allclose(state.c, ref_c, rtol=1e-10)
    np.testing.assert_allclose(state.h, ref_h, rtol=1e-10)


def test_dynamic_rnn_unknown_time_gradient_is_bptt():
    def build(x, *weights):
        x = tf.placeholder_with_default(x, [None, None, 2])
        with tf.variable_scope("w", custom_getter=_weights_from(list(weights))):
            out, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), x, sequence_length=[4, 2], dtype=tf.float64)
        return [out, state.c, state.h]
    assert check_gradients(build, rand(2, 4, 2), rand(5, 12), rand(12))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("time_dim", [5, None])
def test_dynamic_rnn_gradients_on_device(device, time_dim):
    """Static-unroll and while_loop paths agree with the NumPy forward, and their weight gradients agree."""
    xs, k, b, seq = rand(3, 5, 2), rand(5, 12), rand(12), [5, 2, 1]
    with tf.Graph().as_default():
        def build():
            with tf.device(device):
                inp = tf.placeholder_with_default(xs, [3, time_dim, 2])
                out, _ = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), inp, sequence_length=seq, dtype=tf.float64)
                return out, tf.gradients(tf.reduce_sum(out * out), tf.trainable_variables())
        out, grads = run_with_weights(build, {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b})
    np.testing.assert_allclose(out, _np_lstm_sequence(xs, k, b, seq)[0], rtol=1e-10)
    if time_dim is None:
        with tf.Graph().as_default():
            _, ref_grads = run_with_weights(lambda: _static_grads(xs, seq),
                                            {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b})
        for g, r in zip(grads, ref_grads, strict=True):
            np.testing.assert_allclose(g, r, rtol=1e-10)


def _static_grads(xs, seq):
    out, _ = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), tf.constant(xs), sequence_length=seq, dtype=tf.float64)
    return out, tf.gradients(tf.reduce_sum(out * out), tf.trainable_variables())


def test_multi_rnn_cell_concatenated_state_matches_tuple_state():
    xs = rand(2, 3, 4)
    results, weights = [], {}
    for as_tuple in (True, False):
        with tf.Graph().as_default():
            cell = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(3), rnn_cell.BasicRNNCell(2)], state_is_tuple=as_tuple)
            out, state = tf.nn.dynamic_rnn(cell, tf.constant(xs), dtype=tf.float64)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                for v in tf.global_variables():  # the second graph gets the first graph's weights
                    v.load(weights.setdefault(v.op.name, sess.run(v)), sess)
                results.append(sess.run([out, state]))
    (out_t, st_t), (out_c, st_c) = results
    assert st_c.shape == (2, 5)
    np.testing.assert_allclose(out_t, out_c)
    np.testing.assert_allclose(np.concatenate(st_t, 1), st_c)


def test_dropout_wrapper_state_keep_prob_as_tensor():
    with tf.Graph().as_default():
        keep = tf.placeholder(tf.float64, [])
        cell = rnn_cell.DropoutWrapper(rnn_cell.BasicRNNCell(40), state_keep_prob=keep, seed=3)
        out, state = cell(tf.ones([30, 2], tf.float64), cell.zero_state(30, tf.float64))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, s1 = sess.run([out, state], {keep: 1.0})
            o2, s2 = sess.run([out, state], {keep: 0.5})
    np.testing.assert_allclose(s1, o)
    np.testing.assert_allclose(o2, o)  # the output is not dropped, only the state
    assert 0.3 < np.mean(s2 == 0) < 0.7


def test_dynamic_rnn_gradient_through_time_with_masking():
    def build(x, *weights):
        with tf.variable_scope("w", custom_getter=_weights_from(list(weights))):
            out, state = tf.nn.dynamic_rnn(rnn_cell.GRUCell(3), x, sequence_length=[4, 2], dtype=tf.float64)
        return [out, state]
    assert check_gradients(build, rand(2, 4, 2), rand(5, 6), rand(6), rand(5, 3), rand(3))


def test_static_rnn_shares_variables_and_returns_list():
    with tf.Graph().as_default():
        xs = [tf.placeholder(tf.float32, [None, 3]) for _ in range(4)]
        outs, state = tf.nn.static_rnn(rnn_cell.BasicRNNCell(5), xs, dtype=tf.float32)
        assert len(outs) == 4 and outs[0].shape.as_list() == [None, 5]
        assert [v.op.name for v in tf.global_variables()] == ["rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias"]
        assert tf.global_variables()[0].shape.as_list() == [8, 5]


def test_multi_rnn_cell_names_and_stacking():
    with tf.Graph().as_default():
        cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(3)])
        assert cell.state_size == ((4, 4), 3) and cell.output_size == 3
        out, state = tf.nn.dynamic_rnn(cell, tf.zeros([2, 3, 5]), dtype=tf.float32)
        names = [v.op.name for v in tf.global_variables()]
        assert names == ["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
                         "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
                         "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel",
                         "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias",
                         "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel",
                         "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias"]
        assert out.shape.as_list() == [2, 3, 3]
        assert isinstance(state[0], rnn_cell.LSTMStateTuple)


@pytest.mark.parametrize("time_dim", [4, None])
def test_bidirectional_dynamic_rnn_reverses_within_length(time_dim):
    xs, seq = rand(2, 4, 2), [4, 2]
    kf, bf, kb, bb = rand(5, 12), rand(12), rand(5, 12), rand(12)
    with tf.Graph().as_default():
        def build():
            inp = tf.placeholder_with_default(xs, [2, time_dim, 2])
            return tf.nn.bidirectional_dynamic_rnn(rnn_cell.BasicLSTMCell(3), rnn_cell.BasicLSTMCell(3),
                                                   inp, sequence_length=seq, dtype=tf.float64)
        (out_fw, out_bw), (st_fw, st_bw) = run_with_weights(build, {
            "bidirectional_rnn/fw/basic_lstm_cell/kernel": kf, "bidirectional_rnn/fw/basic_lstm_cell/bias": bf,
            "bidirectional_rnn/bw/basic_lstm_cell/kernel": kb, "bidirectional_rnn/bw/basic_lstm_cell/bias": bb})
    ref_fw, _, ref_hf = _np_lstm_sequence(xs, kf, bf, seq)
    np.testing.assert_allclose(out_fw, ref_fw, rtol=1e-10)
    for n, length in enumerate(seq):
        rev = xs[n:n + 1, :length][:, ::-1]
        ref_bw, _, ref_hb = _np_lstm_sequence(rev, kb, bb)
        np.testing.assert_allclose(out_bw[n, :length], ref_bw[0, ::-1], rtol=1e-10)
        np.testing.assert_array_equal(out_bw[n, length:], 0.0)
        np.testing.assert_allclose(st_bw.h[n], ref_hb[0], rtol=1e-10)
    np.testing.assert_allclose(st_fw.h, ref_hf, rtol=1e-10)


def test_static_bidirectional_rnn_concatenates_outputs():
    with tf.Graph().as_default():
        xs = [tf.constant(rand(2, 3)) for _ in range(3)]
        outs, st_fw, st_bw = tf.contrib.rnn.static_bidirectional_rnn(rnn_cell.GRUCell(4), rnn_cell.GRUCell(2), xs,
                                                                     dtype=tf.float64)
        assert [o.shape.as_list() for o in outs] == [[2, 6]] * 3
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, f, b = sess.run([outs, st_fw, st_bw])
        np.testing.assert_allclose(o[-1][:, :4], f)
        np.testing.assert_allclose(o[0][:, 4:], b)


def test_dropout_wrapper_keep_one_is_identity_and_drops_otherwise():
    with tf.Graph().as_default():
        x = tf.constant(np.ones((50, 3)))
        base = rnn_cell.BasicRNNCell(20)
        h0 = base.zero_state(50, tf.float64)
        ref, _ = base(x, h0)
        out, _ = rnn_cell.DropoutWrapper(base, output_keep_prob=0.5, seed=1)(x, h0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            r, o = sess.run([ref, out])
    kept = o != 0
    assert 0.3 < kept.mean() < 0.7
    np.testing.assert_allclose(o[kept], 2 * r[kept])


def test_zero_state_shapes_and_dtype():
    with tf.Graph().as_default():
        s = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(2)]).zero_state(5, tf.float64)
        assert s[0].c.shape.as_list() == [5, 4] and s[1].shape.as_list() == [5, 2]
        assert s[1].dtype == tf.float64


def test_sequence_loss_matches_numpy():
    logits, targets, w = rand(2, 3, 4), np.array([[0, 1, 2], [3, 0, 1]]), np.array([[1.0, 1, 0], [1, 0.5, 1]])
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    xent = -np.take_along_axis(logp, targets[..., None], -1)[..., 0] * w
    with tf.Graph().as_default(), tf.Session() as sess:
        loss = tf.contrib.seq2seq.sequence_loss
        full, per_step = sess.run([loss(logits, targets, w), loss(logits, targets, w, average_across_timesteps=False)])
    np.testing.assert_allclose(full, xent.sum() / w.sum())
    np.testing.assert_allclose(per_step, xent.sum(0) / w.sum(0))


def test_legacy_sequence_loss_matches_numpy():
    logits = [rand(2, 4) for _ in range(3)]
    targets = [np.array([0, 3]), np.array([1, 1]), np.array([2, 0])]
    weights = [np.array([1.0, 1.0]), np.array([1.0, 0.0]), np.array([0.5, 1.0])]
    xent = np.stack([-(lg - np.log(np.exp(lg).sum(1, keepdims=True)))[np.arange(2), t] * w
                     for lg, t, w in zip(logits, targets, weights)])
    by_example = xent.sum(0) / np.sum(weights, 0)
    with tf.Graph().as_default(), tf.Session() as sess:
        seq2seq = tf.contrib.legacy_seq2seq
        per_ex, total = sess.run([seq2seq.sequence_loss_by_example(logits, targets, weights),
                                  seq2seq.sequence_loss(logits, targets, weights)])
    np.testing.assert_allclose(per_ex, by_example)
    np.testing.assert_allclose(total, by_example.sum() / 2)


def test_basic_rnn_seq2seq_decodes_from_the_encoder_state():
    enc, dec = [rand(2, 3) for _ in range(4)], [rand(2, 3) for _ in range(2)]
    ke, be, kd, bd = rand(8, 5), rand(5), rand(8, 5), rand(5)
    with tf.Graph().as_default():
        def build():
            return tf.contrib.legacy_seq2seq.basic_rnn_seq2seq([tf.constant(x) for x in enc],
                                                               [tf.constant(x) for x in dec],
                                                               rnn_cell.BasicRNNCell(5), dtype=tf.float64)
        outs, state = run_with_weights(build, {
            "basic_rnn_seq2seq/rnn/basic_rnn_cell/kernel": ke, "basic_rnn_seq2seq/rnn/basic_rnn_cell/bias": be,
            "basic_rnn_seq2seq/rnn_decoder/basic_rnn_cell/kernel": kd,
            "basic_rnn_seq2seq/rnn_decoder/basic_rnn_cell/bias": bd})
    h = np.zeros((2, 5))
    for x in enc:
        h = np_basic_rnn(x, h, ke, be)
    for t, x in enumerate(dec):
        h = np_basic_rnn(x, h, kd, bd)
        np.testing.assert_allclose(outs[t], h, rtol=1e-10)
    np.testing.assert_allclose(state, h, rtol=1e-10)


class ScaledTanhCell(rnn_cell.RNNCell):
    """A learner's cell defining call(): h' = tanh(x·W + h·U) with get_variable."""

    def __init__(self, units):
        super().__init__()
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def call(self, inputs, state):
        w = tf.get_variable("W", [inputs.shape[1].value, self.units], dtype=inputs.dtype)
        u = tf.get_variable("U", [self.units, self.units], dtype=inputs.dtype)
        h = tf.tanh(tf.matmul(inputs, w) + tf.matmul(state, u))
        return h, h


class BuiltCell(ScaledTanhCell):
    """The same cell, creating its variables in build() with add_variable, as Keras-style TF1 cells do."""

    def build(self, inputs_shape):
        self.w = self.add_variable("W", [inputs_shape[1].value, self.units])
        self.u = self.add_variable("U", [self.units, self.units])

    def call(self, inputs, state):
        h = tf.tanh(tf.matmul(inputs, self.w) + tf.matmul(state, self.u))
        return h, h


@pytest.mark.parametrize("cell_class,scope", [(ScaledTanhCell, "scaled_tanh_cell"), (BuiltCell, "built_cell")])
@pytest.mark.parametrize("time_dim", [3, None])
def test_learner_subclassed_cells_work_with_dynamic_rnn(cell_class, scope, time_dim):
    xs, w, u = rand(2, 3, 4), rand(4, 5), rand(5, 5)
    with tf.Graph().as_default():
        def build():
            inp = tf.placeholder_with_default(xs, [2, time_dim, 4])
            return tf.nn.dynamic_rnn(cell_class(5), inp, dtype=tf.float64)
        out, state = run_with_weights(build, {f"rnn/{scope}/W": w, f"rnn/{scope}/U": u})
    h = np.zeros((2, 5))
    for t in range(3):
        h = np.tanh(xs[:, t] @ w + h @ u)
        np.testing.assert_allclose(out[:, t], h, rtol=1e-10)
    np.testing.assert_allclose(state, h, rtol=1e-10)


# ---- bad input ------------------------------------------------------------------------------------------------

def test_wrong_input_rank_names_the_cell():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=r"dynamic_rnn \(BasicLSTMCell\).*rank 3(.|\n)*test_rnn.py:\d+"):
            tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), tf.zeros([2, 5]), dtype=tf.float32)


def test_mismatched_state_size_names_the_cell():
    with tf.Graph().as_default():
        cell = rnn_cell.GRUCell(3)
        with pytest.raises(ValueError, match=r"GRUCell: state has shape \(2, 4\).*state size is 3(.|\n)*test_rnn.py"):
            cell(tf.zeros([2, 5]), tf.zeros([2, 4]))


def test_same_cell_reused_with_different_depth_raises():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="separate cell object"):
            tf.nn.dynamic_rnn(rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4)] * 2), tf.zeros([2, 3, 5]),
                              dtype=tf.float32)


def test_missing_dtype_raises():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="dtype must be specified"):
            tf.nn.dynamic_rnn(rnn_cell.GRUCell(3), tf.zeros([2, 3, 5]))


@pytest.mark.parametrize("time_shape,message", [(3, "exceeds the 3 time steps"), (None, "exceeds the time steps")])
def test_sequence_length_longer_than_time_raises_at_run_time(time_shape, message):
    with tf.Graph().as_default():
        seq = tf.placeholder(tf.int32, [None])
        x = tf.placeholder(tf.float32, [2, time_shape, 5])
        out, _ = tf.nn.dynamic_rnn(rnn_cell.GRUCell(3), x, sequence_length=seq, dtype=tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with pytest.raises(tf.errors.InvalidArgumentError, match=message) as err:
                sess.run(out, {seq: [3, 4], x: np.zeros((2, 3, 5))})
    assert "test_rnn.py" in str(err.value)  # the learner's line that built the RNN


# ---- oracle ---------------------------------------------------------------------------------------------------

@pytest.mark.oracle
@pytest.mark.parametrize("kind", ["basic_lstm", "lstm", "gru", "basic_rnn", "multi"])
def test_dynamic_rnn_matches_tf1_names_and_values(kind):
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tensorflow")
    import tensorflow.compat.v1 as tf1
    tf1.disable_v2_behavior()

    def make(lib):
        c = lib.nn.rnn_cell
        return {"basic_lstm": lambda: c.BasicLSTMCell(4),
                "lstm": lambda: c.LSTMCell(4, use_peepholes=True, num_proj=3, cell_clip=1.0),
                "gru": lambda: c.GRUCell(4),
                "basic_rnn": lambda: c.BasicRNNCell(4),
                "multi": lambda: c.MultiRNNCell([c.BasicLSTMCell(4), c.GRUCell(3)])}[kind]()

    xs = rand(2, 5, 3).astype(np.float32)
    seq = [5, 3]
    g1 = tf1.Graph()
    with g1.as_default():
        o1, s1 = tf1.nn.dynamic_rnn(make(tf1), tf1.constant(xs), sequence_length=seq, dtype=tf1.float32)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            ref_vars = {v.op.name: sess.run(v) for v in tf1.global_variables()}
            ref_o, ref_s = sess.run([o1, s1])
    with tf.Graph().as_default():
        o2, s2 = tf.nn.dynamic_rnn(make(tf), tf.constant(xs), sequence_length=seq, dtype=tf.float32)
        assert sorted(v.op.name for v in tf.global_variables()) == sorted(ref_vars)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for v in tf.global_variables():
                v.load(ref_vars[v.op.name], sess)
            got_o, got_s = sess.run([o2, s2])
    np.testing.assert_allclose(got_o, ref_o, rtol=1e-5, atol=1e-6)
    for a, b in zip(tf1.nest.flatten(got_s), tf1.nest.flatten(ref_s), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.oracle
def test_bidirectional_dynamic_rnn_matches_tf1():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tensorflow")
    import tensorflow.compat.v1 as tf1
    tf1.disable_v2_behavior()
    xs, seq = rand(2, 4, 3).astype(np.float32), [4, 2]

    def build(lib):
        c = lib.nn.rnn_cell
        return lib.nn.bidirectional_dynamic_rnn(c.BasicLSTMCell(4), c.GRUCell(3), lib.constant(xs),
                                                sequence_length=seq, dtype=lib.float32)

    with tf1.Graph().as_default():
        ref = build(tf1)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            ref_vars = {v.op.name: sess.run(v) for v in tf1.global_variables()}
            ref_vals = tf1.nest.flatten(sess.run(ref))
    with tf.Graph().as_default():
        got = build(tf)
        assert sorted(v.op.name for v in tf.global_variables()) == sorted(ref_vars)
        with tf.Session() as sess:
            for v in tf.global_variables():
                v.load(ref_vars[v.op.name], sess)
            got_vals = tf1.nest.flatten(sess.run(got))
    for a, b in zip(got_vals, ref_vals, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ---- sampled losses -------------------------------------------------------------------------------------------

def _np_sampled_logits(w, b, labels, x, sampled, true_count, sampled_count, remove_hits):
    true_logits = np.einsum("bd,btd->bt", x, w[labels]) + b[labels] - np.log(true_count)
    sampled_logits = x @ w[sampled].T + b[sampled] - np.log(sampled_count)
    if remove_hits:
        hits = (labels[:, :, None] == sampled[None, None, :]).any(1)
        sampled_logits = np.where(hits, sampled_logits - np.finfo(np.float32).max, sampled_logits)
    num_true = labels.shape[1]
    targets = np.concatenate([np.full(true_logits.shape, 1.0 / num_true), np.zeros(sampled_logits.shape)], 1)
    return np.concatenate([true_logits, sampled_logits], 1), targets


SAMPLED = (np.array([3, 0, 5, 2]), np.array([[0.3, 0.2], [0.1, 0.4], [0.5, 0.25]]), np.array([0.2, 0.6, 0.1, 0.3]))
LABELS = np.array([[1, 3], [4, 0], [5, 6]])


def test_nce_and_sampled_softmax_match_numpy():
    w, b, x = rand(8, 3), rand(8), rand(3, 3)
    with tf.Graph().as_default(), tf.Session() as sess:
        sv = tuple(tf.constant(v) for v in SAMPLED)
        nce, ssm = sess.run([tf.nn.nce_loss(w, b, LABELS, x, 4, 8, num_true=2, sampled_values=sv),
                             tf.nn.sampled_softmax_loss(w, b, LABELS, x, 4, 8, num_true=2, sampled_values=sv)])
    logits, t = _np_sampled_logits(w, b, LABELS, x, *SAMPLED, remove_hits=False)
    ref_nce = np.sum(np.maximum(logits, 0) - logits * t + np.log1p(np.exp(-np.abs(logits))), 1)
    np.testing.assert_allclose(nce, ref_nce, rtol=1e-10)
    logits, t = _np_sampled_logits(w, b, LABELS, x, *SAMPLED, remove_hits=True)
    shifted = logits - logits.max(1, keepdims=True)
    ref_ssm = -np.sum(t * (shifted - np.log(np.exp(shifted).sum(1, keepdims=True))), 1)
    np.testing.assert_allclose(ssm, ref_ssm, rtol=1e-10)


@pytest.mark.parametrize("loss", ["nce_loss", "sampled_softmax_loss"])
def test_sampled_loss_gradients(loss):
    def build(w, b, x):
        sv = tuple(tf.constant(v) for v in SAMPLED)
        return getattr(tf.nn, loss)(w, b, LABELS, x, 4, 8, num_true=2, sampled_values=sv)
    assert check_gradients(build, rand(8, 3), rand(8), rand(3, 3))


@pytest.mark.parametrize("sampler,prob", [
    ("log_uniform_candidate_sampler", lambda k: np.log((k + 2) / (k + 1)) / np.log(11)),
    ("uniform_candidate_sampler", lambda k: np.full(np.shape(k), 0.1)),
])
def test_candidate_samplers_distribution_and_expected_counts(sampler, prob):
    with tf.Graph().as_default():
        true = tf.constant([[0], [7]], tf.int64)
        plain = getattr(tf.nn, sampler)(true, 1, 5000, False, 10, seed=1)
        unique = getattr(tf.nn, sampler)(true, 1, 4, True, 10, seed=2)
        assert plain[0].shape.as_list() == [5000] and plain[1].shape.as_list() == [2, 1]
        with tf.Session() as sess:
            ids, true_count, sampled_count = sess.run(plain)
            u_ids, u_true, u_sampled = sess.run(unique)
    freq = np.bincount(ids, minlength=10) / ids.size
    np.testing.assert_allclose(freq, prob(np.arange(10)), atol=0.02)
    np.testing.assert_allclose(true_count[:, 0], 5000 * prob(np.array([0, 7])), rtol=1e-5)
    np.testing.assert_allclose(sampled_count, 5000 * prob(ids), rtol=1e-5)
    assert len(set(u_ids.tolist())) == 4
    assert np.all((u_sampled > prob(u_ids) - 1e-7) & (u_sampled <= 1))  # 1-(1-p)^tries with tries >= 4


@pytest.mark.oracle
def test_sampled_losses_match_tf1(tf1):
    w, b, x = rand(8, 3), rand(8), rand(3, 3)
    sampled = (SAMPLED[0].astype(np.int64), SAMPLED[1], SAMPLED[2])

    def losses(lib):
        sv = tuple(lib.constant(v) for v in sampled)
        return [lib.nn.nce_loss(w, b, LABELS, x, 4, 8, num_true=2, sampled_values=sv),
                lib.nn.sampled_softmax_loss(w, b, LABELS, x, 4, 8, num_true=2, sampled_values=sv),
                lib.nn.nce_loss(w, b, LABELS, x, 4, 8, num_true=2, sampled_values=sv, remove_accidental_hits=True)]

    with tf1.Graph().as_default(), tf1.Session() as sess:
        ref = sess.run(losses(tf1))
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(losses(tf))
    for a, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, r, rtol=1e-6)



@pytest.mark.parametrize("fn", ["stack_bidirectional_rnn", "stack_bidirectional_dynamic_rnn"])
def test_stack_bidirectional_equals_layer_by_layer(fn):
    xs, seq = rand(2, 4, 3), [4, 3]

    def cells():
        return [rnn_cell.GRUCell(3), rnn_cell.BasicLSTMCell(2)], [rnn_cell.BasicRNNCell(2), rnn_cell.GRUCell(4)]

    def to_array(out):
        return np.stack(out, 1) if isinstance(out, list) else out

    with tf.Graph().as_default():
        dynamic = fn.endswith("dynamic_rnn")
        inputs = tf.constant(xs) if dynamic else tf.unstack(tf.constant(xs), axis=1)
        out, st_fw, st_bw = getattr(tf.contrib.rnn, fn)(*cells(), inputs, dtype=tf.float64, sequence_length=seq)
        names = [v.op.name for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            weights = {v.op.name: sess.run(v) for v in tf.global_variables()}
            got, got_fw = sess.run([out, st_fw])
    assert "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/gru_cell/gates/kernel" in names
    assert "stack_bidirectional_rnn/cell_1/bidirectional_rnn/bw/gru_cell/candidate/bias" in names
    assert to_array(got).shape == (2, 4, 6)
    with tf.Graph().as_default():
        (fw0, fw1), (bw0, bw1) = cells()
        with tf.variable_scope("stack_bidirectional_rnn"):
            with tf.variable_scope("cell_0"):
                layer, _, _ = tf.contrib.rnn.static_bidirectional_rnn(
                    fw0, bw0, tf.unstack(tf.constant(xs), axis=1), dtype=tf.float64, sequence_length=seq)
            with tf.variable_scope("cell_1"):
                layer, ref_fw, _ = tf.contrib.rnn.static_bidirectional_rnn(fw1, bw1, layer, dtype=tf.float64,
                                                                           sequence_length=seq)
        ref_out, ref_fw_val = run_with_weights(lambda: (layer, ref_fw), weights)
    np.testing.assert_allclose(to_array(got), np.stack(ref_out, 1), rtol=1e-10)
    np.testing.assert_allclose(got_fw[1].h, ref_fw_val.h, rtol=1e-10)


# ---- fused LSTM (dynamic_rnn with BasicLSTMCell, static time, no sequence_length) ---------------------------------

@pytest.fixture(params=[1, 2], ids=["one_part", "two_parts"])
def lstm_parts(request, monkeypatch):
    """Runs the FusedLSTM kernels with the batch in one part, or in two threads' parts (the last one padded)."""
    from teachtf.backend import parallel
    from teachtf.ops import lstm_ops
    monkeypatch.setattr(parallel, "CORES", request.param)
    monkeypatch.setattr(lstm_ops, "_MIN_PART", 1)
    return request.param


def _fused_ops():
    return [op.type for op in tf.get_default_graph().get_operations() if op.type.startswith("FusedLSTM")]


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("state_is_tuple", [True, False])
def test_fused_lstm_matches_numpy(lstm_parts, time_major, state_is_tuple):
    xs, k, b = rand(5, 4, 3), rand(7, 16), rand(16)
    c0, h0 = rand(5, 4), rand(5, 4)
    with tf.Graph().as_default():
        def build():
            inp = tf.constant(xs.transpose(1, 0, 2) if time_major else xs)
            init = rnn_cell.LSTMStateTuple(tf.constant(c0), tf.constant(h0)) if state_is_tuple else \
                tf.constant(np.concatenate([c0, h0], 1))
            cell = rnn_cell.BasicLSTMCell(4, forget_bias=0.5, state_is_tuple=state_is_tuple)
            out, state = tf.nn.dynamic_rnn(cell, inp, initial_state=init, time_major=time_major)
            assert _fused_ops() == ["FusedLSTM"]
            assert out.shape.as_list() == ([4, 5, 4] if time_major else [5, 4, 4])
            assert [v.op.name for v in tf.global_variables()] == ["rnn/basic_lstm_cell/kernel",
                                                                  "rnn/basic_lstm_cell/bias"]
            return out, state
        out, state = run_with_weights(build, {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b})
    c, h = c0, h0
    ref = []
    for t in range(4):
        c, h = np_lstm(xs[:, t], c, h, k, b, forget_bias=0.5)
        ref.append(h)
    np.testing.assert_allclose(out, np.stack(ref, 0 if time_major else 1), rtol=1e-10)
    got_c, got_h = state if state_is_tuple else np.split(state, 2, axis=1)
    np.testing.assert_allclose(got_c, c, rtol=1e-10)
    np.testing.assert_allclose(got_h, h, rtol=1e-10)


@pytest.mark.parametrize("time_major", [False, True])
def test_fused_lstm_gradients(lstm_parts, time_major):
    """d(outputs, final c, final h) w.r.t. the inputs, the initial state, the kernel and the bias."""
    def build(x, c0, h0, k, b):
        with tf.variable_scope("w", custom_getter=_weights_from([k, b])):
            out, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), x, time_major=time_major,
                                           initial_state=rnn_cell.LSTMStateTuple(c0, h0))
        assert _fused_ops() == ["FusedLSTM"]
        return [out, state.c, state.h]
    x = rand(4, 3, 2) if time_major else rand(3, 4, 2)
    assert check_gradients(build, x, rand(3, 3), rand(3, 3), rand(5, 12), rand(12))


@pytest.mark.parametrize("use", ["outputs", "final_c", "final_h"])
def test_fused_lstm_gradient_of_one_result(lstm_parts, use):
    """Results without a gradient are skipped by the gradient kernel; the others still backpropagate."""
    def build(x, k, b):
        with tf.variable_scope("w", custom_getter=_weights_from([k, b])):
            out, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3, forget_bias=0.0), x, dtype=tf.float64)
        return {"outputs": out[:, 1], "final_c": state.c, "final_h": state.h}[use]
    assert check_gradients(build, rand(3, 4, 2), rand(5, 12), rand(12))


def test_fused_lstm_equals_unrolled_cell(monkeypatch):
    """Same seeded initial weights, outputs and gradients as the unrolled BasicLSTMCell it replaces."""
    xs = rand(6, 5, 3).astype(np.float32)

    def run():
        with tf.Graph().as_default():
            tf.set_random_seed(7)
            x = tf.placeholder(tf.float32, [None, 5, 3])
            out, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(4), x, dtype=tf.float32)
            loss = tf.reduce_sum(out * out) + tf.reduce_sum(state.c) + tf.reduce_sum(tf.sin(state.h))
            variables = tf.trainable_variables()
            grads = tf.gradients(loss, variables + [x])
            fused = _fused_ops()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return fused, sess.run([variables, out, state, grads], {x: xs})

    fused, got = run()
    monkeypatch.setattr(rnn_cell.BasicLSTMCell, "_fusable", lambda self, steps, state: False)
    unrolled, ref = run()
    assert fused == ["FusedLSTM", "FusedLSTMGrad", "FusedLSTMInputGrad"] and unrolled == []

    def flat(v):
        return [leaf for item in v for leaf in flat(item)] if isinstance(v, (list, tuple)) else [v]
    for a, b in zip(flat(got), flat(ref), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_fused_lstm_on_device(device, monkeypatch):
    xs, k, b = rand(3, 5, 2), rand(5, 12), rand(12)

    def build():
        with tf.device(device):
            out, state = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), tf.constant(xs), dtype=tf.float64)
            loss = tf.reduce_sum(out * out) + tf.reduce_sum(state.c)
            return out, tf.gradients(loss, tf.trainable_variables())
    weights = {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b}
    with tf.Graph().as_default():
        out, grads = run_with_weights(build, weights)
        assert _fused_ops()[:2] == ["FusedLSTM", "FusedLSTMGrad"]
    monkeypatch.setattr(rnn_cell.BasicLSTMCell, "_fusable", lambda self, steps, state: False)
    with tf.Graph().as_default():
        _, ref_grads = run_with_weights(build, weights)
    np.testing.assert_allclose(out, _np_lstm_sequence(xs, k, b)[0], rtol=1e-10)
    for g, r in zip(grads, ref_grads, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-10)


def test_fused_lstm_work_arrays_are_not_shared_with_held_results():
    """A kernel reuses its work arrays across runs only when nothing else still holds them."""
    from teachtf.ops import step_buffers
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3, 2])
        out, _ = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), x, dtype=tf.float64)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(out, {x: np.ones((2, 3, 2))})
            step = [s for p in sess._plans.values() for s in p.steps if s.op.type == "FusedLSTM"][0]
            held = step_buffers.reusable(step.ctx, "out", first.shape, first.dtype)  # what the next run would use
            kept = held.copy()
            second = sess.run(out, {x: -np.ones((2, 3, 2))})
            np.testing.assert_array_equal(held, kept)  # the next run wrote elsewhere
            del held
            assert not np.allclose(second, first)
            np.testing.assert_array_equal(sess.run(out, {x: np.ones((2, 3, 2))}), first)


@pytest.mark.parametrize("cache_bytes", [0, 1 << 25], ids=["uncached", "cached"])
def test_fused_lstm_gradient_built_after_running_forward_only(monkeypatch, cache_bytes):
    """Without a gradient in the graph the forward keeps no per-step state; a gradient built later gets it."""
    from teachtf.ops import step_buffers
    monkeypatch.setattr(step_buffers, "CACHE_BYTES", cache_bytes)
    xs, k, b = rand(3, 4, 2), rand(5, 12), rand(12)
    with tf.Graph().as_default():
        out = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), tf.constant(xs), dtype=tf.float64)[0]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for v, value in zip(tf.global_variables(), [k, b]):
                v.load(value, sess)
            first = sess.run(out)
            grads = tf.gradients(tf.reduce_sum(out * out), tf.trainable_variables())
            got = sess.run([out, grads])
            again = sess.run([out, grads])

    def unrolled():
        o = tf.nn.dynamic_rnn(rnn_cell.BasicLSTMCell(3), tf.constant(xs), dtype=tf.float64)[0]
        return [o, tf.gradients(tf.reduce_sum(o * o), tf.trainable_variables())]
    monkeypatch.setattr(rnn_cell.BasicLSTMCell, "_fusable", lambda self, steps, state: False)
    with tf.Graph().as_default():
        ref = run_with_weights(unrolled, {"rnn/basic_lstm_cell/kernel": k, "rnn/basic_lstm_cell/bias": b})
    np.testing.assert_allclose(first, _np_lstm_sequence(xs, k, b)[0], rtol=1e-10)
    for result in (got, again):
        np.testing.assert_allclose(result[0], first, rtol=1e-12)
        for g, r in zip(result[1], ref[1], strict=True):
            np.testing.assert_allclose(g, r, rtol=1e-10)


def test_dynamic_rnn_without_fusion_keeps_the_unrolled_cell():
    """Sequence lengths, other cells, subclasses and activations run the unrolled cell as before."""
    class MyLSTM(rnn_cell.BasicLSTMCell):
        pass

    cases = [(rnn_cell.BasicLSTMCell(3), [3, 1]), (rnn_cell.BasicLSTMCell(3, activation=tf.nn.relu), None),
             (MyLSTM(3), None), (rnn_cell.LSTMCell(3), None)]
    for cell, seq in cases:
        with tf.Graph().as_default():
            tf.nn.dynamic_rnn(cell, tf.zeros([2, 3, 2]), sequence_length=seq, dtype=tf.float32)
            assert _fused_ops() == []


@pytest.mark.oracle
def test_fused_lstm_matches_tf1_values_and_gradients():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tensorflow")
    import tensorflow.compat.v1 as tf1
    tf1.disable_v2_behavior()
    xs = rand(40, 6, 3).astype(np.float32)

    def build(lib):
        x = lib.constant(xs)
        out, state = lib.nn.dynamic_rnn(lib.nn.rnn_cell.BasicLSTMCell(8), x, dtype=lib.float32)
        loss = lib.reduce_sum(out[:, -2] ** 2) + lib.reduce_sum(state.c * 0.5)
        return [out, state], lib.gradients(loss, lib.trainable_variables() + [x])

    with tf1.Graph().as_default():
        ref, ref_grads = build(tf1)
        with tf1.Session() as sess:
            sess.run(tf1.global_variables_initializer())
            ref_vars = {v.op.name: sess.run(v) for v in tf1.global_variables()}
            ref_vals = tf1.nest.flatten(sess.run([ref, ref_grads]))
    with tf.Graph().as_default():
        got, got_grads = build(tf)
        with tf.Session() as sess:
            for v in tf.global_variables():
                v.load(ref_vars[v.op.name], sess)
            got_vals = tf1.nest.flatten(sess.run([got, got_grads]))
    for a, b in zip(got_vals, ref_vals, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)

"""MonitoredTrainingSession, MonitoredSession, Scaffold and the standard hooks (API.md §12.7)."""

import importlib.util
import logging
import os

import numpy as np
import pytest

import teachtf as tf

X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], np.float32)


def _model(with_step=True):
    """w: 2x1 regression trained by GD; returns (x, w, loss, train_op, global_step)."""
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(np.zeros((2, 1), np.float32), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0), name="loss")
    step = tf.train.get_or_create_global_step() if with_step else None
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return x, w, loss, train_op, step


@pytest.fixture
def tf_log(caplog):
    """Captures the "tensorflow" logger at INFO (tf.logging stops it from propagating to the root logger)."""
    logger = logging.getLogger("tensorflow")
    old_level = logger.level
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.INFO)
    yield caplog
    logger.removeHandler(caplog.handler)
    logger.setLevel(old_level)


def _index_steps(folder):
    return sorted(int(f.split("-")[1].split(".")[0]) for f in os.listdir(folder) if f.endswith(".index"))


def test_trains_saves_and_resumes(tmp_path):
    ckpt = str(tmp_path)
    x, w, loss, train_op, step = _model()
    hooks = [tf.train.StopAtStepHook(last_step=12)]
    with tf.train.MonitoredTrainingSession(checkpoint_dir=ckpt, hooks=hooks, save_checkpoint_steps=5,
                                           save_summaries_steps=None, log_step_count_steps=None) as sess:
        assert tf.get_default_graph().finalized
        with pytest.raises(RuntimeError, match="finalized"):
            tf.global_variables_initializer()
        runs = 0
        while not sess.should_stop():
            sess.run(train_op, {x: X})
            runs += 1
        w_trained = sess.run(w)
    assert runs == 12
    assert not tf.get_default_graph().finalized  # given back as it was
    # Saved at the start (0), every 5 steps, and at the end.
    assert _index_steps(ckpt) == [0, 5, 10, 12]
    assert tf.train.latest_checkpoint(ckpt) == os.path.join(ckpt, "model.ckpt-12")
    if importlib.util.find_spec("tensorboard") is not None:  # the graph is written with TensorBoard's protos
        assert os.path.exists(os.path.join(ckpt, "graph.pbtxt"))

    # A fresh program resumes from model.ckpt-12 without initializing anything.
    tf.reset_default_graph()
    x, w, loss, train_op, step = _model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=ckpt, hooks=[tf.train.StopAtStepHook(num_steps=3)],
                                           save_checkpoint_secs=None, save_summaries_steps=None) as sess:
        assert sess.run(step) == 12
        np.testing.assert_array_equal(sess.run(w), w_trained)
        while not sess.should_stop():
            sess.run(train_op, {x: X})
        assert sess.run(step) == 15


def test_global_step_is_required():
    _model(with_step=False)
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook"):
        tf.train.MonitoredTrainingSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])
    assert not tf.get_default_graph().finalized


def test_global_step_is_required_for_checkpoints(tmp_path):
    _model(with_step=False)
    with pytest.raises(RuntimeError, match="Global step should be created"):
        tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path))


def test_out_of_range_stops_and_final_checkpoint_is_saved(tmp_path):
    x, w, loss, train_op, step = _model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_secs=3600,
                                           save_summaries_steps=None) as sess:
        raw = sess._raw_tf_session()
        real_run, calls = raw.run, []

        def run_until_input_ends(fetches, feed_dict=None, **kw):
            if isinstance(fetches, dict) and "caller" in fetches:  # a training step, not a hook's own read
                calls.append(1)
                if len(calls) == 4:  # the input pipeline runs dry during the 4th training step
                    raise tf.errors.OutOfRangeError(None, None, "End of sequence")
            return real_run(fetches, feed_dict, **kw)

        raw.run = run_until_input_ends
        while not sess.should_stop():
            sess.run(train_op, {x: X})
        pytest.fail("OutOfRangeError should have left the loop")
    assert sess.should_stop()
    # The end hooks still ran: the final checkpoint holds the 3 completed steps.
    assert _index_steps(str(tmp_path)) == [0, 3]


def test_other_errors_propagate_and_skip_end_hooks(tmp_path):
    x, w, loss, train_op, step = _model()
    with pytest.raises(ZeroDivisionError):
        with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_checkpoint_secs=3600,
                                               save_summaries_steps=None) as sess:
            sess.run(train_op, {x: X})
            raise ZeroDivisionError("a bug in the training loop")
    assert _index_steps(str(tmp_path)) == [0]
    assert sess.should_stop()
    with pytest.raises(RuntimeError, match="closed"):
        sess.run(train_op, {x: X})


class _Recorder(tf.train.SessionRunHook):
    def __init__(self, tensor, feed=None, stop_after=None):
        self.tensor, self.feed, self.stop_after = tensor, feed, stop_after
        self.calls, self.results = [], []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")

    def before_run(self, run_context):
        self.calls.append("before_run")
        assert run_context.original_args.fetches is not None
        return tf.train.SessionRunArgs({"t": self.tensor}, feed_dict=self.feed)

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.results.append(run_values.results["t"])
        if self.stop_after is not None and len(self.results) >= self.stop_after:
            run_context.request_stop()

    def end(self, session):
        self.calls.append("end")


def test_hook_protocol_fetches_feeds_and_stop():
    a = tf.placeholder(tf.float32, name="a")
    b = tf.placeholder(tf.float32, name="b")
    total = a + b
    hook = _Recorder(b * 10, feed={b: 2.0}, stop_after=2)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run(total, {a: 1.0}) == 3.0
        assert not sess.should_stop()
        assert sess.run([total], {a: 5.0}) == [7.0]
        assert sess.should_stop()
    assert hook.results == [20.0, 20.0]
    assert hook.calls == ["begin", "after_create_session", "before_run", "after_run", "before_run", "after_run",
                          "end"]


def test_feed_conflicts_are_errors():
    a = tf.placeholder(tf.float32, name="a")
    with tf.train.MonitoredSession(hooks=[_Recorder(a, feed={a: 1.0}), _Recorder(a, feed={a: 2.0})]) as sess:
        with pytest.raises(RuntimeError, match="Same tensor is fed by two hooks"):
            sess.run(a)
    with tf.train.MonitoredSession(hooks=[_Recorder(a, feed={a: 1.0})]) as sess:
        with pytest.raises(RuntimeError, match="fed by a SessionRunHook and user"):
            sess.run(a, {a: 3.0})


def test_logging_tensor_hook(tf_log):
    x, w, loss, train_op, step = _model()
    hook = tf.train.LoggingTensorHook({"step": step, "loss": loss}, every_n_iter=2)
    with tf.train.MonitoredSession(hooks=[hook]) as sess:
        for _ in range(5):
            sess.run(train_op, {x: X})
    lines = [r.getMessage() for r in tf_log.records if r.getMessage().startswith("loss = ")]
    assert len(lines) == 3  # iterations 0, 2, 4
    # Tags in sorted order; the loss is computed before the update, the variable read after it.
    assert lines[0] == "loss = 1.0, step = 1"
    assert ", step = 3 (" in lines[1] and lines[1].endswith(" sec)")
    with pytest.raises(ValueError, match="exactly one of every_n_iter and every_n_secs"):
        tf.train.LoggingTensorHook([loss])


def test_logging_at_end(tf_log):
    c = tf.constant(4.0, name="four")
    with tf.train.MonitoredSession(hooks=[tf.train.LoggingTensorHook(["four"], at_end=True)]) as sess:
        sess.run(c)
    assert "four = 4.0" in [r.getMessage() for r in tf_log.records]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_tensor_hook():
    v = tf.Variable(1.0)
    loss = tf.log(v - 1.0) * 0.0
    with pytest.raises(tf.train.NanLossDuringTrainingError, match="NaN loss during training"):
        with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss)]) as sess:
            sess.run(loss)
    with tf.train.MonitoredSession(hooks=[tf.train.NanTensorHook(loss, fail_on_nan_loss=False)]) as sess:
        sess.run(loss)
        assert sess.should_stop()


def test_summaries_and_step_counter_written_to_checkpoint_dir(tmp_path):
    pytest.importorskip("tensorboard")
    x, w, loss, train_op, step = _model()
    tf.summary.scalar("loss", loss)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), save_summaries_steps=3,
                                           log_step_count_steps=2, save_checkpoint_secs=None,
                                           hooks=[tf.train.StopAtStepHook(last_step=7)]) as sess:
        while not sess.should_stop():
            sess.run(train_op, {x: X})
    tf.summary.FileWriterCache.clear()
    scalars = tf.ext.load_scalars(str(tmp_path))
    assert [s for s, _ in scalars["loss_1"]] == [1, 4, 7]
    assert all(v > 0 for _, v in scalars["global_step/sec"])
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".index")]  # no checkpoints requested


def test_scaffold_init_fn_and_ready_check():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    scaffold = tf.train.Scaffold(init_op=tf.variables_initializer([a]),
                                 init_fn=lambda scaffold, sess: sess.run(tf.get_default_graph()
                                                                         .get_operation_by_name("b/Assign")))
    with tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=scaffold)) as sess:
        assert sess.run([a, b]) == [1.0, 2.0]
    tf.reset_default_graph()
    a = tf.Variable(1.0, name="a")
    tf.Variable(2.0, name="b")
    bad = tf.train.Scaffold(init_op=tf.variables_initializer([a]))
    with pytest.raises(RuntimeError, match="Init operations did not make model ready.*Variables not initialized: b"):
        tf.train.MonitoredSession(tf.train.ChiefSessionCreator(scaffold=bad))


def test_singular_session_run_step_fn_and_saver(tmp_path):
    x, w, loss, train_op, step = _model()
    saver = tf.train.Saver()
    with tf.train.SingularMonitoredSession() as sess:
        assert isinstance(sess.raw_session(), tf.Session)

        def step_fn(ctx):
            ctx.run_with_hooks(train_op, {x: X})
            if ctx.session.run(step) >= 2:
                ctx.request_stop()
            return "ran"

        results = []
        while not sess.should_stop():
            results.append(sess.run_step_fn(step_fn))
        assert results == ["ran", None]
        prefix = saver.save(sess, str(tmp_path / "m"), global_step=step)
    assert prefix.endswith("m-2")


def test_bad_arguments():
    _model()
    with pytest.raises(ValueError, match="master must be ''"):
        tf.train.MonitoredTrainingSession(master="grpc://localhost:2222")
    with pytest.raises(NotImplementedError, match="is_chief=False"):
        tf.train.MonitoredTrainingSession(is_chief=False)
    with pytest.raises(ValueError, match="One of num_steps or last_step"):
        tf.train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step"):
        tf.train.StopAtStepHook(1, 2)
    with pytest.raises(ValueError, match="both saver and scaffold"):
        tf.train.CheckpointSaverHook("d", save_steps=1, saver=object(), scaffold=object())
    with pytest.raises(ValueError, match="Either every_secs or every_steps"):
        tf.train.CheckpointSaverHook("d")
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op"):
        tf.train.SummarySaverHook(save_steps=1)


def test_second_or_step_timer():
    t = tf.train.SecondOrStepTimer(every_steps=3)
    assert t.should_trigger_for_step(0)
    assert t.update_last_triggered_step(0) == (None, None)
    assert not t.should_trigger_for_step(0) and not t.should_trigger_for_step(2)
    assert t.should_trigger_for_step(3)
    elapsed_secs, elapsed_steps = t.update_last_triggered_step(4)
    assert elapsed_steps == 4 and elapsed_secs >= 0 and t.last_triggered_step() == 4

"""tf.train.Saver, checkpoint files and utilities, meta graphs (API.md §12.6)."""

import errno
import json
import os
import warnings

import numpy as np
import pytest

import teachtf as tf
from teachtf.python.tools import inspect_checkpoint
from teachtf.train import checkpoint_io
from tests.devices import DEVICES

W0 = np.arange(6, dtype=np.float32).reshape(2, 3)
B0 = np.array([1.0, -2.0, 3.0], np.float32)


def _model():
    w = tf.Variable(W0, name="w")
    b = tf.Variable(B0, name="b")
    return w, b


def _save_model(path, global_step=None, **saver_kw):
    """Builds w, b in a fresh graph, initializes and saves; returns the prefix."""
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver(**saver_kw)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return saver.save(sess, path, global_step=global_step)


def _tmp_files(folder):
    return [f for f in os.listdir(folder) if ".tmp" in f or ".part" in f]


# -- default saver, names and files ---------------------------------------------------------------------


def test_saver_op_names_match_tf():
    _model()
    saver = tf.train.Saver()
    sd = saver.saver_def
    assert (sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name) == \
        ("save/Const:0", "save/control_dependency:0", "save/restore_all")
    types = {op.name: op.type for op in tf.get_default_graph().get_operations() if op.name.startswith("save/")}
    assert types["save/filename"] == "PlaceholderWithDefault"
    assert types["save/SaveV2"] == "SaveV2"
    assert types["save/RestoreV2"] == "RestoreV2"
    assert types["save/Assign"] == types["save/Assign_1"] == "Assign"
    assert types["save/restore_all"] == "NoOp"
    assert tf.train.Saver().saver_def.restore_op_name == "save_1/restore_all"
    assert tf.train.Saver(name="mine").saver_def.restore_op_name == "mine/restore_all"


@pytest.mark.parametrize("device", DEVICES)
def test_save_restore_without_initialization(tmp_path, device):
    with tf.device(device):
        w, b = _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, W0 * 10))
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert prefix == str(tmp_path / "model.ckpt")
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt.data-00000-of-00001", "model.ckpt.index",
                                            "model.ckpt.meta"]
    with tf.Session() as sess:  # no initializer run: restore alone makes the variables usable
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), W0 * 10)
        np.testing.assert_array_equal(sess.run(b), B0)
    with tf.Session() as sess:  # values from an earlier initialization are overwritten
        sess.run(tf.global_variables_initializer())
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), W0 * 10)


def test_index_file_is_documented_json(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    index = json.loads((tmp_path / "m.index").read_text())
    assert index["format"] == "teachtf-checkpoint" and index["version"] == 1
    assert index["data_file"] == "m.data-00000-of-00001"
    e = index["tensors"]["w"]
    assert (e["dtype"], e["shape"], e["nbytes"]) == ("float32", [2, 3], 24)
    raw = (tmp_path / "m.data-00000-of-00001").read_bytes()
    assert e["offset"] % 64 == 0
    np.testing.assert_array_equal(np.frombuffer(raw[e["offset"]:e["offset"] + 24], "<f4").reshape(2, 3), W0)
    assert prefix == str(tmp_path / "m")


def test_checkpoint_state_file_and_lookup(tmp_path):
    _save_model(str(tmp_path / "model"), global_step=7)
    text = (tmp_path / "checkpoint").read_text()
    # Absolute save directory: absolute paths, in TF's text format.
    assert text == (f'model_checkpoint_path: "{tmp_path}/model-7"\n'
                    f'all_model_checkpoint_paths: "{tmp_path}/model-7"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{tmp_path}/model-7"
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == f"{tmp_path}/model-7"
    assert state.all_model_checkpoint_paths == [f"{tmp_path}/model-7"]
    assert tf.train.checkpoint_exists(f"{tmp_path}/model-7")
    assert not tf.train.checkpoint_exists(f"{tmp_path}/model-8")
    assert tf.train.latest_checkpoint(str(tmp_path / "nowhere")) is None
    assert tf.train.get_checkpoint_state(str(tmp_path / "nowhere")) is None


def test_relative_save_dir_writes_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpt")
    _save_model("ckpt/model", global_step=3)
    assert (tmp_path / "ckpt" / "checkpoint").read_text().startswith('model_checkpoint_path: "model-3"\n')
    assert tf.train.latest_checkpoint("ckpt") == os.path.join("ckpt", "model-3")


# -- every form of var_list -------------------------------------------------------------------------------


def test_list_form_keys_are_op_names(tmp_path):
    w, b = _model()
    saver = tf.train.Saver([w])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "m"))
    assert tf.train.list_variables(prefix) == [("w", [2, 3])]


def test_list_with_two_variables_of_the_same_name_is_an_error():
    w = tf.Variable(1.0, name="v")
    other_graph_w = tf.Graph()
    with other_graph_w.as_default():
        v2 = tf.Variable(2.0, name="v")
    with pytest.raises(ValueError, match="(same name: v|same graph)"):
        tf.train.Saver([w, v2])
    with pytest.raises(TypeError, match="dict or a list"):
        tf.train.Saver(w)
    with pytest.raises(TypeError, match="not a Variable"):
        tf.train.Saver([tf.constant(1.0)])


def test_dict_form_renames_and_swaps_keys(tmp_path):
    w, b = _model()
    c = tf.Variable(np.array([7.0, 8.0, 9.0], np.float32), name="c")
    saver = tf.train.Saver({"weights/kernel": w, "bias": b, "other": c})
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "m"))
    assert [k for k, _ in tf.train.list_variables(prefix)] == ["bias", "other", "weights/kernel"]
    np.testing.assert_array_equal(tf.train.load_variable(prefix, "weights/kernel"), W0)
    # Swap: the value saved from b goes into c and the one from c into b.
    swap = tf.train.Saver({"bias": c, "other": b})
    with tf.Session() as sess:
        swap.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(c), B0)
        np.testing.assert_array_equal(sess.run(b), [7.0, 8.0, 9.0])
    with pytest.raises(ValueError, match="two names"):
        tf.train.Saver({"a": w, "b": w})


def test_partial_restore_then_initialize_the_rest(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    w, b = _model()
    extra = tf.Variable(np.float32(5.0), name="extra")
    saver = tf.train.Saver([w, b])
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value extra"):
            sess.run(extra)
        sess.run(tf.variables_initializer([extra]))
        assert sess.run(extra) == 5.0
        np.testing.assert_array_equal(sess.run(w), W0)


def test_no_variables(tmp_path):
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    saver = tf.train.Saver(allow_empty=True)
    with tf.Session() as sess:
        assert saver.save(sess, str(tmp_path / "m"), write_meta_graph=False) is None
        saver.restore(sess, str(tmp_path / "m"))  # nothing to do


# -- global_step naming and max_to_keep --------------------------------------------------------------------


def test_max_to_keep_1_with_global_step_variable(tmp_path):
    w, b = _model()
    step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
    saver = tf.train.Saver([w, b], max_to_keep=1)
    base = str(tmp_path / "model.ckpt")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for s in (10, 20, 30):
            sess.run(tf.assign(step, s))
            path = saver.save(sess, base, global_step=step)
            assert path == f"{base}-{s}"
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt-30.data-00000-of-00001",
                                            "model.ckpt-30.index", "model.ckpt-30.meta"]
    assert saver.last_checkpoints == [f"{base}-30"]
    assert tf.train.get_checkpoint_state(str(tmp_path)).all_model_checkpoint_paths == [f"{base}-30"]


def test_max_to_keep_2_and_none(tmp_path):
    w, b = _model()
    saver = tf.train.Saver(max_to_keep=2)
    keep_all = tf.train.Saver(max_to_keep=None)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for s in range(4):
            saver.save(sess, str(tmp_path / "a"), global_step=s, write_meta_graph=False)
            keep_all.save(sess, str(tmp_path / "b"), global_step=s, write_meta_graph=False, latest_filename="b_state")
        # Saving the same prefix again moves it to the end instead of duplicating it.
        saver.save(sess, str(tmp_path / "a"), global_step=2, write_meta_graph=False)
    assert saver.last_checkpoints == [str(tmp_path / "a-3"), str(tmp_path / "a-2")]
    assert sorted(f for f in os.listdir(tmp_path) if f.startswith("a-") and f.endswith(".index")) == \
        ["a-2.index", "a-3.index"]
    assert len([f for f in os.listdir(tmp_path) if f.startswith("b-") and f.endswith(".index")]) == 4
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "a-2")
    assert tf.train.latest_checkpoint(str(tmp_path), "b_state") == str(tmp_path / "b-3")


def test_keep_checkpoint_every_n_hours_preserves(tmp_path):
    _model()
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for s in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=s, write_meta_graph=False)
    assert saver.last_checkpoints == [str(tmp_path / "m-2")]
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 3


def test_pad_step_number_and_latest_filename(tmp_path):
    _model()
    saver = tf.train.Saver(pad_step_number=True)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert saver.save(sess, str(tmp_path / "m"), global_step=5, write_meta_graph=False) == \
            str(tmp_path / "m-00000005")
        with pytest.raises(ValueError, match="path components"):
            saver.save(sess, str(tmp_path / "m"), latest_filename="x/y")


# -- bad input ----------------------------------------------------------------------------------------------


def test_missing_parent_directory(tmp_path):
    _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="Parent directory of .*nope/m doesn't exist, can't save."):
            saver.save(sess, str(tmp_path / "nope" / "m"))


def test_restore_logs_like_tf(tmp_path, caplog):
    import logging

    prefix = _save_model(str(tmp_path / "m"))
    _model()
    saver = tf.train.Saver()
    logger = logging.getLogger("tensorflow")  # tf.logging's logger does not propagate to the root logger
    logger.addHandler(caplog.handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        with tf.Session() as sess:
            saver.restore(sess, prefix)
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(old)
    assert f"Restoring parameters from {prefix}" in [r.getMessage() for r in caplog.records]


def test_restore_missing_checkpoint(tmp_path):
    _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint: .*ghost"):
            saver.restore(sess, str(tmp_path / "ghost"))
        with pytest.raises(ValueError, match="save_path when it is None"):
            saver.restore(sess, None)


def test_checkpoint_from_a_different_model(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    w, b = _model()
    hidden = tf.Variable(np.zeros(4, np.float32), name="hidden/kernel")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, W0 + 100))
        with pytest.raises(tf.errors.NotFoundError) as info:
            saver.restore(sess, prefix)
        msg = str(info.value)
        assert "Restoring from checkpoint failed" in msg
        assert "Key hidden/kernel not found in checkpoint" in msg
        assert "missing from checkpoint" in msg and "['hidden/kernel']" in msg
        assert "nothing restores: []" in msg
        assert "save/RestoreV2" in msg
        # A failed restore changes nothing.
        np.testing.assert_array_equal(sess.run(w), W0 + 100)
    del hidden


def test_unexpected_keys_are_listed(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    v = tf.Variable(np.zeros(3, np.float32), name="bias")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match=r"(?s)\['bias'\].*nothing restores: \['b', 'w'\]"):
            tf.train.Saver([v]).restore(sess, prefix)


def test_shape_mismatch_is_named_and_changes_nothing(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    w = tf.Variable(np.zeros((3, 2), np.float32), name="w")
    b = tf.Variable(np.zeros(3, np.float32), name="b")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            saver.restore(sess, prefix)
        msg = str(info.value)
        assert "mismatch between the current graph and the graph from the checkpoint" in msg
        assert "lhs shape= [3, 2] rhs shape= [2, 3]" in msg and "key 'w'" in msg
        np.testing.assert_array_equal(sess.run(b), np.zeros(3))  # b was fine but is not half-restored
        np.testing.assert_array_equal(sess.run(w), np.zeros((3, 2)))


def test_dtype_mismatch(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    w = tf.Variable(np.zeros((2, 3), np.float64), name="w")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="expected dtype float64 does not equal original "
                                                                 "dtype float32"):
            tf.train.Saver([w]).restore(sess, prefix)


def test_reshape_restores_same_size(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    w = tf.Variable(np.zeros((3, 2), np.float32), name="w")
    saver = tf.train.Saver([w], reshape=True)
    with tf.Session() as sess:
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), W0.reshape(3, 2))
    w6 = tf.Variable(np.zeros(5, np.float32), name="w6")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="cannot reshape"):
            tf.train.Saver({"w": w6}, reshape=True).restore(sess, prefix)


def test_uninitialized_variable_cannot_be_saved(tmp_path):
    _model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value"):
            saver.save(sess, str(tmp_path / "m"))
    assert os.listdir(tmp_path) == []


# -- re-run notebook cells -------------------------------------------------------------------------------


def test_warns_when_the_model_was_built_twice(tmp_path):
    _model()
    _model()  # a re-run cell: w_1, b_1
    with pytest.warns(UserWarning, match=r"'w_1' \(copy of 'w'\).*tf.reset_default_graph"):
        saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        prefix = saver.save(sess, str(tmp_path / "m"))
    # Restoring into a model that was also built twice, but saved once: the hint explains the suffix.
    tf.reset_default_graph()
    w = tf.Variable(W0, name="w")
    w1 = tf.Variable(W0, name="w_1")
    w2 = tf.Variable(W0, name="w_2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saver = tf.train.Saver([w, w1, w2])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.NotFoundError, match="the graph wants 'w_2' where the checkpoint has 'w'"):
            saver.restore(sess, prefix)


def test_no_warning_for_distinct_variables():
    tf.Variable(np.zeros((784, 10), np.float32))  # classic unnamed W and b: Variable, Variable_1
    tf.Variable(np.zeros(10, np.float32))
    w = tf.Variable(np.zeros(3, np.float32), name="w")
    tf.Variable(np.zeros(3, np.float32), name="w_1", trainable=False)  # like an optimizer slot
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.train.Saver()
    del w


# -- atomic writes ------------------------------------------------------------------------------------------


def _saver_and_session(tmp_path):
    w, b = _model()
    saver = tf.train.Saver()
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return w, saver, sess


@pytest.mark.parametrize("fail_on_call", [1, 2])
def test_failure_mid_write_keeps_previous_checkpoint(tmp_path, monkeypatch, fail_on_call):
    w, saver, sess = _saver_and_session(tmp_path)
    prefix = saver.save(sess, str(tmp_path / "m"))
    sess.run(tf.assign(w, W0 * -1))
    real_write = checkpoint_io._write_file
    calls = []

    def failing_write(path, chunks):
        calls.append(path)
        if len(calls) == fail_on_call:  # 1: the data file, 2: the index file
            with open(path, "wb") as f:
                f.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, chunks)

    monkeypatch.setattr(checkpoint_io, "_write_file", failing_write)
    with pytest.raises(tf.errors.ResourceExhaustedError, match="(?s)previous checkpoint .* unchanged.*No space left"):
        saver.save(sess, prefix)
    monkeypatch.undo()
    assert _tmp_files(tmp_path) == []
    saver.restore(sess, prefix)
    np.testing.assert_array_equal(sess.run(w), W0)
    sess.close()


def test_failure_between_the_renames_restores_the_old_data(tmp_path, monkeypatch):
    w, saver, sess = _saver_and_session(tmp_path)
    prefix = saver.save(sess, str(tmp_path / "m"))
    sess.run(tf.assign(w, W0 * -1))
    real_replace = os.replace

    def failing_replace(src, dst):
        if dst.endswith(".index"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(checkpoint_io.os, "replace", failing_replace)
    with pytest.raises(tf.errors.PermissionDeniedError, match="Permission denied"):
        saver.save(sess, prefix)
    monkeypatch.undo()
    assert _tmp_files(tmp_path) == []
    saver.restore(sess, prefix)
    np.testing.assert_array_equal(sess.run(w), W0)
    sess.close()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory(tmp_path):
    w, saver, sess = _saver_and_session(tmp_path)
    prefix = saver.save(sess, str(tmp_path / "m"))
    os.chmod(tmp_path, 0o500)
    try:
        with pytest.raises(tf.errors.PermissionDeniedError):
            saver.save(sess, prefix)
    finally:
        os.chmod(tmp_path, 0o700)
    assert _tmp_files(tmp_path) == []
    saver.restore(sess, prefix)
    sess.close()


def test_unwritable_target_simulated(tmp_path, monkeypatch):
    w, saver, sess = _saver_and_session(tmp_path)
    prefix = saver.save(sess, str(tmp_path / "m"))

    def denied(path, chunks):
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(checkpoint_io, "_write_file", denied)
    with pytest.raises(tf.errors.PermissionDeniedError, match="Failed to write checkpoint"):
        saver.save(sess, str(tmp_path / "m2"))
    monkeypatch.undo()
    assert not os.path.exists(str(tmp_path / "m2.index"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix
    sess.close()


# -- damaged files -----------------------------------------------------------------------------------------


def _restore_into_fresh(prefix):
    w, b = _model()
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, prefix)


def test_corrupt_data_is_detected(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    data = bytearray((tmp_path / "m.data-00000-of-00001").read_bytes())
    data[70] ^= 0xFF
    (tmp_path / "m.data-00000-of-00001").write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="Checksum mismatch for tensor 'w'"):
        _restore_into_fresh(prefix)


def test_truncated_data_is_detected(tmp_path):
    prefix = _save_model(str(tmp_path / "m"))
    data = (tmp_path / "m.data-00000-of-00001").read_bytes()
    (tmp_path / "m.data-00000-of-00001").write_bytes(data[:70])
    with pytest.raises(tf.errors.DataLossError, match="truncated"):
        _restore_into_fresh(prefix)
    os.remove(tmp_path / "m.data-00000-of-00001")
    with pytest.raises(tf.errors.DataLossError, match="data file .* is missing"):
        tf.train.load_variable(prefix, "w")


def test_garbage_index(tmp_path):
    (tmp_path / "tf_ckpt.index").write_bytes(b"\x00\x01binary sstable")
    with pytest.raises(tf.errors.DataLossError, match="not a teachtf checkpoint"):
        tf.train.NewCheckpointReader(str(tmp_path / "tf_ckpt"))
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.NewCheckpointReader(str(tmp_path / "absent"))


# -- readers and tools ------------------------------------------------------------------------------------------


def test_reader_and_list_variables(tmp_path):
    prefix = _save_model(str(tmp_path / "m"), global_step=1)
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.get_variable_to_shape_map() == {"w": [2, 3], "b": [3]}
    assert reader.get_variable_to_dtype_map() == {"w": tf.float32, "b": tf.float32}
    assert reader.has_tensor("w") and not reader.has_tensor("x")
    np.testing.assert_array_equal(reader.get_tensor("b"), B0)
    with pytest.raises(tf.errors.NotFoundError, match="Key x not found in checkpoint"):
        reader.get_tensor("x")
    assert tf.train.list_variables(str(tmp_path)) == [("b", [3]), ("w", [2, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "w:0"), W0)
    os.mkdir(tmp_path / "sub")
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.list_variables(str(tmp_path / "sub"))
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.list_variables(str(tmp_path / "absent"))


def test_print_tensors_in_checkpoint_file(tmp_path, capsys):
    prefix = _save_model(str(tmp_path / "m"))
    inspect_checkpoint.print_tensors_in_checkpoint_file(prefix, tensor_name="", all_tensors=True)
    out = capsys.readouterr().out
    assert out.startswith("tensor_name:  b\n[ 1. -2.  3.]\ntensor_name:  w\n")
    assert out.rstrip().endswith("# Total number of params: 9")
    inspect_checkpoint.print_tensors_in_checkpoint_file(prefix, tensor_name="w", all_tensors=False)
    assert capsys.readouterr().out.startswith("tensor_name:  w\n[[0. 1. 2.]")
    inspect_checkpoint.print_tensors_in_checkpoint_file(prefix, "", False)
    assert capsys.readouterr().out.startswith("b (DT_FLOAT) [3]\nw (DT_FLOAT) [2,3]\n")
    inspect_checkpoint.print_tensors_in_checkpoint_file(prefix + ".index", "", True)
    assert "provide the filename *prefix*" in capsys.readouterr().out


def test_checkpoint_io_roundtrip_of_every_dtype(tmp_path):
    values = {"f16": np.array([1.5], np.float16), "f64": np.array([[1e300]]), "i8": np.array([-3], np.int8),
              "u16": np.array([65535], np.uint16), "i64": np.array(2**40), "bool": np.array([True, False]),
              "c64": np.array([1 + 2j], np.complex64), "s": np.array([b"ab", b"", "\u00e9".encode()], dtype=object),
              "empty": np.zeros((0, 3), np.float32)}
    checkpoint_io.write_checkpoint(str(tmp_path / "all"), values)
    f = checkpoint_io.CheckpointFile(str(tmp_path / "all"))
    for k, v in values.items():
        got = f.read(k)
        assert got.shape == v.shape and got.dtype == v.dtype, k
        np.testing.assert_array_equal(got, v)


# -- meta graphs ------------------------------------------------------------------------------------------------


def _train_graph():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(np.ones((2, 1), np.float32), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0), name="loss")
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    tf.add_to_collection("my_train_op", train_op)
    tf.add_to_collection("my_tensors", loss)
    tf.add_to_collection("notes", "hello")
    return x, w, loss, train_op


def test_export_import_meta_graph_then_train(tmp_path):
    x, w, loss, train_op = _train_graph()
    saver = tf.train.Saver()
    feed = {x: np.array([[1.0, 2.0], [0.5, -1.0]], np.float32)}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train_op, feed)
        prefix = saver.save(sess, str(tmp_path / "model"))
        w_saved = sess.run(w)
        w_after_two = (sess.run(train_op, feed), sess.run(w))[1]
    names = [op.name for op in tf.get_default_graph().get_operations()]

    tf.reset_default_graph()
    restored = tf.train.import_meta_graph(prefix + ".meta")
    g = tf.get_default_graph()
    assert [op.name for op in g.get_operations()] == names
    assert g.get_tensor_by_name("x:0").shape.as_list() == [None, 2]
    (train_op2,) = tf.get_collection("my_train_op")
    assert train_op2.name == train_op.name
    assert tf.get_collection("notes") == ["hello"]
    assert [v.name for v in tf.global_variables()] == ["w:0"]
    assert tf.trainable_variables()[0] is tf.global_variables()[0]
    with tf.Session() as sess:
        restored.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run("w:0"), w_saved)
        sess.run(train_op2, {"x:0": feed[x]})
        np.testing.assert_allclose(sess.run("w:0"), w_after_two, rtol=1e-6)
        # A new Saver after the import opens a fresh scope.
        assert tf.train.Saver().saver_def.restore_op_name == "save_1/restore_all"


def test_import_meta_graph_with_scope_and_errors(tmp_path):
    _train_graph()
    meta = tf.train.export_meta_graph(str(tmp_path / "g.meta"))
    assert "Variable" not in meta.meta_info_def["stripped_op_list"]
    assert "VariableV2" in meta.meta_info_def["stripped_op_list"]
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(str(tmp_path / "g.meta"), import_scope="copy")
    assert tf.get_default_graph().get_tensor_by_name("copy/loss:0") is not None
    assert saver is not None and [v.name for v in tf.global_variables()] == ["copy/w:0"]
    with pytest.raises(ValueError, match="already has an op"):
        tf.train.import_meta_graph(str(tmp_path / "g.meta"), import_scope="copy")
    (tmp_path / "bad.meta").write_bytes(b"\x08\x01 protobuf bytes")
    with pytest.raises(ValueError, match="not a teachtf meta graph"):
        tf.train.import_meta_graph(str(tmp_path / "bad.meta"))


def test_import_meta_graph_without_variables_returns_none(tmp_path):
    tf.constant(1.0, name="c")
    tf.train.export_meta_graph(str(tmp_path / "c.meta"))
    tf.reset_default_graph()
    assert tf.train.import_meta_graph(str(tmp_path / "c.meta")) is None
    assert tf.get_default_graph().get_operation_by_name("c").type == "Const"


@pytest.mark.oracle
def test_saver_names_match_tensorflow(tf1):
    with tf1.Graph().as_default() as g:
        tf1.Variable(1.0, name="w")
        tf1.Variable(2.0, name="b")
        tf1.train.Saver()
        want = [(op.name, op.type) for op in g.get_operations() if op.name.startswith("save")]
    _model()
    tf.train.Saver()
    got = [(op.name, op.type) for op in tf.get_default_graph().get_operations() if op.name.startswith("save")]
    assert got == want

"""tf.summary ops, FileWriter event files (read back with TensorBoard's reader), plot and load_scalars (§13, §19)."""

import io
import os
import sys
import types
import wave
import zlib

import numpy as np
import pytest

import teachtf as tf

pytest.importorskip("tensorboard")
# TensorBoard's reader would import a real TensorFlow when one is installed; its stub reader is what users
# without TensorFlow get, and it is much faster to load.
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402
from tensorboard.compat.proto import summary_pb2  # noqa: E402

from teachtf.summary import encoders  # noqa: E402


def _parse(raw):
    s = summary_pb2.Summary()
    s.ParseFromString(raw)
    return s


def _accumulator(logdir):
    ea = event_accumulator.EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0,
                                                                        "images": 0, "audio": 0, "tensors": 0})
    ea.Reload()
    return ea


def _decode_png(data):
    """A small PNG decoder for the unfiltered 8-bit images encoders.encode_png writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert int.from_bytes(data[pos + 8 + n:pos + 12 + n], "big") == zlib.crc32(kind + body)
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    channels = {0: 1, 2: 3, 6: 4}[header[9]]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * channels)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(h, w, channels)


# -- tags and op names -------------------------------------------------------------------------------------


def test_scalar_tags_follow_name_scopes_and_uniquify():
    with tf.name_scope("train"):
        a = tf.summary.scalar("loss", tf.constant(1.0))
        b = tf.summary.scalar("loss", tf.constant(2.0))
    tf.identity(1.0, name="acc")
    c = tf.summary.scalar("acc", tf.constant(3.0))
    d = tf.summary.scalar("my loss!", tf.constant(4.0), family="fam")
    assert [(t.op.name, t.op.type) for t in (a, b, c, d)] == [
        ("train/loss", "ScalarSummary"), ("train/loss_1", "ScalarSummary"), ("acc_1", "ScalarSummary"),
        ("fam/my_loss_", "ScalarSummary")]
    assert a.dtype == tf.string and a.shape.ndims == 0
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, b, c, d]
    with tf.Session() as sess:
        values = [_parse(v).value[0] for v in sess.run([a, b, c, d])]
    assert [(v.tag, v.simple_value) for v in values] == [("train/loss", 1.0), ("train/loss_1", 2.0), ("acc_1", 3.0),
                                                         ("fam/fam/my_loss_", 4.0)]


def test_scalar_needs_one_value_at_run_time():
    x = tf.placeholder(tf.float32)
    s = tf.summary.scalar("x", x)
    with tf.Session() as sess:
        assert _parse(sess.run(s, {x: 2.5})).value[0].simple_value == 2.5
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"tags and values not the same shape: \[\] != \[3\]"
                                                                 r" \(tag 'x'\)"):
            sess.run(s, {x: [1.0, 2.0, 3.0]})
    with pytest.raises(TypeError, match="real number"):
        tf.summary.scalar("s", tf.constant("text"))


def test_custom_collections_and_merge_all():
    assert tf.summary.merge_all() is None
    a = tf.summary.scalar("a", tf.constant(1.0))
    b = tf.summary.scalar("b", tf.constant(2.0), collections=["mine"])
    merged = tf.summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary" and merged.op.type == "MergeSummary"
    assert tf.get_collection("mine") == [b]
    both = tf.summary.merge([a, b], name="both")
    with tf.Session() as sess:
        assert [v.tag for v in _parse(sess.run(merged)).value] == ["a"]
        assert [v.tag for v in _parse(sess.run(both)).value] == ["a", "b"]
        dup = tf.summary.merge([a, a])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a found in summary inputs"):
            sess.run(dup)


# -- histogram --------------------------------------------------------------------------------------------


def _reference_histogram(x):
    """TF's rule written plainly: bucket i counts limit[i-1] <= v < limit[i]; runs of empty buckets merge."""
    limits = [1e-12]
    while limits[-1] * 1.1 < 1e20:
        limits.append(limits[-1] * 1.1)
    limits = [-v for v in reversed(limits + [np.finfo(np.float64).max])] + [0.0] + limits + \
        [np.finfo(np.float64).max]
    counts = [0] * len(limits)
    for v in x:
        i = next(k for k, lim in enumerate(limits) if v < lim)
        counts[i] += 1
    out = []
    i = 0
    while i < len(limits):
        end, c, j = limits[i], counts[i], i + 1
        while c == 0 and j < len(limits) and counts[j] == 0:
            end, c, j = limits[j], counts[j], j + 1
        out.append((end, c))
        i = j
    return out


def test_histogram_matches_tf_bucket_rule():
    x = np.array([0.0, 1.5, -2.0, 1e-13, 3e5, 1.5, -7.25], np.float32)
    h = tf.summary.histogram("h", tf.constant(x))
    with tf.Session() as sess:
        value = _parse(sess.run(h)).value[0]
    assert value.tag == "h"
    histo = value.histo
    x64 = x.astype(np.float64)
    assert (histo.num, histo.min, histo.max) == (7, -7.25, 3e5)
    assert histo.sum == pytest.approx(x64.sum()) and histo.sum_squares == pytest.approx((x64 ** 2).sum())
    ref = _reference_histogram(x64)
    np.testing.assert_allclose(list(histo.bucket_limit), [e for e, _ in ref])
    assert list(histo.bucket) == [c for _, c in ref]
    assert len(encoders.default_bucket_limits()) == 1551


def test_histogram_rejects_nan():
    x = tf.placeholder(tf.float32, [None])
    h = tf.summary.histogram("weights", x)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram for: weights"):
            sess.run(h, {x: [1.0, np.nan]})


# -- images and audio -----------------------------------------------------------------------------------


def _reference_image(img):
    """TF's float rescaling: positive → ×255/max; with negatives → ×127/max|v| + 128; truncation to uint8."""
    lo, hi = img.min(), img.max()
    if lo < 0:
        scale, offset = 127.0 / max(abs(lo), abs(hi)), 128.0
    else:
        scale, offset = 255.0 / hi, 0.0
    return (img * np.float32(scale) + np.float32(offset)).astype(np.uint8)


def test_image_summary_tags_and_pixels():
    rng = np.random.RandomState(0)
    imgs = rng.uniform(-1, 2, size=(4, 3, 5, 3)).astype(np.float32)
    pos = rng.uniform(0, 1, size=(2, 4, 4, 1)).astype(np.float32)
    u8 = rng.randint(0, 256, size=(1, 2, 2, 4)).astype(np.uint8)
    s_many = tf.summary.image("im", tf.constant(imgs), max_outputs=2)
    s_one = tf.summary.image("pos", tf.constant(pos), max_outputs=1)
    s_u8 = tf.summary.image("raw", tf.constant(u8))
    with tf.Session() as sess:
        many, one, raw = (_parse(v) for v in sess.run([s_many, s_one, s_u8]))
    assert [v.tag for v in many.value] == ["im/image/0", "im/image/1"]
    assert [v.tag for v in one.value] == ["pos/image"]
    assert [v.tag for v in raw.value] == ["raw/image/0"]
    for i, v in enumerate(many.value):
        assert (v.image.height, v.image.width, v.image.colorspace) == (3, 5, 3)
        np.testing.assert_array_equal(_decode_png(v.image.encoded_image_string), _reference_image(imgs[i]))
    np.testing.assert_array_equal(_decode_png(one.value[0].image.encoded_image_string), _reference_image(pos[0]))
    np.testing.assert_array_equal(_decode_png(raw.value[0].image.encoded_image_string), u8[0])


def test_image_nonfinite_pixels_get_bad_color_and_bad_shapes_fail():
    img = np.ones((1, 2, 2, 3), np.float32)
    img[0, 1, 1, 2] = np.inf
    s = tf.summary.image("im", tf.constant(img))
    x = tf.placeholder(tf.float32)
    bad = tf.summary.image("bad", x)
    with tf.Session() as sess:
        px = _decode_png(_parse(sess.run(s)).value[0].image.encoded_image_string)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"4-D with last dim 1, 3, or 4, not \[2,3\]"):
            sess.run(bad, {x: np.zeros((2, 3))})
    np.testing.assert_array_equal(px[1, 1], [255, 0, 0])
    np.testing.assert_array_equal(px[0, 0], [255, 255, 255])


def test_audio_summary_is_16_bit_wav():
    clip = np.sin(np.linspace(0, 20, 800, dtype=np.float32))[None, :, None] * np.float32(0.5)
    s = tf.summary.audio("tone", tf.constant(clip), 8000, max_outputs=1)
    with tf.Session() as sess:
        value = _parse(sess.run(s)).value[0]
    assert value.tag == "tone/audio"
    a = value.audio
    assert (a.sample_rate, a.num_channels, a.length_frames, a.content_type) == (8000, 1, 800, "audio/wav")
    with wave.open(io.BytesIO(a.encoded_audio_string)) as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (8000, 2, 1)
        pcm = np.frombuffer(w.readframes(800), "<i2")
    np.testing.assert_array_equal(pcm, np.clip(np.round(clip[0, :, 0] * 32768), -32768, 32767).astype(np.int16))


def test_text_summary():
    s = tf.summary.text("note", tf.constant(["hello", "world"]))
    with tf.Session() as sess:
        value = _parse(sess.run(s)).value[0]
    assert value.tag == "note" and value.metadata.plugin_data.plugin_name == "text"
    assert list(value.tensor.string_val) == [b"hello", b"world"]
    with pytest.raises(ValueError, match="dtype string"):
        tf.summary.text("bad", tf.constant(1.0))


# -- FileWriter and TensorBoard's reader ------------------------------------------------------------------


def test_file_writer_events_read_by_tensorboard(tmp_path):
    x = tf.placeholder(tf.float32, [None, 4, 4, 1], name="x")
    with tf.device("/cpu:0"):
        loss = tf.reduce_mean(x, name="mean")
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("pixels", x)
    tf.summary.image("digits", x, max_outputs=2)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter(str(tmp_path), tf.get_default_graph())
    rng = np.random.RandomState(1)
    with tf.Session() as sess:
        for step in range(3):
            writer.add_summary(sess.run(merged, {x: rng.rand(3, 4, 4, 1)}), step)
    writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="manual", simple_value=9.0)]), 5)
    writer.close()
    files = os.listdir(tmp_path)
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.")
    ea = _accumulator(tmp_path)
    assert sorted(ea.Tags()["scalars"]) == ["loss", "manual"]
    assert [e.step for e in ea.Scalars("loss")] == [0, 1, 2]
    assert [e.value for e in ea.Scalars("manual")] == [9.0]
    assert ea.Histograms("pixels")[0].histogram_value.num == 48
    assert sorted(ea.Tags()["images"]) == ["digits/image/0", "digits/image/1"]
    assert ea.Images("digits/image/0")[0].width == 4
    graph = ea.Graph()
    nodes = {n.name: n for n in graph.node}
    assert nodes["mean"].op == "Mean" and nodes["mean"].device == "/device:CPU:0"
    assert nodes["mean"].input[0] == "x"
    assert nodes["x"].attr["dtype"].type == 1  # DT_FLOAT
    assert [d.size for d in nodes["x"].attr["shape"].shape.dim] == [-1, 4, 4, 1]
    assert [d.size for d in nodes["x"].attr["_output_shapes"].list.shape[0].dim] == [-1, 4, 4, 1]
    # The in-memory history matches the file.
    assert [s for s, _ in writer.scalars["loss"]] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in writer.scalars["loss"]], [e.value for e in ea.Scalars("loss")])


def test_summary_iterator_and_event_details(tmp_path):
    with tf.summary.FileWriter(str(tmp_path / "run")) as writer:
        writer.add_summary(summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="a", simple_value=1.0)])
                           .SerializeToString(), global_step=3)
        writer.add_graph(tf.get_default_graph())
        assert writer.get_logdir() == str(tmp_path / "run")
        path = writer.event_file_path
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    assert events[1].step == 3 and events[1].summary.value[0].tag == "a"
    assert events[2].HasField("graph_def")
    with pytest.raises(TypeError, match="serialized Summary"):
        tf.summary.FileWriter(str(tmp_path / "x")).add_summary(tf.constant(1.0))


def test_flush_close_reopen(tmp_path):
    writer = tf.summary.FileWriter(str(tmp_path), max_queue=100, flush_secs=1000)
    writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="a", simple_value=1.0)]), 1)
    assert tf.ext.load_scalars(str(tmp_path)) == {}  # queued, not yet flushed
    writer.flush()
    assert tf.ext.load_scalars(str(tmp_path)) == {"a": [(1, 1.0)]}
    writer.close()
    with pytest.warns(UserWarning, match="closed"):
        writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="a", simple_value=2.0)]), 2)
    writer.reopen()
    writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="a", simple_value=3.0)]), 3)
    writer.close()
    assert len(os.listdir(tmp_path)) == 2
    assert tf.ext.load_scalars(str(tmp_path)) == {"a": [(1, 1.0), (3, 3.0)]}


def test_plugin_metadata_is_written_once_per_tag(tmp_path):
    s = tf.summary.text("t", tf.constant("hi"))
    with tf.summary.FileWriter(str(tmp_path)) as writer, tf.Session() as sess:
        writer.add_summary(sess.run(s), 0)
        writer.add_summary(sess.run(s), 1)
        path = writer.event_file_path
    values = [e.summary.value[0] for e in tf.train.summary_iterator(path) if e.HasField("summary")]
    assert values[0].HasField("metadata") and not values[1].HasField("metadata")
    assert _accumulator(tmp_path).Tags()["tensors"] == ["t"]


def test_load_scalars_errors_and_truncation(tmp_path):
    with pytest.raises(FileNotFoundError):
        tf.ext.load_scalars(str(tmp_path / "missing"))
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        for i in range(3):
            writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="a", simple_value=i)]), i)
        path = writer.event_file_path
    with open(path, "ab") as f:
        f.write(b"\x05\x00\x00")  # a record cut short, as when a writer crashes
    assert tf.ext.load_scalars(path) == {"a": [(0, 0.0), (1, 1.0), (2, 2.0)]}
    with pytest.raises(tf.errors.DataLossError):
        list(tf.train.summary_iterator(path))


def test_load_scalars_reads_tf2_style_tensor_scalars(tmp_path):
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))
    value = summary_pb2.Summary.Value(tag="lr", metadata=meta, tensor=encoders.tensor_proto(np.float32(0.25)))
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(summary_pb2.Summary(value=[value]), 4)
        assert writer.scalars == {"lr": [(4, 0.25)]}
    assert tf.ext.load_scalars(str(tmp_path)) == {"lr": [(4, 0.25)]}


def test_plot_draws_one_panel_per_tag(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    writer = tf.summary.FileWriter(str(tmp_path / "a"))
    for step in range(5):
        writer.add_summary(tf.summary.Summary(value=[tf.summary.Summary.Value(tag="loss", simple_value=5 - step),
                                                     tf.summary.Summary.Value(tag="acc", simple_value=step / 5)]),
                           step)
    writer.close()
    fig = tf.summary.plot(writer)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["loss", "acc"]
    np.testing.assert_array_equal(axes[0].lines[0].get_ydata(), [5, 4, 3, 2, 1])
    fig2 = tf.summary.plot(str(tmp_path / "a"), writer, tags="acc", smoothing=0.5)
    lines = fig2.axes[0].lines
    assert len(lines) == 4  # raw + smoothed for each of the two sources
    np.testing.assert_allclose(lines[1].get_ydata(), encoders_smooth([0, 0.2, 0.4, 0.6, 0.8], 0.5))
    with pytest.raises(ValueError, match="No scalar summaries with tags"):
        tf.summary.plot(writer, tags=["nope"])


def encoders_smooth(values, w):
    out, last, debias = [], 0.0, 0.0
    for v in values:
        last = last * w + (1 - w) * v
        debias = debias * w + (1 - w)
        out.append(last / debias)
    return out


# -- legacy names -----------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:tf\\.:DeprecationWarning")
def test_legacy_summary_names(tmp_path):
    with tf.name_scope("scope"):
        with pytest.warns(DeprecationWarning, match="tf.scalar_summary is deprecated"):
            s = tf.scalar_summary("exact/tag", tf.constant(1.0))
        h = tf.histogram_summary("hist", tf.constant([1.0, 2.0]))
        im = tf.image_summary("img", tf.zeros([2, 2, 2, 1]), max_images=1)
    assert s.op.name == "scope/ScalarSummary"
    merged = tf.merge_all_summaries()
    assert tf.merge_summary([s, h]).op.type == "MergeSummary"
    with tf.Session() as sess:
        tags = [v.tag for v in _parse(sess.run(merged)).value]
        vec = tf.scalar_summary(["a", "b"], tf.constant([1.0, 2.0]))
        assert [(v.tag, v.simple_value) for v in _parse(sess.run(vec)).value] == [("a", 1.0), ("b", 2.0)]
    assert tags == ["exact/tag", "hist", "img/image"]
    del im
    with pytest.warns(DeprecationWarning, match="SummaryWriter"):
        writer = tf.train.SummaryWriter(str(tmp_path), graph_def=tf.get_default_graph().as_graph_def())
    assert isinstance(writer, tf.summary.FileWriter)
    writer.close()
    assert _accumulator(tmp_path).Tags()["graph"]


# -- oracle -------------------------------------------------------------------------------------------------


@pytest.mark.oracle
def test_matches_tensorflow_summaries(tf1):
    rng = np.random.RandomState(3)
    x = np.concatenate([rng.randn(200) * 10, [0.0, 1e-13, -3e7]]).astype(np.float32)
    img = rng.uniform(-3, 1, size=(2, 5, 4, 3)).astype(np.float32)
    img[0, 0, 0, 0] = np.nan

    def build(lib):
        with lib.name_scope("outer"):
            out = [lib.summary.scalar("loss", lib.constant(1.0)), lib.summary.scalar("loss", lib.constant(2.0))]
        out.append(lib.summary.histogram("h", lib.constant(x)))
        out.append(lib.summary.image("im", lib.constant(img), max_outputs=3))
        return out

    with tf1.Graph().as_default(), tf1.Session() as sess:
        want = [_parse(v) for v in sess.run(build(tf1))]
    with tf.Session() as sess:
        got = [_parse(v) for v in sess.run(build(tf))]
    for w, g in zip(want[:3], got[:3]):
        assert w == g
    assert [v.tag for v in got[3].value] == [v.tag for v in want[3].value]
    for w, g in zip(want[3].value, got[3].value):
        from PIL import Image

        np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(w.image.encoded_image_string))),
                                      _decode_png(g.image.encoded_image_string))


def test_top_level_protos_as_in_tf1(tmp_path):
    """TF1 programs write hand-made summaries with `tf.Summary` (not `tf.summary.Summary`)."""
    assert tf.Summary is tf.summary.Summary and tf.Event is tf.summary.Event
    assert tf.SessionLog.START == tf.summary.SessionLog.START
    writer = tf.summary.FileWriter(str(tmp_path))
    writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="val_acc", simple_value=0.75)]), 7)
    writer.close()
    ea = _accumulator(tmp_path)
    assert [(e.step, e.value) for e in ea.Scalars("val_acc")] == [(7, 0.75)]

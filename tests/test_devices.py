"""Devices and placement (API.md §2.6): tf.device strings and functions, DeviceSpec, ConfigProto, placement
rules and messages. There is no GPU on the CI machine: the placement logic is tested with a stand-in GPU device
that computes with NumPy, and real-GPU cases run through tests/devices.py DEVICES (skipped without CuPy)."""

import numpy as np
import pytest
from devices import DEVICES

import teachtf as tf
from teachtf import backend

NO_GPU = pytest.mark.skipif(backend.cupy_available(), reason="checks the behaviour without a GPU")

# -- device strings and scopes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec,canonical", [
    ("/cpu:0", "/device:CPU:0"), ("/gpu:1", "/device:GPU:1"), ("/device:GPU:0", "/device:GPU:0"),
    ("/GPU:0", "/device:GPU:0"), ("cpu:0", "/device:CPU:0"),
    ("/job:worker/task:1/gpu:0", "/job:worker/task:1/device:GPU:0"),
    ("/job:localhost/replica:0/task:0/device:CPU:0", "/job:localhost/replica:0/task:0/device:CPU:0"),
    ("/gpu:*", "/device:GPU:*"), ("", ""),
])
def test_device_strings_are_canonicalized(spec, canonical):
    with tf.device(spec):
        c = tf.constant(1.0)
    assert c.op.device == canonical and c.device == canonical


def test_nested_device_scopes_merge_fields_and_none_clears():
    with tf.device("/job:worker"):
        with tf.device("/gpu:1"):
            a = tf.constant(1.0)
            with tf.device("/cpu:0"):
                b = tf.constant(1.0)
            with tf.device(None):
                c = tf.constant(1.0)
    assert a.device == "/job:worker/device:GPU:1"
    assert b.device == "/job:worker/device:CPU:0"
    assert c.device == ""


def test_device_functions_see_each_op():
    seen = []

    def place(op):
        seen.append((op.type, op.name))
        return "/gpu:0" if op.type == "MatMul" else "/cpu:0"

    with tf.device(place):
        x = tf.constant([[1.0]], name="x")
        y = tf.matmul(x, x, name="mm")
    assert x.device == "/device:CPU:0" and y.device == "/device:GPU:0"
    assert ("MatMul", "mm") in seen and ("Const", "x") in seen


def test_device_scope_around_session_run_has_no_effect():
    c = tf.constant(2.0)
    with tf.Session() as sess:
        with tf.device("/gpu:0"):
            assert sess.run(c) == 2.0


def test_bad_device_string():
    with pytest.raises(ValueError, match="Unknown attribute"):
        with tf.device("/tpu-ish:zero"):
            pass


def test_device_spec_api():
    s = tf.DeviceSpec.from_string("/job:w/task:2/gpu:1")
    assert (s.job, s.task, s.device_type, s.device_index) == ("w", 2, "GPU", 1)
    assert s.to_string() == "/job:w/task:2/device:GPU:1"
    merged = s.make_merged_spec(tf.DeviceSpec(device_type="CPU", device_index=0))
    assert merged.to_string() == "/job:w/task:2/device:CPU:0"
    with tf.device(tf.DeviceSpec(device_type="GPU", device_index=3)):
        assert tf.constant(1).device == "/device:GPU:3"


def test_colocate_with_takes_the_device_of_the_target():
    with tf.device("/cpu:0"):
        v = tf.Variable(1.0)
    with tf.device("/gpu:0"):
        with tf.colocate_with(v):
            c = tf.constant(1.0)
    assert c.device == "/device:CPU:0" and c.op.get_attr("_class") == [b"loc:@" + v.op.name.encode()]


# -- ConfigProto -------------------------------------------------------------------------------------------------------


def test_config_proto_fields():
    cfg = tf.ConfigProto(log_device_placement=True, allow_soft_placement=True, device_count={"GPU": 0},
                         inter_op_parallelism_threads=2, intra_op_parallelism_threads=3,
                         operation_timeout_in_ms=100, gpu_options=tf.GPUOptions(per_process_gpu_memory_fraction=0.5))
    assert cfg.log_device_placement and cfg.allow_soft_placement and cfg.device_count == {"GPU": 0}
    assert cfg.gpu_options.per_process_gpu_memory_fraction == 0.5 and cfg.intra_op_parallelism_threads == 3
    cfg2 = tf.ConfigProto()
    cfg2.gpu_options.allow_growth = True
    assert cfg2.gpu_options.allow_growth and not tf.ConfigProto().gpu_options.allow_growth
    with pytest.raises(TypeError, match="ConfigProto has no field"):
        tf.ConfigProto(log_placement=True)
    gopt = tf.GPUOptions(allow_growth=True, visible_device_list="0")
    assert gopt.visible_device_list == "0"


def test_log_device_placement_prints_tfs_lines_to_stderr(capfd):
    a = tf.constant(1.0, name="a")
    b = tf.add(a, a, name="b")
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        sess.run(b)
        first = capfd.readouterr().err.splitlines()
        sess.run(b)
        second = capfd.readouterr().err
    dev = "/job:localhost/replica:0/task:0/device:CPU:0"
    assert first == [f"a: (Const): {dev}", f"b: ({b.op.type}): {dev}"]
    assert second == "", "placement is logged once, when the plan is built"


def test_list_devices_includes_the_cpu():
    with tf.Session() as sess:
        names = [d.name for d in sess.list_devices()]
    assert "/job:localhost/replica:0/task:0/device:CPU:0" in names


# -- missing devices ---------------------------------------------------------------------------------------------------


@NO_GPU
def test_pinned_gpu_without_gpu_is_an_invalid_argument_error_naming_the_device():
    with tf.device("/gpu:0"):
        c = tf.constant(1.0, name="on_gpu")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(c)
    text = str(info.value)
    assert "Cannot assign a device for operation on_gpu" in text and "/device:GPU:0" in text
    assert "allow_soft_placement" in text


@NO_GPU
def test_soft_placement_falls_back_to_cpu_and_logs(capfd):
    with tf.device("/gpu:0"):
        c = tf.constant([1.0, 2.0], name="on_gpu") * 2.0
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        np.testing.assert_array_equal(sess.run(c), [2.0, 4.0])
    assert "Soft placement" in capfd.readouterr().err


def test_missing_cpu_index_is_an_error():
    with tf.device("/cpu:3"):
        c = tf.constant(1.0, name="cpu3")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="cpu3"):
            sess.run(c)


# -- placement rules with a stand-in GPU -------------------------------------------------------------------------------


class FakeGPU:
    """A GPU-like device computing with NumPy; counts the arrays moved onto it."""

    kind = "GPU"
    index = 0
    xp = np

    def __init__(self):
        self.moved = 0

    name = property(lambda self: "/device:GPU:0")
    full_name = property(lambda self: "/job:localhost/replica:0/task:0/device:GPU:0")

    def to_device(self, arr):
        self.moved += 1
        return np.array(arr)

    def rng(self, seed):
        return np.random.default_rng(seed)


@pytest.fixture
def fake_gpu(monkeypatch):
    gpu = FakeGPU()

    def get_gpu(i):
        if i != 0:
            raise LookupError(f"GPU:{i}")
        return gpu

    monkeypatch.setattr(backend, "gpu", get_gpu)
    monkeypatch.setattr(backend, "get_backend", lambda: "cupy")
    monkeypatch.setattr(backend, "cupy_available", lambda: True)
    monkeypatch.setattr(backend, "gpu_count", lambda: 1)
    monkeypatch.setattr(backend, "list_devices", lambda: [backend.CPU0, gpu])
    return gpu


def _placement(sess, *tensors):
    return [sess._device_for(t.op).kind for t in tensors]


def test_unpinned_ops_go_to_gpu0_when_one_is_available(fake_gpu):
    x = tf.placeholder(tf.float32, [2])
    y = x * 2.0
    s = tf.constant("text")
    with tf.device("/cpu:0"):
        z = y + 1.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(z, {x: [1.0, 2.0]}), [3.0, 5.0])
        assert _placement(sess, y, s, z) == ["GPU", "CPU", "CPU"]


def test_device_count_gpu_zero_forces_the_cpu(fake_gpu):
    y = tf.constant(1.0) * 2.0
    with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
        assert sess.run(y) == 2.0 and _placement(sess, y) == ["CPU"]
    with tf.device("/gpu:0"):
        pinned = tf.constant(1.0, name="pinned")
    with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="device_count"):
            sess.run(pinned)


def test_missing_gpu_index_with_one_gpu(fake_gpu):
    with tf.device("/gpu:1"):
        c = tf.constant(1.0, name="gpu1")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="only 1 GPU"):
            sess.run(c)


def test_string_ops_pinned_to_gpu_need_soft_placement(fake_gpu):
    with tf.device("/gpu:0"):
        s = tf.constant("text", name="text")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="no supported kernel for GPU devices"):
            sess.run(s)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(s) == b"text"


def test_transfers_only_where_values_cross_devices(fake_gpu):
    x = tf.placeholder(tf.float32, [3], name="x")
    a = x * 2.0  # GPU, input fed from the host: one transfer
    b = a + 1.0  # GPU -> GPU: none
    with tf.device("/cpu:0"):
        c = b - 1.0  # GPU -> CPU: one transfer
    with tf.Session() as sess:
        sess.run(c, {x: [1.0, 2.0, 3.0]})
        plan = next(iter(sess._plans.values()))
        moved = {st.op.name: len(st.transfers) for st in plan.steps}
    assert moved[a.op.name] == 1 and moved[b.op.name] == 0 and moved[c.op.name] == 1


def test_log_device_placement_shows_the_gpu(fake_gpu, capfd):
    y = tf.constant(1.0, name="k") * 2.0
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        sess.run(y)
    assert "k: (Const): /job:localhost/replica:0/task:0/device:GPU:0" in capfd.readouterr().err


def test_variables_written_on_the_gpu_are_read_back_on_the_host(fake_gpu):
    v = tf.Variable([1.0, 2.0])
    inc = v.assign_add([1.0, 1.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(inc)
        got = sess.run(v)
    assert isinstance(got, np.ndarray)
    np.testing.assert_array_equal(got, [2.0, 3.0])


# -- every available device --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_small_model_on_each_device(device):
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((4, 3)).astype(np.float32)
    w0 = rng.standard_normal((3, 2)).astype(np.float32)
    with tf.device(device):
        x = tf.placeholder(tf.float32, [None, 3])
        w = tf.Variable(w0)
        y = tf.reduce_sum(tf.matmul(x, w) ** 2)
        step = w.assign_sub(0.01 * tf.gradients(y, w)[0])
    with tf.Session() as sess:
        sess.run(w.initializer)
        got = sess.run(y, {x: xs})
        sess.run(step, {x: xs})
        w1 = sess.run(w)
    assert isinstance(got, np.float32)
    np.testing.assert_allclose(got, ((xs @ w0) ** 2).sum(), rtol=1e-5)
    np.testing.assert_allclose(w1, w0 - 0.01 * xs.T @ (2 * xs @ w0), rtol=1e-4)

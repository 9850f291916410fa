"""tf.errors: classes, codes, attributes, and messages that name the op, its type, shapes and the learner's line
(API.md §17)."""

import inspect
import os

import numpy as np
import pytest

import teachtf as tf

THIS_FILE = os.path.basename(__file__)

CODES = {"CancelledError": 1, "UnknownError": 2, "InvalidArgumentError": 3, "DeadlineExceededError": 4,
         "NotFoundError": 5, "AlreadyExistsError": 6, "PermissionDeniedError": 7, "ResourceExhaustedError": 8,
         "FailedPreconditionError": 9, "AbortedError": 10, "OutOfRangeError": 11, "UnimplementedError": 12,
         "InternalError": 13, "UnavailableError": 14, "DataLossError": 15, "UnauthenticatedError": 16}


def _line() -> int:
    return inspect.currentframe().f_back.f_lineno


@pytest.mark.parametrize("name,code", sorted(CODES.items(), key=lambda kv: kv[1]))
def test_error_classes_and_codes(name, code):
    cls = getattr(tf.errors, name)
    assert issubclass(cls, tf.errors.OpError) and issubclass(cls, Exception)
    assert cls.error_code == code
    assert tf.errors.exception_type_from_error_code(code) is cls
    assert tf.errors.error_code_from_exception_type(cls) == code
    e = cls(None, None, "boom")
    assert e.message == "boom" and e.op is None and e.node_def is None and e.error_code == code
    assert str(e) == "boom"


def test_code_constants_and_top_level_op_error():
    assert tf.errors.OK == 0 and tf.errors.INVALID_ARGUMENT == 3 and tf.errors.FAILED_PRECONDITION == 9
    assert tf.errors.NOT_FOUND == 5 and tf.errors.OUT_OF_RANGE == 11 and tf.errors.UNAUTHENTICATED == 16
    assert tf.OpError is tf.errors.OpError
    e = tf.errors.OpError(None, None, "m", tf.errors.ABORTED)
    assert e.error_code == tf.errors.ABORTED


def test_unfed_placeholder_error_names_op_and_learners_line():
    line = _line() + 1
    x = tf.placeholder(tf.float32, [None, 3], name="inputs")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(x * 2.0)
    e = info.value
    assert e.op is x.op and e.node_def.name == "inputs" and e.error_code == tf.errors.INVALID_ARGUMENT
    assert "You must feed a value for placeholder tensor 'inputs' with dtype float and shape [?,3]" in e.message
    assert f"{THIS_FILE}:{line}" in str(e) and "Placeholder" in str(e)


def test_uninitialized_variable_error_names_variable_reader_and_line():
    line = _line() + 1
    v = tf.Variable(1.0, name="weights")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(v + 1.0)
    e = info.value
    assert e.message == "Attempting to use uninitialized value weights"
    assert e.op.name == "weights/read" and f"{THIS_FILE}:{line}" in str(e)


def test_kernel_failure_becomes_invalid_argument_with_op_type_shapes_and_line():
    x = tf.placeholder(tf.float32, [None])
    line = _line() + 1
    y = tf.py_func(lambda a: a.reshape(3, 7), [x], tf.float32, name="reshaper")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: np.zeros(4, np.float32)})
    text = str(info.value)
    assert "reshaper" in text and "PyFunc" in text and f"{THIS_FILE}:{line}" in text


def test_generic_kernel_exception_is_wrapped_with_inputs():
    from teachtf.ops.registry import apply, register

    @register("TestOnlyExplode", shape=lambda inputs, attrs: [(inputs[0].shape, inputs[0].dtype)])
    def _explode(ctx, x):
        raise RuntimeError("kaboom")

    x = tf.constant([[1.0, 2.0]])
    line = _line() + 1
    y = apply("TestOnlyExplode", [x], {}, "explode")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y)
    text = str(info.value)
    assert "TestOnlyExplode op 'explode' failed: kaboom" in text
    assert "float32[1, 2]" in text and f"{THIS_FILE}:{line}" in text
    assert isinstance(info.value.__cause__, RuntimeError)


def test_static_shape_errors_are_value_errors_at_build_time_with_the_line():
    a = tf.constant([[1.0, 2.0]])
    line = _line() + 2
    with pytest.raises(ValueError) as info:
        tf.matmul(a, a)
    text = str(info.value)
    assert "(1, 2)" in text and "MatMul" in text and f"{THIS_FILE}:{line}" in text


def test_dtype_mismatch_is_a_type_error():
    with pytest.raises(TypeError, match="float32"):
        tf.add(tf.constant(1.0), tf.constant(1))


def test_runtime_errors_for_closed_session_and_finalized_graph():
    a = tf.constant(1.0)
    s = tf.Session()
    s.close()
    with pytest.raises(RuntimeError):
        s.run(a)
    g = tf.Graph()
    g.finalize()
    with g.as_default(), pytest.raises(RuntimeError):
        tf.constant(1.0)


def test_errors_raised_inside_runs_leave_the_session_usable():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(x)
        assert sess.run(x, {x: 2.0}) == 2.0

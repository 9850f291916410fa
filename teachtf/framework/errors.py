"""tf.errors: OpError and its subclasses with TF's codes (API.md §17).

Each OpError raised by the engine names the op, its type, and the learner's
file:line where the op was created.
"""

from __future__ import annotations

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """A failed op. `.op` (the Operation or None), `.node_def`, `.message` and `.error_code`.

    `str(e)` is the message followed by the failing node, its op type and the
    file:line of the learner's code that created it.
    """

    error_code = UNKNOWN

    def __init__(self, node_def, op, message, error_code=None, *args):
        self._node_def = node_def
        self.op = op
        self.message = message
        if error_code is not None:
            self.error_code = error_code
        super().__init__(self._full_message())

    @property
    def node_def(self):
        if self._node_def is None and self.op is not None and hasattr(self.op, "node_def"):
            return self.op.node_def
        return self._node_def

    @node_def.setter
    def node_def(self, value):
        self._node_def = value

    def _full_message(self) -> str:
        msg = self.message
        op = self.op
        if op is not None and hasattr(op, "_creation_site") and "defined at" not in msg:
            msg += f"\n\t [[node {op.name} ({op.type}, defined at {op._creation_site()}) ]]"
        return msg

    def _attach_op(self, op) -> None:
        """Names `op` as the failing node when the raiser did not know it."""
        if self.op is None:
            self.op = op
            self.args = (self._full_message(),)

    def __str__(self):
        return self._full_message()

    def __reduce__(self):
        return type(self), (self._node_def, None, self.message)


def _make(name, code):
    def init(self, node_def=None, op=None, message="", *args):
        OpError.__init__(self, node_def, op, message, code)

    return type(name, (OpError,), {"__init__": init, "error_code": code, "__module__": __name__,
                                   "__doc__": f"tf.errors.{name} (error code {code})."})


CancelledError = _make("CancelledError", CANCELLED)
UnknownError = _make("UnknownError", UNKNOWN)
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _make("NotFoundError", NOT_FOUND)
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _make("AbortedError", ABORTED)
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED)
InternalError = _make("InternalError", INTERNAL)
UnavailableError = _make("UnavailableError", UNAVAILABLE)
DataLossError = _make("DataLossError", DATA_LOSS)
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED)

_CODE_TO_CLASS = {
    c.error_code: c
    for c in (CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError, NotFoundError,
              AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError, FailedPreconditionError,
              AbortedError, OutOfRangeError, UnimplementedError, InternalError, UnavailableError,
              DataLossError, UnauthenticatedError)
}


def exception_type_from_error_code(code: int):
    return _CODE_TO_CLASS[code]


class raise_exception_on_not_ok_status:  # noqa: N801 - TF1's name
    """Legacy context manager of TF1; teachtf raises OpErrors directly, so it only passes them through."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def error_code_from_exception_type(cls) -> int:
    return cls.error_code

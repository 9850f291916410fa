"""Eager/V2 switches of TF1 (API.md §1): teachtf is graph-only, so the "disable" switches are no-ops and the
"enable" switches explain that eager execution is not available."""

from __future__ import annotations


def _graph_only(what: str) -> NotImplementedError:
    return NotImplementedError(f"{what} is not available: teachtf runs TF1 graph mode only (build a graph, then run "
                               "it in a tf.Session). Run eager/TF2 code on TensorFlow itself.")


def disable_eager_execution() -> None:
    """No-op: teachtf always builds graphs."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    raise _graph_only("tf.enable_eager_execution()")


def executing_eagerly() -> bool:
    return False


def disable_v2_behavior() -> None:
    """No-op: teachtf always behaves as TF1."""


def enable_v2_behavior() -> None:
    raise _graph_only("tf.enable_v2_behavior()")


def enable_resource_variables() -> None:
    """No-op: teachtf's variables already read consistently within a run."""


def disable_resource_variables() -> None:
    """No-op: teachtf's variables are TF1 (ref) variables."""


def resource_variables_enabled() -> bool:
    return False


def disable_v2_tensorshape() -> None:
    """No-op: TensorShape indexing already returns Dimensions, as TF1."""


def enable_v2_tensorshape() -> None:
    raise _graph_only("tf.enable_v2_tensorshape()")

"""The `checkpoint` state file and checkpoint lookup (`tf.train.latest_checkpoint` and friends).

The state file is TF's text format::

    model_checkpoint_path: "model.ckpt-20"
    all_model_checkpoint_paths: "model.ckpt-10"
    all_model_checkpoint_paths: "model.ckpt-20"

Paths are stored relative to the checkpoint directory when that directory was
given as a relative path, as TF 1.15 does.
"""

from __future__ import annotations

import logging
import os
import re
import uuid

from . import checkpoint_io

__all__ = ["CheckpointState", "checkpoint_exists", "get_checkpoint_mtimes", "get_checkpoint_state",
           "latest_checkpoint", "remove_checkpoint", "update_checkpoint_state"]

_log = logging.getLogger("tensorflow")
_FIELD = re.compile(r'^\s*(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|([-+0-9.eE]+))\s*$')


class CheckpointState:
    """What the `checkpoint` file records: `model_checkpoint_path`, `all_model_checkpoint_paths`."""

    def __init__(self, model_checkpoint_path: str = "", all_model_checkpoint_paths=None):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths or [])

    def __str__(self):
        lines = [f'model_checkpoint_path: "{_escape(self.model_checkpoint_path)}"']
        lines += [f'all_model_checkpoint_paths: "{_escape(p)}"' for p in self.all_model_checkpoint_paths]
        return "\n".join(lines) + "\n"

    __repr__ = __str__

    def __eq__(self, other):
        return (isinstance(other, CheckpointState) and self.model_checkpoint_path == other.model_checkpoint_path
                and self.all_model_checkpoint_paths == other.all_model_checkpoint_paths)


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def _parse_state(text: str, path: str) -> CheckpointState:
    state = CheckpointState()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _FIELD.match(line)
        if m is None:
            raise ValueError(f"{path}:{n}: cannot parse {line!r}")
        field, value = m.group(1), m.group(2)
        if field == "model_checkpoint_path":
            state.model_checkpoint_path = _unescape(value or "")
        elif field == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unescape(value or ""))
        # Other fields (timestamps written by newer TF versions) are ignored.
    return state


def _state_path(checkpoint_dir: str, latest_filename) -> str:
    return os.path.join(checkpoint_dir, latest_filename or "checkpoint")


def write_atomic(path: str, data: bytes, failure: str) -> None:
    """Writes `data` to a temporary sibling, fsyncs, then renames it over `path`, so readers never see half a file;
    an OSError becomes the matching tf.errors error with the message `failure`."""
    tmp = f"{path}.tmp{uuid.uuid4().hex[:12]}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise checkpoint_io.os_error_to_op_error(e, failure) from e


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None) -> CheckpointState | None:
    """The state recorded in `checkpoint_dir/checkpoint`, with relative paths made relative to the directory.

    Returns None when the file does not exist or cannot be parsed (TF logs and ignores it).
    """
    path = _state_path(checkpoint_dir, latest_filename)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    try:
        state = _parse_state(text, path)
    except (ValueError, UnicodeDecodeError) as e:
        _log.warning("%s: Checkpoint ignored (%s)", path, e)
        return None
    if not state.model_checkpoint_path:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}")
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)
                                        for p in state.all_model_checkpoint_paths]
    return state


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str, all_model_checkpoint_paths=None,
                            latest_filename: str | None = None, all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None, save_relative_paths: bool = False) -> None:
    """Atomically rewrites `save_dir/checkpoint` so that `model_checkpoint_path` is the latest checkpoint."""
    if latest_filename is not None and os.path.split(latest_filename)[0]:
        raise ValueError("'latest_filename' must not contain path components")
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if save_relative_paths or not os.path.isabs(save_dir):
        # TF stores paths relative to the directory when it was given relatively (or when asked to).
        def rel(p):
            return os.path.relpath(p, save_dir) if os.path.isabs(p) == os.path.isabs(save_dir) else p

        model_checkpoint_path = rel(model_checkpoint_path)
        paths = [rel(p) for p in paths]
    text = str(CheckpointState(model_checkpoint_path, paths))
    path = _state_path(save_dir, latest_filename)
    write_atomic(path, text.encode("utf-8"), f"Failed to update the checkpoint state file {path}")


def checkpoint_exists(checkpoint_prefix: str) -> bool:
    """True if a checkpoint with this prefix exists (its `.index` file, or the path itself)."""
    return os.path.exists(checkpoint_io.index_path(checkpoint_prefix)) or os.path.isfile(checkpoint_prefix)


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint recorded in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    if checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    _log.error("Couldn't match files for checkpoint %s", state.model_checkpoint_path)
    return None


def get_checkpoint_mtimes(checkpoint_prefixes) -> list:
    """The modification times of the `.index` files of the given checkpoints that exist."""
    out = []
    for p in checkpoint_prefixes:
        for path in (checkpoint_io.index_path(p), p):
            if os.path.exists(path):
                out.append(os.path.getmtime(path))
                break
    return out


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version=None, meta_graph_suffix: str = "meta") -> None:
    """Deletes the files of one checkpoint (index, data and meta graph)."""
    for path in (checkpoint_io.index_path(checkpoint_prefix), checkpoint_io.data_path(checkpoint_prefix),
                 f"{checkpoint_prefix}.{meta_graph_suffix}"):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError as e:
            _log.warning("Ignoring: failed to delete %s: %s", path, e)


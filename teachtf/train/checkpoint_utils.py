"""Reading checkpoints without a graph: `list_variables`, `load_variable`, `NewCheckpointReader` (API.md §12.6)."""

from __future__ import annotations

import os

import numpy as np

from .checkpoint_io import CheckpointFile
from .checkpoint_state import latest_checkpoint

__all__ = ["CheckpointReader", "NewCheckpointReader", "list_variables", "load_checkpoint", "load_variable"]


class CheckpointReader:
    """Reads the tensors of one checkpoint by key (`tf.train.NewCheckpointReader`)."""

    def __init__(self, prefix: str):
        self._file = CheckpointFile(os.fspath(prefix))

    def get_variable_to_shape_map(self) -> dict:
        """{key: shape as a list of ints}."""
        return {k: self._file.shape(k) for k in self._file.keys()}

    def get_variable_to_dtype_map(self) -> dict:
        """{key: tf.DType}."""
        return {k: self._file.dtype(k) for k in self._file.keys()}

    def has_tensor(self, name: str) -> bool:
        return self._file.has(name)

    def get_tensor(self, name: str) -> np.ndarray:
        """The saved value of `name`; NotFoundError ("Key … not found in checkpoint") if absent."""
        return self._file.read(name)

    def debug_string(self) -> bytes:
        """One line per key, sorted: `name (DT_FLOAT) [2,3]`."""
        lines = []
        for k in self._file.keys():
            dt = "DT_" + {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}.get(
                self._file.dtype(k).name, self._file.dtype(k).name.upper())
            lines.append(f"{k} ({dt}) [{','.join(str(d) for d in self._file.shape(k))}]\n")
        return "".join(lines).encode()


def NewCheckpointReader(filepattern) -> CheckpointReader:
    """A CheckpointReader for the checkpoint prefix `filepattern`."""
    return CheckpointReader(filepattern)


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A reader for a checkpoint prefix, or for the latest checkpoint in a directory."""
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}")
        path = latest
    return CheckpointReader(path)


def list_variables(ckpt_dir_or_file) -> list:
    """[(key, shape)] of every tensor in the checkpoint, sorted by key."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(k, shapes[k]) for k in sorted(shapes)]


def load_variable(ckpt_dir_or_file, name: str) -> np.ndarray:
    """The saved value of variable `name` (a trailing ':0' is ignored)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)

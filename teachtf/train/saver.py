"""tf.train.Saver: saves and restores variables through SaveV2/RestoreV2 ops (API.md §12.6).

A Saver captures the variables that exist when it is built and adds, under a
`save/` name scope (`save_1/`, ... for later Savers)::

    save/filename, save/Const            the checkpoint prefix (fed on each save/restore)
    save/SaveV2, save/control_dependency writes every variable, returns the prefix
    save/RestoreV2, save/Assign*, save/restore_all   reads and assigns every variable

Checkpoint files use teachtf's own format (docs/checkpoint-format.md) under
TF's file names: `<prefix>.index`, `<prefix>.data-00000-of-00001`, `<prefix>.meta`.
"""

from __future__ import annotations

import logging
import numbers
import os
import re
import time
import warnings

import numpy as np

from ..framework import errors
from ..framework import graph as _graph
from ..framework.graph import GraphKeys, Tensor
from .checkpoint_state import (CheckpointState, checkpoint_exists, get_checkpoint_mtimes, get_checkpoint_state,
                               latest_checkpoint, remove_checkpoint, update_checkpoint_state)
from .meta_graph import MetaGraphDef, export_meta_graph, import_meta_graph, write_graph

__all__ = ["Saver", "SaverDef", "CheckpointState", "checkpoint_exists", "export_meta_graph",
           "get_checkpoint_mtimes", "get_checkpoint_state", "import_meta_graph", "latest_checkpoint",
           "remove_checkpoint", "update_checkpoint_state", "write_graph", "MetaGraphDef"]

_log = logging.getLogger("tensorflow")
_SUFFIXED = re.compile(r"^(.*)_(\d+)$")

_MISSING_KEY_PREAMBLE = (
    "Restoring from checkpoint failed. This is most likely due to a Variable name or other graph key that is "
    "missing from the checkpoint. Please ensure that you have not altered the graph expected based on the "
    "checkpoint. Original error:\n\n")
_MISMATCH_PREAMBLE = (
    "Restoring from checkpoint failed. This is most likely due to a mismatch between the current graph and the "
    "graph from the checkpoint. Please ensure that you have not altered the graph expected based on the "
    "checkpoint. Original error:\n\n")


class SaverDef:
    """The names a Saver runs: `filename_tensor_name`, `save_tensor_name`, `restore_op_name`, and its settings."""

    V1 = 1
    V2 = 2

    def __init__(self, filename_tensor_name="", save_tensor_name="", restore_op_name="", max_to_keep=5,
                 sharded=False, keep_checkpoint_every_n_hours=10000.0, version=2):
        self.filename_tensor_name = filename_tensor_name
        self.save_tensor_name = save_tensor_name
        self.restore_op_name = restore_op_name
        self.max_to_keep = max_to_keep
        self.sharded = sharded
        self.keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self.version = version

    def to_dict(self) -> dict:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, d: dict) -> SaverDef:
        return cls(**d)

    def __repr__(self):
        return "SaverDef(" + ", ".join(f"{k}={v!r}" for k, v in vars(self).items()) + ")"


# -- which variables a Saver handles ------------------------------------------------------------------


def _variable_ref(value, key_hint):
    """The ref tensor of a Variable (or of a variable op output); TypeError for anything else."""
    el = value._as_graph_element() if hasattr(value, "_as_graph_element") and not isinstance(value, Tensor) else value
    if isinstance(el, Tensor) and el.dtype.is_ref_dtype:
        return el
    raise TypeError(f"Variable to save is not a Variable: {value!r} (key {key_hint!r}). A Saver saves variables "
                    "(tf.Variable / tf.get_variable), passed as a list or as a dict {checkpoint_key: variable}.")


def _names_to_refs(var_list) -> dict:
    """{checkpoint key: variable ref tensor}, sorted by key (TF's order)."""
    if var_list is None:
        var_list = _graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + \
            _graph.get_collection(GraphKeys.SAVEABLE_OBJECTS)
    out = {}
    if isinstance(var_list, dict):
        seen = {}
        for key, value in var_list.items():
            if not isinstance(key, str):
                raise TypeError(f"Checkpoint keys must be strings, got {key!r} for {value!r}")
            ref = _variable_ref(value, key)
            if ref in seen:
                raise ValueError(f"The same saveable will be restored with two names: {key} (also saved as "
                                 f"{seen[ref]})")
            seen[ref] = key
            out[key] = ref
    elif isinstance(var_list, (list, tuple, set)):
        for value in var_list:
            ref = _variable_ref(value, getattr(value, "name", None))
            key = ref.op.name
            if key in out:
                if out[key] is ref:
                    continue  # the same variable listed twice (e.g. in two collections)
                raise ValueError(f"At least two variables have the same name: {key}")
            out[key] = ref
    else:
        raise TypeError(f"Variables to save should be passed in a dict or a list: {var_list!r}")
    graphs = {ref.graph for ref in out.values()}
    if len(graphs) > 1:
        raise ValueError("All variables given to a Saver must belong to the same graph.")
    return dict(sorted(out.items()))


def _warn_if_uniquified(graph, keys) -> None:
    """Warns when trainable variables look like copies of a model built twice in one graph (`w` and `w_1`)."""
    trainable = {v.op.name: v for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
                 if hasattr(v, "op")}
    copies = []
    for key in keys:
        m = _SUFFIXED.match(key)
        if m is None or key not in trainable or m.group(1) not in trainable:
            continue
        a, b = trainable[key], trainable[m.group(1)]
        if a.dtype == b.dtype and a.shape.as_list() == b.shape.as_list():
            copies.append((key, m.group(1)))
    if copies:
        shown = ", ".join(f"'{k}' (copy of '{base}')" for k, base in copies[:5])
        warnings.warn(
            f"This graph has variables whose names were made unique because a variable of the same name, shape "
            f"and dtype already existed: {shown}. That usually means the model was built twice in one graph "
            "(for example a notebook cell run again), and a checkpoint saved now holds both copies under suffixed "
            "keys that a freshly built model will not find. Call tf.reset_default_graph() before building the "
            "model.", UserWarning, stacklevel=3)


def _raw_session(sess):
    """The plain Session behind a MonitoredSession (Saver runs its ops without hooks)."""
    inner = getattr(sess, "_raw_tf_session", None)
    return inner() if callable(inner) else sess


class Saver:
    """Saves and restores variables (`tf.train.Saver`, API.md §12.6)."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False, saver_def=None,
                 builder=None, defer_build=False, allow_empty=False, write_version=SaverDef.V2,
                 pad_step_number=False, save_relative_paths=False, filename=None):
        if defer_build and var_list:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either set defer_build=False "
                             "or var_list=None.")
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._name = name
        self._saver_def = saver_def
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._save_relative_paths = save_relative_paths
        self._filename = filename
        self._is_built = False
        self._is_empty = False
        self._graph = None
        self._last_checkpoints = []  # [(prefix, time saved)]
        self._checkpoints_to_be_deleted = []
        self._next_checkpoint_time = time.time() + keep_checkpoint_every_n_hours * 3600
        if not defer_build:
            self.build()

    # -- building ------------------------------------------------------------------------------------
    def build(self):
        """Adds the save and restore ops (called by the constructor unless `defer_build=True`)."""
        if self._is_built:
            return
        self._is_built = True
        if self._saver_def is not None:
            self._graph = _graph.get_default_graph()
            self._check_saver_def()
            return
        refs = _names_to_refs(self._var_list)
        if not refs:
            if self._allow_empty:
                self._is_empty = True
                return
            raise ValueError("No variables to save")
        graph = next(iter(refs.values())).graph
        self._graph = graph
        _warn_if_uniquified(graph, refs)
        with graph.as_default():
            self._saver_def = self._build_ops(graph, refs)

    def _build_ops(self, graph, refs) -> SaverDef:
        from ..ops import array_ops, state_ops
        from ..ops.checkpoint_ops import restore_v2, save_v2
        from ..ops.constant_op import constant, placeholder_with_default
        from ..ops.control_flow_ops import group, identity

        keys = list(refs)
        vars_ = list(refs.values())
        with _graph.name_scope(self._name, "save"):
            # File I/O runs on the CPU; each assignment runs where its variable lives.
            with graph.device("/device:CPU:0"):
                default = constant(self._filename or "model", name="filename/input")
                name = placeholder_with_default(default, shape=(), name="filename")
                filename_tensor = placeholder_with_default(name, shape=(), name="Const")
                save_op = save_v2(filename_tensor, keys, [""] * len(keys), vars_)
                with graph.control_dependencies([save_op]):
                    save_tensor = identity(filename_tensor, name="control_dependency")
                restored = restore_v2(filename_tensor, keys, [""] * len(keys), [v.dtype.base_dtype for v in vars_],
                                      [v.shape for v in vars_], self._reshape)
            assigns = []
            for ref, value in zip(vars_, restored):
                with graph.device(None), graph.device(ref.op.device or None):
                    validate = ref.shape.is_fully_defined()
                    if self._reshape and validate:
                        value = array_ops.reshape(value, ref.shape.as_list())
                    assigns.append(state_ops.assign(ref, value, validate_shape=validate and not self._reshape,
                                                    name="Assign"))
            with graph.device("/device:CPU:0"):
                restore_op = group(*assigns, name="restore_all")
        return SaverDef(filename_tensor.name, save_tensor.name, restore_op.name, self._max_to_keep, self._sharded,
                        self._keep_checkpoint_every_n_hours, SaverDef.V2)

    def _check_saver_def(self):
        sd = self._saver_def
        for n in (sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name):
            try:
                self._graph.as_graph_element(n)
            except (KeyError, ValueError) as e:
                raise ValueError(f"The saver_def names {n!r}, which is not in the graph ({e}).") from None
        self._max_to_keep = sd.max_to_keep
        self._keep_checkpoint_every_n_hours = sd.keep_checkpoint_every_n_hours

    @property
    def saver_def(self) -> SaverDef | None:
        return self._saver_def

    def as_saver_def(self) -> SaverDef | None:
        return self._saver_def

    def to_proto(self, export_scope=None) -> SaverDef | None:
        return self._saver_def

    @staticmethod
    def from_proto(saver_def, import_scope=None) -> Saver:
        return Saver(saver_def=saver_def, name=import_scope)

    # -- bookkeeping of kept checkpoints ------------------------------------------------------------------
    @property
    def last_checkpoints(self) -> list:
        """Prefixes of the checkpoints this Saver keeps, oldest first."""
        return [p for p, _ in self._last_checkpoints]

    def set_last_checkpoints(self, last_checkpoints):
        if not isinstance(last_checkpoints, list):
            raise TypeError("last_checkpoints must be a list.")
        self._last_checkpoints = [(p, np.inf) for p in last_checkpoints]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time):
        if not isinstance(last_checkpoints_with_time, list):
            raise TypeError("last_checkpoints_with_time must be a list.")
        self._last_checkpoints = list(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths):
        """Takes over the existing checkpoints among `checkpoint_paths` (with their file times)."""
        kept = []
        for p in checkpoint_paths:
            mtime = get_checkpoint_mtimes([p])
            if mtime:
                kept.append((p, mtime[0]))
        self.set_last_checkpoints_with_time(kept)

    def _record_last_checkpoint(self, path):
        if not self._max_to_keep:
            return
        self._last_checkpoints = [(p, t) for p, t in self._last_checkpoints if p != path]
        self._last_checkpoints.append((path, time.time()))
        while len(self._last_checkpoints) > self._max_to_keep:
            self._checkpoints_to_be_deleted.append(self._last_checkpoints.pop(0))

    def _delete_old_checkpoints(self, meta_graph_suffix):
        while self._checkpoints_to_be_deleted:
            path, saved_at = self._checkpoints_to_be_deleted.pop(0)
            if saved_at > self._next_checkpoint_time:
                # keep_checkpoint_every_n_hours: this one is preserved for good.
                self._next_checkpoint_time += self._keep_checkpoint_every_n_hours * 3600
                continue
            remove_checkpoint(path, meta_graph_suffix=meta_graph_suffix)

    # -- save and restore ------------------------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename=None, meta_graph_suffix="meta",
             write_meta_graph=True, write_state=True, strip_default_attrs=False, save_debug_info=False):
        """Writes the variables to `save_path` (`save_path-<global_step>`); returns that prefix.

        Also writes `<prefix>.meta` (when `write_meta_graph`) and the `checkpoint`
        state file (when `write_state`), then deletes checkpoints beyond `max_to_keep`.
        """
        if not self._is_built:
            raise RuntimeError("`build()` should be called before save if defer_build==True")
        latest_filename = latest_filename or "checkpoint"
        if os.path.split(latest_filename)[0]:
            raise ValueError("'latest_filename' must not contain path components")
        if not hasattr(sess, "run"):
            raise TypeError(f"'sess' must be a Session; {sess!r}")
        save_path = os.fspath(save_path)
        raw = _raw_session(sess)
        if global_step is not None:
            if not isinstance(global_step, numbers.Integral):
                global_step = int(raw.run(global_step))
            fmt = "%s-%08d" if self._pad_step_number else "%s-%d"
            checkpoint_file = fmt % (save_path, int(global_step))
        else:
            checkpoint_file = save_path
        save_dir = os.path.dirname(save_path)
        model_checkpoint_path = None
        if not self._is_empty:
            if save_dir and not os.path.isdir(save_dir):
                raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
            sd = self._saver_def
            result = raw.run(sd.save_tensor_name, {sd.filename_tensor_name: checkpoint_file})
            model_checkpoint_path = result.decode() if isinstance(result, bytes) else str(result)
            if write_state:
                self._record_last_checkpoint(model_checkpoint_path)
                update_checkpoint_state(save_dir or ".", model_checkpoint_path, self.last_checkpoints,
                                        latest_filename, save_relative_paths=self._save_relative_paths)
                self._delete_old_checkpoints(meta_graph_suffix)
        if write_meta_graph:
            self._write_meta_graph(raw.graph, f"{checkpoint_file}.{meta_graph_suffix}")
        return model_checkpoint_path

    def _write_meta_graph(self, graph, path):
        try:
            export_meta_graph(path, saver_def=self._saver_def, graph=graph)
        except (TypeError, ValueError) as e:
            # The checkpoint itself is complete; only the graph description could not be written.
            warnings.warn(f"Checkpoint saved, but its meta graph {path} was not written: {e}", UserWarning,
                          stacklevel=3)

    def restore(self, sess, save_path):
        """Assigns the saved values to the variables; no initialization is needed first.

        A failure (missing key, wrong shape or dtype) raises before any variable
        changes, so all keep their previous values.
        """
        if self._is_empty:
            return
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not checkpoint_exists(save_path):
            raise ValueError("The passed save_path is not a valid checkpoint: " + save_path)
        _log.info("Restoring parameters from %s", save_path)
        sd = self._saver_def
        try:
            _raw_session(sess).run(sd.restore_op_name, {sd.filename_tensor_name: save_path})
        except errors.NotFoundError as e:
            raise errors.NotFoundError(e.node_def, e.op, _MISSING_KEY_PREAMBLE + e.message) from None
        except errors.InvalidArgumentError as e:
            raise errors.InvalidArgumentError(e.node_def, e.op, _MISMATCH_PREAMBLE + e.message) from None

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False, export_scope=None,
                          clear_devices=False, clear_extraneous_savers=False, strip_default_attrs=False,
                          save_debug_info=False) -> MetaGraphDef:
        """Writes the graph of this Saver (with its saver_def) to `filename`; returns the MetaGraphDef."""
        return export_meta_graph(filename, saver_def=self._saver_def, collection_list=collection_list,
                                 as_text=as_text, graph=self._graph, export_scope=export_scope,
                                 clear_devices=clear_devices)


"""Session and InteractiveSession: run fetches with feeds through cached plans (API.md §2.5, DESIGN §2).

Variable values live here, per Session. Writes made during a run become
visible to later ops of that run and are committed only when the whole run
succeeds, so a failed run leaves every variable as it was. Placement follows
API.md §2.6: explicit `tf.device` pins, otherwise GPU:0 when the CuPy backend
is active and the op has a GPU kernel, otherwise the CPU.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np

from .. import backend as _backend
from .. import logging as _tf_logging
from ..framework import errors
from ..framework.device_spec import device_kind_and_index
from ..framework.dtypes import string as _string
from ..framework.graph import Operation, Tensor, get_default_graph
from ..ops.registry import DEAD
from . import plan as _plan
from .config import ConfigProto, GPUOptions, GraphOptions, OptimizerOptions, RunMetadata, RunOptions  # noqa: F401

_MISSING = object()
_LIVE = True


# -- default session stack -----------------------------------------------------------------------------


class _SessionStack(threading.local):
    def __init__(self):
        self.stack = []


_session_stack = _SessionStack()


def get_default_session():
    """The innermost default Session, or None."""
    s = _session_stack.stack
    return s[-1] if s else None


def _remove_from_stack(sess) -> None:
    st = _session_stack.stack
    for i in range(len(st) - 1, -1, -1):
        if st[i] is sess:
            del st[i]
            return


def _session_for(element, session):
    """The Session that `Tensor.eval` / `Operation.run` use (TF1's messages when there is none)."""
    is_op = isinstance(element, Operation)
    if session is None:
        session = get_default_session()
        if session is None:
            if is_op:
                raise ValueError("Cannot execute operation using `run()`: No default session is registered. Use "
                                 "`with sess.as_default():` or pass an explicit session to `run(session=sess)`")
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is registered. Use "
                             "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
        if element.graph is not session.graph:
            if is_op:
                raise ValueError("Cannot use the default session to execute operation: the operation's graph is "
                                 "different from the session's graph. Pass an explicit session to "
                                 "run(session=sess).")
            raise ValueError("Cannot use the default session to evaluate tensor: the tensor's graph is different "
                             "from the session's graph. Pass an explicit session to `eval(session=sess)`.")
    elif element.graph is not session.graph:
        if is_op:
            raise ValueError("Cannot use the given session to execute operation: the operation's graph is different "
                             "from the session's graph.")
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph is different from the "
                         "session's graph.")
    return session


# -- what a kernel sees ------------------------------------------------------------------------------------


class _OpContext:
    """A kernel's view: the op, its device's array module, and the session (state and random streams)."""

    __slots__ = ("op", "xp", "device", "session", "cache")

    def __init__(self, op, device, session):
        self.op = op
        self.device = device
        self.xp = device.xp
        self.session = session
        self.cache = None  # a kernel's per-step device-resident data (e.g. a constant already on the GPU)

    def rng(self):
        """This op's random Generator on its device (seeded from the op's seeds when it has some)."""
        return self.session._rng_for(self.op, self.device)

    def read_var(self, key):
        return self.session._read_var(key, self.device)

    def write_var(self, key, value):
        self.session._write_var(key, value)

    def is_initialized(self, key) -> bool:
        return self.session._is_initialized(key)


class NotFoldableError(Exception):
    """Raised by a constant-folding context when a kernel asks for run-time state (random streams, variables)."""


class _FoldingContext(_OpContext):
    """The context of a kernel run once while planning, on constant inputs: any state it asks for means its
    output may differ between runs, so it is not folded."""

    __slots__ = ()

    def rng(self):
        raise NotFoldableError(self.op.name)

    def read_var(self, key):
        raise NotFoldableError(self.op.name)

    def write_var(self, key, value):
        raise NotFoldableError(self.op.name)

    def is_initialized(self, key) -> bool:
        raise NotFoldableError(self.op.name)


class _DeviceAttributes:
    def __init__(self, dev):
        self.name = dev.full_name
        self.device_type = dev.kind
        self.memory_limit_bytes = 0
        self.incarnation = 0

    def __repr__(self):
        return f"_DeviceAttributes({self.name}, {self.device_type}, {self.memory_limit_bytes}, {self.incarnation})"


# -- the session ----------------------------------------------------------------------------------------------


class BaseSession:
    """State, placement and the run loop shared by Session and InteractiveSession."""

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = get_default_graph()
        elif not hasattr(graph, "_ops"):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph).__name__}")
        if config is not None and not isinstance(config, ConfigProto):
            raise TypeError(f"config must be a tf.ConfigProto, but got {type(config).__name__}")
        self._graph = graph
        self._config = config if config is not None else ConfigProto()
        self._target = target
        self._closed = False
        self._vars = {}
        self._pending = None
        self._fed_vars = None
        self._plans = {}
        self._rngs = {}
        self._placement = {}
        self._lock = threading.RLock()
        self._default_session_cm = None
        self._default_graph_cm = None
        _backend.configure_gpu_memory(self._config.gpu_options)

    graph = property(lambda self: self._graph)

    @property
    def graph_def(self):
        """A GraphDef snapshot of the graph (the old spelling `SummaryWriter(graph_def=...)` takes)."""
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return self._target

    def list_devices(self) -> list:
        """The devices teachtf can see: the CPU plus CuPy GPUs (unless `device_count={'GPU': 0}`)."""
        return [_DeviceAttributes(d) for d in _backend.list_devices() if d.kind == "CPU" or self._gpus_allowed()]

    # -- variable state ---------------------------------------------------------------------------------------
    def _read_var(self, key, device=None):
        fed = self._fed_vars
        if fed and key in fed:
            v = fed[key]
        else:
            p = self._pending
            v = _MISSING if p is None else p.get(key, _MISSING)
            if v is _MISSING:
                v = self._vars.get(key, _MISSING)
            if v is _MISSING:
                raise errors.FailedPreconditionError(None, None, f"Attempting to use uninitialized value {key}")
        if device is not None:
            if device.kind != "CPU":
                v = device.to_device(v)
            elif not isinstance(v, (np.ndarray, np.generic)):
                v = _backend.to_host(v)
        return v

    def _write_var(self, key, value):
        if self._pending is None:
            self._vars[key] = value
        else:
            self._pending[key] = value

    def _is_initialized(self, key) -> bool:
        p = self._pending
        return (p is not None and key in p) or key in self._vars

    def _rng_for(self, op, device):
        key = (op._name, device.name)
        rng = self._rngs.get(key)
        if rng is None:
            rng = device.rng(_op_seed(op))
            self._rngs[key] = rng
        return rng

    # -- placement ------------------------------------------------------------------------------------------------
    def _gpus_allowed(self) -> bool:
        dc = self._config.device_count
        return dc.get("GPU", dc.get("gpu", 1)) != 0

    def _device_for(self, op):
        """The Device an op runs on (cached per op); raises InvalidArgumentError for a missing pinned device."""
        dev = self._placement.get(op)
        if dev is not None:
            return dev
        kind, index = device_kind_and_index(op._device)
        od = op._opdef
        cpu_only = (od is not None and od.cpu_only) or any(t._dtype.base_dtype is _string
                                                           for t in list(op._outputs) + list(op._inputs))
        gpus_allowed = self._gpus_allowed()
        if kind == "GPU":
            dev = self._pinned_gpu(op, index or 0, gpus_allowed, cpu_only)
        elif kind is not None and kind != "CPU" or kind == "CPU" and index not in (None, 0):
            dev = self._unavailable(op, "no devices matching that specification are registered in this process")
        elif kind == "CPU" or not gpus_allowed or cpu_only or _backend.get_backend() != "cupy":
            dev = _backend.CPU0
        else:
            dev = _backend.gpu(0)
        self._placement[op] = dev
        return dev

    def _pinned_gpu(self, op, index, gpus_allowed, cpu_only):
        if cpu_only:
            return self._unavailable(op, f"no supported kernel for GPU devices is available for op type {op._type}")
        if not gpus_allowed:
            return self._unavailable(op, "GPUs are disabled by ConfigProto(device_count={'GPU': 0})")
        try:
            return _backend.gpu(index)
        except LookupError:
            why = ("CuPy or a CUDA GPU is not available" if not _backend.cupy_available() else
                   f"this machine has only {_backend.gpu_count()} GPU(s)")
            return self._unavailable(op, f"no devices matching that specification are registered in this process "
                                         f"({why})")

    def _unavailable(self, op, why):
        """Falls back to the CPU under soft placement, else raises TF1's placement error."""
        if self._config.allow_soft_placement:
            _tf_logging.warning(
                "Soft placement: %s (%s) was pinned to %s, which is not available (%s); running it on %s.",
                op._name, op._type, op._device, why, _backend.CPU0.full_name)
            return _backend.CPU0
        avail = ", ".join(d.full_name for d in _backend.list_devices() if d.kind == "CPU" or self._gpus_allowed())
        raise errors.InvalidArgumentError(
            None, op, f"Cannot assign a device for operation {op._name}: Could not satisfy explicit device "
                      f"specification '{op._device}' because {why}. Available devices: [ {avail} ]. Install "
                      "teachtf[gpu] on a machine with an NVIDIA GPU, remove the tf.device(...) block, or pass "
                      "config=tf.ConfigProto(allow_soft_placement=True) to the Session.")

    # -- running ------------------------------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs what `fetches` (any nesting of lists, tuples, dicts, namedtuples) needs; returns the same structure.

        Tensors give NumPy arrays (0-d: NumPy scalars; strings: bytes), Operations give None.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if feed_dict:
            try:
                fkeys = tuple(feed_dict)
            except TypeError:
                raise TypeError(f"feed_dict must be a dictionary, got {type(feed_dict).__name__}") from None
            key = (fetches if isinstance(fetches, (Tensor, Operation)) else _plan.fetch_key(fetches), fkeys)
        else:
            fkeys = ()
            key = fetches if isinstance(fetches, (Tensor, Operation)) else _plan.fetch_key(fetches)
        try:
            plan = self._plans.get(key)
        except TypeError:  # an unhashable leaf: build without caching (resolve_fetch reports it)
            plan, key = None, None
        if plan is None or plan.version != self._graph._mutation_version:
            plan = _plan.build_plan(self, fetches, fkeys)
            if key is not None:
                self._plans[key] = plan
        return self._execute(plan, feed_dict.values() if feed_dict else (), fkeys)

    def _execute(self, plan, feed_values, fkeys):
        """One run of `plan`; `feed_values` are aligned with `fkeys` (the plan's feed keys)."""
        vals = plan.initial.copy()
        fed_vars = None
        if fkeys:
            for k, value, (slot, npdt, shape_check, var_key, tensor, is_str) in zip(fkeys, feed_values,
                                                                                    plan.feed_specs):
                arr = _convert_feed(value, npdt, is_str, k, tensor)
                if shape_check is not None:
                    _check_feed_shape(arr, shape_check, tensor)
                if var_key is not None:
                    if fed_vars is None:
                        fed_vars = {}
                    fed_vars[var_key] = arr
                if slot is not None:
                    vals[slot] = arr
        with self._lock:
            self._pending = {}
            self._fed_vars = fed_vars
            quiet = _backend.silence_float_errors()
            try:
                self._run_steps(plan.steps, vals)
                results = self._collect(plan, vals)
                if self._pending:
                    self._vars.update(self._pending)
            finally:
                self._pending = None
                self._fed_vars = None
                _backend.restore_float_errors(quiet)
                _backend.restore_blas_threads()
        if plan.single:
            return results[0]
        return _plan.rebuild(plan.sig, results)

    def _run_steps(self, steps, vals) -> None:
        """The run loop: each step's kernel on its input slots, outputs into its output slots."""
        for st in steps:
            if st.cond and _skip_dead_step(st, vals):
                continue
            args = [vals[i] for i in st.ins]
            if st.var_reads:
                try:
                    for pos, vkey in st.var_reads:
                        args[pos] = self._read_var(vkey, st.ctx.device)
                except errors.OpError as e:
                    e._attach_op(st.op)
                    raise
            if st.transfers:
                dev = st.ctx.device
                for pos in st.transfers:
                    if args[pos] is not DEAD:
                        args[pos] = dev.to_device(args[pos])
            try:
                out = st.kernel(st.ctx, *args, **st.attrs)
            except errors.OpError as e:
                e._attach_op(st.op)
                raise
            except Exception as e:  # noqa: BLE001 - every kernel failure becomes an InvalidArgumentError
                raise _kernel_error(st.op, args, e) from e
            if st.nout == 1:
                vals[st.outs[0]] = out
            elif st.nout:
                for s, o in zip(st.outs, out):
                    vals[s] = o
            for s in st.free:
                vals[s] = None

    def _run_subplan(self, plan, feed_values) -> list:
        """Runs `plan` inside the current run (a tf.while_loop body): device values in and out, no host copies,
        writes stay in the current run's overlay."""
        vals = plan.initial.copy()
        for value, spec in zip(feed_values, plan.feed_specs):
            if spec[0] is not None:
                vals[spec[0]] = value
        self._run_steps(plan.steps, vals)
        out = []
        for kind, x in plan.fetch_specs:
            if kind == _plan.FETCH_SLOT:
                out.append(vals[x])
            elif kind == _plan.FETCH_VARIABLE:
                out.append(self._read_var(x))
            else:
                out.append(None)
        return out

    def _cached_subplan(self, key, fetches, fkeys):
        """A plan built once per session for a loop body (`key` identifies it)."""
        plan = self._plans.get(key)
        if plan is None or plan.version != self._graph._mutation_version:
            plan = _plan.build_plan(self, fetches, tuple(fkeys), internal=True)
            self._plans[key] = plan
        return plan

    def _collect(self, plan, vals) -> list:
        results = []
        for i, (kind, x) in enumerate(plan.fetch_specs):
            if kind == _plan.FETCH_SLOT:
                v = vals[x]
                if v is DEAD:
                    raise errors.InvalidArgumentError(
                        None, None, f"Retval[{i}] does not have value: the fetched tensor is computed only in a "
                                    "tf.cond branch that was not taken in this run. Fetch the tf.cond output "
                                    "instead.")
                results.append(_host_result(v))
            elif kind == _plan.FETCH_VARIABLE:
                try:
                    results.append(_host_result(self._read_var(x)))
                except errors.OpError as e:
                    e._attach_op(self._graph._ops_by_name.get(x))
                    raise
            else:
                results.append(None)
        return results

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function `f(*feed_values)` equal to `run(fetches, dict(zip(feed_list, feed_values)))`, planned once."""
        feed_list = list(feed_list or [])
        fkeys = tuple(feed_list)
        plan_box = [_plan.build_plan(self, fetches, fkeys)]

        def call(*args, **kwargs):
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(args) != len(fkeys):
                raise TypeError(f"This callable takes {len(fkeys)} feed value(s) (one per feed_list entry), "
                                f"got {len(args)}.")
            if plan_box[0].version != self._graph._mutation_version:
                plan_box[0] = _plan.build_plan(self, fetches, fkeys)
            return self._execute(plan_box[0], args, fkeys)

        return call

    def partial_run_setup(self, fetches, feeds=None):
        raise errors.UnimplementedError(None, None, "partial_run is not supported by teachtf: fetch everything "
                                                    "you need in one sess.run call.")

    def partial_run(self, handle, fetches, feed_dict=None):
        raise errors.UnimplementedError(None, None, "partial_run is not supported by teachtf.")

    # -- lifetime ---------------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Frees the variable state; later runs raise RuntimeError."""
        self._closed = True
        self._vars = {}
        self._plans = {}
        self._rngs = {}

    def as_default(self):
        """A context manager making this the default Session (not closing it, not changing the default graph)."""
        return _DefaultSessionContext(self)

    def __enter__(self):
        if self._default_graph_cm is not None:
            raise RuntimeError("Session context managers are not re-entrant. Use `Session.as_default()` if you "
                               "want to enter a session multiple times.")
        self._default_graph_cm = self._graph.as_default()
        self._default_session_cm = self.as_default()
        self._default_graph_cm.__enter__()
        self._default_session_cm.__enter__()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        try:
            self._default_session_cm.__exit__(exc_type, exc_value, tb)
            self._default_graph_cm.__exit__(exc_type, exc_value, tb)
        finally:
            self._default_session_cm = None
            self._default_graph_cm = None
            self.close()
        return False


class _DefaultSessionContext:
    def __init__(self, sess):
        self._sess = sess

    def __enter__(self):
        _session_stack.stack.append(self._sess)
        return self._sess

    def __exit__(self, *exc):
        _remove_from_stack(self._sess)
        return False


class Session(BaseSession):
    """`tf.Session(target='', graph=None, config=None)`: binds to `graph` (default: the default graph now)."""

    @staticmethod
    def reset(target, containers=None, config=None):
        """Resets resource containers on a distributed target; nothing to do in one process."""


class InteractiveSession(BaseSession):
    """A Session that installs itself as the default Session until `close()` (for notebooks and shells)."""

    _count_lock = threading.Lock()
    _active_session_count = 0

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        with InteractiveSession._count_lock:
            if InteractiveSession._active_session_count > 0:
                warnings.warn("An interactive session is already active. This can cause out-of-memory errors in "
                              "some cases. You must explicitly call `InteractiveSession.close()` to release "
                              "resources held by the other session(s).", stacklevel=2)
            InteractiveSession._active_session_count += 1
        self._explicitly_closed = False
        _session_stack.stack.append(self)
        self._explicit_graph_cm = None
        if graph is not None:
            self._explicit_graph_cm = graph.as_default()
            self._explicit_graph_cm.__enter__()

    def close(self) -> None:
        super().close()
        with InteractiveSession._count_lock:
            if not self._explicitly_closed:
                InteractiveSession._active_session_count -= 1
                self._explicitly_closed = True
            else:
                return
        _remove_from_stack(self)
        if self._explicit_graph_cm is not None:
            self._explicit_graph_cm.__exit__(None, None, None)
            self._explicit_graph_cm = None


# -- feeds and results ---------------------------------------------------------------------------------------------


def _convert_feed(value, npdt, is_str, key, tensor):
    """A feed value as an array of the key's dtype (silent casts, as np.asarray does)."""
    t = type(value)
    if t is np.ndarray or t is npdt:
        if value.dtype == npdt:
            return value if t is np.ndarray else np.asarray(value)
    elif t is float or t is int:
        if not is_str and np.dtype(npdt).kind in "fc":
            return np.asarray(value, dtype=npdt)
    if isinstance(value, (Tensor, Operation)) or hasattr(value, "_as_graph_element"):
        raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python "
                        "scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the tensor "
                        f"object was {value} which was passed to the feed with key {key}.")
    if is_str:
        arr = np.asarray(value, dtype=object)
        if arr.ndim == 0:
            v = arr[()]
            return np.asarray(v.encode() if isinstance(v, str) else v, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(arr)
    if isinstance(value, int) and not isinstance(value, bool) and np.dtype(npdt).kind in "iu":
        info = np.iinfo(npdt)
        if not info.min <= value <= info.max:
            raise TypeError(f"Type of feed value {value} with type {type(value)} is not compatible with Tensor type "
                            f"{np.dtype(npdt).name}. Try explicitly setting the type of the feed tensor to a larger "
                            "type (e.g. int64).")
    try:
        return np.asarray(_backend.to_host(value), dtype=npdt)
    except (ValueError, TypeError, OverflowError) as e:
        raise ValueError(f"Cannot feed value {value!r:.80} for Tensor '{tensor.name}': it cannot be converted to "
                         f"{np.dtype(npdt).name} ({e}).") from None


def _check_feed_shape(arr, shape, tensor):
    s = arr.shape
    if len(s) == len(shape):
        for a, b in zip(s, shape):
            if b is not None and a != b:
                break
        else:
            return
    raise ValueError(f"Cannot feed value of shape {s!r} for Tensor {tensor.name!r}, which has shape "
                     f"{str(tensor.shape)!r}")


def _host_result(v):
    """A NumPy value for the caller (0-d as a NumPy scalar) that never aliases engine state."""
    if isinstance(v, np.ndarray):
        return v[()] if v.ndim == 0 else v.copy()
    if isinstance(v, np.generic):
        return v
    v = _backend.to_host(v)  # a fresh host copy of a GPU array
    return v[()] if isinstance(v, np.ndarray) and v.ndim == 0 else v


def _skip_dead_step(st, vals) -> bool:
    """For a step after a tf.cond Switch: True (and its outputs DEAD) when it is on the untaken branch."""
    dead = any(vals[s] is DEAD for s in st.ctrl_tokens)
    if not dead:
        ins = [vals[i] for i in st.ins]
        if st.receives_dead:
            dead = bool(ins) and all(a is DEAD for a in ins)
        else:
            dead = any(a is DEAD for a in ins)
    if dead:
        for s in st.outs:
            vals[s] = DEAD
    if st.token is not None:
        vals[st.token] = DEAD if dead else _LIVE
    return dead


def _kernel_error(op, args, exc):
    def describe(a):
        if isinstance(a, str):
            return f"variable {a}"
        shape = tuple(getattr(a, "shape", ()))
        return f"{getattr(a, 'dtype', type(a).__name__)}{list(shape)}"

    inputs = ", ".join(describe(a) for a in args)
    msg = (f"{op._type} op '{op._name}' failed: {exc}\n  inputs: [{inputs}]\n"
           f"  (op created at {op._creation_site()})")
    return errors.InvalidArgumentError(None, op, msg)


def _op_seed(op):
    """The seed pair of a random op, or None when it is unseeded (fresh entropy per session).

    Random ops store TF1's `get_seed` pair as attrs `seed`/`seed2`; ops that
    only store `seed` get it combined here with the graph seed of the moment
    they were built (`_graph_seed`, recorded by Graph.create_op).
    """
    attrs = op._attrs
    if "seed2" in attrs:
        s1, s2 = attrs.get("seed"), attrs.get("seed2")
        if not s1 and not s2:
            return None
        return [int(s1 or 0) & 0xFFFFFFFF, int(s2 or 0) & 0xFFFFFFFF]
    g_seed = attrs.get("_graph_seed")
    o_seed = attrs.get("seed")
    if g_seed is None and o_seed is None:
        return None
    if g_seed is None:
        g_seed = 87654321
    if o_seed is None:
        o_seed = op._id
    return [int(g_seed) & 0xFFFFFFFF, int(o_seed) & 0xFFFFFFFF]


def _clear_interactive_default():
    """Kept for callers of the lead's first version; TF1 leaves an InteractiveSession open on graph reset."""

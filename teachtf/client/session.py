"""Session: runs fetches with feeds through cached plans (API.md §2.5, DESIGN §2 "Running").

A plan is the pruned, topologically ordered list of steps for one set of
fetched and fed tensors, with integer value slots; a run is one loop over it.
Variable values live here, per Session. Writes made during a run become
visible to later ops of that run and are committed only when the whole run
succeeds, so a failed run leaves every variable as it was.
"""

from __future__ import annotations

import heapq
import sys
import threading
import warnings

import numpy as np

from .. import backend as _backend
from ..framework import errors
from ..framework.dtypes import string as _string
from ..framework.graph import Operation, Tensor, get_default_graph

_MISSING = object()


# -- config objects -------------------------------------------------------------------------


class GPUOptions:
    def __init__(self, allow_growth=False, per_process_gpu_memory_fraction=0.0, visible_device_list="", **kw):
        self.allow_growth = allow_growth
        self.per_process_gpu_memory_fraction = per_process_gpu_memory_fraction
        self.visible_device_list = visible_device_list
        self.__dict__.update(kw)


class GraphOptions:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class ConfigProto:
    """Session configuration; `log_device_placement`, `allow_soft_placement`, `device_count` are honoured."""

    def __init__(self, log_device_placement=False, allow_soft_placement=False, device_count=None,
                 gpu_options=None, inter_op_parallelism_threads=0, intra_op_parallelism_threads=0,
                 operation_timeout_in_ms=0, graph_options=None, **kw):
        self.log_device_placement = log_device_placement
        self.allow_soft_placement = allow_soft_placement
        self.device_count = dict(device_count or {})
        self.gpu_options = gpu_options if gpu_options is not None else GPUOptions()
        self.inter_op_parallelism_threads = inter_op_parallelism_threads
        self.intra_op_parallelism_threads = intra_op_parallelism_threads
        self.operation_timeout_in_ms = operation_timeout_in_ms
        self.graph_options = graph_options if graph_options is not None else GraphOptions()
        self.__dict__.update(kw)


class RunOptions:
    FULL_TRACE = 3
    NO_TRACE = 0

    def __init__(self, trace_level=0, **kw):
        self.trace_level = trace_level
        self.__dict__.update(kw)


class RunMetadata:
    def __init__(self):
        self.step_stats = None
        self.cost_graph = None


# -- default session stack ---------------------------------------------------------------------


class _SessionStack(threading.local):
    def __init__(self):
        self.stack = []


_session_stack = _SessionStack()
_interactive = [None]


def get_default_session():
    """The innermost default Session, or None."""
    s = _session_stack.stack
    if s:
        return s[-1]
    return _interactive[0]


def _clear_interactive_default():
    pass


def _session_for(element, session):
    if session is None:
        session = get_default_session()
        if session is None:
            kind = "operation" if isinstance(element, Operation) else "tensor"
            raise ValueError(f"Cannot evaluate {kind} using `eval()` / `run()`: No default session is registered. "
                             "Use `with sess.as_default()` or pass an explicit session to `eval(session=sess)`")
    if element.graph is not session.graph:
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph is different from "
                         "the session's graph.")
    return session


# -- fetch structures ------------------------------------------------------------------------------


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _flatten_fetches(fetches, flat):
    """Appends the leaves of `fetches` to `flat`; returns a structure signature used to rebuild results."""
    if isinstance(fetches, list):
        return ("l", tuple(_flatten_fetches(f, flat) for f in fetches))
    if _is_namedtuple(fetches):
        return ("n", type(fetches), tuple(_flatten_fetches(f, flat) for f in fetches))
    if isinstance(fetches, tuple):
        return ("t", tuple(_flatten_fetches(f, flat) for f in fetches))
    if isinstance(fetches, dict):
        keys = tuple(fetches.keys())
        return ("d", type(fetches), keys, tuple(_flatten_fetches(fetches[k], flat) for k in keys))
    flat.append(fetches)
    return len(flat) - 1


def _rebuild(sig, values):
    if isinstance(sig, int):
        return values[sig]
    kind = sig[0]
    if kind == "l":
        return [_rebuild(s, values) for s in sig[1]]
    if kind == "t":
        return tuple(_rebuild(s, values) for s in sig[1])
    if kind == "n":
        return sig[1](*[_rebuild(s, values) for s in sig[2]])
    d = sig[1]() if sig[1] is not dict else {}
    for k, s in zip(sig[2], sig[3]):
        d[k] = _rebuild(s, values)
    return d


def _host_result(v):
    """A fresh NumPy value for the caller (0-d as a NumPy scalar), never an alias of engine state."""
    v = _backend.to_host(v)
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return v[()]
        return v.copy()
    return v


# -- plan -------------------------------------------------------------------------------------------


class _OpContext:
    """What a kernel sees: the op, its device's array module, and the session."""

    __slots__ = ("op", "xp", "device", "session")

    def __init__(self, op, device, session):
        self.op = op
        self.device = device
        self.xp = device.xp
        self.session = session

    def rng(self):
        return self.session._rng_for(self.op, self.device)

    def read_var(self, key):
        return self.session._read_var(key, self.device)

    def write_var(self, key, value):
        self.session._write_var(key, value)


class _Plan:
    __slots__ = ("steps", "nslots", "feed_specs", "fetch_specs", "sig", "single")


class _Step:
    __slots__ = ("kernel", "ctx", "ins", "outs", "attrs", "free", "op", "var_reads", "transfers", "nout")


def _ref_var_key(t):
    """If `t` is a variable's ref output, the variable key, else None."""
    op = t._op
    od = op._opdef
    if od is not None and od.is_variable:
        return op._name
    return None


class BaseSession:
    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = get_default_graph()
        self._graph = graph
        self._config = config if config is not None else ConfigProto()
        self._closed = False
        self._vars = {}
        self._var_devices = {}
        self._pending = None
        self._fed_vars = None
        self._plans = {}
        self._rngs = {}
        self._placement = {}
        self._default_ctx = []
        self._lock = threading.RLock()
        self._extend_hooks = []

    graph = property(lambda self: self._graph)

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self):
        return ""

    def list_devices(self):
        return [_DeviceAttributes(d) for d in _backend.list_devices()]

    # -- state --------------------------------------------------------------------------------------
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
                op = self._graph._ops_by_name.get(key)
                raise errors.FailedPreconditionError(
                    None, op, f"Attempting to use uninitialized value {key}")
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

    # -- placement --------------------------------------------------------------------------------------
    def _device_for(self, op):
        dev = self._placement.get(op)
        if dev is not None:
            return dev
        cfg = self._config
        gpus_allowed = cfg.device_count.get("GPU", cfg.device_count.get("gpu", None)) != 0
        spec = op._device or ""
        od = op._opdef
        cpu_only = od is not None and od.cpu_only or any(t._dtype.base_dtype is _string for t in op._outputs)
        dev = _backend.CPU0
        if spec.startswith("/device:GPU:"):
            idx = int(spec.rsplit(":", 1)[1])
            try:
                if not gpus_allowed:
                    raise LookupError
                if cpu_only:
                    raise LookupError("no GPU kernel")
                dev = _backend.gpu(idx)
            except LookupError as e:
                if not cfg.allow_soft_placement:
                    why = (f"no supported kernel for GPU devices is available for op type {op._type}"
                           if cpu_only and str(e) == "no GPU kernel" else
                           "Could not satisfy explicit device specification because no supported devices "
                           "matching that specification are registered in this process")
                    avail = ", ".join(d.full_name for d in _backend.list_devices() if gpus_allowed or
                                      d.kind == "CPU")
                    raise errors.InvalidArgumentError(
                        None, op, f"Cannot assign a device for operation {op._name}: {why}; available devices: "
                                  f"[ {avail} ]. Operation was explicitly assigned to {spec} (defined at "
                                  f"{op._creation_site()}). Install teachtf[gpu] on a machine with an NVIDIA GPU, "
                                  "or pass tf.ConfigProto(allow_soft_placement=True).") from None
                if cfg.log_device_placement:
                    print(f"Soft placement: {op._name} ({op._type}) requested {spec}; using CPU:0",
                          file=sys.stderr)
        elif spec.startswith("/device:CPU:") or not gpus_allowed or cpu_only:
            dev = _backend.CPU0
        elif _backend.get_backend() == "cupy":
            dev = _backend.gpu(0)
        if cfg.log_device_placement:
            print(f"{op._name}: ({op._type}): {dev.full_name}", file=sys.stderr)
        self._placement[op] = dev
        return dev

    # -- running -------------------------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops needed for `fetches` (any nesting) with `feed_dict`; returns values of the same structure."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if feed_dict:
            try:
                fkeys = tuple(feed_dict)
            except TypeError:
                raise TypeError("feed_dict must be a dictionary") from None
            key = (fetches if isinstance(fetches, (Tensor, Operation)) else _fetch_key(fetches), fkeys)
        else:
            fkeys = ()
            key = fetches if isinstance(fetches, (Tensor, Operation)) else _fetch_key(fetches)
        try:
            plan = self._plans.get(key)
        except TypeError:
            plan = None
            key = None
        if plan is None:
            plan = self._build_plan(fetches, fkeys)
            if key is not None:
                self._plans[key] = plan
        return self._execute(plan, feed_dict, fkeys)

    def _execute(self, plan, feed_dict, fkeys):
        vals = [None] * plan.nslots
        fed_vars = None
        if feed_dict:
            for k, (slot, npdt, shape_check, var_key, name, is_str) in zip(fkeys, plan.feed_specs):
                value = feed_dict[k]
                arr = _convert_feed(value, npdt, is_str, k)
                if shape_check is not None:
                    _check_feed_shape(arr, shape_check, name)
                if var_key is not None:
                    if fed_vars is None:
                        fed_vars = {}
                    fed_vars[var_key] = arr
                if slot is not None:
                    vals[slot] = arr
        with self._lock:
            self._pending = {}
            self._fed_vars = fed_vars
            try:
                for st in plan.steps:
                    args = [vals[i] for i in st.ins]
                    if st.var_reads:
                        for pos, vkey in st.var_reads:
                            args[pos] = self._read_var(vkey, st.ctx.device)
                    if st.transfers:
                        dev = st.ctx.device
                        for pos in st.transfers:
                            args[pos] = dev.to_device(args[pos])
                    try:
                        out = st.kernel(st.ctx, *args, **st.attrs)
                    except errors.OpError as e:
                        if e.op is None:
                            e.op = st.op
                            e.args = (e._full_message(),)
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
                results = []
                for kind, x in plan.fetch_specs:
                    if kind == 0:
                        results.append(_host_result(vals[x]))
                    elif kind == 1:
                        results.append(_host_result(self._read_var(x)))
                    else:
                        results.append(None)
                if self._pending:
                    self._vars.update(self._pending)
            finally:
                self._pending = None
                self._fed_vars = None
        if plan.single:
            return results[0]
        return _rebuild(plan.sig, results)

    def _resolve_fetch(self, f):
        if f is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        if hasattr(f, "_as_graph_element") and not isinstance(f, (Tensor, Operation)):
            f = f._as_graph_element()
        if isinstance(f, (Tensor, Operation)):
            if f.graph is not self._graph:
                raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({f!r} is not an "
                                 "element of this graph.)")
            return f
        if isinstance(f, str):
            try:
                return self._graph.as_graph_element(f)
            except (KeyError, ValueError) as e:
                raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({e})") from None
        raise TypeError(f"Fetch argument {f!r} has invalid type {type(f)}, must be a string or Tensor. (Can not "
                        "convert a {0} into a Tensor or Operation.)".replace("{0}", type(f).__name__))

    def _resolve_feed_key(self, k):
        if hasattr(k, "_as_graph_element") and not isinstance(k, (Tensor, Operation)):
            k = k._as_graph_element()
        if isinstance(k, str):
            try:
                k = self._graph.as_graph_element(k, allow_operation=False)
            except (KeyError, ValueError) as e:
                raise ValueError(f"Cannot interpret feed_dict key as Tensor: {e}") from None
        if not isinstance(k, Tensor):
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: Can not convert a {type(k).__name__} into a "
                            "Tensor.")
        if k.graph is not self._graph:
            raise ValueError(f"Cannot interpret feed_dict key as Tensor: Tensor {k.name} is not an element of this "
                             "graph.")
        if not self._graph.is_feedable(k):
            raise ValueError(f"Tensor {k.name} may not be fed.")
        return k

    def _build_plan(self, fetches, fkeys):
        flat = []
        sig = _flatten_fetches(fetches, flat)
        elems = [self._resolve_fetch(f) for f in flat]
        feeds = [self._resolve_feed_key(k) for k in fkeys]
        for e in elems:
            if not self._graph.is_fetchable(e):
                raise ValueError(f"Operation {e.name!r} has been marked as not fetchable.")
        fed = set(feeds)

        # Needed ops: walk back from fetches through data and control inputs, cut at fed tensors.
        needed = set()
        stack = []
        for e in elems:
            if isinstance(e, Tensor):
                if e not in fed and _ref_var_key(e) is None:
                    stack.append(e._op)
            else:
                stack.append(e)
        while stack:
            op = stack.pop()
            if op in needed:
                continue
            needed.add(op)
            for t in op._inputs:
                if t not in fed and t._op not in needed:
                    stack.append(t._op)
            for c in op._control_inputs:
                if c not in needed:
                    stack.append(c)
        # Variable ops themselves never run: consumers read their state.
        order = _toposort(needed)

        slot_of = {}
        nslots = 0
        for t in feeds:
            if t not in slot_of and _ref_var_key(t) is None:
                slot_of[t] = nslots
                nslots += 1
        steps = []
        last_use = {}
        placed = {}
        for op in order:
            od = op._opdef
            if od is None or od.is_variable:
                continue
            dev = self._device_for(op)
            placed[op] = dev
            st = _Step()
            st.op = op
            st.kernel = od.kernel
            st.ctx = _OpContext(op, dev, self)
            # Attrs starting with '_' (e.g. _gradient_op_type) describe the op, not the kernel.
            st.attrs = {k: v for k, v in op._attrs.items() if k[:1] != "_"}
            ins, var_reads, transfers = [], [], []
            for pos, t in enumerate(op._inputs):
                vkey = _ref_var_key(t)
                if od.ref_inputs == "ALL_INPUTS" or pos in od.ref_inputs:
                    if vkey is None:
                        raise errors.InvalidArgumentError(
                            None, op, f"Op '{op._name}' ({op._type}) needs a variable as input {pos}, got {t.name}")
                    ins.append(0)
                    var_reads.append(("ref", pos, vkey))
                elif t in slot_of:
                    s = slot_of[t]
                    ins.append(s)
                    last_use[s] = len(steps)
                    src = placed.get(t._op, _backend.CPU0)
                    if src is not dev:
                        transfers.append(pos)
                elif vkey is not None:
                    ins.append(0)
                    var_reads.append(("read", pos, vkey))
                else:
                    raise errors.InternalError(None, op, f"Input {t.name} of {op._name} was not computed")
            st.ins = ins
            st.var_reads = [(p, k) for kind, p, k in var_reads if kind == "read"]
            refs = [(p, k) for kind, p, k in var_reads if kind == "ref"]
            if refs:
                # Ref inputs receive the variable key; the kernel reads or writes the state itself.
                base = st.kernel

                def kernel(ctx, *a, _base=base, _refs=refs, **kw):
                    a = list(a)
                    for p, k in _refs:
                        a[p] = k
                    return _base(ctx, *a, **kw)

                st.kernel = kernel
            st.transfers = transfers
            outs = []
            for t in op._outputs:
                if t in fed:
                    outs.append(nslots)  # computed but shadowed: write to a scratch slot
                    nslots += 1
                    continue
                slot_of[t] = nslots
                outs.append(nslots)
                nslots += 1
            st.outs = outs
            st.nout = len(outs)
            st.free = []
            steps.append(st)

        fetch_specs = []
        fetched_slots = set()
        for e in elems:
            if isinstance(e, Operation):
                fetch_specs.append((2, None))
            elif e in slot_of:
                fetch_specs.append((0, slot_of[e]))
                fetched_slots.add(slot_of[e])
            elif _ref_var_key(e) is not None:
                fetch_specs.append((1, _ref_var_key(e)))
            else:
                raise errors.InternalError(None, e.op, f"Fetch {e.name} was not computed")
        for s, i in last_use.items():
            if s not in fetched_slots:
                steps[i].free.append(s)

        feed_specs = []
        for t in feeds:
            npdt = t.dtype.base_dtype.as_numpy_dtype
            shape = t.shape
            check = None if shape.ndims is None else tuple(shape.as_list())
            vkey = _ref_var_key(t)
            feed_specs.append((slot_of.get(t), npdt, check, vkey, t.name, t.dtype.base_dtype is _string))
            if vkey is not None:
                # A fed variable is read by every consumer from the feed.
                pass
        plan = _Plan()
        plan.steps = steps
        plan.nslots = nslots
        plan.feed_specs = feed_specs
        plan.fetch_specs = fetch_specs
        plan.sig = sig
        plan.single = isinstance(sig, int)
        return plan

    # -- lifetime -----------------------------------------------------------------------------------------
    def close(self):
        """Frees the variable state; later runs raise RuntimeError."""
        self._closed = True
        self._vars = {}
        self._plans = {}
        self._rngs = {}

    def as_default(self):
        return _DefaultSessionContext(self, close=False)

    def __enter__(self):
        self._ctx = _DefaultSessionContext(self, close=True)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)

    def __del__(self):
        pass

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        feed_list = list(feed_list or [])

        def call(*args, **kw):
            return self.run(fetches, dict(zip(feed_list, args)))

        return call

    def partial_run_setup(self, fetches, feeds=None):
        raise errors.UnimplementedError(None, None, "partial_run is not supported by teachtf.")


class _DeviceAttributes:
    def __init__(self, dev):
        self.name = dev.full_name
        self.device_type = dev.kind
        self.memory_limit_bytes = 0


class _DefaultSessionContext:
    def __init__(self, sess, close):
        self._sess = sess
        self._close = close
        self._gctx = None

    def __enter__(self):
        _session_stack.stack.append(self._sess)
        self._gctx = self._sess.graph.as_default()
        self._gctx.__enter__()
        return self._sess

    def __exit__(self, *exc):
        self._gctx.__exit__(*exc)
        st = _session_stack.stack
        for i in range(len(st) - 1, -1, -1):
            if st[i] is self._sess:
                del st[i]
                break
        if self._close:
            self._sess.close()
        return False


class Session(BaseSession):
    """`tf.Session(target='', graph=None, config=None)`."""

    def reset(self, *a, **k):
        pass


class InteractiveSession(BaseSession):
    """A Session that installs itself as the default until `close()`."""

    _active = 0

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        if InteractiveSession._active > 0:
            warnings.warn("An interactive session is already active. This can cause out-of-memory errors in some "
                          "cases. You must explicitly call `InteractiveSession.close()` to release resources held "
                          "by the other session(s).", stacklevel=2)
        InteractiveSession._active += 1
        self._explicitly_closed = False
        self._prev = _interactive[0]
        _interactive[0] = self
        self._gctx = self._graph.as_default()
        self._gctx.__enter__()

    def close(self):
        if not self._explicitly_closed:
            self._explicitly_closed = True
            InteractiveSession._active -= 1
            if _interactive[0] is self:
                _interactive[0] = None
            try:
                self._gctx.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - the graph stack may already have been unwound
                pass
        super().close()


# -- helpers -------------------------------------------------------------------------------------------------


def _fetch_key(fetches):
    """A hashable key for a fetch structure (identity of its leaves, and its shape)."""
    if isinstance(fetches, list):
        return ("l",) + tuple(_fetch_key(f) for f in fetches)
    if isinstance(fetches, tuple):
        return ("t", type(fetches)) + tuple(_fetch_key(f) for f in fetches)
    if isinstance(fetches, dict):
        return ("d", type(fetches)) + tuple((k, _fetch_key(v)) for k, v in fetches.items())
    if fetches is None:
        raise TypeError(f"Fetch argument None has invalid type {type(None)}")
    return fetches


def _toposort(needed):
    """Kahn's order over `needed`; among ready ops, pure ones before stateful ones, then creation order."""
    indeg = {}
    users = {}
    for op in needed:
        deps = set()
        for t in op._inputs:
            if t._op in needed:
                deps.add(t._op)
        for c in op._control_inputs:
            if c in needed:
                deps.add(c)
        indeg[op] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(op)
    index = {}
    for op in needed:
        index[op] = op._id

    def prio(op):
        od = op._opdef
        return (1 if (od is not None and od.stateful) else 0, index[op])

    heap = [(prio(op), id(op), op) for op, n in indeg.items() if n == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, _, op = heapq.heappop(heap)
        order.append(op)
        for u in users.get(op, ()):
            indeg[u] -= 1
            if indeg[u] == 0:
                heapq.heappush(heap, (prio(u), id(u), u))
    if len(order) != len(needed):
        raise errors.InvalidArgumentError(None, None, "The graph has a cycle.")
    return order


def _convert_feed(value, npdt, is_str, key):
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed values include Python "
                        "scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, the tensor "
                        f"object was {value} which was passed to the feed with key {key}.")
    if is_str:
        arr = np.asarray(value, dtype=object)
        if arr.ndim == 0:
            v = arr[()]
            return np.asarray(v.encode() if isinstance(v, str) else v, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s, otypes=[object])(arr)
    if type(value) is np.ndarray and value.dtype == npdt:
        return value
    try:
        return np.asarray(_backend.to_host(value), dtype=npdt)
    except (ValueError, TypeError) as e:
        raise ValueError(f"Cannot feed value {value!r:.60} for Tensor {getattr(key, 'name', key)!r}: could not "
                         f"convert it to {np.dtype(npdt).name} ({e}).") from None


def _check_feed_shape(arr, shape, name):
    s = arr.shape
    if len(s) == len(shape):
        for a, b in zip(s, shape):
            if b is not None and a != b:
                break
        else:
            return
    shp = "(" + ", ".join("?" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    raise ValueError(f"Cannot feed value of shape {s} for Tensor '{name}', which has shape '{shp}'")


def _kernel_error(op, args, exc):
    shapes = ", ".join(str(tuple(getattr(a, "shape", ()))) if not isinstance(a, str) else a for a in args)
    dts = ", ".join(str(getattr(a, "dtype", type(a).__name__)) for a in args)
    msg = (f"{op._type} op '{op._name}' failed: {exc}\n  input shapes: [{shapes}]  dtypes: [{dts}]\n"
           f"  (op created at {op._creation_site()})")
    return errors.InvalidArgumentError(None, op, msg)


def _op_seed(op):
    """Deterministic seed for a random op: from (graph seed, op seed), as TF1's get_seed; None if unseeded."""
    g_seed = op._graph.seed
    o_seed = op._attrs.get("seed")
    if g_seed is None and o_seed is None:
        return None
    if g_seed is None:
        g_seed = 87654321
    if o_seed is None:
        o_seed = op._id
    return [int(g_seed) & 0xFFFFFFFF, int(o_seed) & 0xFFFFFFFF]

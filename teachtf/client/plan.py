"""Run plans: the pruned, ordered steps that compute a set of fetches from a set of feeds (DESIGN §2 "Running").

A plan is built once per (fetch structure, feed keys) and cached by the
Session. Each step names its kernel, the integer value slots of its inputs and
outputs, the variables it reads, the inputs it must move to its device, and the
slots freed after it. Steps downstream of a `tf.cond` Switch are marked
`cond`: at run time they check their inputs for DEAD (the untaken branch) and
skip their kernel; every other step pays nothing for control flow. CPU
constants (outside conds, without control inputs) get no step: their values sit
in the plan's initial slot values.
"""

from __future__ import annotations

import heapq
import sys

import numpy as np

from .. import backend as _backend
from ..framework import errors
from ..framework.dtypes import string as _string
from ..framework.graph import Operation, Tensor
from ..ops.inplace import MIN_INPLACE_ELEMENTS

# Fetch kinds in Plan.fetch_specs.
FETCH_SLOT, FETCH_VARIABLE, FETCH_OP = 0, 1, 2


class Plan:
    __slots__ = ("steps", "nslots", "initial", "feed_specs", "fetch_specs", "sig", "single", "version", "has_cond")


class Step:
    __slots__ = ("kernel", "ctx", "ins", "outs", "attrs", "free", "op", "var_reads", "transfers", "nout",
                 "cond", "receives_dead", "ctrl_tokens", "token")


# -- fetch structures ----------------------------------------------------------------------------------


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def flatten_fetches(fetches, flat: list):
    """Appends the leaves of `fetches` to `flat`; returns a signature that `rebuild` turns back into the structure."""
    if isinstance(fetches, list):
        return ("l", tuple(flatten_fetches(f, flat) for f in fetches))
    if _is_namedtuple(fetches):
        return ("n", type(fetches), tuple(flatten_fetches(f, flat) for f in fetches))
    if isinstance(fetches, tuple):
        return ("t", tuple(flatten_fetches(f, flat) for f in fetches))
    if isinstance(fetches, dict):
        keys = tuple(fetches.keys())
        return ("d", type(fetches), keys, tuple(flatten_fetches(fetches[k], flat) for k in keys))
    flat.append(fetches)
    return len(flat) - 1


def rebuild(sig, values):
    if isinstance(sig, int):
        return values[sig]
    kind = sig[0]
    if kind == "l":
        return [rebuild(s, values) for s in sig[1]]
    if kind == "t":
        return tuple(rebuild(s, values) for s in sig[1])
    if kind == "n":
        return sig[1](*[rebuild(s, values) for s in sig[2]])
    d = sig[1]() if sig[1] is not dict else {}
    for k, s in zip(sig[2], sig[3]):
        d[k] = rebuild(s, values)
    return d


def fetch_key(fetches):
    """A hashable key for a fetch structure (identity of its leaves, and its shape)."""
    if isinstance(fetches, list):
        return ("l",) + tuple(fetch_key(f) for f in fetches)
    if isinstance(fetches, tuple):
        return ("t", type(fetches)) + tuple(fetch_key(f) for f in fetches)
    if isinstance(fetches, dict):
        return ("d", type(fetches)) + tuple((k, fetch_key(v)) for k, v in fetches.items())
    if fetches is None:
        raise TypeError(f"Fetch argument None has invalid type {type(None)}")
    return fetches


# -- resolving fetches and feed keys -------------------------------------------------------------------


def resolve_fetch(graph, f):
    """The Tensor or Operation a fetch leaf names (TF 1.15's error types and wording)."""
    if f is None:
        raise TypeError(f"Fetch argument None has invalid type {type(None)}")
    try:
        return graph.as_graph_element(f, allow_tensor=True, allow_operation=True)
    except TypeError as e:
        raise TypeError(f"Fetch argument {f!r} has invalid type {type(f)}, must be a string or Tensor. ({e})") from None
    except (ValueError, KeyError) as e:
        raise ValueError(f"Fetch argument {f!r} cannot be interpreted as a Tensor. ({e.args[0]})") from None


def resolve_feed_key(graph, k) -> Tensor:
    try:
        t = graph.as_graph_element(k, allow_tensor=True, allow_operation=False)
    except (TypeError, ValueError, KeyError) as e:
        raise TypeError(f"Cannot interpret feed_dict key as Tensor: {e.args[0]}") from None
    if not graph.is_feedable(t):
        raise ValueError(f"Tensor {t} may not be fed.")
    return t


def ref_var_key(t: Tensor):
    """If `t` is a variable's ref output, the variable key (its op name), else None."""
    od = t._op._opdef
    if od is not None and od.is_variable:
        return t._op._name
    return None


# -- ordering --------------------------------------------------------------------------------------------


def toposort(needed):
    """Kahn's order over `needed`; among ready ops, pure ones before stateful ones, then creation order."""
    indeg = {}
    users = {}
    for op in needed:
        deps = {t._op for t in op._inputs if t._op in needed}
        deps.update(c for c in op._control_inputs if c in needed)
        indeg[op] = len(deps)
        for d in deps:
            users.setdefault(d, []).append(op)

    def prio(op):
        od = op._opdef
        return (1 if (od is not None and od.stateful) else 0, op._id)

    heap = [(prio(op), op._id, op) for op, n in indeg.items() if n == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        _, _, op = heapq.heappop(heap)
        order.append(op)
        for u in users.get(op, ()):
            indeg[u] -= 1
            if indeg[u] == 0:
                heapq.heappush(heap, (prio(u), u._id, u))
    if len(order) != len(needed):
        cyc = sorted((op for op in needed if indeg[op] > 0), key=lambda o: o._id)
        raise errors.InvalidArgumentError(None, cyc[0], "The graph has a cycle through: "
                                          + ", ".join(o.name for o in cyc[:5]))
    return order


def _needed_ops(elems, fed):
    """Ops reachable backwards from the fetches through data and control inputs, cut at fed tensors."""
    needed = set()
    stack = []
    for e in elems:
        if isinstance(e, Tensor):
            if e not in fed and ref_var_key(e) is None:
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
    return needed


# -- building ------------------------------------------------------------------------------------------------


def build_plan(session, fetches, fkeys, internal=False) -> Plan:
    """Resolves fetches and feeds, prunes and orders the graph, places ops, and assigns value slots.

    `internal` plans (loop bodies run by a kernel) may fetch tensors that users cannot.
    """
    from .session import _OpContext  # the kernel context type lives with the Session

    graph = session._graph
    if not graph._ops:
        raise RuntimeError("The Session graph is empty.  Add operations to the graph before calling run().")
    flat = []
    sig = flatten_fetches(fetches, flat)
    elems = [resolve_fetch(graph, f) for f in flat]
    feeds = [resolve_feed_key(graph, k) for k in fkeys]
    for e in elems:
        if not internal and not graph.is_fetchable(e):
            raise ValueError(f"Operation {e.name!r} has been marked as not fetchable.")
    fed = set(feeds)
    order = toposort(_needed_ops(elems, fed))

    if session._config.log_device_placement:
        for op in order:
            print(f"{op._name}: ({op._type}): {session._device_for(op).full_name}", file=sys.stderr)

    slot_of = {}
    nslots = 0
    for t in feeds:
        if t not in slot_of and ref_var_key(t) is None:
            slot_of[t] = nslots
            nslots += 1
    steps = []
    last_use = {}
    placed = {}
    may_be_dead = {}  # op -> whether its outputs can be DEAD in a run
    step_of = {}
    slot_reads = {}  # step -> [(position, slot)] of its inputs read from slots on its own device
    readers = {}  # slot -> how many step inputs read it
    fresh = set()  # slots written by fresh_output ops: buffers that nothing else aliases
    prefilled = {}  # slot -> value of a constant, set before each run instead of by a step
    key_slots = {}  # variable key -> the prefilled slot that hands it to ref inputs (ApplyAdam's var, m, v, …)
    for op in order:
        od = op._opdef
        if od is None or od.is_variable:
            continue
        if od.kernel is None:
            raise errors.UnimplementedError(None, op, f"Op type {op._type} has no kernel in teachtf.")
        dev = session._device_for(op)
        placed[op] = dev
        st = Step()
        st.op = op
        st.kernel = od.kernel
        st.ctx = _OpContext(op, dev, session)
        # Attrs starting with '_' (e.g. _gradient_op_type) describe the op, not the kernel.
        st.attrs = {k: v for k, v in op._attrs.items() if k[:1] != "_"}
        st.receives_dead = od.receives_dead
        ins, var_reads, refs, transfers = [], [], [], []
        dead_inputs = []
        reads = []  # (position, slot) of the inputs read from value slots
        prior_use = []  # (slot, its last reader before this op): restored if this op is folded away
        for pos, t in enumerate(op._inputs):
            vkey = ref_var_key(t)
            if od.ref_inputs == "ALL_INPUTS" or pos in od.ref_inputs:
                if vkey is None:
                    raise errors.InvalidArgumentError(
                        None, op, f"Op '{op._name}' ({op._type}) needs a variable as input {pos}, got {t.name}")
                key_slot = key_slots.get(vkey)
                if key_slot is None:  # the variable's key, set before each run like a constant's value
                    key_slot = key_slots[vkey] = nslots
                    prefilled[key_slot] = vkey
                    nslots += 1
                ins.append(key_slot)
                refs.append((pos, vkey))
            elif t in slot_of:
                s = slot_of[t]
                ins.append(s)
                reads.append((pos, s))
                prior_use.append((s, last_use.get(s)))
                last_use[s] = len(steps)
                if t not in fed:
                    dead_inputs.append(may_be_dead.get(t._op, False))
                elif t._op._cf_context is not None and t._op._type != "LoopVar":
                    dead_inputs.append(True)  # a loop's recorded tensor from inside a tf.cond may be dead
                src = placed.get(t._op, _backend.CPU0) if t not in fed else _backend.CPU0
                if src is not dev:
                    transfers.append(pos)
            elif vkey is not None:
                ins.append(0)
                var_reads.append((pos, vkey))
            else:
                raise errors.InternalError(None, op, f"Input {t.name} of {op._name} was not computed")
        st.ins = ins
        st.var_reads = var_reads
        st.transfers = transfers
        slot_reads[st] = [(pos, s) for pos, s in reads if pos not in transfers]
        for _, s in reads:
            readers[s] = readers.get(s, 0) + 1
        ctrl_dead = [c for c in op._control_inputs if may_be_dead.get(c, False) and c in step_of]
        st.ctrl_tokens = ctrl_dead  # resolved to slots below
        st.cond = any(dead_inputs) or bool(ctrl_dead)
        if op._type == "Switch":
            may_be_dead[op] = True
        elif st.receives_dead:  # Merge: live whenever its cond's predicate is (known for top-level conds)
            may_be_dead[op] = st.cond and all(dead_inputs) and op._attrs.get("_nested", True)
        else:
            may_be_dead[op] = st.cond
        st.token = None
        outs = []
        for t in op._outputs:
            if t in fed:
                outs.append(nslots)  # computed but shadowed by the feed: a scratch slot
            else:
                slot_of[t] = nslots
                outs.append(nslots)
            nslots += 1
        st.outs = outs
        st.nout = len(outs)
        st.free = []
        step_of[op] = st
        if op._type == "Const" and dev.kind == "CPU" and not st.cond and not op._control_inputs:
            prefilled[outs[0]] = st.kernel(st.ctx, **st.attrs)  # a CPU constant's value is the same every run
            continue
        if (dev.kind == "CPU" and reads and outs and not (st.cond or refs or var_reads or transfers or od.stateful
                                                  or op._control_inputs)
                and all(s in prefilled for _, s in reads)):
            folded = _fold(op, od, dev, session, [prefilled[s] for s in ins], st.attrs)
            if folded is not None:
                prefilled.update(zip(outs, folded))
                for s, prior in reversed(prior_use):
                    if prior is None:
                        last_use.pop(s, None)
                    else:
                        last_use[s] = prior
                continue
        if op._type == "NoOp" and not st.cond:
            continue  # a group's join point: its control edges already ordered the steps
        if od.fresh_output:
            fresh.update(outs)
        steps.append(st)

    # Control deadness travels through token slots, written only by steps that can be dead.
    for st in steps:
        tokens = []
        for c in st.ctrl_tokens:
            src = step_of[c]
            if src.token is None:
                src.token = nslots
                src.cond = True  # the token is written on the control-flow path of the run loop
                nslots += 1
            tokens.append(src.token)
        st.ctrl_tokens = tokens

    fetch_specs = []
    fetched_slots = set()
    for e in elems:
        if isinstance(e, Operation):
            fetch_specs.append((FETCH_OP, None))
        elif e in slot_of:
            fetch_specs.append((FETCH_SLOT, slot_of[e]))
            fetched_slots.add(slot_of[e])
        elif ref_var_key(e) is not None:
            fetch_specs.append((FETCH_VARIABLE, ref_var_key(e)))
        else:
            raise errors.InternalError(None, e.op, f"Fetch {e.name} was not computed")
    for s, i in last_use.items():
        if s not in fetched_slots:
            steps[i].free.append(s)
    for st in steps:
        inplace = st.op._opdef.inplace
        if inplace is not None and not _too_small_for_inplace(st.op):
            positions = tuple(pos for pos, s in slot_reads[st]
                              if s in fresh and readers[s] == 1 and s not in fetched_slots)
            if positions:
                st.kernel = _in_place(inplace, positions)
        dev = st.ctx.device
        if dev.kind == "GPU" and dev.index != 0:
            st.kernel = _on_gpu(st.kernel, dev)

    feed_specs = []
    for t in feeds:
        shape = t.shape
        check = None if shape.ndims is None else tuple(shape.as_list())
        feed_specs.append((slot_of.get(t), t.dtype.base_dtype.as_numpy_dtype, check, ref_var_key(t), t,
                           t.dtype.base_dtype is _string))
    plan = Plan()
    plan.steps = steps
    plan.nslots = max(nslots, 1)  # variable inputs point at slot 0 before being replaced
    plan.initial = [None] * plan.nslots  # each run starts from a copy of these slot values
    for s, value in prefilled.items():
        plan.initial[s] = value
    plan.feed_specs = feed_specs
    plan.fetch_specs = fetch_specs
    plan.sig = sig
    plan.single = isinstance(sig, int)
    plan.version = graph._mutation_version
    plan.has_cond = any(st.cond for st in steps)
    return plan


FOLD_MAX_ELEMENTS = 1 << 16  # larger constant results are recomputed each run rather than kept with the plan


def _fold(op, od, dev, session, args, attrs) -> list | None:
    """Constant folding: the outputs of a pure CPU op whose inputs are all constants, computed once while
    planning (as TF's graph optimiser does), or None when the op must run each time: its kernel draws random
    numbers or reads state, fails (the run then raises the error as usual), or makes a large result."""
    from .session import NotFoldableError, _FoldingContext

    try:
        out = od.kernel(_FoldingContext(op, dev, session), *args, **attrs)
    except NotFoldableError:
        return None
    except Exception:  # noqa: BLE001 - the step stays in the plan and reports the error when run
        return None
    outs = [out] if len(op._outputs) == 1 else list(out)
    for v in outs:
        if not isinstance(v, (np.ndarray, np.generic)) or v.size > FOLD_MAX_ELEMENTS:
            return None
    return outs


def _on_gpu(base, dev):
    """Wraps a kernel so that it runs with GPU `dev` as CuPy's current device (needed for GPUs other than 0)."""

    def kernel(ctx, *a, **kw):
        with dev.xp.cuda.Device(dev.index):
            return base(ctx, *a, **kw)

    return kernel


def _in_place(inplace, positions):
    """The op's in-place variant, told which input positions hold buffers it may overwrite."""

    def kernel(ctx, *a, **kw):
        return inplace(ctx, positions, *a, **kw)

    return kernel


def _too_small_for_inplace(op) -> bool:
    """Whether every output is statically known to be smaller than in-place kernels bother with, so the plain
    kernel runs without the in-place variant's checks."""
    for t in op._outputs:
        shape = t.shape
        if not shape.is_fully_defined() or shape.num_elements() >= MIN_INPLACE_ELEMENTS:
            return False
    return True

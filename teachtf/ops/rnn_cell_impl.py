"""RNN cells (tf.nn.rnn_cell / tf.contrib.rnn), built from ordinary graph ops.

Every cell maps `(inputs [batch, in], state) -> (output [batch, out], new_state)`.
Variables are created on the first call under the cell's scope, named as TF1
names them (`<scope>/basic_lstm_cell/kernel`, `.../bias`, `gru_cell/gates/...`),
and reused by later calls, so a cell unrolled over time shares its weights.
"""

from __future__ import annotations

import collections
import numbers
import re

import teachtf as _tf
from ..framework import graph as _graph


def _error(cls, message: str) -> Exception:
    """`cls(message)` with the learner's file:line that built the RNN appended."""
    filename, line, _ = _graph._user_frame()
    return cls(f"{message}\n  (created at {filename}:{line})")


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The LSTM state `(c, h)`: c is the memory cell, h the hidden output, both [batch, units]."""

    __slots__ = ()

    @property
    def dtype(self):
        if self.c.dtype != self.h.dtype:
            raise _error(TypeError, f"LSTMStateTuple: c has dtype {self.c.dtype} but h has {self.h.dtype}")
        return self.c.dtype


def _flatten(structure) -> list:
    if isinstance(structure, (tuple, list)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack_like(structure, flat: list):
    """Rebuild `structure` (nested tuples / LSTMStateTuples) from the leaves in `flat`."""
    it = iter(flat)

    def build(s):
        if isinstance(s, LSTMStateTuple):
            return LSTMStateTuple(build(s.c), build(s.h))
        if isinstance(s, (tuple, list)):
            return type(s)(build(x) for x in s)
        return next(it)

    return build(structure)


def _zeros_for(size, batch_size, dtype):
    if isinstance(size, LSTMStateTuple):
        return LSTMStateTuple(_zeros_for(size.c, batch_size, dtype), _zeros_for(size.h, batch_size, dtype))
    if isinstance(size, (tuple, list)):
        return tuple(_zeros_for(s, batch_size, dtype) for s in size)
    return _tf.zeros(_tf.stack([batch_size, size]) if isinstance(batch_size, _tf.Tensor) else [batch_size, size],
                     dtype=dtype)


def _last_dim(x, cell_name: str, what: str) -> int:
    shape = x.shape.as_list() if x.shape.ndims is not None else None
    if shape is None or len(shape) != 2:
        raise _error(ValueError, f"{cell_name}: {what} must be a rank-2 tensor [batch, depth], got shape {x.shape}")
    if shape[1] is None:
        raise _error(ValueError, f"{cell_name}: the last dimension of {what} must be known, got shape {x.shape}")
    return shape[1]


def linear(args, output_size: int, bias: bool, bias_initializer=None, kernel_initializer=None):
    """concat(args, 1) · K (+ b), with variables `kernel` [sum(in), output_size] and `bias` in the current scope."""
    args = list(args) if isinstance(args, (list, tuple)) else [args]
    total = sum(_last_dim(a, "linear", "each argument") for a in args)
    dtype = args[0].dtype.base_dtype
    kernel = _linear_kernel(total, output_size, dtype, kernel_initializer)
    x = args[0] if len(args) == 1 else _tf.concat(args, 1)
    out = _tf.matmul(x, kernel)
    if not bias:
        return out
    return _tf.nn.bias_add(out, _linear_bias(output_size, dtype, bias_initializer))


def _linear_kernel(total: int, output_size: int, dtype, initializer=None):
    return _tf.get_variable("kernel", [total, output_size], dtype=dtype, initializer=initializer)


def _linear_bias(output_size: int, dtype, initializer=None):
    init = initializer if initializer is not None else _tf.constant_initializer(0.0, dtype=dtype)
    return _tf.get_variable("bias", [output_size], dtype=dtype, initializer=init)


class RNNCell:
    """Base class: subclasses define `state_size`, `output_size` and `call(inputs, state)`.

    `__call__(inputs, state, scope=None)` opens the cell's variable scope (created on
    the first call as `<current scope>/<base name>`, uniquified) and re-enters it with
    reuse on later calls, so variables are shared across time steps.
    """

    _base_name = "rnn_cell"

    def __init__(self, reuse=None, name=None, dtype=None, **_layer_kwargs):
        self._reuse = reuse
        self._name = name
        self._dtype = dtype
        self._scope = None
        self._input_depth = None

    @property
    def state_size(self):
        raise _error(NotImplementedError, f"{type(self).__name__} must define state_size")

    @property
    def output_size(self):
        raise _error(NotImplementedError, f"{type(self).__name__} must define output_size")

    def call(self, inputs, state):
        raise _error(NotImplementedError, f"{type(self).__name__} must define call(inputs, state)")

    def zero_state(self, batch_size, dtype):
        """Zeros shaped like `state_size`, each [batch_size, size]."""
        with _tf.name_scope(type(self).__name__ + "ZeroState"):
            return _zeros_for(self.state_size, batch_size, _tf.as_dtype(dtype))

    def _check_state(self, state):
        expected = _flatten(self.state_size)
        got = _flatten(state)
        name = type(self).__name__
        if len(expected) != len(got):
            raise _error(ValueError, f"{name}: expected a state with {len(expected)} tensor(s) shaped like "
                             f"{self.state_size}, got {len(got)}")
        for size, s in zip(expected, got):
            if isinstance(size, numbers.Integral) and _last_dim(s, name, "the state") != size:
                raise _error(ValueError, f"{name}: state has shape {s.shape} but the cell's state size is {size} "
                                 f"(state_size={self.state_size})")

    def build(self, inputs_shape) -> None:
        """Optional hook for subclasses: create variables (self.add_variable) before the first call."""

    def add_variable(self, name: str, shape, dtype=None, initializer=None, trainable: bool = True):
        """tf.get_variable in the cell's scope (for subclasses' build)."""
        return _tf.get_variable(name, shape, dtype=dtype or self._dtype or _tf.float32, initializer=initializer,
                                trainable=trainable)

    add_weight = add_variable

    def _default_name(self) -> str:
        if any("_base_name" in vars(k) for k in type(self).__mro__ if k is not RNNCell):
            return self._base_name
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()  # MyCell -> my_cell, as Keras names

    def _call_in_scope(self, inputs, state, first: bool, call=None):
        if first:
            self._dtype = getattr(self, "_dtype", None) or inputs.dtype.base_dtype
            self.build(inputs.shape)
        return (call or self.call)(inputs, state)

    def __call__(self, inputs, state, scope=None):
        return self._call_with(inputs, state, scope, None)

    def _call_with(self, inputs, state, scope, call):
        """__call__'s checks and variable scopes around `call(inputs, state)` (self.call when None)."""
        inputs = _tf.convert_to_tensor(inputs)
        name = type(self).__name__
        depth = _last_dim(inputs, name, "inputs")
        built_depth = getattr(self, "_input_depth", None)
        if built_depth is not None and depth != built_depth:
            raise _error(ValueError, f"{name}: called with input depth {depth} but its variables were built for "
                                     f"depth {built_depth}; use a separate cell object for each layer "
                                     f"(e.g. MultiRNNCell([make_cell() for _ in range(n)]), not [cell] * n)")
        self._check_state(state)
        own_scope = getattr(self, "_scope", None)
        reuse = getattr(self, "_reuse", None)
        if own_scope is not None:
            with _tf.variable_scope(scope if scope is not None else own_scope, reuse=True):
                out = (call or self.call)(inputs, state)
        elif scope is not None:
            with _tf.variable_scope(scope, reuse=reuse) as vs:
                self._scope = vs
                out = self._call_in_scope(inputs, state, True, call)
        else:
            with _tf.variable_scope(getattr(self, "_name", None), default_name=self._default_name(),
                                    reuse=reuse) as vs:
                self._scope = vs
                out = self._call_in_scope(inputs, state, True, call)
        self._input_depth = depth
        return out


class BasicRNNCell(RNNCell):
    """h' = act([x, h]·K + b); the output is the new state. K: [in + units, units]."""

    _base_name = "basic_rnn_cell"

    def __init__(self, num_units: int, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._activation = activation or _tf.tanh

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        h = self._activation(linear([inputs, state], self._num_units, True))
        return h, h


class BasicLSTMCell(RNNCell):
    """[i, j, f, o] = split([x, h]·K + b, 4); c' = c·σ(f + forget_bias) + σ(i)·act(j); h' = act(c')·σ(o).

    K: [in + units, 4·units]. The state is LSTMStateTuple(c, h) (or concat([c, h], 1)
    when state_is_tuple=False); the output is h'.
    """

    _base_name = "basic_lstm_cell"

    def __init__(self, num_units: int, forget_bias: float = 1.0, state_is_tuple: bool = True, activation=None,
                 reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation or _tf.tanh

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = _tf.split(state, 2, axis=1)
        i, j, f, o = _tf.split(linear([inputs, h], 4 * self._num_units, True), 4, axis=1)
        forget = _tf.sigmoid(f + _tf.constant(self._forget_bias, dtype=f.dtype))
        new_c = c * forget + _tf.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * _tf.sigmoid(o)
        new_state = LSTMStateTuple(new_c, new_h) if self._state_is_tuple else _tf.concat([new_c, new_h], 1)
        return new_h, new_state

    def _fusable(self, steps: list, state) -> bool:
        """Whether dynamic_rnn may run this cell over `steps` as one FusedLSTM op (same values and gradients)."""
        if type(self) is not BasicLSTMCell or self._activation not in (_tf.tanh, _tf.nn.tanh) or not steps:
            return False
        dtype = steps[0].dtype.base_dtype
        return dtype.is_floating and all(isinstance(t, _tf.Tensor) and t.dtype.base_dtype == dtype
                                         for t in steps + _flatten(state))

    def _fused_sequence(self, steps: list, state, time_major: bool):
        """(outputs stacked on the time axis, final state): this cell over `steps` in one FusedLSTM op.

        Runs in the cell's variable scope exactly as the first `__call__` does, so the variables
        (`basic_lstm_cell/kernel`, `/bias`) and their initial values are the unrolled cell's.
        """
        from .lstm_ops import fused_lstm

        def call(inputs, state):
            if self._state_is_tuple:
                c, h = state
            else:
                c, h = _tf.split(state, 2, axis=1)
            n, dtype = self._num_units, inputs.dtype.base_dtype
            rows = _last_dim(inputs, "linear", "each argument") + _last_dim(h, "linear", "each argument")
            kernel = _linear_kernel(rows, 4 * n, dtype)  # as linear([inputs, h], 4n, True) creates them
            bias = _linear_bias(4 * n, dtype)
            out, new_c, new_h = fused_lstm(steps, c, h, _tf.convert_to_tensor(kernel), _tf.convert_to_tensor(bias),
                                           self._forget_bias, time_major)
            new_state = LSTMStateTuple(new_c, new_h) if self._state_is_tuple else _tf.concat([new_c, new_h], 1)
            return out, new_state

        return self._call_with(steps[0], state, None, call)


class LSTMCell(RNNCell):
    """The BasicLSTMCell equations plus optional peepholes, cell clipping and a projection.

    With peepholes: i += w_i_diag·c, f += w_f_diag·c, o += w_o_diag·c'. With num_proj:
    h' = (act(c')·σ(o))·P (P: `projection/kernel` [units, num_proj]), clipped to ±proj_clip.
    """

    _base_name = "lstm_cell"

    def __init__(self, num_units: int, use_peepholes: bool = False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias: float = 1.0,
                 state_is_tuple: bool = True, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise _error(ValueError, "LSTMCell: num_unit_shards / num_proj_shards are deprecated and not supported")
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation or _tf.tanh

    @property
    def state_size(self):
        out = self._num_proj or self._num_units
        return LSTMStateTuple(self._num_units, out) if self._state_is_tuple else self._num_units + out

    @property
    def output_size(self):
        return self._num_proj or self._num_units

    def call(self, inputs, state):
        n = self._num_units
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = state[:, :n], state[:, n:]
        dtype = inputs.dtype.base_dtype
        i, j, f, o = _tf.split(linear([inputs, h], 4 * n, True, kernel_initializer=self._initializer), 4, axis=1)
        if self._use_peepholes:
            w_f = _tf.get_variable("w_f_diag", [n], dtype=dtype, initializer=self._initializer)
            w_i = _tf.get_variable("w_i_diag", [n], dtype=dtype, initializer=self._initializer)
            w_o = _tf.get_variable("w_o_diag", [n], dtype=dtype, initializer=self._initializer)
            f = f + w_f * c
            i = i + w_i * c
        new_c = _tf.sigmoid(f + _tf.constant(self._forget_bias, dtype=dtype)) * c + _tf.sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            new_c = _tf.clip_by_value(new_c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            o = o + w_o * new_c
        new_h = _tf.sigmoid(o) * self._activation(new_c)
        if self._num_proj is not None:
            with _tf.variable_scope("projection"):
                new_h = linear(new_h, self._num_proj, False, kernel_initializer=self._initializer)
            if self._proj_clip is not None:
                new_h = _tf.clip_by_value(new_h, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(new_c, new_h) if self._state_is_tuple else _tf.concat([new_c, new_h], 1)
        return new_h, new_state


class GRUCell(RNNCell):
    """[r, u] = σ([x, h]·K_g + b_g) (b_g starts at 1.0); c = act([x, r·h]·K_c + b_c); h' = u·h + (1−u)·c."""

    _base_name = "gru_cell"

    def __init__(self, num_units: int, activation=None, reuse=None, kernel_initializer=None, bias_initializer=None,
                 name=None, dtype=None):
        super().__init__(reuse, name, dtype)
        self._num_units = num_units
        self._activation = activation or _tf.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def call(self, inputs, state):
        dtype = inputs.dtype.base_dtype
        gate_bias = self._bias_initializer or _tf.constant_initializer(1.0, dtype=dtype)
        with _tf.variable_scope("gates"):
            gates = _tf.sigmoid(linear([inputs, state], 2 * self._num_units, True, gate_bias,
                                       self._kernel_initializer))
        r, u = _tf.split(gates, 2, axis=1)
        with _tf.variable_scope("candidate"):
            cand = self._activation(linear([inputs, r * state], self._num_units, True, self._bias_initializer,
                                           self._kernel_initializer))
        new_h = u * state + (1 - u) * cand
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """Stacks cells: layer k runs under scope `cell_k`, its output feeds layer k+1; the state is a tuple."""

    _base_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple: bool = True):
        super().__init__()
        if not cells:
            raise _error(ValueError, "MultiRNNCell: must be given at least one cell")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple

    @property
    def state_size(self):
        sizes = tuple(c.state_size for c in self._cells)
        return sizes if self._state_is_tuple else sum(_flatten(sizes))

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with _tf.name_scope("MultiRNNCellZeroState"):
            if self._state_is_tuple:
                return tuple(c.zero_state(batch_size, dtype) for c in self._cells)
            return _zeros_for(self.state_size, batch_size, _tf.as_dtype(dtype))

    def call(self, inputs, state):
        x = inputs
        new_states = []
        offset = 0
        for k, cell in enumerate(self._cells):
            with _tf.variable_scope(f"cell_{k}"):
                if self._state_is_tuple:
                    s = state[k]
                else:
                    size = sum(_flatten(cell.state_size))
                    s = state[:, offset:offset + size]
                    offset += size
                x, ns = cell(x, s)
                new_states.append(ns)
        if self._state_is_tuple:
            return x, tuple(new_states)
        return x, _tf.concat(new_states, 1)


class DropoutWrapper(RNNCell):
    """Applies dropout to the cell's inputs, outputs and/or new state (keep probs may be tensors)."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None):
        super().__init__()
        if variational_recurrent:
            raise _error(ValueError, "DropoutWrapper: variational_recurrent=True is not supported by teachtf")
        self._cell = cell
        self._input_keep_prob = input_keep_prob
        self._output_keep_prob = output_keep_prob
        self._state_keep_prob = state_keep_prob
        self._seed = seed

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _drop(self, x, keep_prob):
        if isinstance(keep_prob, numbers.Real) and float(keep_prob) == 1.0:
            return x
        return _tf.nn.dropout(x, keep_prob=keep_prob, seed=self._seed)

    def __call__(self, inputs, state, scope=None):
        inputs = self._drop(_tf.convert_to_tensor(inputs), self._input_keep_prob)
        output, new_state = self._cell(inputs, state, scope=scope)
        if not (isinstance(self._state_keep_prob, numbers.Real) and float(self._state_keep_prob) == 1.0):
            new_state = _pack_like(new_state, [self._drop(s, self._state_keep_prob) for s in _flatten(new_state)])
        return self._drop(output, self._output_keep_prob), new_state


__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell", "DropoutWrapper",
           "LSTMStateTuple", "linear"]

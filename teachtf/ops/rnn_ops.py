"""RNN drivers: static_rnn, dynamic_rnn and their bidirectional forms.

When the time dimension is static, dynamic_rnn unrolls the cell at graph-build
time. That graph computes exactly what TF1's while_loop computes (the same cell
applied step by step with the same masking), and its gradient is backpropagation
through time through the unrolled ops; memory grows linearly with the sequence
length. A plain BasicLSTMCell (tanh, no subclass) without sequence_length runs
instead as one FusedLSTM op (ops/lstm_ops.py): the same variables, values and
gradients, in a few large kernels (its gradient is not differentiable again).
When the time dimension is unknown it runs a tf.while_loop whose outputs
accumulate by concatenation (teachtf has no TensorArray), so that path's memory
for the gradient grows quadratically with the number of steps.
"""

from __future__ import annotations

import teachtf as _tf

from .rnn_cell_impl import _error, _flatten, _pack_like


def _mask_step(t: int, seq_len, output, new_state, old_state):
    """Past an example's length its output is zero and its state is carried unchanged."""
    keep = _tf.expand_dims(_tf.cast(_tf.less(t, seq_len), output.dtype), 1)
    output = output * keep
    flat = [keep * n + (1 - keep) * o for n, o in zip(_flatten(new_state), _flatten(old_state))]
    return output, _pack_like(new_state, flat)


def _initial_state(cell, initial_state, dtype, batch, who: str):
    if initial_state is not None:
        return initial_state
    if dtype is None:
        raise _error(ValueError, f"{who}: if no initial_state is provided, dtype must be specified")
    return cell.zero_state(batch, dtype)


def _check_seq_len(sequence_length, num_steps, who: str):
    if sequence_length is None:
        return None
    seq = _tf.cast(_tf.convert_to_tensor(sequence_length), _tf.int32)
    if seq.shape.ndims is not None and seq.shape.ndims != 1:
        raise _error(ValueError, f"{who}: sequence_length must be a vector [batch], got shape {seq.shape}")
    steps = f"{num_steps} " if isinstance(num_steps, int) else ""
    check = _tf.assert_less_equal(seq, num_steps, message=f"{who}: sequence_length exceeds the {steps}time steps "
                                                          f"of the inputs")
    with _tf.control_dependencies([check]):
        return _tf.identity(seq, name="sequence_length")


def _unroll(cell, inputs: list, state, seq_len, varscope):
    outputs = []
    for t, x in enumerate(inputs):
        if t > 0:
            varscope.reuse_variables()
        out, new_state = cell(x, state)
        if seq_len is not None:
            out, new_state = _mask_step(t, seq_len, out, new_state, state)
        outputs.append(out)
        state = new_state
    return outputs, state


def _batch_of(x):
    n = x.shape.as_list()[0]
    return n if n is not None else _tf.shape(x)[0]


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Runs `cell` over a Python list of [batch, in] tensors; returns (outputs list, final state). Scope `rnn`."""
    if not isinstance(inputs, (list, tuple)):
        raise _error(TypeError, "static_rnn: inputs must be a list of [batch, depth] tensors, "
                                f"got {type(inputs).__name__}")
    if not inputs:
        raise _error(ValueError, "static_rnn: inputs must not be empty")
    inputs = [_tf.convert_to_tensor(x) for x in inputs]
    for x in inputs:
        if x.shape.ndims != 2:
            raise _error(ValueError, f"static_rnn ({type(cell).__name__}): each input must be rank 2 [batch, depth], "
                             f"got shape {x.shape}")
    with _tf.variable_scope(scope or "rnn") as varscope:
        state = _initial_state(cell, initial_state, dtype, _batch_of(inputs[0]), "static_rnn")
        seq = _check_seq_len(sequence_length, len(inputs), "static_rnn")
        return _unroll(cell, inputs, state, seq, varscope)


def _checked_inputs(inputs, time_major: bool, who: str, cell):
    inputs = _tf.convert_to_tensor(inputs)
    if inputs.shape.ndims != 3:
        layout = "[time, batch, depth]" if time_major else "[batch, time, depth]"
        raise _error(ValueError, f"{who} ({type(cell).__name__}): inputs must be rank 3 {layout}, "
                                 f"got shape {inputs.shape}")
    if inputs.shape.as_list()[2] is None:
        raise _error(ValueError, f"{who} ({type(cell).__name__}): the input depth (last dimension) must be known, "
                         f"got shape {inputs.shape}")
    return inputs


def _loop(cell, inputs_tm, state, seq_len):
    """tf.while_loop over inputs_tm [time, batch, in]; returns (outputs [time, batch, out], final state)."""
    if not isinstance(cell.output_size, int):
        raise _error(ValueError, f"dynamic_rnn ({type(cell).__name__}): with an unknown time dimension the cell's "
                         f"output_size must be an int, got {cell.output_size}")
    num_steps = _tf.shape(inputs_tm)[0]
    batch = _tf.shape(inputs_tm)[1]
    flat_state = _flatten(state)
    acc = _tf.zeros(_tf.stack([0, batch, cell.output_size]), dtype=flat_state[0].dtype)

    def body(t, acc, *flat):
        out, new_state = cell(_tf.gather(inputs_tm, t), _pack_like(state, list(flat)))
        if seq_len is not None:
            out, new_state = _mask_step(t, seq_len, out, new_state, _pack_like(state, list(flat)))
        return [t + 1, _tf.concat([acc, _tf.expand_dims(out, 0)], 0)] + _flatten(new_state)

    invariants = [_tf.TensorShape([]), _tf.TensorShape([None, inputs_tm.shape[1], cell.output_size])]
    invariants += [s.shape for s in flat_state]
    result = _tf.while_loop(lambda t, *_: t < num_steps, body, [_tf.constant(0), acc] + flat_state,
                            shape_invariants=invariants)
    return result[1], _pack_like(state, list(result[2:]))


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """Runs `cell` over inputs [batch, time, in] (or [time, batch, in]); returns (outputs, final_state).

    outputs has the layout of the inputs with depth cell.output_size. Past each
    example's sequence_length outputs are zero and the state is carried unchanged.
    """
    inputs = _checked_inputs(inputs, time_major, "dynamic_rnn", cell)
    if inputs.shape.as_list()[0 if time_major else 1] is None:
        inputs_tm = inputs if time_major else _tf.transpose(inputs, [1, 0, 2])
        with _tf.variable_scope(scope or "rnn"):
            state = _initial_state(cell, initial_state, dtype, _batch_of(inputs_tm[0]), "dynamic_rnn")
            seq = _check_seq_len(sequence_length, _tf.shape(inputs_tm)[0], "dynamic_rnn")
            outputs, state = _loop(cell, inputs_tm, state, seq)
            return (outputs if time_major else _tf.transpose(outputs, [1, 0, 2])), state
    steps = _tf.unstack(inputs, axis=0 if time_major else 1)
    with _tf.variable_scope(scope or "rnn") as varscope:
        state = _initial_state(cell, initial_state, dtype, _batch_of(steps[0]), "dynamic_rnn")
        seq = _check_seq_len(sequence_length, len(steps), "dynamic_rnn")
        if seq is None and hasattr(cell, "_fusable") and cell._fusable(steps, state):
            outputs, state = cell._fused_sequence(steps, state, time_major)
            if len(steps) > 1:
                varscope.reuse_variables()  # as after the unrolled steps
            return outputs, state
        outputs, state = _unroll(cell, steps, state, seq, varscope)
        return _tf.stack(outputs, axis=0 if time_major else 1), state


def _reverse(steps: list, seq_len) -> list:
    """Reverses a list of [batch, d] steps, each example within its own length when seq_len is given."""
    if seq_len is None:
        return steps[::-1]
    stacked = _tf.stack(steps, axis=1)
    rev = _tf.reverse_sequence(stacked, _tf.cast(seq_len, _tf.int64), seq_axis=1, batch_axis=0)
    return _tf.unstack(rev, axis=1)


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None, dtype=None,
                             sequence_length=None, scope=None):
    """Returns (outputs, state_fw, state_bw); outputs[t] = concat([fw_t, bw_t], 1). Scopes `bidirectional_rnn/fw|bw`."""
    with _tf.variable_scope(scope or "bidirectional_rnn"):
        with _tf.variable_scope("fw") as fw_scope:
            out_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, sequence_length, scope=fw_scope)
        with _tf.variable_scope("bw") as bw_scope:
            rev = _reverse(list(inputs), sequence_length)
            out_bw, state_bw = static_rnn(cell_bw, rev, initial_state_bw, dtype, sequence_length, scope=bw_scope)
            out_bw = _reverse(out_bw, sequence_length)
    outputs = [_tf.concat([f, b], 1) for f, b in zip(out_fw, out_bw)]
    return outputs, state_fw, state_bw


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory=False,
                              time_major=False, scope=None):
    """Returns ((out_fw, out_bw), (state_fw, state_bw)); bw reads each sequence reversed within its length."""
    inputs = _checked_inputs(inputs, time_major, "bidirectional_dynamic_rnn", cell_fw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reverse(x):
        if sequence_length is None:
            return _tf.reverse(x, [time_axis])
        return _tf.reverse_sequence(x, _tf.cast(sequence_length, _tf.int64), seq_axis=time_axis,
                                    batch_axis=batch_axis)

    with _tf.variable_scope(scope or "bidirectional_rnn"):
        with _tf.variable_scope("fw") as fw_scope:
            out_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw, dtype,
                                           time_major=time_major, scope=fw_scope)
        with _tf.variable_scope("bw") as bw_scope:
            out_bw, state_bw = dynamic_rnn(cell_bw, reverse(inputs), sequence_length, initial_state_bw, dtype,
                                           time_major=time_major, scope=bw_scope)
            out_bw = reverse(out_bw)
    return (out_fw, out_bw), (state_fw, state_bw)


def _check_stack(cells_fw, cells_bw, who: str) -> None:
    if not cells_fw or len(cells_fw) != len(cells_bw):
        raise _error(ValueError, f"{who}: cells_fw and cells_bw must be non-empty lists of the same length, got "
                                 f"{len(cells_fw or [])} and {len(cells_bw or [])}")


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None, dtype=None,
                            sequence_length=None, scope=None):
    """Layer k runs static_bidirectional_rnn under `stack_bidirectional_rnn/cell_k` on the previous layer's
    concatenated outputs; returns (outputs, states_fw tuple, states_bw tuple)."""
    _check_stack(cells_fw, cells_bw, "stack_bidirectional_rnn")
    states_fw, states_bw = [], []
    layer = inputs
    with _tf.variable_scope(scope or "stack_bidirectional_rnn"):
        for k, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with _tf.variable_scope(f"cell_{k}"):
                layer, st_fw, st_bw = static_bidirectional_rnn(
                    cell_fw, cell_bw, layer, initial_states_fw[k] if initial_states_fw else None,
                    initial_states_bw[k] if initial_states_bw else None, dtype, sequence_length)
            states_fw.append(st_fw)
            states_bw.append(st_bw)
    return layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None, initial_states_bw=None,
                                    dtype=None, sequence_length=None, parallel_iterations=None, time_major=False,
                                    scope=None, swap_memory=False):
    """Layer k runs bidirectional_dynamic_rnn under `stack_bidirectional_rnn/cell_k` on the previous layer's outputs
    concatenated on the depth axis; returns (outputs, states_fw tuple, states_bw tuple)."""
    _check_stack(cells_fw, cells_bw, "stack_bidirectional_dynamic_rnn")
    states_fw, states_bw = [], []
    layer = inputs
    with _tf.variable_scope(scope or "stack_bidirectional_rnn"):
        for k, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with _tf.variable_scope(f"cell_{k}"):
                outputs, (st_fw, st_bw) = bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, layer, sequence_length, initial_states_fw[k] if initial_states_fw else None,
                    initial_states_bw[k] if initial_states_bw else None, dtype, time_major=time_major)
                layer = _tf.concat(list(outputs), 2)
            states_fw.append(st_fw)
            states_bw.append(st_bw)
    return layer, tuple(states_fw), tuple(states_bw)


__all__ = ["static_rnn", "dynamic_rnn", "static_bidirectional_rnn", "bidirectional_dynamic_rnn",
           "stack_bidirectional_rnn", "stack_bidirectional_dynamic_rnn"]

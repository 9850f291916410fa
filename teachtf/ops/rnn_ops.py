"""RNN drivers: static_rnn, dynamic_rnn and their bidirectional forms.

dynamic_rnn unrolls the cell at graph-build time over the static time dimension.
That graph computes exactly what TF1's while_loop computes (the same cell applied
step by step with the same masking), and its gradient is backpropagation through
time through the unrolled ops; memory grows linearly with the sequence length.
"""

from __future__ import annotations

import teachtf as _tf

from .rnn_cell_impl import _flatten, _pack_like


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
        raise ValueError(f"{who}: if no initial_state is provided, dtype must be specified")
    return cell.zero_state(batch, dtype)


def _check_seq_len(sequence_length, num_steps: int, who: str):
    if sequence_length is None:
        return None
    seq = _tf.cast(_tf.convert_to_tensor(sequence_length), _tf.int32)
    if seq.shape.ndims is not None and seq.shape.ndims != 1:
        raise ValueError(f"{who}: sequence_length must be a vector [batch], got shape {seq.shape}")
    check = _tf.assert_less_equal(seq, num_steps, message=f"{who}: sequence_length exceeds the {num_steps} time steps "
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
        raise TypeError(f"static_rnn: inputs must be a list of [batch, depth] tensors, got {type(inputs).__name__}")
    if not inputs:
        raise ValueError("static_rnn: inputs must not be empty")
    inputs = [_tf.convert_to_tensor(x) for x in inputs]
    for x in inputs:
        if x.shape.ndims != 2:
            raise ValueError(f"static_rnn ({type(cell).__name__}): each input must be rank 2 [batch, depth], "
                             f"got shape {x.shape}")
    with _tf.variable_scope(scope or "rnn") as varscope:
        state = _initial_state(cell, initial_state, dtype, _batch_of(inputs[0]), "static_rnn")
        seq = _check_seq_len(sequence_length, len(inputs), "static_rnn")
        return _unroll(cell, inputs, state, seq, varscope)


def _time_major_steps(inputs, time_major: bool, who: str, cell) -> list:
    inputs = _tf.convert_to_tensor(inputs)
    if inputs.shape.ndims != 3:
        layout = "[time, batch, depth]" if time_major else "[batch, time, depth]"
        raise ValueError(f"{who} ({type(cell).__name__}): inputs must be rank 3 {layout}, got shape {inputs.shape}")
    steps = inputs.shape.as_list()[0 if time_major else 1]
    if steps is None:
        raise ValueError(f"{who}: teachtf unrolls RNNs at graph-build time, so the time dimension must be known; "
                         f"got inputs of shape {inputs.shape}")
    return _tf.unstack(inputs, axis=0 if time_major else 1)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """Runs `cell` over inputs [batch, time, in] (or [time, batch, in]); returns (outputs, final_state).

    outputs has the layout of the inputs with depth cell.output_size. Past each
    example's sequence_length outputs are zero and the state is carried unchanged.
    """
    steps = _time_major_steps(inputs, time_major, "dynamic_rnn", cell)
    with _tf.variable_scope(scope or "rnn") as varscope:
        state = _initial_state(cell, initial_state, dtype, _batch_of(steps[0]), "dynamic_rnn")
        seq = _check_seq_len(sequence_length, len(steps), "dynamic_rnn")
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
    steps = _time_major_steps(inputs, time_major, "bidirectional_dynamic_rnn", cell_fw)
    axis = 0 if time_major else 1
    with _tf.variable_scope(scope or "bidirectional_rnn"):
        with _tf.variable_scope("fw") as fw_scope:
            out_fw, state_fw = static_rnn(cell_fw, steps, initial_state_fw, dtype, sequence_length, scope=fw_scope)
        with _tf.variable_scope("bw") as bw_scope:
            out_bw, state_bw = static_rnn(cell_bw, _reverse(steps, sequence_length), initial_state_bw, dtype,
                                          sequence_length, scope=bw_scope)
            out_bw = _reverse(out_bw, sequence_length)
    return (_tf.stack(out_fw, axis=axis), _tf.stack(out_bw, axis=axis)), (state_fw, state_bw)


__all__ = ["static_rnn", "dynamic_rnn", "static_bidirectional_rnn", "bidirectional_dynamic_rnn"]

"""A fused BasicLSTMCell run over a whole sequence (like TF1's BlockLSTM) and its gradient.

`dynamic_rnn(BasicLSTMCell(n), x)` with a static time dimension and no
sequence_length builds one `FusedLSTM` op instead of T unrolled copies of the
cell's ~15 small ops. It computes the cell's equations, in TF's gate order
[i, j, f, o]:

    z_t = [x_t, h_{t-1}]·K + b          K: [in + n, 4n], b: [4n]
    c_t = c_{t-1}·σ(f_t + forget_bias) + σ(i_t)·tanh(j_t)
    h_t = tanh(c_t)·σ(o_t)

How the kernels work (all of it private to this module):

- Every per-step array is kept transposed, [units, batch], so each gate is a
  contiguous block of rows and the elementwise work runs on contiguous memory.
- The columns [x_t; h_{t-1}; 1] of all steps sit in one array `xh`, so one
  matmul per step with [K; b]ᵀ gives the gates' pre-activations, and in the
  gradient one large matmul over all steps gives [dK; db].
- On the CPU the batch is split into parts that threads run side by side (the
  steps of different examples are independent; NumPy and BLAS release the GIL),
  each part a contiguous block: arrays are [part, ..., part's batch]. The last
  part is padded with zero columns, which get zero gradients.
- Large work arrays are kept in the step's cache and reused by the next run when
  nothing else holds them, instead of being fresh memory (page faults) each run.
- When the graph has no gradient for the op, the forward keeps only the current
  step's gates and cell state, not all T of them.

The forward op's extra outputs are what the gradient needs (activated gates,
cell states, their tanh, the [x; h; 1] columns). `FusedLSTMGrad` runs
backpropagation through time in one kernel; the gradient with respect to the
inputs is a separate op (`FusedLSTMInputGrad`), pruned from runs that do not
need it (inputs fed from a placeholder). FusedLSTMGrad has no gradient (as TF1's
BlockLSTMGrad): second-order gradients need the unrolled cell.
"""

from __future__ import annotations

import numpy as np

from .. import backend as _backend
from ..backend import parallel as _parallel
from ..framework.shapes import TensorShape
from .registry import apply, apply_op, register
from .step_buffers import reusable

# FusedLSTM's outputs: the results, then what the gradient reads.
_OUT, _C, _H, _GATES, _CS, _CO, _XH = range(7)

_MIN_PART = 32  # examples per batch part at the least


def _num_parts(xp, batch: int) -> int:
    return _parallel.num_parts(batch, _MIN_PART) if xp is np else 1


def _gradient_built(op) -> bool:
    """Whether the graph has a gradient op reading FusedLSTM's saved outputs (else they need not be kept)."""
    return any(op.outputs[k].consumers() for k in (_GATES, _CS, _CO, _XH))


def _sigmoid_of_negated_(xp, a):
    """a = σ(-a) = 1 / (1 + exp(a)) in place (exp overflows to inf for large a: the limit 0)."""
    xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)


# -- FusedLSTM ----------------------------------------------------------------------------------------------------


def _dims(shape: TensorShape, rank: int, what: str) -> list:
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError(f"FusedLSTM: {what} must be rank {rank}, got shape {shape}")
    return shape.as_list() if shape.ndims is not None else [None] * rank


def _merge(a, b, what: str):
    if a is not None and b is not None and a != b:
        raise ValueError(f"FusedLSTM: {what} do not agree ({a} vs {b})")
    return a if a is not None else b


def _fused_lstm_shape(inputs, attrs):
    steps = attrs["num_steps"]
    xs, (c0, h0, kernel, bias) = inputs[:steps], inputs[steps:]
    dtype = kernel.dtype.base_dtype
    for t in list(xs) + [c0, h0, bias]:
        if t.dtype.base_dtype != dtype:
            raise TypeError(f"FusedLSTM: every input must have the kernel's dtype {dtype.name}, got "
                            f"{t.dtype.base_dtype.name} for {t.name}")
    batch, depth = None, None
    for x in xs:
        b, d = _dims(x.shape, 2, "each input step")
        batch, depth = _merge(batch, b, "batch sizes"), _merge(depth, d, "input depths")
    bc, n = _dims(c0.shape, 2, "c")
    bh, nh = _dims(h0.shape, 2, "h")
    batch = _merge(_merge(batch, bc, "batch sizes"), bh, "batch sizes")
    n = _merge(n, nh, "state sizes")
    rows, cols = _dims(kernel.shape, 2, "the kernel")
    (nb,) = _dims(bias.shape, 1, "the bias")
    cols = _merge(cols, nb, "kernel columns and bias size")
    if n is None and cols is not None:
        n = cols // 4
    if cols is not None and n is not None and cols != 4 * n:
        raise ValueError(f"FusedLSTM: the kernel has {cols} columns, expected 4 * {n}")
    if rows is not None and depth is not None and n is not None and rows != depth + n:
        raise ValueError(f"FusedLSTM: the kernel has {rows} rows, expected {depth} inputs + {n} units")
    if depth is None and rows is not None and n is not None:
        depth = rows - n
    four_n = None if n is None else 4 * n
    out = [steps, batch, n] if attrs["time_major"] else [batch, steps, n]
    xh_rows = None if depth is None or n is None else depth + n + 1
    return [(out, dtype), ([batch, n], dtype), ([batch, n], dtype),
            ([None, steps, four_n, None], dtype),  # gates [part, T, 4n, part batch]
            ([None, steps, n, None], dtype),  # c_t
            ([None, steps, n, None], dtype),  # tanh(c_t)
            ([None, xh_rows, steps + 1, None], dtype)]  # [x_t; h_{t-1}; 1] columns, t = 0 … T


def _fused_lstm_kernel(ctx, *args, num_steps, forget_bias, time_major):
    xp = ctx.xp
    steps = num_steps
    xs, (c0, h0, kernel, bias) = args[:steps], args[steps:]
    batch, n = h0.shape
    depth = kernel.shape[0] - n
    rows = depth + n + 1
    dtype = kernel.dtype
    parts = _num_parts(xp, batch)
    pb = -(-batch // parts)  # examples per part (the last one padded)
    if xp is np:
        _backend.cpu_matmul_threads(4 * n * rows * pb)
    # [K; b]ᵀ [4n, in + n + 1], the sigmoid gates' rows negated: their matmul gives -z for 1 / (1 + exp(-z)).
    k_t = xp.concatenate([kernel, bias.reshape(1, 4 * n)]).T
    k_t[2 * n:3 * n, -1] += dtype.type(forget_bias)
    k_t[:n] *= -1
    k_t[2 * n:] *= -1
    save = _gradient_built(ctx.op)  # keep every step's gates and cell states for the gradient
    kept = steps if save else 1
    xh = reusable(ctx, "xh", (parts, rows, steps + 1, pb), dtype)
    gates = reusable(ctx, "gates", (parts, kept, 4 * n, pb), dtype)
    cs = reusable(ctx, "cs", (parts, steps if save else 2, n, pb), dtype)
    co = reusable(ctx, "co", (parts, kept, n, pb), dtype)
    out = reusable(ctx, "out", (steps, batch, n) if time_major else (batch, steps, n), dtype)
    c_final = xp.empty((batch, n), dtype)
    h_final = xp.empty((batch, n), dtype)

    def run(p):
        lo, hi = p * pb, min(batch, (p + 1) * pb)
        w = hi - lo
        xh_p, g_p, cs_p, co_p = xh[p], gates[p], cs[p], co[p]
        if w < pb:
            xh_p[:-1] = 0  # padding columns: zero inputs and states
        for t, x in enumerate(xs):
            xh_p[:depth, t, :w] = x[lo:hi].T
        xh_p[depth:-1, 0, :w] = h0[lo:hi].T
        xh_p[-1] = 1
        c = xp.zeros((n, pb), dtype)
        c[:, :w] = c0[lo:hi].T
        h = xp.empty((n, pb), dtype)
        buf = xp.empty((n, pb), dtype)
        for t in range(steps):
            z = g_p[t if save else 0]
            xp.matmul(k_t, xh_p[:, t], out=z)
            _sigmoid_of_negated_(xp, z[:n])
            xp.tanh(z[n:2 * n], out=z[n:2 * n])
            _sigmoid_of_negated_(xp, z[2 * n:])
            i, j, f, o = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
            ct = cs_p[t if save else t % 2]
            xp.multiply(c, f, out=ct)
            xp.multiply(i, j, out=buf)
            ct += buf
            tc = co_p[t if save else 0]
            xp.tanh(ct, out=tc)
            xp.multiply(tc, o, out=h)
            xh_p[depth:-1, t + 1] = h
            if time_major:
                out[t, lo:hi] = h[:, :w].T
            else:
                out[lo:hi, t] = h[:, :w].T
            c = ct
        c_final[lo:hi] = c[:, :w].T
        h_final[lo:hi] = h[:, :w].T

    _parallel.run_parts(run, parts)
    if not save:  # nothing reads them: empty arrays of the declared shapes
        gates = xp.empty((0, steps, 4 * n, 0), dtype)
        cs, co = xp.empty((0, steps, n, 0), dtype), xp.empty((0, steps, n, 0), dtype)
        xh = xp.empty((0, rows, steps + 1, 0), dtype)
    return out, c_final, h_final, gates, cs, co, xh


def _is_zeros_for(grad, t) -> bool:
    """tf.gradients fills a missing output gradient with zeros_like(output): the kernel can skip it."""
    return grad.op.type == "ZerosLike" and grad.op.inputs[0] is t


def _fused_lstm_grad(op, *grads):
    import teachtf as _tf

    steps = op.get_attr("num_steps")
    c0, kernel = op.inputs[steps], op.inputs[steps + 2]
    outs = op.outputs
    present = [grads[k] is not None and not _is_zeros_for(grads[k], outs[k]) for k in (_OUT, _C, _H)]
    if not any(present):
        return [None] * len(op.inputs)
    given = [grads[k] for k, p in zip((_OUT, _C, _H), present) if p]
    gop = apply_op("FusedLSTMGrad", [c0, kernel, outs[_GATES], outs[_CS], outs[_CO], outs[_XH]] + given,
                   {"time_major": op.get_attr("time_major"), "has_grads": tuple(present)}, "FusedLSTMGrad")
    d_gates, dc0, dh0, dkernel, dbias = gop.outputs
    dx = apply("FusedLSTMInputGrad", [c0, kernel, d_gates], {}, "FusedLSTMInputGrad")
    return _tf.unstack(dx, num=steps, axis=0) + [dc0, dh0, dkernel, dbias]


register("FusedLSTM", shape=_fused_lstm_shape, grad=_fused_lstm_grad)(_fused_lstm_kernel)


# -- its gradient ---------------------------------------------------------------------------------------------------


def _fused_lstm_grad_shape(inputs, attrs):
    c0, kernel, gates = inputs[:3]
    dtype = kernel.dtype.base_dtype
    _, steps, four_n, _ = gates.shape.as_list() if gates.shape.ndims is not None else [None] * 4
    return [([None, four_n, steps, None], dtype),  # d gates (pre-activation) [part, 4n, T, part batch]
            (c0.shape, dtype), (c0.shape, dtype), (kernel.shape, dtype), ([four_n], dtype)]


@register("FusedLSTMGrad", shape=_fused_lstm_grad_shape, grad=None)
def _fused_lstm_grad_kernel(ctx, c0, kernel, gates, cs, co, xh, *grads, time_major, has_grads):
    """Backpropagation through time: (d gates' pre-activations, dc0, dh0, dkernel, dbias)."""
    xp = ctx.xp
    parts, steps, four_n, pb = gates.shape
    n = four_n // 4
    batch = c0.shape[0]
    depth = kernel.shape[0] - n
    rows = depth + n + 1
    dtype = kernel.dtype
    if xp is np:  # the size of the matmuls inside the loop (the parts' threads share the cores)
        _backend.cpu_matmul_threads(four_n * n * pb)
    it = iter(grads)
    d_out, d_c, d_h = (next(it) if p else None for p in has_grads)
    k_h = kernel[depth:]  # [n, 4n]
    d_gates = reusable(ctx, "d_gates", (parts, four_n, steps, pb), dtype)  # [d z_t for all t] per part: one matmul
    dks = reusable(ctx, "dks", (parts, rows, four_n), dtype)
    dc0 = xp.empty((batch, n), dtype)
    dh0 = xp.empty((batch, n), dtype)

    def run(p):
        lo, hi = p * pb, min(batch, (p + 1) * pb)
        w = hi - lo
        g_p, cs_p, co_p, dz_p = gates[p], cs[p], co[p], d_gates[p]
        dh = xp.zeros((n, pb), dtype)
        dc = xp.zeros((n, pb), dtype)
        if d_h is not None:
            dh[:, :w] = d_h[lo:hi].T
        if d_c is not None:
            dc[:, :w] = d_c[lo:hi].T
        c0_p = xp.zeros((n, pb), dtype)
        c0_p[:, :w] = c0[lo:hi].T
        buf = xp.empty((n, pb), dtype)
        dz = xp.empty((four_n, pb), dtype)
        di, dj, df, do = dz[:n], dz[n:2 * n], dz[2 * n:3 * n], dz[3 * n:]
        for t in range(steps - 1, -1, -1):
            if d_out is not None:
                dh[:, :w] += (d_out[t, lo:hi] if time_major else d_out[lo:hi, t]).T
            z = g_p[t]
            i, j, f, o = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
            tc = co_p[t]
            c_prev = cs_p[t - 1] if t > 0 else c0_p
            # h = tanh(c)·o:  do = dh·tanh(c)·o(1 − o),  dc += dh·o·(1 − tanh(c)²)
            xp.subtract(1, o, out=buf)
            buf *= o
            buf *= tc
            xp.multiply(buf, dh, out=do)
            xp.multiply(tc, tc, out=buf)
            xp.subtract(1, buf, out=buf)
            buf *= o
            buf *= dh
            dc += buf
            # c = c_prev·f + i·j, with f, i sigmoids and j a tanh
            xp.subtract(1, i, out=buf)
            buf *= i
            buf *= j
            xp.multiply(buf, dc, out=di)
            xp.multiply(j, j, out=buf)
            xp.subtract(1, buf, out=buf)
            buf *= i
            xp.multiply(buf, dc, out=dj)
            xp.subtract(1, f, out=buf)
            buf *= f
            buf *= c_prev
            xp.multiply(buf, dc, out=df)
            dc *= f
            xp.matmul(k_h, dz, out=dh)
            dz_p[:, t] = dz
        dc0[lo:hi] = dc[:, :w].T
        dh0[lo:hi] = dh[:, :w].T
        # [dK; db] = Σ_t [x_t; h_{t-1}; 1] · dz_tᵀ, one matmul over all steps
        xp.matmul(xh[p, :, :steps].reshape(rows, steps * pb), dz_p.reshape(four_n, steps * pb).T, out=dks[p])

    _parallel.run_parts(run, parts)
    dk = dks.sum(axis=0) if parts > 1 else dks[0]
    return d_gates, dc0, dh0, dk[:-1], dk[-1]


def _fused_lstm_input_grad_shape(inputs, attrs):
    c0, kernel, d_gates = inputs
    batch = c0.shape.as_list()[0] if c0.shape.ndims is not None else None
    n = c0.shape.as_list()[1] if c0.shape.ndims is not None else None
    rows = kernel.shape.as_list()[0] if kernel.shape.ndims is not None else None
    steps = d_gates.shape.as_list()[2] if d_gates.shape.ndims is not None else None
    depth = None if rows is None or n is None else rows - n
    return [([steps, batch, depth], kernel.dtype.base_dtype)]


@register("FusedLSTMInputGrad", shape=_fused_lstm_input_grad_shape, grad=None)
def _fused_lstm_input_grad_kernel(ctx, c0, kernel, d_gates):
    """d x_t = (K_x · dz_t)ᵀ for every step: [T, batch, in]."""
    xp = ctx.xp
    parts, four_n, steps, pb = d_gates.shape
    batch, n = c0.shape
    depth = kernel.shape[0] - n
    if xp is np:
        _backend.cpu_matmul_threads(four_n * depth * pb * steps * parts)
    k_x = kernel[:depth]  # [in, 4n]
    dx = xp.empty((steps, batch, depth), kernel.dtype)
    for p in range(parts):
        lo, hi = p * pb, min(batch, (p + 1) * pb)
        d = xp.matmul(k_x, d_gates[p].reshape(four_n, steps * pb)).reshape(depth, steps, pb)
        dx[:, lo:hi] = d[:, :, :hi - lo].transpose(1, 2, 0)
    return dx


def fused_lstm(inputs: list, c, h, kernel, bias, forget_bias: float, time_major: bool, name: str = "FusedLSTM"):
    """Runs BasicLSTMCell's equations over `inputs` (a list of [batch, in] tensors).

    Returns (outputs [batch, T, n] (or [T, batch, n] when time_major), final c, final h).
    """
    attrs = {"num_steps": len(inputs), "forget_bias": float(forget_bias), "time_major": bool(time_major)}
    op = apply_op("FusedLSTM", list(inputs) + [c, h, kernel, bias], attrs, name)
    return op.outputs[_OUT], op.outputs[_C], op.outputs[_H]


__all__ = ["fused_lstm"]

"""TF1's padding arithmetic (API.md §10.3), with the formulas written out with numbers.

Per spatial axis, for input size n, window k, stride s, dilation d and the
effective window k' = (k − 1)·d + 1:

- VALID: out = ⌊(n − k')/s⌋ + 1, no padding (n < k' is an error);
- SAME:  out = ⌈n/s⌉, pad_total = max((out − 1)·s + k' − n, 0),
  pad_before = ⌊pad_total/2⌋, pad_after = pad_total − pad_before
  (an odd extra row/column goes at the bottom/right).
"""

from __future__ import annotations

from dataclasses import dataclass

PADDINGS = ("SAME", "VALID")


def check_padding(padding: str) -> str:
    if padding not in PADDINGS:
        raise ValueError(f"padding must be 'SAME' or 'VALID' (upper case, as tf.nn requires); got {padding!r}.")
    return padding


@dataclass(frozen=True)
class AxisPlan:
    """The padding arithmetic of one spatial axis."""

    n: int
    k: int
    s: int
    d: int
    padding: str
    k_eff: int
    out: int
    pad_total: int
    pad_before: int
    pad_after: int

    @property
    def padded(self) -> int:
        """Length of the padded input, n + pad_before + pad_after."""
        return self.n + self.pad_before + self.pad_after

    def window_start(self, i: int) -> int:
        """Index in the padded input of the first cell of output i's window."""
        return i * self.s

    def window_cells(self, i: int) -> list[int]:
        """Padded-input indices read by output i (one per kernel tap)."""
        return [i * self.s + t * self.d for t in range(self.k)]

    def formula_lines(self, axis: str = "height") -> list[str]:
        """The output-size formula with this axis's numbers filled in."""
        n, k, s, d, ke = self.n, self.k, self.s, self.d, self.k_eff
        lines = []
        if d != 1:
            lines.append(f"{axis}: k' = (k − 1)·d + 1 = ({k} − 1)·{d} + 1 = {ke}")
        kname = "k'" if d != 1 else "k"
        if self.padding == "VALID":
            lines.append(f"{axis}: VALID out = ⌊(n − {kname})/s⌋ + 1 = ⌊({n} − {ke})/{s}⌋ + 1 = {self.out}; "
                         f"no padding")
        else:
            lines.append(f"{axis}: SAME out = ⌈n/s⌉ = ⌈{n}/{s}⌉ = {self.out}; pad = max((out − 1)·s + {kname} − n, 0)"
                         f" = max({self.out - 1}·{s} + {ke} − {n}, 0) = {self.pad_total} → "
                         f"{'top' if axis == 'height' else 'left'} {self.pad_before}, "
                         f"{'bottom' if axis == 'height' else 'right'} {self.pad_after}")
        return lines


def plan_axis(n: int, k: int, s: int = 1, padding: str = "VALID", d: int = 1) -> AxisPlan:
    """The §10.3 arithmetic for one axis; raises ValueError where TF1's graph build would."""
    check_padding(padding)
    for label, v in (("input size", n), ("window", k), ("stride", s), ("dilation", d)):
        if int(v) != v or v < 1:
            raise ValueError(f"{label} must be a positive integer; got {v!r}.")
    k_eff = (k - 1) * d + 1
    if padding == "VALID":
        if n < k_eff:
            raise ValueError(f"Negative dimension size caused by subtracting {k_eff} from {n}: a VALID window of "
                             f"{k_eff} does not fit in an input of {n}.")
        out = (n - k_eff) // s + 1
        return AxisPlan(n, k, s, d, padding, k_eff, out, 0, 0, 0)
    out = -(-n // s)
    total = max((out - 1) * s + k_eff - n, 0)
    return AxisPlan(n, k, s, d, padding, k_eff, out, total, total // 2, total - total // 2)


def output_size(n: int, k: int, s: int = 1, padding: str = "VALID", d: int = 1) -> int:
    return plan_axis(n, k, s, padding, d).out


def transposed_output_sizes(n_in: int, k: int, s: int, padding: str) -> list[int]:
    """Every size N a conv2d_transpose may produce from n_in: those a forward conv maps back to n_in."""
    check_padding(padding)
    hi = n_in * s + k
    return [n for n in range(1, hi + 1) if _maps_to(n, k, s, padding, n_in)]


def _maps_to(n, k, s, padding, n_in):
    try:
        return plan_axis(n, k, s, padding).out == n_in
    except ValueError:
        return False

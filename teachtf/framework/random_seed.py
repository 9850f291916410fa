"""Graph- and op-level random seeds, TF1's `get_seed` rule (API.md §5).

Random ops call `get_seed(seed)` when they are built and store the pair as the
attrs `seed` and `seed2`; the Session seeds each op's generator from that pair,
so a graph seed makes every run of the program draw the same numbers.
"""

from __future__ import annotations

from . import graph as _graph

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def _truncate_seed(seed: int) -> int:
    return int(seed) % _MAXINT32


def get_seed(op_seed):
    """(graph seed, op seed) for an op being built, or (None, None) when nothing is seeded.

    With a graph seed and no op seed, the op seed is the graph's current op
    count, so ops get distinct but reproducible streams.
    """
    g = _graph.get_default_graph()
    global_seed = g.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = g._last_id
        seeds = _truncate_seed(global_seed), _truncate_seed(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate_seed(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32  # (0, 0) would mean "nondeterministic" to TF's kernels
    return seeds


def set_random_seed(seed) -> None:
    """Sets the graph-level random seed of the default graph."""
    _graph.get_default_graph().seed = seed

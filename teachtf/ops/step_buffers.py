"""Buffers a kernel reuses across runs, kept in its step's cache (`ctx.cache`) instead of new memory each run.

New memory costs page faults and zeroing on every run (an Adam update of the MNIST CNN's 3136×1024 layer made
38 MB of it a step). A buffer is reused only when nothing outside the cache holds it any more: not the session's
variables (a committed update replaces them), not a value of this run, not a view of either (a view holds its
base), so reuse can never change a value anyone can see.
"""

from __future__ import annotations

import sys

# Buffers up to this size are kept between runs; larger ones (big evaluation batches) are not held on to.
CACHE_BYTES = 1 << 25


def reusable(ctx, name: str, shape: tuple, dtype, keep: int = 1):
    """An array of `shape` and `dtype` for this step: one this kernel made on an earlier run that nothing else
    holds any more, else a new one, remembered for later runs (up to `keep` per name: a kernel whose result
    becomes a variable's value needs 2, the value in use and the one it replaced)."""
    cache = ctx.cache
    if not isinstance(cache, dict):
        cache = ctx.cache = {}
    pool = cache.get(name)
    if pool is None:
        pool = cache[name] = []
    for a in pool:
        # References: the pool's, the loop's `a`, and getrefcount's argument.
        if a.shape == shape and a.dtype == dtype and sys.getrefcount(a) <= 3:
            return a
    a = ctx.xp.empty(shape, dtype)
    if a.nbytes <= CACHE_BYTES:
        pool.append(a)
        if len(pool) > keep:
            del pool[0]
    return a

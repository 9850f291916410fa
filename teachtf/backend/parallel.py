"""Independent parts of one CPU kernel run side by side on threads (NumPy's loops and BLAS release the GIL).

Used where BLAS itself runs single-threaded (machines of two cores or fewer: see `cpu_matmul_threads`), so the
cores are shared between parts instead of between OpenBLAS's spinning workers. A busy machine degrades
gracefully: the parts then simply take turns on the cores there are.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def usable_cores(cgroup_root: str = "/sys/fs/cgroup") -> int:
    """The cores this process may use: those it is pinned to, capped by a container's CPU quota (cgroup v2
    `cpu.max` or v1 `cpu.cfs_quota_us`), as JupyterHub and Binder set it. Rounded up, at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    quota = _cgroup_quota(cgroup_root)
    return max(1, min(cores, -int(-quota // 1)) if quota else cores)


def _cgroup_quota(root: str) -> float | None:
    """CPUs' worth of time per period allowed by the cgroup, or None when unlimited or unknown."""
    try:
        with open(os.path.join(root, "cpu.max")) as f:
            quota, period = f.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(root, "cpu", "cpu.cfs_quota_us")) as f:
            quota = int(f.read())
        with open(os.path.join(root, "cpu", "cpu.cfs_period_us")) as f:
            period = int(f.read())
        return None if quota <= 0 or period <= 0 else quota / period
    except (OSError, ValueError):
        return None


CORES = usable_cores()
MAX_PARTS = 4

_pool: tuple | None = None  # (ThreadPoolExecutor, its number of workers, the process that started it)


def num_parts(items: int, min_items: int = 1) -> int:
    """How many parts to split `items` independent items into: one per core (at most MAX_PARTS), each of at
    least `min_items` items."""
    return max(1, min(CORES, MAX_PARTS, items // max(min_items, 1)))


def gemm_parts(items: int, macs: int, min_macs: int = 1 << 22) -> int:
    """Parts for a kernel of `items` independent items whose GEMMs total `macs` multiply-adds: one when BLAS
    spreads a GEMM over the cores itself or the work is too small to be worth a thread, else `num_parts`."""
    from . import blas_big_gemm_threads

    if macs < min_macs or blas_big_gemm_threads() != 1:
        return 1
    return num_parts(items)


def part_slices(items: int, parts: int) -> list[slice]:
    """`parts` contiguous slices covering range(items), as equal as can be."""
    step = -(-items // max(parts, 1))
    return [slice(i, min(i + step, items)) for i in range(0, items, step)] if items else []


def run_parts(fn: Callable[[int], object], parts: int) -> list:
    """[fn(0), …, fn(parts − 1)]: part 0 on this thread, the others on worker threads; the first error raised
    by any part is re-raised here after all parts have finished."""
    global _pool
    if parts <= 1:
        return [fn(0)] if parts == 1 else []
    if _pool is None or _pool[1] < parts - 1 or _pool[2] != os.getpid():  # a forked child has no workers
        _pool = (ThreadPoolExecutor(max_workers=parts - 1, thread_name_prefix="teachtf-part"), parts - 1,
                 os.getpid())
    futures = [_pool[0].submit(_quiet, fn, p) for p in range(1, parts)]
    try:
        first = fn(0)
    except BaseException:
        for f in futures:
            f.exception()  # wait: no part may still be writing when the caller sees the error
        raise
    return [first, *(f.result() for f in futures)]


def _quiet(fn, p):
    """fn(p) on a worker thread, ignoring floating-point errors as the session's own thread does."""
    from . import restore_float_errors, silence_float_errors

    token = silence_float_errors()
    try:
        return fn(p)
    finally:
        restore_float_errors(token)

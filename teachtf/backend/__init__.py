"""Devices and array backends: `/cpu:0` runs NumPy, `/gpu:N` runs CuPy on GPU N.

CuPy is optional and imported lazily. `Device.xp` is the array module kernels
use; `to_device`/`to_host` move arrays between backends.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np


class Device:
    """A place where kernels run: `name` like '/device:GPU:0', `xp` its array module."""

    __slots__ = ("kind", "index", "xp")

    def __init__(self, kind: str, index: int, xp):
        self.kind = kind
        self.index = index
        self.xp = xp

    @property
    def name(self) -> str:
        return f"/device:{self.kind}:{self.index}"

    @property
    def full_name(self) -> str:
        return f"/job:localhost/replica:0/task:0/device:{self.kind}:{self.index}"

    def to_device(self, arr):
        """Moves `arr` (NumPy or CuPy) onto this device."""
        if self.kind == "CPU":
            return to_host(arr)
        cp = self.xp
        if isinstance(arr, cp.ndarray) and arr.device.id == self.index:
            return arr
        if isinstance(arr, np.ndarray) and arr.dtype == object:
            raise TypeError("String tensors cannot be placed on a GPU.")
        with cp.cuda.Device(self.index):
            return cp.asarray(arr)

    def rng(self, seed):
        """A random Generator for this device seeded by `seed` (None: fresh entropy)."""
        if self.kind == "CPU":
            return np.random.default_rng(seed)
        if isinstance(seed, (list, tuple)):  # CuPy's generators take one integer seed
            seed = int(np.random.SeedSequence(list(seed)).generate_state(1, np.uint64)[0])
        with self.xp.cuda.Device(self.index):
            return self.xp.random.default_rng(seed)

    def __repr__(self):
        return f"Device({self.name})"


CPU0 = Device("CPU", 0, np)


@functools.cache
def _cupy():
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
        return cupy
    except Exception:  # ImportError, CUDA driver errors: no usable GPU
        return None


def cupy_available() -> bool:
    return _cupy() is not None


def gpu_count() -> int:
    cp = _cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


@functools.cache
def gpu(index: int) -> Device:
    cp = _cupy()
    if cp is None or index >= gpu_count():
        raise LookupError(f"GPU:{index}")
    return Device("GPU", index, cp)


def to_host(arr):
    """A NumPy array (or NumPy scalar) for `arr`, copying from the GPU when needed."""
    if isinstance(arr, (np.ndarray, np.generic)):
        return arr
    get = getattr(arr, "get", None)
    if get is not None:
        return get()
    return np.asarray(arr)


def array_module(arr):
    """NumPy or CuPy, whichever `arr` belongs to."""
    if isinstance(arr, (np.ndarray, np.generic)):
        return np
    cp = _cupy()
    if cp is not None and isinstance(arr, cp.ndarray):
        return cp
    return np


_default_backend = ["auto"]


def set_backend(name: str):
    """Chooses the backend for unplaced ops: 'numpy', 'cupy' or 'auto' (TF1's rule: GPU:0 when present)."""
    if name not in ("numpy", "cupy", "auto"):
        raise ValueError(f"Unknown backend {name!r}; use 'numpy', 'cupy' or 'auto'.")
    if name == "cupy" and not cupy_available():
        warnings.warn("CuPy or a GPU is not available; falling back to the NumPy backend.", stacklevel=2)
        name = "numpy"
    _default_backend[0] = name


def get_backend() -> str:
    name = _default_backend[0]
    if name == "auto":
        return "cupy" if cupy_available() else "numpy"
    return name


def configure_gpu_memory(gpu_options) -> None:
    """Applies `GPUOptions` to CuPy's memory pool: a memory fraction becomes the pool's limit.

    CuPy's pool already grows on demand, which is what `allow_growth=True` asks for.
    """
    fraction = getattr(gpu_options, "per_process_gpu_memory_fraction", 0.0) or 0.0
    if fraction <= 0 or not cupy_available():
        return
    _cupy().get_default_memory_pool().set_limit(fraction=min(float(fraction), 1.0))


def list_devices():
    out = [CPU0]
    for i in range(gpu_count()):
        out.append(gpu(i))
    return out


# -- BLAS threads for CPU matmuls ------------------------------------------------------------------------------

# Below this many multiply-adds a GEMM runs on one BLAS thread: waking OpenBLAS's thread pool costs far more
# than such a product (measured on a busy 2-core machine: 784×10 products took 4-30 ms on 2 threads, 30 µs on 1).
SMALL_MATMUL_MACS = 1 << 23

# With this many threads or fewer by default, every GEMM runs on one thread: OpenBLAS's workers spin after each
# product and take the only other core from the kernels that follow (measured on a busy 2-core machine: an MNIST
# CNN training step 1.8 s with 2 threads, 0.1 s with 1; even the BLAS-free Adam update slowed from 10 to 95 ms).
_FEW_CORES = 2

# [set_num_threads(n) or None, threads for big GEMMs, threads now set, default threads, BLAS single-threaded
# though threadpoolctl cannot set it]; set on the first matmul.
_blas_threads: list = []


def _init_blas_threads() -> None:
    """Finds the BLAS libraries through threadpoolctl (optional); without it thread counts are left alone."""
    try:
        from threadpoolctl import ThreadpoolController

        libs = ThreadpoolController().select(user_api="blas").lib_controllers
    except Exception:  # ImportError, or a BLAS threadpoolctl cannot drive: keep BLAS's own threading
        libs = []
    default = max([lib.num_threads for lib in libs], default=1)
    if not libs or default <= 1:
        _blas_threads[:] = [None, 1, 1, 1, bool(libs)]  # last: whether BLAS is known to run on one thread
        return

    def set_threads(n: int) -> None:
        for lib in libs:
            lib.set_num_threads(n)

    from .parallel import CORES  # a container's CPU quota can be far below the cores BLAS counted

    big = min(default, CORES)
    _blas_threads[:] = [set_threads, big if big > _FEW_CORES else 1, default, default, False]


def cpu_matmul_threads(macs: int) -> None:
    """Before a NumPy matmul of `macs` multiply-adds: one BLAS thread if it is small (or cores are few), the
    default count if not."""
    if not _blas_threads:
        _init_blas_threads()
    state = _blas_threads
    if state[0] is None:
        return
    want = 1 if macs < SMALL_MATMUL_MACS else state[1]
    if want != state[2]:
        state[0](want)
        state[2] = want


def blas_big_gemm_threads() -> int | None:
    """The BLAS threads a large CPU GEMM runs on, or None when threadpoolctl cannot tell or set them."""
    if not _blas_threads:
        _init_blas_threads()
    state = _blas_threads
    if state[0] is None:
        return 1 if state[4] else None
    return state[1]


def restore_blas_threads() -> None:
    """Gives BLAS its default thread count back (after a run), so NumPy code outside sessions is unaffected."""
    state = _blas_threads
    if state and state[2] != state[3]:
        state[0](state[3])
        state[2] = state[3]


# -- NumPy floating-point warnings -------------------------------------------------------------------------

# TF prints nothing for log(0), x/0 or overflow; runs ignore NumPy's floating-point errors. NumPy ≥ 2 keeps its
# error state in a context variable: setting it directly costs ~0.3 µs a run, `np.errstate` ~1.3 µs.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _errstate_var

    with np.errstate(all="ignore"):
        _ignore_all = _errstate_var.get()
except (ImportError, AttributeError):  # older NumPy: the public context manager
    _errstate_var = None


def silence_float_errors():
    """Makes NumPy ignore floating-point errors in the current context; returns a token for `restore_float_errors`."""
    if _errstate_var is not None:
        return _errstate_var.set(_ignore_all)
    state = np.errstate(all="ignore")
    state.__enter__()
    return state


def restore_float_errors(token) -> None:
    """Restores the floating-point error handling that `silence_float_errors` replaced."""
    if _errstate_var is not None:
        _errstate_var.reset(token)
    else:
        token.__exit__(None, None, None)

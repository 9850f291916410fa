"""tf.test: the gradient checker (compute_gradient, compute_gradient_error) and test helpers."""

from .gradient_checker import compute_gradient, compute_gradient_error  # noqa: F401


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None) -> bool:
    from ..backend import cupy_available

    return cupy_available()


def gpu_device_name() -> str:
    return "/device:GPU:0" if is_gpu_available() else ""


def is_built_with_cuda() -> bool:
    return is_gpu_available()

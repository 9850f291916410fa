"""`teachtf.install_as_tensorflow()`: lets unmodified `import tensorflow as tf` programs run on teachtf (API.md §1).

Opt-in and never automatic. After the call, `tensorflow` and every
`tensorflow.<path>` import (`tensorflow.compat.v1`,
`tensorflow.examples.tutorials.mnist.input_data`, `tensorflow.contrib.layers`,
`tensorflow.python.platform.gfile`, ...) resolve to the matching `teachtf`
module object.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_PREFIX = "tensorflow"


class _TensorflowAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `tensorflow[.x.y]` and loads it as the already-importable `teachtf[.x.y]`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != _PREFIX and not fullname.startswith(_PREFIX + "."):
            return None
        target_name = "teachtf" + fullname[len(_PREFIX):]
        try:
            if importlib.util.find_spec(target_name) is None:
                return None
        except ModuleNotFoundError:
            return None
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        return importlib.import_module("teachtf" + spec.name[len(_PREFIX):])

    def exec_module(self, module):
        """The teachtf module is already initialised."""


def _is_installed() -> bool:
    return any(isinstance(f, _TensorflowAlias) for f in sys.meta_path)


def install_as_tensorflow() -> None:
    """Registers teachtf as `tensorflow` in sys.modules; RuntimeError if a real TensorFlow is already imported."""
    import teachtf

    existing = sys.modules.get(_PREFIX)
    if existing is not None and existing is not teachtf:
        raise RuntimeError("A real TensorFlow is already imported in this process, so teachtf cannot stand in for "
                           "it. Call teachtf.install_as_tensorflow() before anything imports tensorflow (restart "
                           "the kernel first in a notebook).")
    if not _is_installed():
        sys.meta_path.insert(0, _TensorflowAlias())
    sys.modules[_PREFIX] = teachtf
    for name, mod in list(sys.modules.items()):
        if name.startswith("teachtf.") and mod is not None:
            sys.modules.setdefault(_PREFIX + name[len("teachtf"):], mod)

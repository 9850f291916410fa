"""tf.app: `run(main=None, argv=None)` and `tf.app.flags` (API.md §18).

`run` parses the known flags, then calls `main(argv)` with the remaining
arguments. In a script it exits with main's return value, as TF1 does; inside
a notebook it returns that value instead, so the kernel keeps running.
"""

from __future__ import annotations

import sys

from . import flags  # noqa: F401  (tf.app.flags is tf.flags)
from .flags import FLAGS


def _in_notebook() -> bool:
    ipy = sys.modules.get("IPython")
    if ipy is None:
        return False
    try:
        return ipy.get_ipython() is not None
    except Exception:  # noqa: BLE001 - any failure means "not inside IPython"
        return False


def run(main=None, argv=None):
    """Parses flags from `argv` (default sys.argv) and runs `main(remaining_argv)` (default: __main__.main)."""
    if main is None:
        main = getattr(sys.modules["__main__"], "main", None)
        if main is None:
            raise ValueError("tf.app.run() needs a `main` function: pass one, or define main(argv) in your script.")
    remaining = FLAGS(sys.argv if argv is None else argv, known_only=True)
    missing = [f.name for f in (FLAGS[n] for n in FLAGS) if getattr(f, "required", False) and f.value is None]
    if missing:
        raise flags.IllegalFlagValueError(f"Flag(s) {', '.join('--' + m for m in missing)} must be specified.")
    result = main(remaining)
    if _in_notebook():
        return result
    sys.exit(result)


__all__ = ["run", "flags"]

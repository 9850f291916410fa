"""tf.logging: TF1's logging functions on Python's `logging`, logger "tensorflow" (API.md §18).

Messages look like `INFO:tensorflow:step 10`. The default verbosity is WARN,
as in TF1; `tf.logging.set_verbosity(tf.logging.INFO)` shows info messages.
"""

from __future__ import annotations

import logging as _logging
import sys as _sys

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARN
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_counts: dict = {}


class _StderrHandler(_logging.Handler):
    """Writes to the current sys.stderr (Jupyter replaces it after import)."""

    def emit(self, record):
        try:
            _sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never raise into the learner's program
            self.handleError(record)


def _make_logger() -> _logging.Logger:
    logger = _logging.getLogger("tensorflow")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        h = _StderrHandler()
        h.setFormatter(_logging.Formatter("%(levelname)s:tensorflow:%(message)s"))
        logger.addHandler(h)
    logger.propagate = False
    if logger.level == _logging.NOTSET:
        logger.setLevel(WARN)
    return logger


_logger = _make_logger()


def get_logger() -> _logging.Logger:
    return _logger


def set_verbosity(v) -> None:
    """Shows messages at level `v` and above (DEBUG, INFO, WARN, ERROR, FATAL)."""
    _logger.setLevel(v)


def get_verbosity() -> int:
    return _logger.getEffectiveLevel()


def log(level, msg, *args, **kwargs):
    _logger.log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    _logger.debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    _logger.info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    _logger.warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    _logger.error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    _logger.fatal(msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs):
    _logger.log(level, msg, *args, **kwargs)


def _caller_key():
    f = _sys._getframe(2)
    return f.f_code.co_filename, f.f_lineno


def log_every_n(level, msg, n, *args):
    """Logs on the 1st, (n+1)th, (2n+1)th... call from the same line."""
    key = _caller_key()
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count % max(int(n), 1) == 0:
        _logger.log(level, msg, *args)


def log_first_n(level, msg, n, *args):
    """Logs only the first n calls from the same line."""
    key = _caller_key()
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count < n:
        _logger.log(level, msg, *args)


def log_if(level, msg, condition, *args):
    if condition:
        _logger.log(level, msg, *args)


def flush():
    for h in _logger.handlers:
        h.flush()


def TaskLevelStatusMessage(msg):  # noqa: N802 - TF1's name
    error(msg)


__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "get_logger", "set_verbosity", "get_verbosity", "log", "debug",
           "info", "warning", "warn", "error", "fatal", "vlog", "log_every_n", "log_first_n", "log_if", "flush",
           "TaskLevelStatusMessage"]

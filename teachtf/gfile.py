"""tf.gfile: TF1's file API on local files (API.md §18).

Missing paths raise `tf.errors.NotFoundError` and refused overwrites
`tf.errors.AlreadyExistsError`, as TensorFlow's file system layer does.
"""

from __future__ import annotations

import glob as _glob
import os
import shutil

from .framework import errors


def _not_found(path, what="No such file or directory"):
    return errors.NotFoundError(None, None, f"{path}; {what}")


class GFile:
    """`GFile(name, mode='r')`: a file object (context manager) with read, readline, readlines, write, seek,
    tell, size, flush, close and line iteration. Text modes read `str`, binary modes `bytes`."""

    def __init__(self, name, mode="r"):
        self.name = os.fspath(name)
        self.mode = mode
        self._f = None
        if "r" in mode and not os.path.exists(self.name):
            raise _not_found(self.name)

    def _file(self):
        if self._f is None:
            try:
                self._f = open(self.name, self.mode)  # noqa: SIM115 - the object owns the handle
            except FileNotFoundError:
                raise _not_found(self.name) from None
            except IsADirectoryError:
                raise errors.FailedPreconditionError(None, None, f"{self.name}; Is a directory") from None
            except PermissionError:
                raise errors.PermissionDeniedError(None, None, f"{self.name}; Permission denied") from None
        return self._f

    def read(self, n=-1):
        return self._file().read(n)

    def readline(self):
        return self._file().readline()

    def readlines(self):
        return self._file().readlines()

    def write(self, data):
        f = self._file()
        if "b" in self.mode and isinstance(data, str):
            data = data.encode()
        elif "b" not in self.mode and isinstance(data, bytes):
            data = data.decode()
        f.write(data)

    def seek(self, offset=None, whence=0, position=None):
        if position is not None:
            offset = position
        self._file().seek(offset, whence)

    def tell(self):
        return self._file().tell()

    def size(self) -> int:
        try:
            return os.path.getsize(self.name)
        except FileNotFoundError:
            raise _not_found(self.name) from None

    def flush(self):
        if self._f is not None:
            self._f.flush()

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None

    def __iter__(self):
        return iter(self._file())

    def __next__(self):
        return next(self._file())

    def __enter__(self):
        self._file()
        return self

    def __exit__(self, *exc):
        self.close()
        return False


FastGFile = GFile
Open = GFile


def Exists(filename) -> bool:
    return os.path.exists(os.fspath(filename))


def IsDirectory(dirname) -> bool:
    return os.path.isdir(os.fspath(dirname))


def MkDir(dirname) -> None:
    """Creates one directory (its parent must exist)."""
    dirname = os.fspath(dirname)
    if os.path.isdir(dirname):
        return
    try:
        os.mkdir(dirname)
    except FileNotFoundError:
        raise _not_found(dirname) from None


def MakeDirs(dirname) -> None:
    """Creates a directory and its missing parents."""
    os.makedirs(os.fspath(dirname), exist_ok=True)


def ListDirectory(dirname) -> list:
    """The entries of a directory (names only, no '.'/'..')."""
    dirname = os.fspath(dirname)
    if not os.path.isdir(dirname):
        raise errors.NotFoundError(None, None, f"Could not find directory {dirname}")
    return os.listdir(dirname)


def Glob(filename) -> list:
    return _glob.glob(os.fspath(filename))


def Remove(filename) -> None:
    filename = os.fspath(filename)
    try:
        os.remove(filename)
    except FileNotFoundError:
        raise _not_found(filename) from None


def DeleteRecursively(dirname) -> None:
    dirname = os.fspath(dirname)
    if not os.path.exists(dirname):
        raise errors.NotFoundError(None, None, f"{dirname} not found")
    if os.path.isdir(dirname):
        shutil.rmtree(dirname)
    else:
        os.remove(dirname)


def Rename(oldname, newname, overwrite=False) -> None:
    oldname, newname = os.fspath(oldname), os.fspath(newname)
    if not os.path.exists(oldname):
        raise _not_found(oldname)
    if os.path.exists(newname) and not overwrite:
        raise errors.AlreadyExistsError(None, None, "file already exists")
    os.replace(oldname, newname)


def Copy(oldpath, newpath, overwrite=False) -> None:
    oldpath, newpath = os.fspath(oldpath), os.fspath(newpath)
    if not os.path.exists(oldpath):
        raise _not_found(oldpath)
    if os.path.exists(newpath):
        if not overwrite:
            raise errors.AlreadyExistsError(None, None, "file already exists")
        if os.path.samefile(oldpath, newpath):
            return
    shutil.copyfile(oldpath, newpath)


class _FileStatistics:
    def __init__(self, st, is_directory):
        self.length = st.st_size
        self.mtime_nsec = st.st_mtime_ns
        self.is_directory = is_directory


def Stat(filename) -> _FileStatistics:
    """`.length`, `.mtime_nsec`, `.is_directory` of a path."""
    filename = os.fspath(filename)
    try:
        st = os.stat(filename)
    except FileNotFoundError:
        raise _not_found(filename) from None
    return _FileStatistics(st, os.path.isdir(filename))


def Walk(top, in_order=True):
    """(dirpath, subdirs, files) tuples like os.walk; nothing for a missing directory."""
    top = os.fspath(top)
    if not os.path.isdir(top):
        return
    yield from os.walk(top, topdown=in_order)


__all__ = ["GFile", "FastGFile", "Open", "Exists", "IsDirectory", "MkDir", "MakeDirs", "ListDirectory", "Glob",
           "Remove", "DeleteRecursively", "Rename", "Copy", "Stat", "Walk"]

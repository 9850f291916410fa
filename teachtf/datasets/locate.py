"""Where teachtf looks for dataset files (DESIGN.md §5), and the error that says how to provide them.

Search order: an explicit path, then `$TEACHTF_DATA_DIR/<name>` (several
folders may be listed, separated by the path separator), then the user cache
`~/.cache/teachtf/<name>` (`$XDG_CACHE_HOME` respected), then system dataset
folders such as Debian's `/usr/share/datasets/fashion-mnist`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .catalog import DatasetSpec

ENV_DATA_DIR = "TEACHTF_DATA_DIR"


class DatasetNotFoundError(FileNotFoundError):
    """Dataset files are not on the search path (and could not be downloaded, when that was allowed)."""


@dataclass(frozen=True)
class SearchDir:
    """One folder of the search path and why it is there."""

    path: str
    origin: str  # "the path you passed", "$TEACHTF_DATA_DIR", "user cache", "system"


def cache_root() -> str:
    """`$XDG_CACHE_HOME/teachtf`, or `~/.cache/teachtf`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "teachtf")


def cache_dir(spec: DatasetSpec) -> str:
    return os.path.join(cache_root(), spec.name)


def search_dirs(spec: DatasetSpec, path=None) -> list:
    """The folders searched for `spec`, in order (they need not exist)."""
    dirs = []
    if path is not None:
        dirs.append(SearchDir(os.fspath(path), "the path you passed"))
    for root in filter(None, os.environ.get(ENV_DATA_DIR, "").split(os.pathsep)):
        for folder in spec.folder_names:
            dirs.append(SearchDir(os.path.join(root, folder), f"${ENV_DATA_DIR}"))
    dirs.append(SearchDir(cache_dir(spec), "user cache"))
    dirs += [SearchDir(d, "system") for d in spec.system_dirs]
    seen, unique = set(), []
    for d in dirs:
        key = os.path.abspath(d.path)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique


def candidates(file_name: str) -> tuple:
    """The accepted names of one file: the published (.gz) name and its uncompressed form."""
    return (file_name, file_name[:-3]) if file_name.endswith(".gz") else (file_name,)


def find_file(file_name: str, dirs) -> str | None:
    for d in dirs:
        for name in candidates(file_name):
            p = os.path.join(d.path, name)
            if os.path.isfile(p):
                return p
    return None


def find_files(spec: DatasetSpec, roles, path=None) -> dict:
    """{role: path or None} for each role, each taken from the first folder that has it."""
    dirs = search_dirs(spec, path)
    return {role: find_file(spec.files[role].name, dirs) for role in roles}


def not_found_message(spec: DatasetSpec, missing_roles, found: dict, path=None, extra: str = "") -> str:
    """Says which files are missing, where teachtf looked, and every way to provide them."""
    names = [spec.files[r].name for r in missing_roles]
    lines = [f"{spec.title} files not found: {', '.join(names)} (uncompressed copies without .gz are accepted too)."]
    have = {r: p for r, p in found.items() if p}
    if have:
        lines.append("Found: " + ", ".join(f"{os.path.basename(p)} in {os.path.dirname(p)}" for p in have.values())
                     + ".")
    lines.append("Folders searched, in order:")
    for d in search_dirs(spec, path):
        state = "" if os.path.isdir(d.path) else "  (does not exist)"
        lines.append(f"  {d.path}  [{d.origin}]{state}")
    lines.append("To provide the files, do one of:")
    lines.append(f"  - download them (needs internet): python -m teachtf.datasets download {spec.name}"
                 f"   (or, in Python: teachtf.datasets.download({spec.name!r}))")
    lines.append(f"  - copy the files into {cache_dir(spec)}, or into a folder of your choice and set the "
                 f"environment variable {ENV_DATA_DIR} to its parent (files go in ${ENV_DATA_DIR}/{spec.name}/)")
    lines.append(f"  - on a classroom hub, the instructor can pre-seed a shared folder once: python -m "
                 f"teachtf.datasets download {spec.name} --dir /srv/data/{spec.name}  and set "
                 f"{ENV_DATA_DIR}=/srv/data for everyone")
    if extra:
        lines.append(extra)
    return "\n".join(lines)

"""Command line: `python -m teachtf.datasets {download,where,list} ...`.

    python -m teachtf.datasets download mnist --dir /srv/data/mnist   # pre-seed a classroom folder
    python -m teachtf.datasets where fashion_mnist                    # show the search path and what is found
"""

from __future__ import annotations

import argparse
import os
import sys

from . import available, download, get_spec
from .catalog import idx_roles
from .download import ChecksumError
from .locate import find_file, search_dirs


def _where(name: str) -> int:
    spec = get_spec(name)
    dirs = search_dirs(spec)
    print(f"{spec.title}: folders searched, in order:")
    for d in dirs:
        print(f"  {d.path}  [{d.origin}]{'' if os.path.isdir(d.path) else '  (does not exist)'}")
    roles = idx_roles() if spec.name != "cifar10" else ("archive",)
    ok = True
    for role in roles:
        p = find_file(spec.files[role].name, dirs)
        ok &= p is not None
        print(f"  {spec.files[role].name}: {p or 'NOT FOUND'}")
    return 0 if ok else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teachtf.datasets", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("download", help="download a dataset (checksums verified) into --dir or the user cache")
    d.add_argument("name", choices=available() + ["fashion-mnist", "cifar-10"])
    d.add_argument("--dir", default=None, help="target folder (default: ~/.cache/teachtf/<name>)")
    d.add_argument("--mirror", action="append", default=None, help="base URL to use instead of the built-in "
                                                                    "mirrors (repeatable)")
    d.add_argument("--no-progress", action="store_true")
    w = sub.add_parser("where", help="show the search path and which files are found")
    w.add_argument("name", choices=available() + ["fashion-mnist", "cifar-10"])
    sub.add_parser("list", help="list the datasets")
    args = parser.parse_args(argv)
    if args.command == "list":
        for n in available():
            s = get_spec(n)
            print(f"{n:14s} {s.title} ({s.homepage}; license: {s.license})")
        return 0
    if args.command == "where":
        return _where(args.name)
    try:
        folder = download(args.name, args.dir, args.mirror, progress=not args.no_progress)
    except (OSError, ChecksumError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())

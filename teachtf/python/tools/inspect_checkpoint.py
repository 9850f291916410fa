"""`print_tensors_in_checkpoint_file`: prints the keys and values of a checkpoint (API.md §12.6).

Also a command line: `python -m teachtf.python.tools.inspect_checkpoint --file_name=PREFIX [--tensor_name=K]
[--all_tensors] [--all_tensor_names]`.
"""

from __future__ import annotations

import argparse
import re
import sys

import numpy as np

from ...train.checkpoint_utils import NewCheckpointReader

__all__ = ["print_tensors_in_checkpoint_file"]


def _count_total_params(reader, count_exclude_pattern="") -> int:
    rx = re.compile(count_exclude_pattern) if count_exclude_pattern else None
    total = 0
    for name, shape in reader.get_variable_to_shape_map().items():
        if rx is not None and rx.search(name):
            continue
        total += int(np.prod(shape))
    return total


def print_tensors_in_checkpoint_file(file_name, tensor_name, all_tensors, all_tensor_names=False,
                                     count_exclude_pattern="") -> None:
    """Prints every key (`tensor_name:  <key>`, with its value when `all_tensors`), or one tensor.

    With neither `tensor_name` nor the flags, prints one line per key with its
    dtype and shape. Errors are printed, not raised, as TF does.
    """
    try:
        reader = NewCheckpointReader(file_name)
        if all_tensors or all_tensor_names:
            shapes = reader.get_variable_to_shape_map()
            for key in sorted(shapes):
                print("tensor_name: ", key)
                if all_tensors:
                    print(reader.get_tensor(key))
        elif not tensor_name:
            print(reader.debug_string().decode("utf-8"))
        else:
            print("tensor_name: ", tensor_name)
            print(reader.get_tensor(tensor_name))
        print(f"# Total number of params: {_count_total_params(reader, count_exclude_pattern)}")
    except Exception as e:  # noqa: BLE001 - TF prints any failure and returns
        print(str(e))
        if any(s in str(file_name) for s in (".index", ".meta", ".data")):
            proposed = ".".join(str(file_name).split(".")[:-1])
            if ".data" in str(file_name):
                proposed = str(file_name).split(".data")[0]
            print("It's likely that this is a V2 checkpoint and you need to provide the filename *prefix*.  Try "
                  f"removing the '.' and extension.  Try: inspect checkpoint --file_name = {proposed}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="Print the tensors of a teachtf checkpoint.")
    p.add_argument("--file_name", required=True, help="checkpoint prefix, e.g. model.ckpt-100")
    p.add_argument("--tensor_name", default="")
    p.add_argument("--all_tensors", action="store_true")
    p.add_argument("--all_tensor_names", action="store_true")
    a = p.parse_args(argv)
    print_tensors_in_checkpoint_file(a.file_name, a.tensor_name, a.all_tensors, a.all_tensor_names)


if __name__ == "__main__":
    main(sys.argv[1:])

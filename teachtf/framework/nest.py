"""Nested structures of lists, tuples, namedtuples and dicts (TF's `nest`, for tf.cond and tf.while_loop).

Dicts are traversed in sorted key order, as TF does; anything else is a leaf.
"""

from __future__ import annotations


def is_sequence(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure) -> list:
    """The leaves of `structure`, depth first."""
    if not is_sequence(structure):
        return [structure]
    out = []
    for c in _children(structure):
        out.extend(flatten(c))
    return out


def _rebuild(like, items):
    if isinstance(like, dict):
        keys = sorted(like)
        return type(like)((k, v) for k, v in zip(keys, items)) if type(like) is not dict else dict(zip(keys, items))
    if isinstance(like, tuple) and hasattr(like, "_fields"):
        return type(like)(*items)
    if isinstance(like, tuple):
        return tuple(items)
    return list(items)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` arranged like `structure` (ValueError when the counts differ)."""
    flat_sequence = list(flat_sequence)
    if not is_sequence(structure):
        if len(flat_sequence) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == {len(flat_sequence)} > 1")
        return flat_sequence[0]
    pos = [0]

    def build(s):
        if not is_sequence(s):
            v = flat_sequence[pos[0]]
            pos[0] += 1
            return v
        return _rebuild(s, [build(c) for c in _children(s)])

    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {n} elements, but flat_sequence had "
                         f"{len(flat_sequence)} elements.")
    return build(structure)


def map_structure(fn, *structures):
    """`fn` applied leaf-wise to structures of the same shape."""
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*xs) for xs in zip(*flats)])


def assert_same_structure(a, b, check_types=True) -> None:
    """ValueError when `a` and `b` do not nest the same way; TypeError when sequence types differ."""
    if is_sequence(a) != is_sequence(b):
        raise ValueError(f"The two structures don't have the same nested structure.\n\nFirst structure: {a!r}\n\n"
                         f"Second structure: {b!r}")
    if not is_sequence(a):
        return
    if check_types and type(a) is not type(b) and not (isinstance(a, list) and isinstance(b, list)):
        raise TypeError(f"The two structures don't have the same sequence type. First structure has type "
                        f"{type(a)}, while second structure has type {type(b)}.")
    if isinstance(a, dict) and sorted(a) != sorted(b):
        raise ValueError(f"The two dictionaries don't have the same set of keys: {sorted(a)} vs {sorted(b)}")
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb):
        raise ValueError(f"The two structures don't have the same number of elements.\n\nFirst structure: {a!r}\n\n"
                         f"Second structure: {b!r}")
    for x, y in zip(ca, cb):
        assert_same_structure(x, y, check_types)

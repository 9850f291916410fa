"""TensorShape and Dimension with TF 1.15's semantics (API.md §2.4), plus static-shape helpers.

A Dimension is an int or unknown (None). Comparisons involving an unknown
dimension return None ("don't know"), so `Dimension(None) == 3` is None and a
TensorShape with unknown dims is not equal to itself re-built.
"""

from __future__ import annotations


class Dimension:
    """One dimension of a static shape; `value` is an int >= 0 or None (unknown)."""

    __slots__ = ("_value",)

    def __init__(self, value):
        if value is None:
            self._value = None
        elif isinstance(value, Dimension):
            self._value = value._value
        else:
            if type(value).__name__ == "DType":
                raise TypeError(f"Cannot convert {value} to Dimension")
            try:
                iv = int(value.__index__()) if hasattr(value, "__index__") else int(value)
            except (TypeError, ValueError):
                raise TypeError(f"Dimension value must be integer or None, got {value!r} of type "
                                f"{type(value).__name__}") from None
            if not isinstance(value, (str, bytes)) and iv != value:
                raise ValueError(f"Ambiguous dimension: {value}")
            if iv < 0:
                raise ValueError(f"Dimension {iv} must be >= 0")
            self._value = iv

    @property
    def value(self):
        return self._value

    def __repr__(self):
        return f"Dimension({self._value!r})"

    def __str__(self):
        return "?" if self._value is None else str(self._value)

    def __int__(self):
        if self._value is None:
            raise TypeError("__int__ returned non-int (type NoneType): the Dimension is unknown")
        return self._value

    def __index__(self):
        if self._value is None:
            raise TypeError("__index__ returned non-int (type NoneType): the Dimension is unknown")
        return self._value

    def __hash__(self):
        return hash(self._value)

    def __reduce__(self):
        return Dimension, (self._value,)

    # -- comparisons: None when either side is unknown ---------------------------------------------
    def _known_pair(self, other):
        other = as_dimension(other)
        if self._value is None or other._value is None:
            return None
        return self._value, other._value

    def __eq__(self, other):
        try:
            pair = self._known_pair(other)
        except (TypeError, ValueError):
            return NotImplemented
        return None if pair is None else pair[0] == pair[1]

    def __ne__(self, other):
        try:
            pair = self._known_pair(other)
        except (TypeError, ValueError):
            return NotImplemented
        return None if pair is None else pair[0] != pair[1]

    def __lt__(self, other):
        pair = self._known_pair(other)
        return None if pair is None else pair[0] < pair[1]

    def __le__(self, other):
        pair = self._known_pair(other)
        return None if pair is None else pair[0] <= pair[1]

    def __gt__(self, other):
        pair = self._known_pair(other)
        return None if pair is None else pair[0] > pair[1]

    def __ge__(self, other):
        pair = self._known_pair(other)
        return None if pair is None else pair[0] >= pair[1]

    # -- arithmetic: unknown in, unknown out ---------------------------------------------------------
    def _arith(self, other, fn, reverse=False):
        try:
            other = as_dimension(other)
        except (TypeError, ValueError):
            return NotImplemented
        if self._value is None or other._value is None:
            return Dimension(None)
        a, b = (other._value, self._value) if reverse else (self._value, other._value)
        return Dimension(fn(a, b))

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._arith(other, lambda a, b: a + b, reverse=True)

    def __sub__(self, other):
        return self._arith(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._arith(other, lambda a, b: a - b, reverse=True)

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._arith(other, lambda a, b: a * b, reverse=True)

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)

    def __rfloordiv__(self, other):
        return self._arith(other, lambda a, b: a // b, reverse=True)

    def __mod__(self, other):
        return self._arith(other, lambda a, b: a % b)

    def __rmod__(self, other):
        return self._arith(other, lambda a, b: a % b, reverse=True)

    def __truediv__(self, other):
        raise TypeError(f"unsupported operand type(s) for /: 'Dimension' and '{type(other).__name__}', please use "
                        "// instead")

    def __rtruediv__(self, other):
        raise TypeError(f"unsupported operand type(s) for /: '{type(other).__name__}' and 'Dimension', please use "
                        "// instead")

    # -- compatibility ---------------------------------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        """True when either side is unknown or both values are equal."""
        other = as_dimension(other)
        return self._value is None or other._value is None or self._value == other._value

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {as_dimension(other)} are not compatible")

    def merge_with(self, other) -> Dimension:
        """The known one of two compatible dimensions (ValueError when they differ)."""
        other = as_dimension(other)
        self.assert_is_compatible_with(other)
        return Dimension(self._value if self._value is not None else other._value)


def as_dimension(value) -> Dimension:
    return value if isinstance(value, Dimension) else Dimension(value)


def dimension_value(dimension):
    """The int (or None) of a Dimension or a plain value (`tf.compat.dimension_value`)."""
    return dimension.value if isinstance(dimension, Dimension) else dimension


def dimension_at_index(shape, index) -> Dimension:
    """`shape[index]` as a Dimension; unknown when the rank is unknown."""
    shape = as_shape(shape)
    if shape._dims is None:
        return Dimension(None)
    return shape._dims[index]


class TensorShape:
    """A static shape: unknown rank (`dims` is None) or a list of Dimensions.

    `TensorShape(5)` is the 1-D shape [5], as in TF1.
    """

    __slots__ = ("_dims",)

    def __init__(self, dims):
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = None if dims._dims is None else list(dims._dims)
        elif isinstance(dims, (str, bytes)):
            raise TypeError(f"A string has ambiguous TensorShape, please wrap in a list or convert to an int: "
                            f"{dims!r}")
        else:
            try:
                it = iter(dims)
            except TypeError:
                self._dims = [as_dimension(dims)]  # a single int: a 1-D shape
            else:
                try:
                    self._dims = [as_dimension(d) for d in it]
                except TypeError as e:
                    raise TypeError(f"Failed to convert {dims!r} to a shape: {e}. A shape should be a single "
                                    "dimension (e.g. 10) or a list of dimensions (e.g. [1, 10, None]).") from None

    # -- structure ---------------------------------------------------------------------------------------
    @property
    def dims(self):
        return None if self._dims is None else list(self._dims)

    @property
    def ndims(self):
        return None if self._dims is None else len(self._dims)

    @property
    def rank(self):
        return self.ndims

    def __len__(self):
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __bool__(self):
        return self._dims is not None

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(self._dims)

    def __getitem__(self, key):
        if self._dims is not None:
            if isinstance(key, slice):
                return TensorShape(self._dims[key])
            return self._dims[key]
        if isinstance(key, slice):
            start = key.start if key.start is not None else 0
            stop = key.stop
            if key.step is not None:
                raise ValueError("Steps are not yet handled")
            if stop is None or start < 0 or stop < 0:
                return unknown_shape()
            return unknown_shape(rank=stop - start)
        return Dimension(None)

    def as_list(self) -> list:
        """The dims as ints/None, e.g. [None, 784]."""
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return [d._value for d in self._dims]

    def as_proto(self):
        return None if self._dims is None else self.as_list()

    def num_elements(self):
        """The product of the dims, or None when any is unknown."""
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims:
            n *= d._value
        return n

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d._value is not None for d in self._dims)

    def assert_is_fully_defined(self) -> None:
        if not self.is_fully_defined():
            raise ValueError(f"Shape {self} is not fully defined")

    # -- compatibility ---------------------------------------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a.is_compatible_with(b) for a, b in zip(self._dims, other._dims))

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are incompatible")

    def merge_with(self, other) -> TensorShape:
        """The most specific shape compatible with both (ValueError when incompatible)."""
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        try:
            self.assert_same_rank(other)
            return TensorShape([a.merge_with(b) for a, b in zip(self._dims, other._dims)])
        except ValueError:
            raise ValueError(f"Shapes {self} and {other} are not compatible") from None

    def most_specific_compatible_shape(self, other) -> TensorShape:
        """The most specific shape that both shapes are compatible with (dims that differ become None)."""
        other = as_shape(other)
        if self._dims is None or other._dims is None or len(self._dims) != len(other._dims):
            return unknown_shape()
        return TensorShape([a if a.value == b.value else None for a, b in zip(self._dims, other._dims)])

    def concatenate(self, other) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return unknown_shape()
        return TensorShape(self._dims + other._dims)

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return as_shape(other).concatenate(self)

    def assert_same_rank(self, other) -> None:
        other = as_shape(other)
        if self.ndims is not None and other.ndims is not None and self.ndims != other.ndims:
            raise ValueError(f"Shapes {self} and {other} must have the same rank")

    def assert_has_rank(self, rank: int) -> None:
        if self.ndims not in (None, rank):
            raise ValueError(f"Shape {self} must have rank {rank}")

    def with_rank(self, rank: int) -> TensorShape:
        try:
            return self.merge_with(unknown_shape(rank=rank))
        except ValueError:
            raise ValueError(f"Shape {self} must have rank {rank}") from None

    def with_rank_at_least(self, rank: int) -> TensorShape:
        if self.ndims is not None and self.ndims < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def with_rank_at_most(self, rank: int) -> TensorShape:
        if self.ndims is not None and self.ndims > rank:
            raise ValueError(f"Shape {self} must have rank at most {rank}")
        return self

    # -- equality (TF 1.15: list equality of Dimensions, so unknown dims are never equal) ---------------------
    def __eq__(self, other):
        try:
            other = as_shape(other)
        except TypeError:
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other):
        try:
            other = as_shape(other)
        except TypeError:
            return NotImplemented
        if self.ndims is None or other.ndims is None:
            raise ValueError("The inequality of unknown TensorShapes is undefined.")
        if self.ndims != other.ndims:
            return True
        return self._dims != other._dims

    def __hash__(self):
        return hash(None if self._dims is None else tuple(d._value for d in self._dims))

    def __reduce__(self):
        return TensorShape, (None if self._dims is None else self.as_list(),)

    def __str__(self):
        if self._dims is None:
            return "<unknown>"
        if len(self._dims) == 1:
            return f"({self._dims[0]},)"
        return "(" + ", ".join(str(d) for d in self._dims) + ")"

    def __repr__(self):
        return f"TensorShape({self._dims!r})"


def as_shape(shape) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank=None, ndims=None) -> TensorShape:
    if rank is None:
        rank = ndims
    return TensorShape(None if rank is None else [None] * rank)


def scalar() -> TensorShape:
    return TensorShape([])


def vector(length) -> TensorShape:
    return TensorShape([length])


def matrix(rows, cols) -> TensorShape:
    return TensorShape([rows, cols])


def broadcast_static(a: TensorShape, b: TensorShape) -> TensorShape:
    """NumPy broadcasting of two static shapes; ValueError when provably incompatible."""
    if a.ndims is None or b.ndims is None:
        return TensorShape(None)
    da, db = a.as_list(), b.as_list()
    n = max(len(da), len(db))
    da = [1] * (n - len(da)) + da
    db = [1] * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        elif x == y:
            out.append(x)
        else:
            raise ValueError(f"Dimensions must be equal, but are {x} and {y} for shapes {a} and {b}")
    return TensorShape(out)

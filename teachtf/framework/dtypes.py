"""TF1 DType objects and the `dtype=` argument rules (API.md §4.1)."""

from __future__ import annotations

import numpy as np


class DType:
    """A TF1 data type. Ref dtypes (`float32_ref`) describe variables."""

    __slots__ = ("_name", "_np", "_is_ref", "_base")

    def __init__(self, name: str, np_dtype, is_ref: bool = False, base: DType | None = None):
        self._name = name
        self._np = np_dtype
        self._is_ref = is_ref
        self._base = base if base is not None else self

    name = property(lambda self: self._name)
    as_numpy_dtype = property(lambda self: self._np)
    base_dtype = property(lambda self: self._base)
    is_ref_dtype = property(lambda self: self._is_ref)

    @property
    def _ref_type(self) -> DType:
        return _REF_OF[self._base]

    @property
    def real_dtype(self) -> DType:
        """float32 for complex64, float64 for complex128, else the base dtype."""
        return {"complex64": float32, "complex128": float64}.get(self._base._name, self._base)

    @property
    def as_datatype_enum(self) -> int:
        """TF's DataType enum value (ref dtypes add 100)."""
        return _ENUM[self._base._name] + (100 if self._is_ref else 0)

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def limits(self):
        return self.min, self.max

    @property
    def is_floating(self) -> bool:
        return self._base._name in ("float16", "float32", "float64", "bfloat16")

    @property
    def is_integer(self) -> bool:
        return self._base._name in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")

    @property
    def is_unsigned(self) -> bool:
        return self._base._name.startswith("uint")

    @property
    def is_bool(self) -> bool:
        return self._base._name == "bool"

    @property
    def is_complex(self) -> bool:
        return self._base._name.startswith("complex")

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def min(self):
        if self.is_floating:
            return float(np.finfo(self._np).min)
        if self.is_integer:
            return int(np.iinfo(self._np).min)
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self._name}.")

    @property
    def max(self):
        if self.is_floating:
            return float(np.finfo(self._np).max)
        if self.is_integer:
            return int(np.iinfo(self._np).max)
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self._name}.")

    @property
    def size(self) -> int:
        if self._base._name == "string":
            return 1
        return np.dtype(self._np).itemsize

    def is_compatible_with(self, other) -> bool:
        """TF's rule: float32 accepts float32 and float32_ref; float32_ref accepts only float32_ref."""
        other = as_dtype(other)
        return self is other or self is other._base

    def __eq__(self, other):
        if other is None:
            return False
        try:
            other = as_dtype(other)
        except TypeError:
            return False
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self._name, self._is_ref))

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType("float16", np.float16)
half = float16
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
double = float64
bfloat16 = float16  # no native bfloat16 in NumPy; documented approximation
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool_ = DType("bool", np.bool_)
string = DType("string", np.object_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        bool_, string, complex64, complex128]
_REF_OF = {d: DType(d.name + "_ref", d.as_numpy_dtype, True, d) for d in _ALL}

_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({r.name: r for r in _REF_OF.values()})
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "bfloat16": float16})

_BY_NP = {np.dtype(d.as_numpy_dtype): d for d in _ALL if d is not string}
_BY_NP[np.dtype(object)] = string

QUANTIZED_DTYPES = frozenset()

_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "string": 7, "complex64": 8,
         "int64": 9, "bool": 10, "uint16": 17, "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
_BY_ENUM = {v: _BY_NAME[k] for k, v in _ENUM.items()}


def as_dtype(type_value) -> DType:
    """Converts a DType, numpy dtype, dtype string or Python type to a DType.

    Accepts "float" (float32), "double" (float64), "half", Python float/int/bool/str.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, int) and not isinstance(type_value, bool):
        try:
            d = _BY_ENUM[type_value % 100]
        except KeyError:
            raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
        return d._ref_type if type_value > 100 else d
    if isinstance(type_value, str):
        try:
            return _BY_NAME[type_value]
        except KeyError:
            raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
    if type_value is float:
        return float32
    if type_value is int:
        return int32
    if type_value is bool:
        return bool_
    if type_value in (str, bytes):
        return string
    try:
        npd = np.dtype(type_value)
    except TypeError:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None
    if npd.kind in ("U", "S", "O"):
        return string
    try:
        return _BY_NP[npd]
    except KeyError:
        raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.") from None


def dtype_of_array(arr) -> DType:
    """The DType of a NumPy (or CuPy) array."""
    return as_dtype(arr.dtype)

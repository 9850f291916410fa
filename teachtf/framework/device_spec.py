"""Device strings: parsing, canonical form and merging (`tf.DeviceSpec`, API.md §2.6).

"/gpu:0", "/device:GPU:0" and "/job:worker/task:1/cpu:0" all parse; the
canonical form is "/job:worker/replica:0/task:1/device:GPU:0" with only the
given parts. Job, replica and task are kept for display but ignored for
placement: teachtf runs in one process.
"""

from __future__ import annotations

_FIELDS = ("job", "replica", "task", "device_type", "device_index")


class DeviceSpec:
    """A (partial) device specification; unset fields are None."""

    __slots__ = _FIELDS

    def __init__(self, job=None, replica=None, task=None, device_type=None, device_index=None):
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = None if device_type is None else _normalize_type(device_type)
        self.device_index = None if device_index is None else int(device_index)

    @classmethod
    def from_string(cls, spec: str) -> DeviceSpec:
        """Parses '/job:x/replica:0/task:0/device:GPU:0', '/gpu:0', 'cpu:0', '/device:CPU:*', ''."""
        return cls()._parse(spec)

    def _parse(self, spec: str) -> DeviceSpec:
        if spec is None:
            return self
        if isinstance(spec, DeviceSpec):
            self.merge_from(spec)
            return self
        if not isinstance(spec, str):
            raise TypeError(f"A device must be a string, a DeviceSpec, a function or None; got {spec!r}")
        for part in spec.split("/"):
            if not part:
                continue
            ly = part.split(":")
            key = ly[0].lower()
            if len(ly) == 2 and key == "job":
                self.job = ly[1]
            elif len(ly) == 2 and key == "replica" and ly[1].isdigit():
                self.replica = int(ly[1])
            elif len(ly) == 2 and key == "task" and ly[1].isdigit():
                self.task = int(ly[1])
            elif len(ly) in (1, 2) and key in ("cpu", "gpu"):
                self.device_type = key.upper()
                self.device_index = _parse_index(ly[1], spec) if len(ly) == 2 else None
            elif len(ly) == 3 and key == "device":
                self.device_type = _normalize_type(ly[1])
                self.device_index = _parse_index(ly[2], spec)
            elif len(ly) == 2 and key == "device":
                self.device_type = _normalize_type(ly[1])
                self.device_index = None
            else:
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}': a device looks like '/cpu:0', "
                                 "'/gpu:1' or '/device:GPU:0'")
        return self

    parse_from_string = _parse

    def to_string(self) -> str:
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            idx = "*" if self.device_index is None else str(self.device_index)
            out += f"/device:{self.device_type}:{idx}"
        return out

    def merge_from(self, dev: DeviceSpec) -> None:
        """Copies every field that `dev` sets into this spec."""
        for f in _FIELDS:
            v = getattr(dev, f)
            if v is not None:
                setattr(self, f, v)

    def make_merged_spec(self, dev: DeviceSpec) -> DeviceSpec:
        """A copy of this spec with the fields set in `dev` taking precedence."""
        out = self.replace()
        out.merge_from(dev)
        return out

    def replace(self, **kwargs) -> DeviceSpec:
        vals = {f: getattr(self, f) for f in _FIELDS}
        vals.update(kwargs)
        return DeviceSpec(**vals)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in _FIELDS)

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self):
        return hash(self.to_string())

    def __repr__(self):
        return f"DeviceSpec({self.to_string()!r})"


def _normalize_type(t: str) -> str:
    return t.upper() if t.lower() in ("cpu", "gpu") else t


def _parse_index(s: str, spec: str):
    if s == "*":
        return None
    if not s.isdigit():
        raise ValueError(f"Unknown device index '{s}' in '{spec}'")
    return int(s)


def canonical_device(spec) -> str:
    """The canonical string of a device name or DeviceSpec ('' when nothing is set)."""
    if spec is None or spec == "":
        return ""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return DeviceSpec.from_string(spec).to_string()


def merge_device_strings(outer: str, inner: str) -> str:
    """`inner`'s fields on top of `outer`'s (TF's merge of nested device scopes)."""
    if not outer:
        return inner
    if not inner:
        return outer
    return DeviceSpec.from_string(outer).make_merged_spec(DeviceSpec.from_string(inner)).to_string()


def device_kind_and_index(device: str):
    """('CPU'|'GPU'|None, index or None) of a canonical device string, for placement."""
    if not device:
        return None, None
    spec = DeviceSpec.from_string(device)
    return spec.device_type, spec.device_index

"""Session configuration objects: ConfigProto, GPUOptions, GraphOptions, RunOptions, RunMetadata (API.md §2.6).

`log_device_placement`, `allow_soft_placement` and `device_count` are honoured
by the Session; `gpu_options.allow_growth` maps to CuPy's memory pool; the
other fields are stored so TF1 programs that set them keep working.
"""

from __future__ import annotations


class _Message:
    """A protobuf-like record: keyword fields, attribute access, readable repr, equality by fields."""

    _defaults: dict = {}

    def __init__(self, **fields):
        for k, v in self._defaults.items():
            setattr(self, k, v() if callable(v) else v)
        for k, v in fields.items():
            setattr(self, k, v)

    def __repr__(self):
        parts = [f"{k}: {v!r}" for k, v in vars(self).items() if v not in (None, 0, False, "", {}, [])]
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    __hash__ = None

    def CopyFrom(self, other):
        self.__dict__.update(vars(other))

    def SerializeToString(self) -> bytes:
        return repr(self).encode()


class GPUOptions(_Message):
    """`tf.GPUOptions(allow_growth=False, per_process_gpu_memory_fraction=0.0, visible_device_list='')`."""

    _defaults = {"allow_growth": False, "per_process_gpu_memory_fraction": 0.0, "visible_device_list": "",
                 "allocator_type": "", "deferred_deletion_bytes": 0, "polling_active_delay_usecs": 0,
                 "force_gpu_compatible": False}


class OptimizerOptions(_Message):
    _defaults = {"do_common_subexpression_elimination": False, "do_constant_folding": False, "opt_level": 0,
                 "global_jit_level": 0}


class GraphOptions(_Message):
    _defaults = {"enable_recv_scheduling": False, "optimizer_options": OptimizerOptions,
                 "build_cost_model": 0, "infer_shapes": False, "place_pruned_graph": False,
                 "enable_bfloat16_sendrecv": False, "timeline_step": 0}


class ConfigProto(_Message):
    """`tf.ConfigProto(**fields)`; unknown keywords raise TypeError as a protobuf constructor would."""

    _defaults = {"device_count": dict, "intra_op_parallelism_threads": 0, "inter_op_parallelism_threads": 0,
                 "use_per_session_threads": False, "placement_period": 0, "device_filters": list,
                 "gpu_options": GPUOptions, "allow_soft_placement": False, "log_device_placement": False,
                 "graph_options": GraphOptions, "operation_timeout_in_ms": 0, "isolate_session_state": False}

    def __init__(self, **fields):
        unknown = set(fields) - set(self._defaults)
        if unknown:
            raise TypeError(f"ConfigProto has no field(s) {', '.join(sorted(unknown))}. Known fields: "
                            f"{', '.join(sorted(self._defaults))}.")
        super().__init__(**fields)
        self.device_count = dict(self.device_count)


class RunOptions(_Message):
    """Accepted and ignored by `Session.run` (P2)."""

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3
    _defaults = {"trace_level": 0, "timeout_in_ms": 0, "inter_op_thread_pool": 0,
                 "output_partition_graphs": False, "report_tensor_allocations_upon_oom": False}


class RunMetadata(_Message):
    """Filled with nothing by `Session.run` (P2)."""

    _defaults = {"step_stats": None, "cost_graph": None, "partition_graphs": list}

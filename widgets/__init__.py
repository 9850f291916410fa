"""teachtf.widgets: interactive explorers that step through what an op computes (teachtf-only).

Each widget is a **model** (pure NumPy, in `teachtf.widgets.models`: parameters in,
a list of frames out, numbers computed by the engine's own ops) and a **view**
(ipywidgets 8, in `teachtf.widgets.views`). Importing this package does not
import ipywidgets; the views load on first use::

    from teachtf import widgets
    widgets.ConvolutionExplorer(input_size=5, kernel="sobel_x", stride=2, padding="SAME")
"""

import importlib

_VIEWS = {
    "ConvolutionExplorer": ".views.conv_view",
    "PoolingExplorer": ".views.pool_view",
    "UnpoolingExplorer": ".views.unpool_view",
    "TransposedConvExplorer": ".views.transposed_view",
    "SoftmaxExplorer": ".views.softmax_view",
    "GradientFlow": ".views.gradient_flow_view",
    "OptimizerRace": ".views.optimizer_view",
    "GraphViewer": ".views.graph_view",
}
_MODELS = {
    "ConvolutionModel": ".models.conv",
    "PoolingModel": ".models.pooling",
    "UnpoolingModel": ".models.unpooling",
    "TransposedConvModel": ".models.transposed",
    "SoftmaxModel": ".models.softmax",
    "GradientFlowModel": ".models.gradient_flow",
    "OptimizerRaceModel": ".models.optimizer_race",
    "parse_expression": ".models.expressions",
    "to_numpy": ".arrays",
}

__all__ = sorted(_VIEWS) + sorted(_MODELS)


def __getattr__(name):
    mod = _VIEWS.get(name) or _MODELS.get(name)
    if mod is None:
        raise AttributeError(f"module 'teachtf.widgets' has no attribute {name!r}")
    try:
        module = importlib.import_module(mod, __name__)
    except ModuleNotFoundError as e:
        if e.name not in ("ipywidgets", "IPython"):
            raise
        raise ModuleNotFoundError(f"teachtf.widgets.{name} needs ipywidgets 8 in this environment: "
                                  f"pip install 'teachtf[lessons]' (or pip install ipywidgets), then restart the "
                                  "kernel. The models (e.g. ConvolutionModel) work without it.", name=e.name) from e
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))

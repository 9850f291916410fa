"""Widget views: ipywidgets 8 front ends over the models in `teachtf.widgets.models`."""

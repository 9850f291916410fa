"""Small factories for the parameter controls the explorers share (uniform sizes and labels)."""

from __future__ import annotations

import ipywidgets as W

SMALL = {"style": {"description_width": "initial"}}


def int_slider(description: str, value: int, lo: int, hi: int, width: str = "250px") -> W.IntSlider:
    return W.IntSlider(value=value, min=lo, max=max(hi, value), description=description, continuous_update=False,
                       layout=W.Layout(width=width), style={"description_width": "85px"})


def dropdown(description: str, options, value, width: str = "190px") -> W.Dropdown:
    return W.Dropdown(options=list(options), value=value, description=description, layout=W.Layout(width=width),
                      **SMALL)


def toggles(description: str, options, value, button_width: str = "60px") -> W.ToggleButtons:
    return W.ToggleButtons(options=list(options), value=value, description=description,
                           style={"button_width": button_width, "description_width": "initial"})


def rows(*groups) -> W.VBox:
    """Controls laid out as wrapped rows, one HBox per group."""
    return W.VBox([W.HBox(list(g), layout=W.Layout(flex_flow="row wrap", align_items="center")) for g in groups])

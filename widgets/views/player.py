"""The shared player: Play + slider linked in the browser, step buttons, and a speed choice."""

from __future__ import annotations

import ipywidgets as W

SPEEDS = (("0.25×", 2400), ("0.5×", 1200), ("1×", 600), ("2×", 300), ("4×", 150))


class Player(W.HBox):
    """Steps through frames 0..max. `value` is the current frame; `observe_frame(fn)` calls fn(index).

    Play and the slider are linked with `jslink`, so playback runs in the
    browser (no kernel threads) and every step reaches the kernel through the
    slider, which is what the widget observes.
    """

    def __init__(self, max_frame: int = 0, interval_ms: int = 600):
        interval_ms = interval_ms if interval_ms in dict(SPEEDS).values() else 600
        self.play = W.Play(value=0, min=0, max=max_frame, step=1, interval=interval_ms, repeat=False,
                           show_repeat=False, description="play", layout=W.Layout(width="120px"))
        self.slider = W.IntSlider(value=0, min=0, max=max_frame, description="step", continuous_update=True,
                                  readout=True, layout=W.Layout(width="360px"))
        self._link = W.jslink((self.play, "value"), (self.slider, "value"))
        self.back = W.Button(icon="step-backward", tooltip="previous step", layout=W.Layout(width="40px"))
        self.forward = W.Button(icon="step-forward", tooltip="next step", layout=W.Layout(width="40px"))
        self.speed = W.Dropdown(options=list(SPEEDS), value=interval_ms, description="speed",
                                layout=W.Layout(width="150px"), style={"description_width": "45px"})
        self.back.on_click(lambda _: self.step(-1))
        self.forward.on_click(lambda _: self.step(+1))
        self.speed.observe(self._on_speed, names="value")
        super().__init__([self.play, self.back, self.forward, self.slider, self.speed],
                         layout=W.Layout(align_items="center", flex_flow="row nowrap"))

    @property
    def value(self) -> int:
        return self.slider.value

    @value.setter
    def value(self, index: int) -> None:
        self.slider.value = max(0, min(int(index), self.slider.max))

    @property
    def max(self) -> int:
        return self.slider.max

    def set_max(self, max_frame: int) -> None:
        """Sets the last frame index, keeping the current one when it still exists."""
        max_frame = max(0, int(max_frame))
        if self.slider.value > max_frame:
            self.slider.value = max_frame
        if self.play.value > max_frame:
            self.play.value = max_frame
        self.slider.max = max_frame
        self.play.max = max_frame

    def step(self, delta: int) -> None:
        self.value = self.value + delta

    def observe_frame(self, fn) -> None:
        self.slider.observe(lambda change: fn(change["new"]), names="value")

    def _on_speed(self, change) -> None:
        self.play.interval = int(change["new"])

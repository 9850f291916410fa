"""The common shape of a widget model: parameters in, a list of frames out, a code snippet."""

from __future__ import annotations

from ..colors import SymmetricScale
from ..frames import Frame
from ..static import frame_figure, frames_scale


class FrameModel:
    """A model whose `frames` a view steps through. Subclasses set `self.frames` and implement `code()`."""

    frames: list[Frame]  # or a LazyFrames
    title: str = ""

    def __len__(self) -> int:
        return len(self.frames)

    def scale(self) -> SymmetricScale:
        """The shared symmetric colour scale covering every coloured grid of every frame."""
        if getattr(self, "_scale", None) is None:
            arrays = self.scale_arrays()
            self._scale = frames_scale(self.frames) if arrays is None else SymmetricScale.covering(*arrays)
        return self._scale

    def scale_arrays(self):
        """The arrays the colour scale must cover; None means every coloured grid of every frame."""
        return None

    def code(self) -> str:
        """A teachtf program that reproduces this computation (it prints the values the widget shows)."""
        raise NotImplementedError

    def figure(self, index: int = -1):
        """A static matplotlib Figure of frame `index` (default: the last)."""
        return frame_figure(self.frames[index], self.scale(), self.title)


class WindowFrameModel(FrameModel):
    """A FrameModel with one frame per output cell of a sliding window: `plan_h`, `plan_w` (padding.plan_axis)."""

    def _cell(self, index: int) -> tuple[int, int, int]:
        """Frame index -> (channel, i, j), channel slowest."""
        per = self.plan_h.out * self.plan_w.out
        c, rest = divmod(index, per)
        i, j = divmod(rest, self.plan_w.out)
        return c, i, j

    def window(self, i: int, j: int) -> tuple[list[int], list[int]]:
        """Rows and columns of the padded input read by output (i, j) (one per window tap)."""
        return self.plan_h.window_cells(i), self.plan_w.window_cells(j)

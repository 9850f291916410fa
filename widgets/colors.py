"""One shared, symmetric, diverging colour scale per widget, and its legend.

Zero is white; negative values shade to blue and positive ones to red with
the same intensity for the same magnitude, so equal colours mean equal values
across every panel of a widget.
"""

from __future__ import annotations

import numpy as np

# Anchors of a red–blue diverging map (ColorBrewer RdBu, reversed): value in [-1, 1] -> RGB.
_ANCHORS = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
_RGB = np.array([[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]], dtype=float)


class SymmetricScale:
    """Maps values in [−vmax, vmax] to colours; `vmax` is the largest |value| shown (1 when all are 0)."""

    def __init__(self, vmax: float):
        vmax = float(vmax)
        self.vmax = vmax if np.isfinite(vmax) and vmax > 0 else 1.0

    @classmethod
    def covering(cls, *arrays) -> SymmetricScale:
        """The scale whose range covers every finite value of `arrays`."""
        m = 0.0
        for a in arrays:
            a = np.asarray(a, dtype=float)
            finite = a[np.isfinite(a)]
            if finite.size:
                m = max(m, float(np.abs(finite).max()))
        return cls(m)

    def rgb(self, values) -> np.ndarray:
        """uint8 RGB array of shape values.shape + (3,); non-finite values are grey."""
        v = np.asarray(values, dtype=float)
        t = np.clip(np.nan_to_num(v / self.vmax, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
        out = np.stack([np.interp(t, _ANCHORS, _RGB[:, c]) for c in range(3)], axis=-1)
        out[~np.isfinite(v)] = (200, 200, 200)
        return np.round(out).astype(np.uint8)

    def css(self, value: float) -> str:
        r, g, b = self.rgb(value)
        return f"#{r:02x}{g:02x}{b:02x}"

    def text_css(self, value: float) -> str:
        """Black or white, whichever reads better on `value`'s colour."""
        r, g, b = self.rgb(value).astype(float)
        return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"

    def legend_html(self, label: str = "value", width: int = 180) -> str:
        stops = ", ".join(f"{self.css(a * self.vmax)} {int((a + 1) * 50)}%" for a in _ANCHORS)
        m = format_number(self.vmax)
        return (f'<div class="ttf-legend" style="display:inline-flex;align-items:center;gap:6px;font-size:11px">'
                f'<span>{label}</span><span>−{m}</span>'
                f'<span style="display:inline-block;width:{width}px;height:10px;border:1px solid #999;'
                f'background:linear-gradient(to right, {stops})"></span><span>{m}</span>'
                f'<span style="color:#666">(0 = white)</span></div>')


def format_number(v: float, digits: int = 3) -> str:
    """Short readable text for a cell: integers without decimals, else `digits` significant digits."""
    if v is None:
        return ""
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "−∞" if v < 0 else "∞"
    if v == int(v) and abs(v) < 1e6:
        text = str(int(v))
    else:
        text = f"{v:.{digits}g}"
        if "e" in text:
            mant, exp = text.split("e")
            text = f"{mant}e{int(exp)}"
    return text.replace("-", "−")

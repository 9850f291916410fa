"""Top-level names contributed by one area of the engine (re-exported by teachtf/__init__.py).

Here: the pre-1.0 summary spellings (API.md §19), which build the same ops as tf.summary.
"""

from .summary.legacy import (audio_summary, histogram_summary, image_summary, merge_all_summaries,  # noqa: F401
                             merge_summary, scalar_summary)

__all__ = ["audio_summary", "histogram_summary", "image_summary", "merge_all_summaries", "merge_summary",
           "scalar_summary"]

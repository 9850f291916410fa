"""Filled in by the RNN issue."""

__all__ = []

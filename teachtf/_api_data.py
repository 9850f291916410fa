"""Top-level names contributed by one area of the engine (re-exported by teachtf/__init__.py)."""

__all__ = []

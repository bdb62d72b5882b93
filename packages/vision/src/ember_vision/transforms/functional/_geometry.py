"""Placeholder: filled in by the transforms work."""

__all__ = []

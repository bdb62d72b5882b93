"""(filled in by its family)."""

__all__ = []

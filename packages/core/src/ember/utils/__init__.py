"""Utilities: hooks handles and (in ``ember.utils.data``) data loading."""

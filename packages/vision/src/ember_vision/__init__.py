"""ember_vision: part of the Ember workspace, versioned with the core."""

__version__ = "0.1.0"

# Submodules loaded on first attribute access, so `import ember_vision` stays fast.
_LAZY_SUBMODULES = {"io", "utils", "ops", "datasets", "models", "transforms"}


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

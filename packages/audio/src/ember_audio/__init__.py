"""ember_audio: part of the Ember workspace, versioned with the core."""

__version__ = "0.1.0"

# Names loaded on first attribute access, so `import ember_audio` stays fast.
# Maps an attribute name to (submodule, attribute in it or None for the submodule itself).
_LAZY = {
    "functional": ("functional", None),
    "transforms": ("transforms", None),
    "io": ("io", None),
    "datasets": ("datasets", None),
    "models": ("models", None),
    "load": ("io", "load"),
    "save": ("io", "save"),
    "info": ("io", "info"),
    "AudioMetaData": ("io", "AudioMetaData"),
}


def __getattr__(name):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f"{__name__}.{target[0]}")
    value = module if target[1] is None else getattr(module, target[1])
    globals()[name] = value
    return value

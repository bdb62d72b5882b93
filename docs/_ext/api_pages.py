"""Generate the API reference pages from the packages themselves.

For every module listed in ``API_MODULES`` this writes ``api/generated/<module>.md`` with one
autodoc directive per public name: the module's ``__all__`` when it has one, else every name
not starting with ``_`` that the module defines or re-exports (and the names its lazy
``__getattr__`` serves). Pages are regenerated on each build, so the reference always matches
the code; a public name without a docstring fails the build (``-W``).
"""

from __future__ import annotations

import importlib
import inspect
import os
import types

# (module, title): the public namespaces of the five packages, in reading order.
API_MODULES = [
    ("ember", "ember: tensors and operations"),
    ("ember.autograd", "ember.autograd"),
    ("ember.autograd.functional", "ember.autograd.functional"),
    ("ember.nn", "ember.nn: layers"),
    ("ember.nn.functional", "ember.nn.functional"),
    ("ember.nn.init", "ember.nn.init"),
    ("ember.nn.utils", "ember.nn.utils"),
    ("ember.nn.utils.rnn", "ember.nn.utils.rnn"),
    ("ember.nn.utils.parametrize", "ember.nn.utils.parametrize"),
    ("ember.nn.utils.parametrizations", "ember.nn.utils.parametrizations"),
    ("ember.optim", "ember.optim"),
    ("ember.optim.lr_scheduler", "ember.optim.lr_scheduler"),
    ("ember.optim.swa_utils", "ember.optim.swa_utils"),
    ("ember.utils.data", "ember.utils.data"),
    ("ember.linalg", "ember.linalg"),
    ("ember.fft", "ember.fft"),
    ("ember.random", "ember.random"),
    ("ember.serialization", "ember.serialization"),
    ("ember.cuda", "ember.cuda"),
    ("ember.cpu", "ember.cpu"),
    ("ember.accelerator", "ember.accelerator"),
    ("ember.backends", "ember.backends"),
    ("ember.testing", "ember.testing"),
    ("ember.amp", "ember.amp"),
    ("ember.func", "ember.func"),
    ("ember.special", "ember.special"),
    ("ember.distributions", "ember.distributions"),
    ("ember.distributed", "ember.distributed"),
    ("ember.nn.parallel", "ember.nn.parallel"),
    ("ember_vision.transforms", "ember_vision.transforms"),
    ("ember_vision.transforms.functional", "ember_vision.transforms.functional"),
    ("ember_vision.datasets", "ember_vision.datasets"),
    ("ember_vision.models", "ember_vision.models"),
    ("ember_vision.io", "ember_vision.io"),
    ("ember_vision.utils", "ember_vision.utils"),
    ("ember_vision.ops", "ember_vision.ops"),
    ("ember_audio", "ember_audio: I/O"),
    ("ember_audio.functional", "ember_audio.functional"),
    ("ember_audio.transforms", "ember_audio.transforms"),
    ("ember_audio.datasets", "ember_audio.datasets"),
    ("ember_audio.models", "ember_audio.models"),
    ("ember_text", "ember_text"),
    ("ember_text.tokenizers", "ember_text.tokenizers"),
    ("ember_text.data", "ember_text.data"),
    ("ember_text.models", "ember_text.models"),
    ("ember_text.vocab", "ember_text.vocab"),
    ("ember_text.utils", "ember_text.utils"),
    ("ember_text.metrics", "ember_text.metrics"),
    ("ember_text.generation", "ember_text.generation"),
    ("ember_lightning", "ember_lightning"),
    ("ember_lightning.callbacks", "ember_lightning.callbacks"),
    ("ember_lightning.loggers", "ember_lightning.loggers"),
    ("ember_lightning.strategies", "ember_lightning.strategies"),
    ("ember_lightning.utilities", "ember_lightning.utilities"),
]


def public_names(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
        lazy = getattr(module, "_LAZY_SUBMODULES", None) or getattr(module, "_LAZY", None)
        if isinstance(lazy, (dict, set, list, tuple)):
            names += [n for n in lazy if not n.startswith("_")]
    out = []
    for name in dict.fromkeys(names):
        try:
            obj = getattr(module, name)
        except ImportError:
            continue
        if obj is None or isinstance(obj, types.ModuleType) or name == "annotations":
            continue
        out.append(name)
    return out


def directive(module_name: str, name: str, obj, seen: set) -> str:
    """The autodoc directive of one name; an object already documented under another module
    (a re-export such as ``ember.no_grad`` of ``ember.autograd.no_grad``) is not indexed twice."""
    full = f"{module_name}.{name}"
    again = "   :no-index:\n" if id(obj) in seen else ""
    seen.add(id(obj))
    if inspect.isclass(obj):
        return f".. autoclass:: {full}\n   :members:\n{again}"
    if callable(obj):
        return f".. autofunction:: {full}\n{again}"
    return f".. autodata:: {full}\n   :annotation:\n{again}"


def write_pages(app) -> None:
    out_dir = os.path.join(app.srcdir, "api", "generated")
    os.makedirs(out_dir, exist_ok=True)
    seen: set[int] = set()
    for module_name, title in API_MODULES:
        module = importlib.import_module(module_name)
        body = [f"# {title}\n", "```{eval-rst}"]
        if module.__doc__:
            body.append(f".. automodule:: {module_name}\n   :no-members:\n")
        else:
            body.append(f".. module:: {module_name}\n")
        for name in public_names(module):
            body.append(directive(module_name, name, getattr(module, name), seen))
        body.append("```\n")
        text = "\n".join(body)
        path = os.path.join(out_dir, f"{module_name}.md")
        old = None
        if os.path.exists(path):
            with open(path) as f:
                old = f.read()
        if old != text:  # keep mtimes stable so incremental builds stay incremental
            with open(path, "w") as f:
                f.write(text)


def setup(app):
    app.connect("builder-inited", write_pages)
    return {"parallel_read_safe": True}

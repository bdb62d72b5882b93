"""Run the ``Example:`` sections of the docstrings of all five packages as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import ember

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


PACKAGES = ("ember", "ember_vision", "ember_audio", "ember_text", "ember_lightning")


def _modules():
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, prefix=f"{package}."):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    for test in finder.find(module, name):  # globals: the module's, as doctest.testmod gives
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    ember.set_default_dtype(ember.float32)

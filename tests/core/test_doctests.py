"""Run the ``Example:`` sections of Ember's docstrings as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import ember

_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules():
    names = ["ember"]
    for info in pkgutil.walk_packages(ember.__path__, prefix="ember."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    for test in finder.find(module, name, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
    ember.set_default_dtype(ember.float32)

"""Sphinx configuration of Ember's documentation site (MyST Markdown, pydata theme).

Build it with ``uv run sphinx-build -W -b html docs docs/_build/html``; CI does the same, with
warnings as errors.
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
for package in ("core", "vision", "audio", "text", "lightning"):
    sys.path.insert(0, os.path.join(ROOT, "packages", package, "src"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))

project = "Ember"
author = "The Ember developers"
copyright = "2026, the Ember developers"
release = version = "0.1.0"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "api_pages",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_custom_sections = ["Shape", ("Attributes", "params_style")]

html_theme = "pydata_sphinx_theme"
html_title = "Ember"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}

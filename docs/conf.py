"""Sphinx configuration for Hangar's documentation (build: ``./pants test tests/docs:``)."""

project = "Hangar"
author = "Hangar data platform team"
copyright = "2026, Hangar data platform team"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
root_doc = "index"

"""Hangar's shared utilities: configuration, the Hangar CLI and helpers used by DAGs and plugins."""

__version__ = "0.1.0"

"""Hooks for the systems Hangar pipelines talk to."""

"""Operators Hangar pipelines use (provider operators extended, warehouse loads)."""

"""The Hangar command-line interface (``./hangar``)."""

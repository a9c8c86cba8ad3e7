"""Example sources for the DAG library: deterministic sample data the embedded platform serves.

They let every pipeline of the library run on a machine with nothing else installed; a real
installation points the same connections at its own systems instead.
"""

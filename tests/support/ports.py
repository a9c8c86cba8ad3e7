"""Free loopback ports for servers that tests start (several test files run in parallel)."""

from hangar_common.net import free_port, free_port_range

__all__ = ["free_port", "free_port_range"]

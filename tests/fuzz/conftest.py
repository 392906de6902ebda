"""The fuzzer runs against the matrix's world (tests/matrix/world.py), built once per module."""

from tests.matrix.world import module_connection, rolled_back, world  # noqa: F401

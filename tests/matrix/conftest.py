"""Fixtures of the matrix: the module's world (tests/matrix/world.py) (seed, rows and bearer come
from tests/fixtures/common.py)."""

from tests.matrix.world import module_connection, rolled_back, world  # noqa: F401

"""Fixtures of the matrix: the module's world (tests/matrix/world.py) and the channel tests'
committed set-up steps, row counts and bearer tokens."""

from tests.channel.conftest import bearer, rows, seed  # noqa: F401
from tests.matrix.world import module_connection, rolled_back, world  # noqa: F401

from tests.channel import conftest as channel

login, rows, seed = channel.login, channel.rows, channel.seed  # the channel tests' fixtures

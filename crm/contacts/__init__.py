"""People at companies and government bodies."""

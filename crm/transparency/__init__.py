"""Transparency returns: meetings with the companies in the UK and EU publication formats."""

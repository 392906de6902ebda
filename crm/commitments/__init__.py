"""Commitments: promises made by a company to the government or by the government to a company."""

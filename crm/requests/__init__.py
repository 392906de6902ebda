"""Engagement requests: asking the focal person to raise a matter with a company."""

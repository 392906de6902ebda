"""Negotiation threads and their stages."""

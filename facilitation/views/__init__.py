"""Facilitation's pages, one module per concept."""

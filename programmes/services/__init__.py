"""Programmes' writes, one module per concept (import from the concept module)."""

"""Sessions' pages, one module per concept."""

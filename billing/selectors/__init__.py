"""Every non-trivial billing read, one module per concern."""

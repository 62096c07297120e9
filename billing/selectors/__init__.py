"""Every non-trivial billing read, one module per concern, scoped to what the caller may see."""

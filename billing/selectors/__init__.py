"""Reads for billing, already scoped to what the caller may see."""

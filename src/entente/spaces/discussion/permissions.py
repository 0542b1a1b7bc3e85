"""Permission rules of this feature (to be written)."""

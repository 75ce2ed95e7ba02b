"""Offline sync: a per-user log of what changed, read back from a cursor."""

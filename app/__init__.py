"""Backfit: a back-workout API (catalog, weekly plans, workout logging)."""

"""Exact numbers, the derivation, replay and hand rounding."""

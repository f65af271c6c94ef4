"""Loopback servers shipped for tests, the demo and the benchmarks (never used in production)."""

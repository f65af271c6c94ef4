"""Latency of ``python -m flows.ingest`` as users run it: a fresh shell per invocation."""

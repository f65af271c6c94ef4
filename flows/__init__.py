"""Prefect flows: orchestration only. All logic lives in the ``papertrail`` library."""

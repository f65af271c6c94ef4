"""Loopback servers shipped with papertrail for tests, the demo and the benchmarks.

Nothing here is used by the pipeline itself. They live in the package (not in
``tests/``) so the README's demo command and ``bench/`` can start them too.
"""

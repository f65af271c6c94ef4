"""papertrail: web articles about research papers, turned into clean, linked JSONL.

Each subpackage and stage module names its public surface in ``__all__``; the stages and
how they compose are described in docs/architecture.md.
"""

__version__ = "0.1.0"

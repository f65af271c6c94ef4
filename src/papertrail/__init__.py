"""papertrail: web articles about research papers, turned into clean, linked JSONL.

The public surface is what this module exports; everything in modules whose name starts
with an underscore, and anything not listed in ``__all__``, may change without notice.
"""

__version__ = "0.1.0"

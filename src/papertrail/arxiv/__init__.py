"""arXiv enrichment (placeholder, filled below)."""

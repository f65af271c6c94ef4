"""Extraction benchmark: our cleaner vs trafilatura vs readability-lxml on gold corpora."""

"""Papers a digest describes without linking: segment, read the clues, search, verify."""

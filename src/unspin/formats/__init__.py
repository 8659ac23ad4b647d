"""Readers and writers for the formats researchers use (see each module)."""

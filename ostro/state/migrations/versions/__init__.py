"""One module a schema revision, written by hand, oldest first (0001, 0002, ...)."""

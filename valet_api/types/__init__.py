"""WSME types: the request and response schema, one module a noun."""

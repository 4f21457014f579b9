"""Alembic migrations of the store's schema; run them with ``valet-db-manage``
(:mod:`ostro.state.migrate`), which finds this directory through the package."""

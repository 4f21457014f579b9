"""Alembic's entry point: run the migrations on the connection that
:mod:`ostro.state.migrate` passes in ``config.attributes["connection"]``.

Only that path is supported (no ``alembic.ini``, no offline SQL output), so
the database URL comes from one place: ``[database] connection``.
"""

from alembic import context

from ostro.state import models

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the store's migrations with valet-db-manage "
                       "(ostro.state.migrate), which passes the connection")

context.configure(connection=connection, target_metadata=models.Base.metadata)
with context.begin_transaction():
    context.run_migrations()

"""Where the engine's state lives: the store (SQLAlchemy), its schema and migrations."""

"""The store's tables, as SQLAlchemy declarative models.

Only portable types (String, Text, Integer, Double, JSON, DateTime with time
zone) so SQLite and PostgreSQL hold the same schema.  The Alembic migrations
in ``ostro/state/migrations/versions`` create exactly these tables; a test
compares the two, so a change here needs a new migration.

The store reads and writes through these tables with Core statements (not an
ORM session), because a snapshot is replaced as a whole: deletes must run
before inserts that reuse a unique name, which the ORM's flush order does not
promise.
"""

import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ostro.model.placement import STATES

#: Constraint names chosen here, not by each database, so migrations can name them.
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(table_name)s_%(column_0_name)s",
}

#: The one row of ``engine_generation``.
GENERATION_ROW = 1

#: The one row of ``inventory``.
INVENTORY_ROW = 1


def utcnow():
    return datetime.datetime.now(datetime.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Group(Base):
    """A named group (``/v1/groups``); ``members`` are project ids."""

    __tablename__ = "groups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[list] = mapped_column(JSON, default=list)
    # NOTE: diversity's per-domain limit (revision 0005); 1 is the classic rule.
    max_per_domain: Mapped[int] = mapped_column(Integer, default=1,
                                                server_default="1")
    # NOTE: hard or soft (revision 0006); hard is the rule of older groups.
    enforcement: Mapped[str] = mapped_column(String(16), default="hard",
                                             server_default="hard")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)


class Plan(Base):
    """A stack's plan: the Heat resources it was planned from."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # NOTE: unique so that two API workers planning one stack at once cannot
    # both commit it (DESIGN §4: the same stack_id returns the existing plan).
    stack_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    project_id: Mapped[str | None] = mapped_column(String(255))
    resources: Mapped[dict] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)


class Placement(Base):
    """A resource at a location.  ``plan_id`` is empty for placements made
    outside any plan (existing servers); those keep their Heat ``entry``."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(state) for state in STATES)})",
                        name="state"),
    )

    orchestration_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    plan_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    location: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    resource_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # NOTE: none_as_null keeps "no entry" a SQL NULL rather than JSON 'null'.
    entry: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    updated_at: Mapped[float] = mapped_column(Double)   # epoch seconds, as the engine keeps it
    # NOTE: the names of the named groups it is in, so the store can refuse
    # to delete a group in use without an engine (NULL in rows of 0001).
    named_groups: Mapped[list | None] = mapped_column(JSON)


class EngineGeneration(Base):
    """One row counting committed changes: every commit moves it on by one,
    and a commit planned on an older generation is refused (DESIGN §6)."""

    __tablename__ = "engine_generation"
    __table_args__ = (CheckConstraint(f"id = {GENERATION_ROW}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class Change(Base):
    """What the commit that made ``generation`` changed (a delta of
    :mod:`ostro.replica.changes`, or a flag that groups changed or that the
    whole state was replaced); engines replay these to catch up."""

    __tablename__ = "changes"

    generation: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)
    body: Mapped[dict] = mapped_column(JSON)


class Inventory(Base):
    """The data centre an inventory driver that syncs (``nova``) last wrote:
    one row, the inventory document (the YAML format of doc/inventory.md as
    JSON), so every engine and API worker plans on the same data centre."""

    __tablename__ = "inventory"
    __table_args__ = (CheckConstraint(f"id = {INVENTORY_ROW}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True),
                                                          default=utcnow)

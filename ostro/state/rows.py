"""The engine snapshot (:func:`ostro.replica.records.dump`) as rows of ``plans`` and
``placements``, and back.

:func:`replace` makes the tables hold exactly a snapshot's plans and
placements.  It compares with what is stored and writes only the rows that
differ, so unchanged plans keep their ``created_at``; it still *reads* every
row each time (see :class:`ostro.state.store.Store` for that limitation).
:func:`write_change` writes a delta, reading only the rows it names.
"""

from sqlalchemy import delete, insert, or_, select, update

from ostro.state import models

PLANS = models.Plan.__table__
PLACEMENTS = models.Placement.__table__

#: Snapshot record key -> column, for each table.
PLAN_COLUMNS = {"id": "id", "name": "name", "stack_id": "stack_id",
                "project_id": "project_id", "resources": "resources", "method": "method"}
PLACEMENT_COLUMNS = {"orch_id": "orchestration_id", "plan_id": "plan_id",
                     "location": "location", "state": "state", "updated_at": "updated_at",
                     "resource_id": "resource_id", "entry": "entry",
                     "named_groups": "named_groups"}


def read(connection):
    """The stored ``{"plans": [...], "placements": [...]}`` in dump's shape.

    Plans come oldest first; placements by orchestration id.
    """
    plans = connection.execute(
        select(*(PLANS.c[column] for column in PLAN_COLUMNS.values()))
        .order_by(PLANS.c.created_at, PLANS.c.id))
    placements = connection.execute(
        select(*(PLACEMENTS.c[column] for column in PLACEMENT_COLUMNS.values()))
        .order_by(PLACEMENTS.c.orchestration_id))
    # NOTE: rows as tuples zipped with the record's keys: a million
    # placements are read when a cache starts, and a row's mapping view
    # costs several times as much per field.
    plan_keys, placement_keys = tuple(PLAN_COLUMNS), tuple(PLACEMENT_COLUMNS)
    placement_records = [dict(zip(placement_keys, row, strict=True))
                         for row in placements]
    for record in placement_records:
        if record["named_groups"] is None:
            record["named_groups"] = []        # rows written before revision 0002
    return {"plans": [dict(zip(plan_keys, row, strict=True)) for row in plans],
            "placements": placement_records}


def replace(connection, data, stamp):
    """Make the tables hold exactly ``data``'s plans and placements.

    ``stamp`` (a datetime) is written to ``created_at``/``updated_at`` of the
    plan rows this changes.
    """
    resources = {plan["id"]: plan["resources"] for plan in data["plans"]}
    plans = {record["id"]: _plan_values(record) for record in data["plans"]}
    placements = {record["orch_id"]: _placement_values(
                      record, resources.get(record["plan_id"], {}).get(record["orch_id"]))
                  for record in data["placements"]}
    plans_key, placements_key = PLANS.c.id, PLACEMENTS.c.orchestration_id
    stored_plans = _stored(connection, plans_key, PLAN_COLUMNS.values())
    stored_placements = _stored(connection, placements_key,
                                [*PLACEMENT_COLUMNS.values(), "name"])
    # NOTE: deletes first, so a new row may take a unique value (stack_id,
    # orchestration_id) that a removed one held; plans before placements on
    # the way in, for the foreign key.
    _delete(connection, placements_key, stored_placements.keys() - placements.keys())
    _delete(connection, plans_key, stored_plans.keys() - plans.keys())
    _write(connection, plans_key, plans, stored_plans,
           new={"created_at": stamp, "updated_at": stamp}, changed={"updated_at": stamp})
    _write(connection, placements_key, placements, stored_placements)


def write_change(connection, change, stamp):
    """Make the tables hold a delta of :mod:`ostro.replica.changes`: each plan
    in it (with all its placements) as recorded, or gone; likewise each
    placement outside any plan.

    A delta carries whole plans, but a row is written only when it differs
    from what is stored: reserving one server of a plan rewrites that one
    placement row.  Reads only the rows of the plans and placements it names.
    """
    plans = change.get("plans", {})
    loose = change.get("placements", {})
    wanted = {}
    for plan_id, record in plans.items():
        if record is None:
            continue
        values = _plan_values(record)
        updated = connection.execute(update(PLANS).where(PLANS.c.id == plan_id)
                                     .values(**values, updated_at=stamp))
        if updated.rowcount == 0:
            connection.execute(insert(PLANS).values(**values, created_at=stamp,
                                                    updated_at=stamp))
        for placement in record["placements"]:
            wanted[placement["orch_id"]] = _placement_values(
                placement, record["resources"].get(placement["orch_id"]))
    for orch_id, record in loose.items():
        if record is not None:
            wanted[orch_id] = _placement_values(record)
    key = PLACEMENTS.c.orchestration_id
    stored = {row.orchestration_id: dict(row._mapping) for row in connection.execute(
        select(*(PLACEMENTS.c[column] for column in [*PLACEMENT_COLUMNS.values(), "name"]))
        .where(or_(PLACEMENTS.c.plan_id.in_(sorted(plans)),
                   key.in_(sorted(loose.keys() | wanted.keys())))))}
    # NOTE: a plan's placement rows go before the plan, for the foreign key.
    _delete(connection, key, stored.keys() - wanted.keys())
    _delete(connection, PLANS.c.id, [plan_id for plan_id, record in plans.items()
                                     if record is None])
    _write(connection, key, wanted, stored)


def _plan_values(record):
    return {**_values(record, PLAN_COLUMNS), "method": record.get("method") or ""}


def _placement_values(record, planned_entry=None):
    """A placement record's column values; its ``name`` comes from its Heat
    entry (its own, for a placement outside any plan, else its plan's)."""
    entry = record.get("entry") or planned_entry or {}
    return {**_values(record, PLACEMENT_COLUMNS), "name": entry.get("name") or record["orch_id"]}


def _values(record, columns):
    return {column: record.get(key) for key, column in columns.items()}


def _stored(connection, key_column, columns):
    """Key -> the stored row's values of ``columns``."""
    table = key_column.table
    query = select(*(table.c[column] for column in columns))
    return {row._mapping[key_column.name]: dict(row._mapping)
            for row in connection.execute(query)}


def _delete(connection, key_column, keys):
    if keys:
        connection.execute(delete(key_column.table).where(key_column.in_(sorted(keys))))


def _write(connection, key_column, wanted, stored, new=None, changed=None):
    """Update the rows of ``wanted`` that differ from ``stored``, insert the
    missing ones.  ``new`` and ``changed`` are extra values for each."""
    table = key_column.table
    for key, values in wanted.items():
        if key in stored and any(stored[key][column] != value
                                 for column, value in values.items()):
            connection.execute(update(table).where(key_column == key)
                               .values(**values, **(changed or {})))
    rows = [{**values, **(new or {})} for key, values in wanted.items() if key not in stored]
    if rows:
        connection.execute(insert(table), rows)

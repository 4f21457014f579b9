"""The change log's bodies that are not deltas (DESIGN §6).

Most change-log rows hold a delta of :mod:`ostro.replica.changes`; these
markers say instead that a cache cannot replay the row and must re-read
part or all of the store.  They are keys of a JSON body (``{"reload":
true}``), so the values below are what the database holds.
"""

import enum


class Marker(enum.StrEnum):
    #: The named groups changed: re-read them.
    GROUPS = "groups"
    #: The whole state was replaced: re-read everything.
    RELOAD = "reload"
    #: The data centre was replaced (always logged with ``RELOAD``).
    INVENTORY = "inventory"


def body(*markers):
    """A change-log body holding only ``markers``."""
    return {marker.value: True for marker in markers}


def has(change, marker):
    """Whether a change-log body carries ``marker``."""
    return marker.value in change

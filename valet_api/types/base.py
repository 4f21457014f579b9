"""Reading request bodies into WSME types, and writing them back as JSON."""

from wsme import types as wtypes
from wsme.rest import json as wsme_json

from valet_api import errors


def parse(datatype, body):
    """``body`` (a dict from JSON) as a ``datatype`` instance; every problem
    is a 400 that names the field."""
    for attribute in wtypes.list_attributes(datatype):
        value = body.get(attribute.name)
        if attribute.name in body and value is None and attribute.mandatory:
            raise errors.BadRequest(f"field {attribute.name} must not be null")
        # NOTE: WSME reports a non-list as a bare ValueError without the field.
        if isinstance(attribute.datatype, wtypes.ArrayType) and attribute.name in body \
                and (not isinstance(value, list) or None in value):
            raise errors.BadRequest(f"field {attribute.name} must be a list of values "
                                    "(no nulls)")
        # NOTE: WSME would call int() on an object or a list (a TypeError).
        if attribute.datatype is int and value is not None and \
                (isinstance(value, bool) or not isinstance(value, int)):
            raise errors.BadRequest(f"field {attribute.name} must be an integer")
    unknown = sorted(set(body) - {attribute.name for attribute in
                                  wtypes.list_attributes(datatype)})
    if unknown:
        raise errors.BadRequest(f"unknown field(s): {', '.join(unknown)}")
    return wsme_json.fromjson(datatype, body)


def dump(datatype, value):
    """``value`` (a ``datatype`` instance) as plain JSON data."""
    return wsme_json.tojson(datatype, value)

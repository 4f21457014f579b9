"""What every Valet command shares, under ``openstack`` and ``valet`` alike:
the Valet client of the front-end that runs it, a refusal turned into
Valet's reason on stderr and a non-zero exit status, reading the files a
command names, and how nested values show in tables.

Columns are the API's own field names (``id``, ``location``, ``stack_id``),
so ``-c FIELD`` and ``-f json`` read like doc/api.md."""

import json

from cliff import columns
from osc_lib import exceptions, utils

from valet_openstack import client as valet_client
from valet_openstack.cli import osc_plugin

#: The exit status of a command Valet refused (or could not be asked).
REFUSED = 1


class ValetCommand:
    """Put ahead of cliff's ``Command``, ``Lister`` or ``ShowOne``."""

    @property
    def auth_required(self):
        # NOTE: osc's shell reads this before each command to decide whether
        # to get a token: not when only a Valet URL is configured (noauth).
        return not osc_plugin.is_noauth(self.app.cloud.config)

    @property
    def valet(self):
        """The :class:`~valet_openstack.client.ValetClient` of this run."""
        return getattr(self.app.client_manager, osc_plugin.API_NAME)

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except valet_client.ValetError as refused:
            report_refusal(self.app.stderr, refused)
            return REFUSED


def report_refusal(stream, refused):
    """Valet's own reason (its error body's message), how it answered, and
    each hint of a refusal (what would make a stack fit) on ``stream``."""
    answer = f"HTTP {refused.status}" if refused.status else "no answer"
    kind = f" {refused.kind}" if refused.kind else ""
    stream.write(f"ERROR: {refused.message} ({answer}{kind})\n")
    for hint in refused.details.get("hints") or ():
        stream.write(f"  hint: {hint}\n")


def read_text(path):
    try:
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise exceptions.CommandError(f"cannot read {path}: {exc}") from exc


def read_json(path):
    try:
        return json.loads(read_text(path))
    except ValueError as exc:
        raise exceptions.CommandError(f"{path} is not JSON: {exc}") from exc


def show(record, fields, formatters=None):
    """``(columns, values)`` of a ShowOne: the ``fields`` ``record`` has
    (one left out by policy, e.g. ``location``, is not shown empty)."""
    shown = tuple(field for field in fields if field in record)
    return shown, utils.get_dict_properties(record, shown, formatters=formatters or {})


def rows(records, fields, formatters=None):
    """The rows of a Lister: each record's ``fields`` ('' where missing)."""
    return (utils.get_dict_properties(record, fields, formatters=formatters or {})
            for record in records)


class UsageColumn(columns.FormattableColumn):
    """``{"used": u, "capacity": c}``: ``u/c`` in a table, both numbers in
    json and yaml."""

    def human_readable(self):
        return f"{self._value['used']}/{self._value['capacity']}"

    def machine_readable(self):
        return dict(self._value)


class PlacementsColumn(columns.FormattableColumn):
    """A plan's ``{orch_id: {name, location?}}``: a line per server in a
    table, the object itself in json and yaml."""

    def human_readable(self):
        return "\n".join(
            f"{placed.get('name', '')} ({orch_id})"
            + (f": {placed['location']}" if placed.get("location") else "")
            for orch_id, placed in sorted(self._value.items()))

    def machine_readable(self):
        return dict(self._value)

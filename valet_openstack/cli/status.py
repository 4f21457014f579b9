"""``valet status`` (is Valet able to serve: ``/v1/status``) and ``valet
violation list`` (placed servers and volumes that now break their rules:
``/v1/resources``)."""

from cliff import lister, show
from osc_lib.cli import format_columns

from valet_openstack.cli import common

VIOLATION = ("resource", "type", "status", "message")


class ShowStatus(common.ValetCommand, show.ShowOne):
    """Show whether Valet's engine and database are up (exit 1 if not)."""

    def take_action(self, parsed_args):
        status = self.valet.status()
        return common.show(status, ("engine", "database"),
                           {"engine": format_columns.DictColumn,
                            "database": format_columns.DictColumn})


class ListViolations(common.ValetCommand, lister.Lister):
    """List placed servers and volumes that break their rules now.

    With the reasons: a host shrank or went away, a group changed, ..."""

    def take_action(self, parsed_args):
        violations = self.valet.list_violations()
        return VIOLATION, ((resource, found.get("type", ""), found.get("status", ""),
                            found.get("message", ""))
                           for resource, found in sorted(violations.items()))

"""``valet plan create|list|show|update|migrate|delete``: stacks placed by
Valet (``/v1/plans``).

``plan create --template`` sends the HOT template's text (with
``--parameter`` values and the ``--environment`` file's text) for Valet to
translate into Heat's resources, so no Heat is needed here; ``--resources``
sends a resources object (DESIGN §4) as it is.  The answer of create,
update and migrate is a table of where each server (and volume) goes."""

import logging

from cliff import command, lister, show
from osc_lib import exceptions
from osc_lib.cli import format_columns, parseractions

from valet_openstack import client as valet_client
from valet_openstack.cli import common

LOG = logging.getLogger(__name__)

FIELDS = ("id", "name", "stack_id", "placements")
TABLE = ("server", "host", "rack", "cluster", "zone", "groups")


def placement_table(valet, plan):
    """``(TABLE, rows)``: one row per placement of ``plan``, by server name.
    A dry run's answer names rack, cluster, zone and groups itself; for a
    stored plan rack, cluster and zone come from ``/v1/hosts`` when the
    caller may read it (else they stay empty, as do the groups)."""
    hosts = {} if plan.get("dry_run") else hosts_by_name(valet)
    ordered = sorted(plan["placements"].items(),
                     key=lambda item: (item[1].get("name") or item[0], item[0]))
    return TABLE, [placement_row(orch_id, placed, hosts) for orch_id, placed in ordered]


def placement_row(orch_id, placed, hosts):
    host = hosts.get(placed.get("location"), {})

    def where(field):
        # NOTE: null (a shared storage backend is in no rack) shows empty.
        found = placed.get(field, host.get(field))
        return "" if found is None else found

    return (placed.get("name") or orch_id, where("location"), where("rack"), where("cluster"),
            where("availability_zone"), format_columns.ListColumn(placed.get("groups", [])))


def hosts_by_name(valet):
    """name → host of ``GET /v1/hosts``; ``{}`` when the caller may not read
    it (hosts are for admin and service) or it fails: the plan stands."""
    try:
        return {host["name"]: host for host in valet.list_hosts()}
    except valet_client.ValetError as exc:
        if exc.status != 403:
            LOG.warning("rack, cluster and zone not shown: %s", exc.message)
        return {}


def add_plan_argument(parser):
    parser.add_argument("plan", metavar="<plan>", help="Plan id or stack id")
    return parser


class CreatePlan(common.ValetCommand, lister.Lister):
    """Plan a stack from a HOT template or Heat resources.

    With --dry-run: where it would go (or why it will not fit), storing
    nothing."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--template", metavar="<file>", help="HOT template (YAML)")
        source.add_argument("--resources", metavar="<file>",
                            help="JSON: Heat's resources object {orch_id: {type, name, "
                                 "properties, ...}}")
        parser.add_argument("--parameter", dest="parameters", metavar="<key=value>",
                            action=parseractions.KeyValueAction,
                            help="Template parameter (repeat for several)")
        parser.add_argument("--environment", metavar="<file>", help="Heat environment file")
        parser.add_argument("--stack-id", metavar="<id>",
                            help="The stack's id (needed unless --dry-run)")
        parser.add_argument("--name", metavar="<name>", help="Plan name (default: stack id)")
        parser.add_argument("--dry-run", action="store_true",
                            help="Only answer where it would go; store and reserve nothing")
        return parser

    def take_action(self, parsed_args):
        if not (parsed_args.stack_id or parsed_args.dry_run):
            raise exceptions.CommandError("give --stack-id (or --dry-run)")
        if parsed_args.template is None and (parsed_args.parameters
                                             or parsed_args.environment):
            raise exceptions.CommandError("--parameter and --environment go with --template")
        plan = self.valet.submit_plan(
            stack_id=parsed_args.stack_id, name=parsed_args.name,
            resources=parsed_args.resources and common.read_json(parsed_args.resources),
            template=parsed_args.template and common.read_text(parsed_args.template),
            parameters=parsed_args.parameters,
            environment=parsed_args.environment and common.read_text(parsed_args.environment),
            dry_run=parsed_args.dry_run)
        return placement_table(self.valet, plan)


class ListPlans(common.ValetCommand, lister.Lister):
    """List plans.

    Those of the caller's project, unless it may see all."""

    def take_action(self, parsed_args):
        plans = sorted(self.valet.list_plans(), key=lambda plan: (plan["name"], plan["id"]))
        return FIELDS, (tuple(plan.get(field, "") for field in FIELDS[:-1])
                        + (len(plan.get("placements", {})),) for plan in plans)


class ShowPlan(common.ValetCommand, show.ShowOne):
    """Show a plan and where its servers are."""

    def get_parser(self, prog_name):
        return add_plan_argument(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        return common.show(self.valet.get_plan(parsed_args.plan), FIELDS,
                           {"placements": common.PlacementsColumn})


class UpdatePlan(common.ValetCommand, lister.Lister):
    """Re-plan a stack from its resources as they are now.

    Unchanged servers stay, new and resized ones are placed, removed ones
    released."""

    def get_parser(self, prog_name):
        parser = add_plan_argument(super().get_parser(prog_name))
        parser.add_argument("--resources", metavar="<file>", required=True,
                            help="JSON: the stack's resources object as it is now")
        return parser

    def take_action(self, parsed_args):
        plan = self.valet.update_plan(parsed_args.plan, common.read_json(parsed_args.resources))
        return placement_table(self.valet, plan)


class MigratePlan(common.ValetCommand, lister.Lister):
    """Move one server of a plan off its host (and any --exclude-host)."""

    def get_parser(self, prog_name):
        parser = add_plan_argument(super().get_parser(prog_name))
        parser.add_argument("resource", metavar="<resource>",
                            help="Orchestration id or Nova resource id of the server")
        parser.add_argument("--exclude-host", dest="excluded_hosts", metavar="<host>",
                            action="append", default=[],
                            help="Another host it must not go to (repeat for several)")
        return parser

    def take_action(self, parsed_args):
        plan = self.valet.migrate(parsed_args.plan, parsed_args.resource,
                                  parsed_args.excluded_hosts)
        return placement_table(self.valet, plan)


class DeletePlan(common.ValetCommand, command.Command):
    """Delete plans, releasing every placement of each."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("plans", metavar="<plan>", nargs="+",
                            help="Plan id or stack id (repeat to delete several)")
        return parser

    def take_action(self, parsed_args):
        for plan in parsed_args.plans:
            self.valet.delete_plan(plan, missing_ok=False)

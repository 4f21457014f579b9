"""``valet placement list|show|reserve|replan``: one placed server or
volume each (``/v1/placements``); reserve and replan are what Nova's
filter asks, for an admin to do by hand."""

from cliff import lister, show
from osc_lib.cli import format_columns, parseractions

from valet_openstack.cli import common

FIELDS = ("id", "name", "orchestration_id", "resource_id", "location", "reserved",
          "metadata", "plan_id")
LISTED = ("id", "name", "plan_id", "location", "reserved", "resource_id")
FORMATTERS = {"metadata": format_columns.DictColumn}


def add_placement_argument(parser):
    parser.add_argument("placement", metavar="<placement>",
                        help="Placement id (orchestration id) or resource id")
    return parser


class ListPlacements(common.ValetCommand, lister.Lister):
    """List placements (every filter given must match)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--plan", metavar="<plan>", help="Plan id or stack id")
        parser.add_argument("--name", metavar="<name>")
        parser.add_argument("--location", "--host", dest="location", metavar="<host>",
                            help="Host (or storage backend) name")
        parser.add_argument("--resource-id", metavar="<id>", help="Nova's (or Cinder's) id")
        reserved = parser.add_mutually_exclusive_group()
        reserved.add_argument("--reserved", dest="reserved", action="store_const",
                              const="true", help="Reserved (or active) ones only")
        reserved.add_argument("--planned", dest="reserved", action="store_const",
                              const="false", help="Not yet reserved ones only")
        parser.add_argument("--property", dest="metadata", metavar="<key=value>",
                            action=parseractions.KeyValueAction, default={},
                            help="A Heat scheduler hint the placement keeps (repeat)")
        return parser

    def take_action(self, parsed_args):
        filters = {field: getattr(parsed_args, field)
                   for field in ("name", "location", "resource_id", "reserved")
                   if getattr(parsed_args, field) is not None}
        if parsed_args.plan:
            # NOTE: the API filters on the plan's id; a person knows the stack's too.
            filters["plan_id"] = self.valet.get_plan(parsed_args.plan)["id"]
        placements = self.valet.list_placements(**{**parsed_args.metadata, **filters})
        placements.sort(key=lambda placement: (placement.get("plan_id") or "",
                                               placement["name"], placement["id"]))
        return LISTED, common.rows(placements, LISTED)


class ShowPlacement(common.ValetCommand, show.ShowOne):
    """Show one placement."""

    def get_parser(self, prog_name):
        return add_placement_argument(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        return common.show(self.valet.get_placement(parsed_args.placement), FIELDS,
                           FORMATTERS)


class _PlacementAction(common.ValetCommand, show.ShowOne):
    def get_parser(self, prog_name):
        parser = add_placement_argument(super().get_parser(prog_name))
        parser.add_argument("--location", "--host", dest="locations", metavar="<host>",
                            action="append", required=True,
                            help="A host it may use (repeat for several)")
        parser.add_argument("--resource-id", metavar="<id>",
                            help="Nova's id of the server, to record")
        return parser


class ReservePlacement(_PlacementAction):
    """Reserve a placement as Nova's filter does.

    On its planned host if that is among --location, else re-planned within
    them."""

    def take_action(self, parsed_args):
        placement = self.valet.reserve(parsed_args.placement, parsed_args.locations,
                                       parsed_args.resource_id)
        return common.show(placement, FIELDS, FORMATTERS)


class ReplanPlacement(_PlacementAction):
    """Re-place one server within --location (it stays planned)."""

    def take_action(self, parsed_args):
        placement = self.valet.replan(parsed_args.placement, parsed_args.locations,
                                      parsed_args.resource_id)
        return common.show(placement, FIELDS, FORMATTERS)

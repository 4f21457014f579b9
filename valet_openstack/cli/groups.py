"""``valet group create|list|show|set|delete``: Valet's named groups
(``/v1/groups``).  ``group create NAME TYPE`` keeps the original Valet
CLI's positional type; ``group update`` is ``group set`` (doc/cli.md)."""

from cliff import command, lister, show
from osc_lib import exceptions
from osc_lib.cli import format_columns

from valet_openstack.cli import common

# NOTE: members stays last: a list leaves it out for callers who may not see it.
FIELDS = ("id", "name", "type", "level", "description", "max_per_domain", "enforcement",
          "members")
FORMATTERS = {"members": format_columns.ListColumn}
KINDS = ("affinity", "diversity", "exclusivity")
LEVELS = ("host", "rack", "cluster")


def add_description(parser, help_text):
    # NOTE: --desc is how the original's users abbreviated --description
    # (argparse took any unique prefix there); both stay accepted here.
    parser.add_argument("--description", "--desc", dest="description", metavar="<text>",
                        help=help_text)


class CreateGroup(common.ValetCommand, show.ShowOne):
    """Create a named group (servers join it by metadata valet.groups).

    Its servers share a host, rack or cluster (affinity), never share one
    (diversity), or have it to themselves (exclusivity)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", metavar="<name>", help="Name ([A-Za-z0-9-._~]+, unique)")
        parser.add_argument("type", metavar="<type>", choices=KINDS,
                            help="affinity, diversity or exclusivity")
        parser.add_argument("--level", default="host", choices=LEVELS,
                            help="Where the rule holds: host (default), rack or cluster")
        add_description(parser, "What the group is for")
        parser.add_argument("--member", dest="members", metavar="<project-id>",
                            action="append", default=[],
                            help="A project whose servers may join (repeat; none: any)")
        parser.add_argument("--max-per-domain", type=int, metavar="<n>",
                            help="diversity: members allowed per domain of the level "
                                 "(default 1)")
        parser.add_argument("--soft", dest="enforcement", action="store_const", const="soft",
                            help="affinity, diversity: keep the rule when possible; a plan "
                                 "that cannot names it instead of being refused")
        return parser

    def take_action(self, parsed_args):
        group = self.valet.create_group(parsed_args.name, parsed_args.type, parsed_args.level,
                                        parsed_args.description, parsed_args.members,
                                        max_per_domain=parsed_args.max_per_domain,
                                        enforcement=parsed_args.enforcement)
        return common.show(group, FIELDS, FORMATTERS)


class ListGroups(common.ValetCommand, lister.Lister):
    """List the named groups.

    Their members are shown to those allowed to see them (admins)."""

    def take_action(self, parsed_args):
        groups = sorted(self.valet.list_groups(), key=lambda group: group["name"])
        # NOTE: members the caller may not see are left out by the API; an
        # empty column would read as "open to any project".
        fields = FIELDS if any("members" in group for group in groups) else FIELDS[:-1]
        return fields, common.rows(groups, fields, FORMATTERS)


class ShowGroup(common.ValetCommand, show.ShowOne):
    """Show one named group."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", metavar="<group>", help="Group name or id")
        return parser

    def take_action(self, parsed_args):
        return common.show(self.valet.get_group(parsed_args.group), FIELDS, FORMATTERS)


class SetGroup(common.ValetCommand, command.Command):
    """Change a group's description.

    Name, type and level never change."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", metavar="<group>", help="Group name or id")
        add_description(parser, "The new description")
        return parser

    def take_action(self, parsed_args):
        if parsed_args.description is None:
            # NOTE: the API needs a description; nothing else may change.
            raise exceptions.CommandError("give --description: it is all that changes")
        self.valet.update_group(parsed_args.group, parsed_args.description)


class DeleteGroup(common.ValetCommand, command.Command):
    """Delete named groups.

    Refused while a group has member projects or placed servers."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("groups", metavar="<group>", nargs="+",
                            help="Group name or id (repeat to delete several)")
        return parser

    def take_action(self, parsed_args):
        for group in parsed_args.groups:
            self.valet.delete_group(group, missing_ok=False)

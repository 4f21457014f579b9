"""``valet group member add|remove|list``: the projects whose servers may
join a named group (``/v1/groups/{id}/members``; an empty list: any).
The original CLI's ``group update-member``, ``delete-member`` and
``delete-all-members`` are the same classes under those names."""

from cliff import command, lister
from osc_lib import exceptions

from valet_openstack.cli import common


def group_and_projects(parser, verb):
    parser.add_argument("group", metavar="<group>", help="Group name or id")
    parser.add_argument("projects", metavar="<project-id>", nargs="+",
                        help=f"Project to {verb} (repeat for several)")
    return parser


class AddMembers(common.ValetCommand, command.Command):
    """Add member projects to a group: their servers may join it."""

    def get_parser(self, prog_name):
        return group_and_projects(super().get_parser(prog_name), "add")

    def take_action(self, parsed_args):
        self.valet.add_members(parsed_args.group, parsed_args.projects)


class RemoveMembers(common.ValetCommand, command.Command):
    """Remove member projects from a group.

    Refused while a project has servers in the group."""

    def get_parser(self, prog_name):
        return group_and_projects(super().get_parser(prog_name), "remove")

    def take_action(self, parsed_args):
        for project in parsed_args.projects:
            self.valet.remove_member(parsed_args.group, project)


class RemoveAllMembers(common.ValetCommand, command.Command):
    """Remove every member project of a group: it is then open to any."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", metavar="<group>", help="Group name or id")
        return parser

    def take_action(self, parsed_args):
        self.valet.remove_all_members(parsed_args.group)


class ListMembers(common.ValetCommand, lister.Lister):
    """List a group's member projects.

    Admins only (policy valet:groups:members:list)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("group", metavar="<group>", help="Group name or id")
        return parser

    def take_action(self, parsed_args):
        group = self.valet.get_group(parsed_args.group)
        if "members" not in group:
            # NOTE: the API leaves the field out rather than refuse the group.
            raise exceptions.CommandError(
                f"the members of group {group['name']} are not shown to you "
                "(policy valet:groups:members:list)")
        return ("project",), ((project,) for project in sorted(group["members"]))

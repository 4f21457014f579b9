"""``valet host list|show``: the hosts Valet places on, with what is used
of each (``/v1/hosts``; admin and service only)."""

from cliff import lister, show
from osc_lib.cli import format_columns

from valet_openstack.cli import common

DIMENSIONS = ("vcpus", "memory_mb", "disk_gb")
LISTED = ("name", "rack", "cluster", "availability_zone", "enabled", *DIMENSIONS,
          "placements")
FIELDS = ("name", "rack", "cluster", "availability_zone", "enabled", "aggregates",
          "capacity", "used", "uplink_mbps", "bandwidth_used_mbps", "groups", "placements")
FORMATTERS = {"aggregates": format_columns.ListColumn, "groups": format_columns.ListColumn,
              "placements": format_columns.ListColumn, "capacity": format_columns.DictColumn,
              "used": format_columns.DictColumn}


def listed(host):
    """``host`` as a row of the list: each dimension as used/capacity, the
    number of placements."""
    usage = {dimension: common.UsageColumn({"used": host["used"][dimension],
                                            "capacity": host["capacity"][dimension]})
             for dimension in DIMENSIONS}
    return {**host, **usage, "placements": len(host["placements"])}


class ListHosts(common.ValetCommand, lister.Lister):
    """List hosts: vCPUs, RAM (MB) and disk (GB) as used/capacity."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--rack", metavar="<rack>", help="Only the hosts of this rack")
        parser.add_argument("--cluster", metavar="<cluster>",
                            help="Only the hosts of this cluster")
        return parser

    def take_action(self, parsed_args):
        hosts = [host for host in self.valet.list_hosts()
                 if parsed_args.rack in (None, host["rack"])
                 and parsed_args.cluster in (None, host["cluster"])]
        hosts.sort(key=lambda host: host["name"])
        return LISTED, common.rows(map(listed, hosts), LISTED)


class ShowHost(common.ValetCommand, show.ShowOne):
    """Show one host: capacity, usage, groups and placements on it."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("host", metavar="<host>", help="Host name")
        return parser

    def take_action(self, parsed_args):
        return common.show(self.valet.get_host(parsed_args.host), FIELDS, FORMATTERS)

"""The standalone ``valet`` command: the commands of ``openstack valet ...``
without python-openstackclient.

It is osc-lib's shell (a cliff App), so it reads what every OpenStack
command line reads: ``OS_*`` variables and ``--os-*`` options through
keystoneauth1's auth plugins, ``clouds.yaml`` (``--os-cloud``/``OS_CLOUD``)
through openstacksdk's config loader, plus Valet's ``--os-valet-url`` /
``VALET_URL`` (:mod:`.osc_plugin`).  Its commands are the entry points of
``openstack.placement_optimizer.v1`` with their leading ``valet`` dropped:
``openstack valet group list`` is ``valet group list``.
"""

import functools
import sys
from importlib import metadata

from cliff import commandmanager
from osc_lib import clientmanager, exceptions, shell
from osc_lib.api import auth

from valet_openstack.cli import osc_plugin

NAMESPACE = "openstack.placement_optimizer.v1"
PREFIX = "valet "


class CommandManager(commandmanager.CommandManager):
    """The commands of :data:`NAMESPACE`, named without :data:`PREFIX`."""

    def __init__(self):
        super().__init__(NAMESPACE)

    def load_commands(self, namespace):
        super().load_commands(namespace)
        self.commands = {name.removeprefix(PREFIX): entry
                         for name, entry in self.commands.items()}


class ClientManager(clientmanager.ClientManager):
    """osc-lib's (authentication, session, catalog) with Valet's client, as
    osc's ClientManager gets it from the plugin."""

    @functools.cached_property
    def placement_optimizer(self):
        return osc_plugin.make_client(self)


class ValetApp(shell.OpenStackShell):
    def __init__(self):
        super().__init__(description="Valet, the placement optimizer for OpenStack",
                         version=_version(), command_manager=CommandManager(),
                         deferred_help=True)
        self.api_version = {osc_plugin.API_NAME: osc_plugin.DEFAULT_API_VERSION}

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version, argparse_kwargs)
        parser = auth.build_auth_plugins_option_parser(parser)
        return osc_plugin.build_option_parser(parser)

    def _final_defaults(self):
        super()._final_defaults()
        # NOTE: as `openstack` does: password authentication unless
        # --os-auth-type (OS_AUTH_TYPE, clouds.yaml's auth_type) says otherwise.
        self._auth_type = "password"

    def prepare_to_run_command(self, cmd):
        config = self.cloud.config
        auth_url = (config.get("auth") or {}).get("auth_url") or config.get("auth_url")
        if (getattr(cmd, "auth_required", False) and config.get("auth_type") == "password"
                and not auth_url):
            # NOTE: osc-lib would say "Missing value auth-url"; most people
            # meeting it first run `make run`'s noauth server.
            raise exceptions.CommandError(
                "where is Valet? Set VALET_URL (or --os-valet-url) for a noauth Valet, "
                "or OS_AUTH_URL / OS_CLOUD (--os-auth-url, --os-cloud) for Keystone")
        super().prepare_to_run_command(cmd)

    def initialize_app(self, argv):
        super().initialize_app(argv)
        self.client_manager = ClientManager(cli_options=self.cloud,
                                            api_version=self.api_version,
                                            pw_func=shell.prompt_for_password)


def _version():
    try:
        return metadata.version("openstack-valet")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv=None):
    return ValetApp().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())

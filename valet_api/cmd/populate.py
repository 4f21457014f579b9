"""``pecan populate etc/valet/config.py``: create or upgrade the schema.

A ``pecan.command`` entry point, for deployments driven by pecan's own
commands (the original Valet's ``pecan populate``).  It reads the pecan
configuration file, finds the oslo.config files it names
(:func:`valet_api.app.config_files`: ``valet.config_file``, else
``VALET_CONFIG_FILE``, else oslo.config's default search path) and brings
``[database] connection`` to the newest schema: the same idempotent upgrade
as ``valet-db-manage upgrade``, so running it again changes nothing.
"""

from pecan import configuration
from pecan.commands.base import BaseCommand

from ostro.state import migrate
from valet_api import app as valet_app


class PopulateCommand(BaseCommand):
    """Create or upgrade the Valet database schema (idempotent)."""

    def run(self, args):
        super().run(args)
        # NOTE: the app is not built: populating must not need the inventory
        # or a usable schema, only the database URL.
        path = args.config_file or configuration.get_conf_path_from_env()
        config = configuration.conf_from_file(path)
        conf = valet_app.default_conf(config_files=valet_app.config_files(config))
        print(f"valet: {migrate.upgrade_and_say(conf.database.connection)}")

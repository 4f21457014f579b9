"""Schema migrations of the store, and ``valet-db-manage``.

``valet-db-manage [--config-file FILE] [--config-dir DIR] [--log-file FILE]
[--debug] upgrade|current|version`` reads ``[database] connection`` and:

* ``upgrade`` — brings the schema to the newest revision (a no-op when it is
  there already, so it is safe on every deployment);
* ``current`` — prints the database's revision and whether it is the newest;
* ``version`` — prints the database's revision alone (``none`` when empty).

The answer is printed on stdout; oslo.log's lines (Alembic's "Running
upgrade ..." among them) go to ``--log-file``, else to stderr.

The Alembic scripts ship inside the package (``ostro/state/migrations``), so
this works from an installed copy; no ``alembic.ini`` is involved.
"""

import pathlib
import sys

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from oslo_config import cfg
from oslo_log import log as logging

from ostro import config as engine_config
from ostro.state import database, options

MIGRATIONS = pathlib.Path(__file__).with_name("migrations")


def alembic_config(connection=None):
    """Alembic's configuration for our scripts, bound to ``connection``."""
    alembic_cfg = Config()
    alembic_cfg.set_main_option("script_location", str(MIGRATIONS))
    alembic_cfg.attributes["connection"] = connection
    return alembic_cfg


def head():
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(connection_url, revision="head"):
    """Bring the database at ``connection_url`` to ``revision``; returns the
    revision it is at afterwards."""
    engine = database.create_engine(connection_url)
    try:
        with database.writing(engine) as connection:
            command.upgrade(alembic_config(connection), revision)
            return _revision(connection)
    finally:
        engine.dispose()


def current(connection_url):
    """The database's revision, or ``None`` before the first upgrade."""
    engine = database.create_engine(connection_url)
    try:
        with database.reading(engine) as connection:
            return _revision(connection)
    finally:
        engine.dispose()


def _revision(connection):
    return MigrationContext.configure(connection).get_current_revision()


# -- valet-db-manage --------------------------------------------------------

def upgrade_and_say(connection_url):
    """:func:`upgrade`, returning a line that says what it did."""
    before = current(connection_url)
    after = upgrade(connection_url)
    return (f"upgraded from {before or 'an empty database'} to {after}" if before != after
            else f"already at {after}")


def _upgrade(conf):
    print(upgrade_and_say(conf.database.connection))


def _current(conf):
    revision, newest = current(conf.database.connection), head()
    state = "(head)" if revision == newest else f"(head is {newest}: run upgrade)"
    print(f"{revision or 'none'} {state}")


def _version(conf):
    print(current(conf.database.connection) or "none")


COMMANDS = {
    "upgrade": (_upgrade, "Create or upgrade the schema to the newest revision."),
    "current": (_current, "Print the database's revision and the newest one."),
    "version": (_version, "Print the database's revision."),
}


def _add_commands(subparsers):
    for name, (_, help_text) in COMMANDS.items():
        subparsers.add_parser(name, help=help_text)


def main(argv=None):
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    engine_config.register_opts(conf)
    options.register_opts(conf)
    conf.register_cli_opt(cfg.SubCommandOpt("command", title="commands",
                                            handler=_add_commands))
    conf(sys.argv[1:] if argv is None else argv, project="valet", prog="valet-db-manage")
    if not (conf.log_file or conf.log_dir):
        # NOTE: stdout is for the answer (``version`` is read by scripts).
        conf.set_default("use_stderr", True)
    logging.setup(conf, "valet")
    COMMANDS[conf.command.name][0](conf)
    return 0


if __name__ == "__main__":
    sys.exit(main())

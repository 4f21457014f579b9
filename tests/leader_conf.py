"""The leader engine's store and configuration, for suites that run the
inventory sync against a real OpenStack service in-process
(tests/nova_func, tests/cinder_func)."""

import os

from oslo_config import cfg

from ostro.config import register_opts as register_engine_opts
from ostro.daemon import options as service_options
from ostro.state import migrate
from ostro.state import options as database_options
from ostro.state.store import Store


def store(directory):
    """A migrated SQLite store under ``directory`` (the caller closes it)."""
    url = f"sqlite:///{directory}/valet.sqlite"
    migrate.upgrade(url)
    return Store(url)


def conf(directory, inventory):
    """valet.conf under ``directory``: ``[inventory]`` with the lines of
    ``inventory`` (text) and a short solver budget."""
    path = os.path.join(directory, "valet.conf")
    with open(path, "w") as out:
        out.write(f"[inventory]\n{inventory}[engine]\nsolver_time_budget = 0.2\n")
    loaded = cfg.ConfigOpts()
    register_engine_opts(loaded)
    database_options.register_opts(loaded)
    service_options.register_opts(loaded)
    loaded([], project="valet", default_config_files=[path])
    return loaded

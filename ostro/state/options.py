"""oslo.config options of the store: ``[database]``.

The default SQLite file lives under ``[DEFAULT] state_path`` (registered by
:mod:`ostro.config`), so a single-node install needs no database setting.
"""

from oslo_config import cfg

database_opts = [
    cfg.StrOpt("connection", default="sqlite:///$state_path/valet.sqlite", secret=True,
               help="SQLAlchemy URL of the store, for example "
                    "postgresql+psycopg://valet:PASSWORD@db.example.com/valet. "
                    "Create or upgrade its schema with `valet-db-manage upgrade`."),
]


def register_opts(conf):
    conf.register_opts(database_opts, group="database")


def list_opts():
    return [("database", database_opts)]

"""oslo.config options of the API service: ``[api]`` (DESIGN §7).

``list_opts()`` is the ``oslo.config.opts`` entry point ``valet.api``, so
``oslo-config-generator --namespace valet.api`` documents them.
"""

from oslo_config import cfg

api_opts = [
    cfg.HostAddressOpt("host", default="0.0.0.0",
                       help="Address valet-api listens on (0.0.0.0: every IPv4 interface)."),
    cfg.PortOpt("port", default=8090,
                help="TCP port valet-api listens on."),
    cfg.IntOpt("workers", default=2, min=1,
               help="Worker processes of valet-api (gunicorn workers); each one "
                    "opens its own database connections and engine cache."),
    cfg.StrOpt("auth_strategy", default="noauth", choices=["noauth", "keystone"],
               help="How requests are authenticated: noauth (no authentication) "
                    "or keystone (keystonemiddleware; not implemented yet, "
                    "valet-api refuses to start with it)."),
]


def register_opts(conf):
    conf.register_opts(api_opts, group="api")


def list_opts():
    return [("api", api_opts)]


class NotSupported(Exception):
    """A configuration valet-api cannot serve (yet)."""


def check(conf):
    """Refuse, with a message naming the option, what cannot be served yet."""
    if conf.api.auth_strategy != "noauth":
        raise NotSupported(
            f"[api] auth_strategy = {conf.api.auth_strategy} is not implemented yet; "
            "only noauth works for now")

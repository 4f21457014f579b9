"""oslo.config options of the API service: ``[api]`` (DESIGN §7).

``list_opts()`` is the ``oslo.config.opts`` entry point ``valet.api``, so
``oslo-config-generator --namespace valet.api`` documents them.
"""

from oslo_config import cfg
from oslo_middleware import sizelimit

#: Bytes of a request body; a plan's body is its Heat stack's resources (about
#: 250 bytes a server), so Heat's own limit (``max_json_body_size``, 1 MiB)
#: rather than oslo.middleware's 112 KiB (about 400 servers).
MAX_REQUEST_BODY_SIZE = 1024 * 1024

api_opts = [
    # NOTE: loopback by default: noauth (the default strategy) makes every
    # caller an admin, so reaching other hosts must be asked for.
    cfg.HostAddressOpt("host", default="127.0.0.1",
                       help="Address valet-api listens on (0.0.0.0: every IPv4 "
                            "interface, :: every IPv6 one). With auth_strategy = "
                            "noauth anyone who reaches it is an admin: valet-api "
                            "warns at start when that address is not a loopback one."),
    cfg.PortOpt("port", default=8090,
                help="TCP port valet-api listens on."),
    cfg.IntOpt("workers", default=2, min=1,
               help="Worker processes of valet-api (gunicorn workers); each one "
                    "opens its own database connections and engine cache."),
    cfg.IntOpt("threads", default=8, min=1,
               help="Threads of each worker (gunicorn's gthread worker): a client "
                    "sending its body slowly holds one thread, not a whole worker, "
                    "so workers x threads slow clients at once are needed to stall "
                    "the API. Writes still take the store's lock one at a time. In "
                    "front of untrusted clients, use a proxy that buffers request "
                    "bodies as well (doc/operations.md)."),
    cfg.StrOpt("auth_strategy", default="noauth", choices=["noauth", "keystone"],
               help="How requests are authenticated: keystone (keystonemiddleware's "
                    "auth_token, configured by [keystone_authtoken]; GET / stays "
                    "public) or noauth (no token; every request acts as an admin "
                    "with the service role, in the project an X-Project-Id header "
                    "names). Either way [oslo_policy] rules apply (doc/api.md)."),
    # NOTE: off by default: a production API serves only what it is asked to;
    # etc/valet/valet.conf (make run) turns it on.
    cfg.BoolOpt("dashboard", default=False,
                help="Serve the data-centre dashboard at GET /dashboard: a static "
                     "page (no token needed to load it) that reads the public v1 "
                     "API with the user's own token (doc/dashboard.md). Off: "
                     "/dashboard is 404."),
    cfg.FloatOpt("healthcheck_engine_timeout", default=3.0, min=0.1,
                 help="Seconds GET /healthcheck waits for an engine to answer its "
                      "RPC ping ([engine] mode = rpc) before it answers 503; short, "
                      "as load balancers ask often and wait little."),
]


def register_opts(conf):
    set_lib_defaults()
    conf.register_opts(api_opts, group="api")


def set_lib_defaults():
    """Valet's defaults for library options: the ``oslo.config.opts.defaults``
    entry point ``valet.api``, which oslo-config-generator calls too, so the
    sample shows the defaults valet-api runs with."""
    cfg.set_defaults(sizelimit.OPTS, max_request_body_size=MAX_REQUEST_BODY_SIZE)


def list_opts():
    return [("api", api_opts)]


"""The python-openstackclient plugin: ``openstack valet ...``.

osc imports this module (entry point ``openstack.cli.extension``: ``valet``),
adds :func:`build_option_parser`'s options to its own, loads the commands
of the group ``openstack.placement_optimizer.v1`` (setup.cfg; the standalone
``valet`` loads the same group, :mod:`valet_openstack.cli.app`), and calls
:func:`make_client` the first time a command asks for
``client_manager.placement_optimizer``.

Where Valet is: ``--os-valet-url`` (``VALET_URL``, or ``valet_url`` in the
cloud's entry of clouds.yaml), else the service catalog's endpoint of
service type ``valet`` ([valet] service_type's default, as the Heat, Nova
and Cinder plugins find it), on osc's ``--os-interface`` and region.

A Valet URL without Keystone credentials (no auth URL, or ``--os-auth-type
none``) is noauth (doc/api.md): no token is got or sent, and
``--os-project-id`` travels as ``X-Project-Id``.
"""

from keystoneauth1 import session as ks_session
from osc_lib import utils
from oslo_config import cfg

from valet_openstack import client as valet_client
from valet_openstack import options

API_NAME = "placement_optimizer"
API_VERSION_OPTION = "os_placement_optimizer_api_version"
DEFAULT_API_VERSION = "1"
API_VERSIONS = ("1",)

#: Seconds one request may take: a plan of a large stack is searched while
#: the command waits (the API's own [engine] timeout is 60 s).
READ_TIMEOUT = 120.0


def build_option_parser(parser):
    """The global options Valet adds to ``openstack`` and ``valet``."""
    parser.add_argument(
        "--os-valet-url", metavar="<url>", default=utils.env("VALET_URL", "OS_VALET_URL"),
        help="Valet API endpoint, e.g. http://127.0.0.1:8090 (Env: VALET_URL). "
             "Without Keystone credentials: noauth, no token is sent.")
    parser.add_argument(
        "--os-placement-optimizer-api-version", metavar="<version>",
        default=utils.env("OS_PLACEMENT_OPTIMIZER_API_VERSION", default=DEFAULT_API_VERSION),
        help="Valet API version (Env: OS_PLACEMENT_OPTIMIZER_API_VERSION); only 1.")
    return parser


def is_noauth(config):
    """Whether a command of the cloud ``config`` (openstacksdk's, with the
    command line in it) goes to Valet without Keystone."""
    if not config.get("valet_url"):
        return False
    # NOTE: before osc validates the auth options (when it asks a command
    # whether it needs a token), --os-auth-url and OS_AUTH_URL sit at the
    # top of the config; a clouds.yaml entry's under "auth".
    auth_url = (config.get("auth") or {}).get("auth_url") or config.get("auth_url")
    return config.get("auth_type") == "none" or not auth_url


def make_client(instance):
    """The :class:`~valet_openstack.client.ValetClient` of osc's (or the
    standalone app's) ClientManager ``instance``."""
    config = instance.get_configuration()
    if is_noauth(config):
        project_id = (config.get("auth") or {}).get("project_id") or config.get("project_id")
        headers = {"X-Project-Id": project_id} if project_id else {}
        session = ks_session.Session(verify=instance.verify, cert=instance.cert,
                                     additional_headers=headers)
    else:
        session = instance.session
    return valet_client.ValetClient(
        valet_conf(config.get("valet_url"), instance.interface, instance.region_name),
        session=session)


def valet_conf(url, interface, region_name):
    """The ``[valet]`` options :class:`ValetClient` reads, as a command line
    sets them: a command fails at once rather than retry (the person
    typing it decides), and waits :data:`READ_TIMEOUT` for an answer."""
    conf = cfg.ConfigOpts()
    options.register_opts(conf)
    conf([], project="valet", default_config_files=[], default_config_dirs=[])
    for name, value in (("url", url), ("interface", interface or "public"),
                        ("region_name", region_name), ("retries", 0),
                        ("read_timeout", READ_TIMEOUT)):
        if value is not None:
            conf.set_override(name, value, group=options.GROUP)
    return conf

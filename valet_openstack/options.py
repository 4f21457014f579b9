"""Options of Valet's OpenStack plugins (DESIGN §7), registered on the
configuration of the service that loads them (nova.conf, cinder.conf,
heat.conf):

* ``[valet]``: where the Valet API is (``url``, else the service catalog's
  ``valet`` endpoint), keystoneauth1's auth and session options, the read
  timeout, retries, and what to do when Valet cannot answer;
* ``[allegro] allegro_api_server_url``: the original Valet's name for ``url``;
* ``[att_qos_pipe]``: the bandwidth reservation services of the original QoS
  resources (unset: Valet's own bandwidth accounting is the reservation).

``list_opts()`` is the ``oslo.config.opts`` entry point ``valet.openstack``.
"""

import enum

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = "valet"


class FailureMode(enum.StrEnum):
    """``[valet] failure_mode``: what every plugin does when Valet cannot
    answer (:func:`valet_openstack.client.on_failure` acts on it)."""

    REJECT = "reject"   # the filters pass no host, the stack fails
    YIELD = "yield"     # the filters pass every host, Heat goes on without a plan


valet_opts = [
    cfg.URIOpt("url",
               help="The Valet API endpoint, e.g. http://valet:8090 (a trailing /v1 "
                    "is accepted). Unset: the service catalog's endpoint of service "
                    "type `valet`, found with the [valet] credentials."),
    cfg.StrOpt("service_type", default="valet",
               help="Service type of Valet in the Keystone catalog."),
    cfg.StrOpt("interface", default="internal",
               help="Catalog interface of the Valet endpoint (public, internal, admin)."),
    cfg.StrOpt("region_name", help="Region of the Valet endpoint in the catalog."),
    cfg.FloatOpt("read_timeout", default=5.0, min=0.1,
                 help="Seconds one request to Valet may take."),
    cfg.IntOpt("retries", default=3, min=0,
               help="Further attempts after a connection error or a 503, with a "
                    "growing delay; a caller waits at most about "
                    "read_timeout x (retries + 1) plus the delays."),
    cfg.FloatOpt("retry_delay", default=0.5, min=0.0,
                 help="Seconds before the first retry, doubled before each further one."),
    cfg.StrOpt("failure_mode", default=FailureMode.REJECT.value,
               choices=[mode.value for mode in FailureMode],
               help="When Valet cannot answer: reject (the filters pass no host, "
                    "the stack fails) or yield (the filters pass every host, Heat "
                    "goes on without a plan)."),
    cfg.FloatOpt("weight_multiplier", default=1e7, min=0.0,
                 help="Nova's ValetWeigher: the multiplier of Valet's ranking (the "
                      "planned host first, then its alternates). Above every other "
                      "weigher's (BuildFailureWeigher's is 1e6), so the plan wins."),
]

allegro_opts = [
    cfg.URIOpt("allegro_api_server_url",
               help="Legacy name of [valet] url (the original Valet's); used when "
                    "[valet] url is unset."),
]

qos_opts = [
    cfg.URIOpt("tegu_uri",
               help="Tegu (bandwidth reservation) endpoint of the original ATT::QoS "
                    "resources. Unset: Valet's own bandwidth accounting is the "
                    "reservation. Set: recorded for operators; Valet does not call it."),
    cfg.URIOpt("ioarbiter_uri",
               help="IOArbiter (storage I/O reservation) endpoint of the original "
                    "ATT::QoS resources; like tegu_uri."),
]


def register_opts(conf):
    conf.register_opts(valet_opts, group=GROUP)
    conf.register_opts(allegro_opts, group="allegro")
    conf.register_opts(qos_opts, group="att_qos_pipe")
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)


def list_opts():
    auth = ks_loading.get_auth_common_conf_options() + ks_loading.get_auth_plugin_conf_options(
        "password")
    return [(GROUP, valet_opts + ks_loading.get_session_conf_options() + auth),
            ("allegro", allegro_opts), ("att_qos_pipe", qos_opts)]

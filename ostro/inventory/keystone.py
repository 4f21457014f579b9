"""The keystoneauth1 session the inventory drivers read OpenStack with.

Nova's and Cinder's readers (:mod:`ostro.inventory.nova`,
:mod:`ostro.inventory.cinder`) share ``[inventory]``'s auth and session
options: one set of credentials for everything Valet reads of the cloud.
"""

from keystoneauth1 import loading as ks_loading

GROUP = "inventory"


def session(conf, **session_options):
    """A keystoneauth1 Session on ``[inventory]``'s credentials
    (``session_options``: more keystoneauth1 Session arguments)."""
    auth = ks_loading.load_auth_from_conf_options(conf, GROUP)
    return ks_loading.load_session_from_conf_options(conf, GROUP, auth=auth, **session_options)

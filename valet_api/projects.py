"""Are member projects real: group members checked against Keystone.

In keystone mode a group's member projects (``POST /v1/groups`` with
``members``, ``PUT /v1/groups/{id}/members``) must exist: each id is looked
up with ``GET /v3/projects/{id}`` as Valet's own service user, from the
``[keystone_authtoken]`` credentials auth_token uses too.  That user needs a
role that may read any project (``admin`` under Keystone's defaults).
noauth mode checks nothing.
"""

import logging
import urllib.parse

from keystoneauth1 import adapter, loading, session
from keystoneauth1 import exceptions as ks_exceptions

from valet_api import errors

LOG = logging.getLogger(__name__)
GROUP = "keystone_authtoken"


def for_conf(conf):
    """The project checker ``[api] auth_strategy`` calls for."""
    if conf.api.auth_strategy == "keystone":
        return KeystoneProjects(conf)
    return UncheckedProjects()


class UncheckedProjects:
    """noauth: every project id is taken as given."""

    def require(self, project_ids):
        return None


class KeystoneProjects:
    """Looks project ids up in Keystone; the session is made on first use,
    after auth_token has registered its options on ``conf``."""

    def __init__(self, conf):
        self.conf = conf
        self._identity = None

    def identity(self):
        if self._identity is None:
            options = self.conf[GROUP]
            auth = loading.load_auth_from_conf_options(self.conf, GROUP)
            verify = options.cafile or not options.insecure
            cert = (options.certfile, options.keyfile) if options.certfile else None
            sess = session.Session(auth=auth, verify=verify, cert=cert,
                                   timeout=options.http_connect_timeout)
            self._identity = adapter.Adapter(
                sess, service_type="identity", interface=options.interface,
                region_name=options.region_name, version=(3, 0))
        return self._identity

    def require(self, project_ids):
        """Return quietly if every id names a project, else a 409 naming the unknown ones."""
        unknown = [project_id for project_id in dict.fromkeys(project_ids)
                   if not self.exists(project_id)]
        if unknown:
            raise errors.UnknownProject(f"unknown project(s) {', '.join(unknown)}: "
                                    "Keystone has no such project")

    def exists(self, project_id):
        try:
            # NOTE: quoted so an id cannot walk to another Keystone path.
            self.identity().get(f"/projects/{urllib.parse.quote(project_id, safe='')}")
        except ks_exceptions.NotFound:
            return False
        except (ks_exceptions.ClientException, ks_exceptions.MissingAuthPlugin) as exc:
            # NOTE: Keystone down, or Valet's own credentials refused: the
            # caller's request may be right; it cannot be checked now.
            LOG.warning("cannot look up project %s in Keystone: %s", project_id, exc)
            raise errors.ServiceUnavailable(
                f"cannot check project {project_id} with Keystone ({type(exc).__name__}); "
                "try again later") from exc
        return True

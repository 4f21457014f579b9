"""The one client of the Valet API that Heat, Nova and Cinder plugins use.

It rides on a keystoneauth1 session built from ``[valet]``
(:mod:`valet_openstack.options`): the endpoint is ``[valet] url`` (or the
legacy ``[allegro] allegro_api_server_url``), else the catalog's ``valet``
service; a request times out after ``read_timeout`` seconds and is retried
``retries`` times after a connection error, a timeout or a 503, waiting
``retry_delay`` seconds, then twice as long each time.  Every Valet operation
it sends is idempotent (plans by stack id, reserve, release), so a retried
request cannot place twice.

NOTE: the retries are ours, not keystoneauth1's: its fixed delay never
grows, a delay of 0 turns into its exponential default (0.5 s, 1 s, ...), and
it honours a ``Retry-After`` header of any length.  A scheduler filter must
know its worst case: about ``read_timeout x (retries + 1)`` plus the delays.

Each request may carry the caller's global request id (``X-OpenStack-Request-Id:
req-<uuid>``, keystoneauth1's ``global_request_id``): the id of the Nova,
Cinder or Heat request it serves (:func:`global_id_of` its context), which
Valet's log lines then show beside its own request id.

Errors are typed (:class:`ValetError` and subclasses) and carry Valet's own
message from its error body (DESIGN §4).  When Valet cannot be reached
(:class:`Unavailable`), every plugin asks :func:`on_failure` what to do:
``[valet] failure_mode`` (:class:`FailureMode`) is read in that one place.
"""

import copy
import logging
import time
import urllib.parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading

from valet_openstack import options
from valet_openstack.options import FailureMode

LOG = logging.getLogger(__name__)


class ValetError(Exception):
    """Valet refused or failed a request; ``status`` is its HTTP status
    (``None`` when it could not be reached), ``kind`` its error type."""

    def __init__(self, message, status=None, kind=None):
        super().__init__(message)
        self.message, self.status, self.kind = message, status, kind
        #: the ``error`` object of Valet's error body (``rule``, ``group``,
        #: ``resource``, ``hints`` of a refusal), ``{}`` when it sent none.
        self.details = {}


class BadRequest(ValetError):
    """400: the request is wrong (a bad template, an unknown group)."""


class NotFound(ValetError):
    """404: no such plan, placement or group."""


class Conflict(ValetError):
    """409: the rules cannot hold (NoPlacement), or the thing is in use."""


class Stale(ValetError):
    """412: a conditional update named a revision the plan no longer has
    (someone changed it since it was read): read it again."""


class Unavailable(ValetError):
    """Valet could not be reached or answered 5xx, after every retry;
    ``retriable``: a connection failure, a timeout or a 503."""

    def __init__(self, message, status=None, kind=None, retriable=False):
        super().__init__(message, status, kind)
        self.retriable = retriable


BY_STATUS = {400: BadRequest, 404: NotFound, 409: Conflict, 412: Stale}


class ValetClient:
    """The Valet API for a service configured by ``conf`` (its
    ``[valet]`` options must be registered: :func:`options.register_opts`);
    ``global_request_id``: the caller's request id, sent with every request
    (:meth:`for_request` gives a client sending another)."""

    def __init__(self, conf, session=None, global_request_id=None):
        self.conf = conf
        section = conf[options.GROUP]
        if session is None:
            auth = None
            if section.auth_type:
                auth = ks_loading.load_auth_from_conf_options(conf, options.GROUP)
            session = ks_loading.load_session_from_conf_options(conf, options.GROUP, auth=auth)
        # NOTE: the session's own [valet] timeout, if set, wins; read_timeout is ours.
        if session.timeout is None:
            session.timeout = section.read_timeout
        self.endpoint = endpoint_override(conf)
        self.retries, self.retry_delay = section.retries, section.retry_delay
        self.adapter = self._adapter(session, global_request_id)

    def _adapter(self, session, global_request_id):
        section = self.conf[options.GROUP]
        return adapter.Adapter(
            session, service_type=section.service_type, interface=section.interface,
            region_name=section.region_name, endpoint_override=self.endpoint,
            connect_retries=0, status_code_retries=0, raise_exc=False,
            global_request_id=global_request_id)

    def for_request(self, global_request_id):
        """This client sending ``global_request_id`` with its requests, over
        the same session (token, connection pool): one per request of a
        long-lived caller, such as Nova's filter."""
        other = copy.copy(self)
        other.adapter = self._adapter(self.adapter.session, global_request_id)
        return other

    def close(self):
        """Close the session's pooled connections."""
        self.adapter.session.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- transport ------------------------------------------------------------

    def request(self, method, path, body=None):
        """The decoded JSON answer (``None`` for 204); a :class:`ValetError`
        for any other answer than 2xx (:class:`Unavailable` once every
        attempt failed to connect, timed out or got a 503)."""
        return self._retrying(lambda: self._attempt(method, path, body))

    def exchange(self, method, path, body=None, headers=None):
        """:meth:`request` with request ``headers``, answering ``(decoded
        JSON, response headers)``."""
        return self._retrying(lambda: self._exchange_once(method, path, body, headers or {}))

    def _retrying(self, attempt):
        delay = self.retry_delay
        for attempts_left in range(self.retries, -1, -1):
            try:
                return attempt()
            except Unavailable as exc:
                if not exc.retriable or not attempts_left:
                    raise
                LOG.warning("%s; %d retries left, next in %.1f s",
                            exc, attempts_left, delay)
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, method, path, body):
        return self._exchange_once(method, path, body, {})[0]

    def _exchange_once(self, method, path, body, headers):
        try:
            response = self.adapter.request(path, method, json=body,
                                             headers={"Accept": "application/json", **headers})
        except ks_exceptions.EndpointNotFound as exc:
            raise Unavailable("no Valet endpoint: set [valet] url or register service "
                              f"type {self.conf[options.GROUP].service_type} in Keystone "
                              f"({exc})") from exc
        except ks_exceptions.RetriableConnectionFailure as exc:
            raise Unavailable(f"Valet did not answer {method} {path}: {exc}",
                              retriable=True) from exc
        except ks_exceptions.ClientException as exc:
            raise Unavailable(f"Valet did not answer {method} {path}: {exc}") from exc
        if response.status_code < 300:
            return (response.json() if response.content else None), response.headers
        raise _error(method, path, response)

    # -- plans ----------------------------------------------------------------

    def create_plan(self, stack_id, resources, name=None, locations=None, project_id=None):
        """Plan a stack; ``project_id``: the project it is planned for, when
        not the caller's (needs valet:plans:create:on_behalf, e.g. the
        ``service`` role)."""
        return self.submit_plan(stack_id, name or stack_id, resources=resources,
                                locations=locations, project_id=project_id)

    def submit_plan(self, stack_id=None, name=None, resources=None, template=None,
                    parameters=None, environment=None, dry_run=False, locations=None,
                    project_id=None):
        """``POST /v1/plans`` with the fields given only: ``resources`` (Heat's
        resources object) or a HOT ``template`` (its text) with ``parameters``
        and ``environment`` (text), which Valet translates; a ``dry_run``
        answers the plan Valet would make and stores nothing, and needs no
        ``stack_id``; ``locations`` and ``project_id`` as :meth:`create_plan`.
        The answer's plan."""
        fields = {"stack_id": stack_id, "plan_name": name, "resources": resources,
                  "template": template, "environment": environment,
                  "locations": list(locations) if locations else None,
                  "project_id": project_id or None}
        body = {field: value for field, value in fields.items() if value is not None}
        if template is not None:
            body["parameters"] = dict(parameters or {})
        if dry_run:
            body["dry_run"] = True
        return self.request("POST", "/v1/plans", body)["plan"]

    def list_plans(self):
        return self.request("GET", "/v1/plans")["plans"]

    def get_plan(self, plan_or_stack_id):
        return self.request("GET", f"/v1/plans/{plan_or_stack_id}")["plan"]

    def get_plan_revision(self, plan_or_stack_id):
        """``(plan, revision)``: the plan and its revision (its ``ETag``), which
        :meth:`update_plan` takes as ``if_revision``."""
        answer, headers = self.exchange("GET", f"/v1/plans/{plan_or_stack_id}")
        return answer["plan"], (headers.get("ETag") or "").strip('"') or None

    def update_plan(self, plan_or_stack_id, resources, original_resources=None,
                    if_revision=None):
        """Re-plan with ``resources``; with ``if_revision``, only if the plan
        is still at that revision (``If-Match``), else :class:`Stale`: a
        read-merge-write that cannot undo a concurrent writer's change."""
        body = {"action": "update", "resources": resources}
        if original_resources is not None:
            body["original_resources"] = original_resources
        headers = {"If-Match": f'"{if_revision}"'} if if_revision else None
        return self.exchange("PUT", f"/v1/plans/{plan_or_stack_id}", body, headers)[0]["plan"]

    def migrate(self, plan_or_stack_id, resource, excluded_hosts=()):
        body = {"action": "migrate", "resources": [resource],
                "excluded_hosts": list(excluded_hosts)}
        return self.request("PUT", f"/v1/plans/{plan_or_stack_id}", body)["plan"]

    def delete_plan(self, plan_or_stack_id, missing_ok=True):
        """Delete a plan; one that is already gone is fine (idempotent)
        unless not ``missing_ok`` (a person naming it: :class:`NotFound`)."""
        try:
            self.request("DELETE", f"/v1/plans/{plan_or_stack_id}")
        except NotFound:
            if not missing_ok:
                raise
            LOG.debug("plan %s was already gone", plan_or_stack_id)

    # -- placements -----------------------------------------------------------

    def list_placements(self, **filters):
        """``GET /v1/placements?field=value``: every filter given must match."""
        query = urllib.parse.urlencode(sorted(filters.items()))
        return self.request("GET", "/v1/placements" + (f"?{query}" if query else ""))[
            "placements"]

    def get_placement(self, key):
        return self.request("GET", f"/v1/placements/{key}")["placement"]

    def reserve(self, key, locations, resource_id=None, fallback_ids=(), adhoc=None,
                alternates=0, flavor=None, hints=None):
        """Reserve ``key``'s placement on its planned host if that host is in
        ``locations``, else have it re-planned within them; the placement.

        ``fallback_ids``: other ids to try when ``key`` names no placement;
        ``adhoc``: ``{"resource", "name", "project_id"}`` to plan for
        ``resource_id`` (within ``locations``) when none does, in the same call
        (with ``count`` and ``request_id``: a multi-create request's);
        ``alternates``: how many other hosts to answer (``alternates``,
        with ``siblings``: hosts of the plan's servers not yet reserved);
        ``flavor``: the one Nova schedules with (another one: a resize);
        ``hints``: the boot's scheduler hints (finding a planned placement
        with those hints when no id names one).
        """
        extra = {}
        if alternates:
            extra["alternates"] = alternates
        if flavor:
            extra["flavor"] = flavor
        if hints:
            extra["hints"] = dict(hints)
        if fallback_ids:
            extra["fallback_ids"] = list(fallback_ids)
        if adhoc:
            extra["adhoc"] = {field: value for field, value in adhoc.items() if value}
        return self._placement_action(key, "reserve", locations, resource_id, **extra)

    def replan(self, key, locations, resource_id=None):
        return self._placement_action(key, "replan", locations, resource_id)

    def release(self, key):
        try:
            self.request("DELETE", f"/v1/placements/{key}")
        except NotFound:
            LOG.debug("placement %s was already released", key)

    def _placement_action(self, key, action, locations, resource_id, **extra):
        body = {"action": action, "locations": list(locations), **extra}
        if resource_id:
            body["resource_id"] = resource_id
        return self.request("POST", f"/v1/placements/{key}", body)["placement"]

    # -- named groups ---------------------------------------------------------

    def create_group(self, name, kind, level, description="", members=(), max_per_domain=None,
                     enforcement=None):
        body = {"name": name, "type": kind, "level": level, "description": description or "",
                "members": list(members)}
        # NOTE: sent only when given, so a request stays what the original API took.
        if max_per_domain is not None:
            body["max_per_domain"] = max_per_domain
        if enforcement is not None:
            body["enforcement"] = enforcement
        return self.request("POST", "/v1/groups", body)

    def list_groups(self):
        return self.request("GET", "/v1/groups")["groups"]

    def get_group(self, id_or_name):
        return self.request("GET", f"/v1/groups/{id_or_name}")["group"]

    def update_group(self, id_or_name, description):
        return self.request("PUT", f"/v1/groups/{id_or_name}", {"description": description})

    def delete_group(self, id_or_name, missing_ok=True):
        """Like :meth:`delete_plan`, for a named group."""
        try:
            self.request("DELETE", f"/v1/groups/{id_or_name}")
        except NotFound:
            if not missing_ok:
                raise
            LOG.debug("group %s was already gone", id_or_name)

    def add_members(self, id_or_name, members):
        return self.request("PUT", f"/v1/groups/{id_or_name}/members",
                            {"members": list(members)})

    def remove_member(self, id_or_name, project_id):
        self.request("DELETE", f"/v1/groups/{id_or_name}/members/{project_id}")

    def remove_all_members(self, id_or_name):
        self.request("DELETE", f"/v1/groups/{id_or_name}/members")

    # -- the data centre ------------------------------------------------------

    def list_hosts(self):
        return self.request("GET", "/v1/hosts")["hosts"]

    def get_host(self, name):
        return self.request("GET", f"/v1/hosts/{name}")["host"]

    def list_violations(self):
        """``GET /v1/resources``: placed resource id → ``{type, status, message}``
        for each placed server or volume that now breaks its rules."""
        return self.request("GET", "/v1/resources")["resources"]

    def status(self):
        return self.request("GET", "/v1/status")["status"]


def global_id_of(context):
    """The id to send as the global request id for a caller's oslo.context
    ``context`` (its own global id, else its request id); None without one."""
    return getattr(context, "global_id", None) if context is not None else None


def on_failure(conf, error, what, yielded, rejected):
    """What a plugin does after ``error`` (an :class:`Unavailable`) kept
    it from asking Valet to ``what``: ``yielded`` (go on without Valet) or
    ``rejected`` as ``conf``'s ``[valet] failure_mode`` says; a ``rejected``
    that is an exception is raised (from ``error``).  Logged here, in one
    wording for Nova, Cinder and Heat."""
    if FailureMode(conf[options.GROUP].failure_mode) is FailureMode.YIELD:
        LOG.warning("Valet could not %s (%s); failure_mode = yield: going on without "
                    "Valet", what, error.message)
        return yielded
    LOG.error("Valet could not %s (%s); failure_mode = reject", what, error.message)
    if isinstance(rejected, BaseException):
        raise rejected from error
    return rejected


def endpoint_override(conf):
    """``[valet] url``, else ``[allegro] allegro_api_server_url``, without a
    trailing ``/v1`` (paths carry it); ``None``: use the catalog."""
    url = conf[options.GROUP].url or conf.allegro.allegro_api_server_url
    if not url:
        return None
    url = url.rstrip("/")
    return url[:-len("/v1")] if url.endswith("/v1") else url


def _error(method, path, response):
    """The typed error for a non-2xx answer, with Valet's message if it sent one."""
    message, kind, details = response.text.strip()[:500] or response.reason, None, {}
    try:
        error = response.json().get("error") or {}
        message, kind = error.get("message") or message, error.get("type")
        details = error if isinstance(error, dict) else {}
    except ValueError:
        pass
    if response.status_code >= 500:
        return Unavailable(f"Valet answered {response.status_code} to {method} {path}: "
                           f"{message}", response.status_code, kind,
                           retriable=response.status_code == 503)
    error_class = BY_STATUS.get(response.status_code, ValetError)
    refused = error_class(message, response.status_code, kind)
    refused.details = details
    return refused

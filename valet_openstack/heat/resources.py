"""Valet's Heat resource types (DESIGN §5), loaded by heat from a
``plugin_dirs`` module through :func:`resource_mapping`.

* ``OS::Valet::Group``: a named group, an object of the Valet API that
  outlives the stack (create, update description and members, delete).
* ``OS::Valet::GroupAssignment`` / ``ATT::Valet::GroupAssignment`` and
  ``ATT::QoS::ResourceGroup`` / ``ATT::CloudQoS::ResourceGroup``: in-stack
  groups; ``ATT::QoS::Pipe`` / ``ATT::CloudQoS::Pipe``: bandwidth between two
  members.  These are declarations: the plan of the stack carries them, so
  their create only records that they exist.
* ``OS::Valet::Server`` / ``OS::Valet::Volume``: Heat's server and volume,
  which make sure their whole stack is planned before they are created; the
  global environment maps ``OS::Nova::Server`` and ``OS::Cinder::Volume`` to
  them (``etc/heat/environment.d/valet.yaml``), which is how Valet plans
  under Heat's convergence engine (doc/decisions.md, "Heat").
"""

import contextlib

from heat.engine import attributes, constraints, properties, resource, support
from heat.engine.resources.openstack.cinder import volume as heat_volume
from heat.engine.resources.openstack.nova import server as heat_server

from valet_openstack import client as valet_client
from valet_openstack.heat import hook

GROUP_TYPES = ["affinity", "diversity", "exclusivity"]
LEVELS = ["host", "rack", "cluster"]
ENFORCEMENTS = ["hard", "soft"]
SUPPORT = support.SupportStatus(version="27.0.0")


def _choice(description, allowed, required=True, update_allowed=False):
    return properties.Schema(properties.Schema.STRING, description, required=required,
                             update_allowed=update_allowed,
                             constraints=[constraints.AllowedValues(allowed)])


def _members(description, length=None):
    checks = [constraints.Length(min=length, max=length)] if length else \
        [constraints.Length(min=1)]
    return properties.Schema(properties.Schema.LIST, description, required=True,
                             update_allowed=True, constraints=checks,
                             schema=properties.Schema(properties.Schema.STRING))


def _max_per_domain(update_allowed):
    """Diversity's limit; no default, so Valet applies its own (1) and an
    old template sends nothing new."""
    return properties.Schema(properties.Schema.INTEGER,
                             "Diversity only: members allowed per domain of the level "
                             "(default 1).", update_allowed=update_allowed,
                             constraints=[constraints.Range(min=1)])


def _enforcement(update_allowed):
    """hard or soft; no default, so Valet applies its own (hard) and an old
    template sends nothing new."""
    return _choice("hard (default): a plan that cannot keep the rule is refused; soft: kept "
                   "when possible, and the plan names it when not (affinity and diversity).",
                   ENFORCEMENTS, required=False, update_allowed=update_allowed)


def _in_stack_group(kind, label, level, members, members_help):
    """The schema of an in-stack group: its rule in ``kind``, a label for
    Valet's messages in ``label`` (the two spellings differ only in these
    property names), ``level`` and ``members``."""
    return {
        kind: _choice("affinity, diversity or exclusivity.", GROUP_TYPES, update_allowed=True),
        label: properties.Schema(properties.Schema.STRING,
                                 "A label for Valet's messages; default: the resource name.",
                                 update_allowed=True),
        level: _choice("host, rack or cluster.", LEVELS, update_allowed=True),
        members: _members(members_help),
        "max_per_domain": _max_per_domain(update_allowed=True),
        "enforcement": _enforcement(update_allowed=True),
    }


class ValetGroup(resource.Resource):
    """A named Valet group: servers join it by ``metadata.valet.groups``
    (its name or id) in this stack or any other."""

    support_status = SUPPORT
    PROPERTIES = NAME, TYPE, LEVEL, DESCRIPTION, MEMBERS, MAX_PER_DOMAIN, ENFORCEMENT = (
        "name", "type", "level", "description", "members", "max_per_domain", "enforcement")
    properties_schema = {
        NAME: properties.Schema(properties.Schema.STRING,
                                "Unique name ([A-Za-z0-9-._~]+); default: the physical name."),
        TYPE: _choice("affinity, diversity or exclusivity.", GROUP_TYPES),
        LEVEL: _choice("The domain the rule is about: host, rack or cluster.", LEVELS),
        DESCRIPTION: properties.Schema(properties.Schema.STRING, "What the group is for.",
                                       default="", update_allowed=True),
        MEMBERS: properties.Schema(properties.Schema.LIST,
                                   "Projects whose servers may join; empty: any project.",
                                   default=[], update_allowed=True,
                                   schema=properties.Schema(properties.Schema.STRING)),
        MAX_PER_DOMAIN: _max_per_domain(update_allowed=False),
        ENFORCEMENT: _enforcement(update_allowed=False),
    }
    ATTRIBUTES = GROUP_NAME, = ("name",)
    attributes_schema = {GROUP_NAME: attributes.Schema("The group's name in Valet.",
                                                       type=attributes.Schema.STRING)}

    def _group_name(self):
        return self.properties[self.NAME] or self.physical_resource_name()

    def handle_create(self):
        group = hook.client(self.context).create_group(
            self._group_name(), self.properties[self.TYPE], self.properties[self.LEVEL],
            self.properties[self.DESCRIPTION], self.properties[self.MEMBERS],
            max_per_domain=self.properties[self.MAX_PER_DOMAIN],
            enforcement=self.properties[self.ENFORCEMENT])
        self.resource_id_set(group["id"])

    def handle_update(self, json_snippet, tmpl_diff, prop_diff):
        api = hook.client(self.context)
        if self.DESCRIPTION in prop_diff:
            api.update_group(self.resource_id, prop_diff[self.DESCRIPTION] or "")
        if self.MEMBERS in prop_diff:
            old = set(self.properties[self.MEMBERS] or [])
            new = set(prop_diff[self.MEMBERS] or [])
            if new - old:
                api.add_members(self.resource_id, sorted(new - old))
            for project in sorted(old - new):
                api.remove_member(self.resource_id, project)

    def handle_delete(self):
        if not self.resource_id:
            return
        api = hook.client(self.context)
        # NOTE: Valet keeps a group that has member projects (409); the
        # members are this resource's own, so they go first.  A member that
        # still has servers in the group stops the delete with Valet's reason.
        for project in self.properties[self.MEMBERS] or []:
            with contextlib.suppress(valet_client.NotFound):
                api.remove_member(self.resource_id, project)
        api.delete_group(self.resource_id)

    def _resolve_attribute(self, name):
        if name == self.GROUP_NAME:
            return self._group_name()
        return None

    def get_reference_id(self):
        # NOTE: get_resource gives the name, which metadata.valet.groups takes
        # before and after create alike (the id exists only after create).
        return self._group_name()


class Declaration(resource.Resource):
    """A rule the stack's plan carries; nothing to create in a cloud."""

    support_status = SUPPORT

    def handle_create(self):
        self.resource_id_set(self.physical_resource_name())

    def handle_update(self, json_snippet, tmpl_diff, prop_diff):
        # NOTE: the stack update re-sends the whole stack to Valet (the
        # lifecycle plugin or the servers), which carries the new rule.
        return None

    def handle_delete(self):
        return None


class GroupAssignment(Declaration):
    """An in-stack group: ``resources`` (servers, volumes or other in-stack
    groups) under one rule at one level."""

    PROPERTIES = GROUP_TYPE, GROUP_NAME, LEVEL, RESOURCES = (
        "group_type", "group_name", "level", "resources")
    properties_schema = _in_stack_group(
        GROUP_TYPE, GROUP_NAME, LEVEL, RESOURCES,
        "Members: servers, volumes or groups of this stack (get_resource or names).")


class QoSResourceGroup(Declaration):
    """The original QoS spelling of an in-stack group (``relationship``)."""

    PROPERTIES = RELATIONSHIP, NAME, LEVEL, RESOURCES = (
        "relationship", "name", "level", "resources")
    properties_schema = _in_stack_group(
        RELATIONSHIP, NAME, LEVEL, RESOURCES,
        "Members: servers, volumes or groups of this stack.")


class QoSPipe(Declaration):
    """Bandwidth between two servers, or a server and a volume: Valet counts
    it on every uplink the pipe crosses.  With ``[att_qos_pipe] tegu_uri``
    set, an operator's Tegu would also enforce it on the network; Valet
    does not call Tegu (doc/openstack.md)."""

    PROPERTIES = RESOURCES, BANDWIDTH, MAX_BANDWIDTH = (
        "resources", "bandwidth", "max_bandwidth")
    properties_schema = {
        RESOURCES: _members("The two ends: servers or volumes of this stack.", length=2),
        BANDWIDTH: properties.Schema(properties.Schema.STRING,
                                     "Guaranteed bandwidth: Mbps, or e.g. '1 Gbps'.",
                                     required=True, update_allowed=True),
        MAX_BANDWIDTH: properties.Schema(properties.Schema.STRING,
                                         "Upper limit (same units); optional.",
                                         update_allowed=True),
    }


class PlannedServer(heat_server.Server):
    """``OS::Nova::Server`` that has its whole stack planned before it asks
    Nova for a host; Nova's ValetFilter then finds it by heat_resource_uuid."""

    def handle_create(self):
        hook.ensure_planned(self.stack)
        return super().handle_create()

    def handle_delete(self):
        hook.forget_on_stack_delete(self.stack)
        return super().handle_delete()


class PlannedVolume(heat_volume.CinderVolume):
    """``OS::Cinder::Volume`` that has its whole stack planned first, so that
    Cinder's ValetFilter finds its planned backend."""

    def handle_create(self):
        hook.ensure_planned(self.stack)
        return super().handle_create()

    def handle_delete(self):
        hook.forget_on_stack_delete(self.stack)
        return super().handle_delete()


def resource_mapping():
    """Heat's plugin entry: type name → class."""
    return {
        "OS::Valet::Group": ValetGroup,
        "OS::Valet::GroupAssignment": GroupAssignment,
        "ATT::Valet::GroupAssignment": GroupAssignment,
        "ATT::QoS::ResourceGroup": QoSResourceGroup,
        "ATT::CloudQoS::ResourceGroup": QoSResourceGroup,
        "ATT::QoS::Pipe": QoSPipe,
        "ATT::CloudQoS::Pipe": QoSPipe,
        "OS::Valet::Server": PlannedServer,
        "OS::Valet::Volume": PlannedVolume,
    }


def available_resource_mapping():
    return resource_mapping()

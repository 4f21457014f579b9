"""Heat loads every module of its ``[DEFAULT] plugin_dirs``: copy (or link)
this file into one of them (e.g. /usr/lib/heat) on every heat-engine host
where Valet (the ``openstack-valet`` distribution, package ``valet_openstack``)
is installed (doc/openstack.md, "Heat")."""

from valet_openstack.heat.resources import available_resource_mapping, resource_mapping

__all__ = ["available_resource_mapping", "resource_mapping"]

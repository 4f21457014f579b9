"""Valet's command line: the commands (one module a noun), written once and
registered twice, as ``openstack valet ...`` (:mod:`.osc_plugin`) and as
the standalone ``valet ...`` (:mod:`.app`).  See doc/cli.md."""

"""heat-engine finds Valet's resource types through ``[DEFAULT] plugin_dirs``
holding etc/heat/plugins/valet_resources.py.  In a fresh Python process:
heat builds its global environment (and reads plugin_dirs) once."""

import pathlib
import subprocess
import sys

PLUGINS = pathlib.Path(__file__).resolve().parents[2] / "etc" / "heat" / "plugins"
PROBE = """
import sys
from oslo_config import cfg
from heat.common import config  # noqa: F401  (heat's options, plugin_dirs among them)
from heat.common import exception
cfg.CONF([], project="heat")
cfg.CONF.set_override("plugin_dirs", [sys.argv[1]])
from heat.engine import resources
resources.initialise()
names = ["OS::Valet::Group", "OS::Valet::GroupAssignment", "ATT::Valet::GroupAssignment",
         "ATT::QoS::ResourceGroup", "ATT::CloudQoS::ResourceGroup", "ATT::QoS::Pipe",
         "ATT::CloudQoS::Pipe", "OS::Valet::Server", "OS::Valet::Volume"]
for name in names:
    try:
        print(name, resources.global_env().get_class(name).__name__)
    except (exception.EntityNotFound, exception.StackValidationFailed):
        print(name, "-")
"""


def loaded(directory):
    result = subprocess.run([sys.executable, "-c", PROBE, str(directory)], capture_output=True,
                            text=True, check=True, timeout=300)
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_heat_loads_every_type_from_plugin_dirs(tmp_path):
    assert loaded(PLUGINS) == {
        "OS::Valet::Group": "ValetGroup",
        "OS::Valet::GroupAssignment": "GroupAssignment",
        "ATT::Valet::GroupAssignment": "GroupAssignment",
        "ATT::QoS::ResourceGroup": "QoSResourceGroup",
        "ATT::CloudQoS::ResourceGroup": "QoSResourceGroup",
        "ATT::QoS::Pipe": "QoSPipe", "ATT::CloudQoS::Pipe": "QoSPipe",
        "OS::Valet::Server": "PlannedServer", "OS::Valet::Volume": "PlannedVolume"}
    assert set(loaded(tmp_path).values()) == {"-"}          # an empty plugin dir: none

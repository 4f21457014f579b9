"""oslo.config options of the engine: ``[DEFAULT]``, ``[engine]`` and ``[inventory]``.

The API and the engine service register further groups of their own; this
module holds only what the engine core reads.
"""

import enum

from oslo_config import cfg


class Objective(enum.StrEnum):
    """What the search prefers after keeping pipe bandwidth local
    (``[engine] objective``; :mod:`ostro.search.objective`)."""

    PACK = "pack"        # as few hosts as possible
    SPREAD = "spread"    # as many hosts as possible


default_opts = [
    cfg.StrOpt("state_path", default="/var/lib/valet",
               help="Directory for Valet's state: the default SQLite database and "
                    "the default tooz file lock directory."),
]

engine_opts = [
    cfg.StrOpt("mode", default="local", choices=["local", "rpc"],
               help="How the API reaches the engine: in-process or over oslo.messaging."),
    cfg.StrOpt("objective", default=Objective.PACK.value, choices=[o.value for o in Objective],
               help="After keeping pipe bandwidth local: pack new load on as few "
                    "hosts as possible (keeps whole hosts and racks free), or spread it."),
    cfg.IntOpt("exact_max_resources", default=50, min=0,
               help="Stacks with at most this many servers and volumes are solved "
                    "with the exact CP-SAT model (within solver_time_budget)."),
    cfg.IntOpt("exact_max_variables", default=60000, min=0,
               help="Upper bound on resource x candidate-location pairs in the "
                    "exact model (building it takes about 25 us a pair). Small "
                    "stacks are complete when they fit under this bound."),
    cfg.FloatOpt("solver_time_budget", default=1.0, min=0.0,
                 help="Seconds the search may spend on one request: the first "
                      "answer always completes; improvement (local moves, greedy "
                      "restarts, the exact solver) stops within this budget."),
    cfg.FloatOpt("request_time_budget", default=10.0, min=0.0,
                 help="Seconds one planning operation (plan, update, replan, "
                      "migrate, ad hoc) may take as a whole: parsing, group checks, "
                      "ordering and search. The engine holds the store's write lock "
                      "meanwhile, so this bounds how long one request can make every "
                      "other writer wait; past it the request is refused (413, "
                      "naming this option) and nothing is committed. Keep it well "
                      "under the API's worker timeout (30 s) and [engine] timeout. "
                      "0: no bound."),
    cfg.IntOpt("max_resources_per_plan", default=1000, min=0,
               help="Servers and volumes one plan may hold (Heat's own default "
                    "max_resources_per_stack is 1000); a larger plan is refused "
                    "with 413 before any planning. 0: no limit."),
    cfg.IntOpt("max_groups_per_plan", default=200, min=0,
               help="In-stack groups (OS::Valet::GroupAssignment, "
                    "ATT::QoS::ResourceGroup, ...) one plan may declare; a plan "
                    "with more is refused with 413 before any planning. 0: no limit."),
    cfg.IntOpt("max_group_nesting", default=8, min=0,
               help="Levels of in-stack groups nested in groups (1: no group "
                    "holds another); a deeper plan is refused with 413 before "
                    "any planning. 0: no limit."),
    cfg.IntOpt("solver_workers", default=2, min=1,
               help="CP-SAT search workers."),
    cfg.FloatOpt("default_cpu_allocation_ratio", default=16.0, min=0.0,
                 help="vCPU overcommit for hosts with no ratio of their own or "
                      "from an aggregate (inventory defaults override it)."),
    cfg.FloatOpt("default_ram_allocation_ratio", default=1.5, min=0.0,
                 help="RAM overcommit default (see default_cpu_allocation_ratio)."),
    cfg.FloatOpt("default_disk_allocation_ratio", default=1.0, min=0.0,
                 help="Disk overcommit default (see default_cpu_allocation_ratio)."),
    cfg.FloatOpt("cpu_standby_ratio", default=0.0, min=0.0, max=100.0,
                 help="Percent of each host's vCPU capacity kept free as standby."),
    cfg.FloatOpt("ram_standby_ratio", default=0.0, min=0.0, max=100.0,
                 help="Percent of each host's RAM capacity kept free as standby."),
    cfg.FloatOpt("disk_standby_ratio", default=0.0, min=0.0, max=100.0,
                 help="Percent of each host's disk capacity kept free as standby."),
    cfg.IntOpt("planned_ttl", default=3600, min=1,
               help="Seconds a planned placement holds capacity before Nova "
                    "reserves it; then it is released."),
    cfg.IntOpt("reserved_ttl", default=900, min=1,
               help="Seconds a reserved placement holds capacity before its "
                    "instance is seen; then it is released."),
]

inventory_opts = [
    cfg.StrOpt("driver", default="file", choices=["file", "nova"],
               help="Where the data centre comes from."),
    cfg.StrOpt("file", default="/etc/valet/inventory.yaml",
               help="Inventory YAML for the file driver."),
]


def register_opts(conf):
    conf.register_opts(default_opts)
    conf.register_opts(engine_opts, group="engine")
    conf.register_opts(inventory_opts, group="inventory")


def list_opts():
    return [
        ("DEFAULT", default_opts),
        ("engine", engine_opts),
        ("inventory", inventory_opts),
    ]


class EngineSettings:
    """The ``[engine]`` values the search reads, detached from oslo.config.

    The core takes this plain object so tests, ``valet-sim`` and benchmarks
    can set values without a global ``cfg.CONF``.
    """

    def __init__(self, **overrides):
        for opt in engine_opts:
            setattr(self, opt.dest, opt.default)
        for name, value in overrides.items():
            if not hasattr(self, name):
                raise TypeError(f"unknown engine setting {name!r}")
            setattr(self, name, value)
        self.objective = Objective(self.objective)

    @classmethod
    def from_conf(cls, conf):
        return cls(**{opt.dest: getattr(conf.engine, opt.dest) for opt in engine_opts})

"""Plans: what the engine remembers about each stack it placed."""

import dataclasses
import time
import uuid


@dataclasses.dataclass
class Plan:
    id: str
    name: str
    stack_id: str | None
    resources: dict
    project_id: str | None = None
    placements: dict = dataclasses.field(default_factory=dict)   # orch id -> Placement
    method: str = ""
    #: a dry run's search state, its placements assumed (never stored).
    trial_state: object = dataclasses.field(default=None, repr=False, compare=False)

    def to_dict(self):
        """The API's plan shape (DESIGN §4), and beyond the original: the
        groups (named or in-stack) each placement is in."""
        return {"id": self.id, "name": self.name, "stack_id": self.stack_id,
                "placements": {orch: {"name": p.name, "location": p.location,
                                      "groups": sorted({group.name for group in p.groups})}
                               for orch, p in self.placements.items()}}


def new_plan(name, stack_id, resources, project_id=None):
    return Plan(id=str(uuid.uuid4()), name=name or stack_id or "plan", stack_id=stack_id,
                resources=dict(resources), project_id=project_id)


def now():
    return time.time()

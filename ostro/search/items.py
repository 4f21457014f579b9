"""What the search places: an :class:`Item` is one server or volume with its
demand as a vector, the groups it belongs to and the pipes it ends."""

import collections
import dataclasses

import numpy as np

#: One group an item belongs to.  ``unit`` is the direct member of the group
#: the item sits under (diversity keeps units, not leaves, apart).
Membership = collections.namedtuple("Membership", "key kind level unit")

#: One end of a pipe as seen from an item: the other end, the bandwidth and
#: the pipe's own id (two pipes may join the same pair of items).
PipeEnd = collections.namedtuple("PipeEnd", "peer bandwidth pipe")


@dataclasses.dataclass(eq=False, slots=True)
class Item:
    orch_id: str
    name: str
    kind: str
    demand: np.ndarray
    resource: object = None
    groups: tuple = ()
    pipes: tuple = ()

    @property
    def is_server(self):
        return self.kind == "server"


def make_item(orch_id, resource, groups=(), pipes=()):
    """An item for ``resource``; ``groups`` are :class:`Membership` tuples,
    ``pipes`` :class:`PipeEnd` tuples."""
    return Item(orch_id=orch_id, name=resource.name, kind=resource.kind,
                demand=np.asarray(resource.demand, dtype=float), resource=resource,
                groups=tuple(groups), pipes=tuple(pipes))


def stack_items(stack, group_rules):
    """Items for every resource of ``stack`` with memberships from ``group_rules``
    (:class:`~ostro.model.placement.GroupMembers` by key) and the stack's pipes."""
    memberships = collections.defaultdict(list)
    for rule in group_rules.values():
        for orch_id, unit in rule.units.items():
            memberships[orch_id].append(Membership(rule.key, rule.kind, rule.level, unit))
    pipes = collections.defaultdict(list)
    for pipe in stack.pipes:
        first, second = pipe.ends
        pipes[first].append(PipeEnd(second, pipe.bandwidth, pipe.orch_id))
        pipes[second].append(PipeEnd(first, pipe.bandwidth, pipe.orch_id))
    return {orch_id: make_item(orch_id, resource, memberships[orch_id], pipes[orch_id])
            for orch_id, resource in stack.resources.items()}

"""The objective (DESIGN §5): keep pipe bandwidth local, then pack (or spread).

One definition serves the heuristic's final comparison, the exact model's
weights and the benchmarks, so "better" means the same thing everywhere.
"""

import dataclasses

from ostro.config import Objective
from ostro.model.datacenter import LEVELS
from ostro.search import soft


@dataclasses.dataclass(frozen=True)
class Score:
    pipe_cost: float      # sum of bandwidth x boundaries crossed
    hosts_used: int       # hosts that receive new servers
    empty_opened: int     # of those, hosts that held nothing before
    soft_excess: int = 0  # how far soft group rules are broken (ostro.search.soft)

    def key(self, objective):
        # NOTE: breaking a soft rule less outweighs any packing or pipe gain:
        # what the template author asked for comes before how well it packs.
        if objective == Objective.SPREAD:
            return (self.soft_excess, round(self.pipe_cost, 6), -self.hosts_used,
                    -self.empty_opened)
        return (self.soft_excess, round(self.pipe_cost, 6), self.hosts_used, self.empty_opened)


def pipe_crossings(compiled, first, second):
    """Number of levels at which two locations are in different domains."""
    count = 0
    for level in LEVELS:
        a, b = compiled.domain[level][first], compiled.domain[level][second]
        if a != b or a < 0:
            count += 1
    return count


def host_was_empty(base_state, location):
    compiled = base_state.compiled
    host_domain = compiled.domain["host"][location]
    return base_state.servers_in["host"][host_domain] == 0 and \
        not compiled.base_occupied[location]


def of_state(problem, base_state, state):
    """The score of ``state``, which holds every item of ``problem`` placed
    on top of ``base_state``, soft rules counted."""
    locations = {orch: state.location_of[orch] for orch in problem.items}
    score = evaluate(base_state, problem.items, locations)
    if problem.soft_rules:
        score = dataclasses.replace(score, soft_excess=soft.excess(problem, state))
    return score


def evaluate(base_state, items, locations):
    """Score ``locations`` (orch id -> location index) of ``items`` placed on
    top of ``base_state`` (which may hold the other ends of pipes); soft
    rules are not counted (:func:`of_state` does)."""
    compiled = base_state.compiled
    cost, seen = 0.0, set()
    for orch_id, location in locations.items():
        for end in items[orch_id].pipes:
            peer = locations.get(end.peer, base_state.location_of.get(end.peer))
            if end.pipe in seen or peer is None:
                continue
            seen.add(end.pipe)
            cost += end.bandwidth * pipe_crossings(compiled, location, peer)
    hosts = {loc for orch_id, loc in locations.items() if items[orch_id].is_server}
    opened = sum(1 for loc in hosts if host_was_empty(base_state, loc))
    return Score(cost, len(hosts), opened)

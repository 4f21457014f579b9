"""The exact whole-stack model (OR-tools CP-SAT).

Order as in OR-tools' bin-packing sample: data (items and their candidate
locations from the rules' filters), variables (one boolean per item and
candidate), constraints (each rule module adds its own), objective, solve,
read the solution.
"""

import collections
import dataclasses
import math

import numpy as np
from ortools.sat.python import cp_model

from ostro.config import Objective
from ostro.cpsat import total
from ostro.model.datacenter import LEVELS
from ostro.search import bounds
from ostro.search import objective as objectives


class ExactModel:
    def __init__(self, problem, state, candidates):
        """``state`` holds everything already placed; ``candidates``: orch id
        -> location indices the item may take (its filters at ``state``)."""
        self.problem = problem
        self.compiled = problem.compiled
        self.items = problem.items
        self.state = state
        # Integer demands, converted once (the model takes Python ints).
        self.demand = {orch: [int(round(float(v))) for v in item.demand]
                       for orch, item in self.items.items()}
        self.model = cp_model.CpModel()
        # Variables: x[orch][location] is 1 when the item goes there.
        self.x = {orch: {int(loc): self.model.new_bool_var(f"x_{orch}_{loc}") for loc in locs}
                  for orch, locs in candidates.items()}
        # Each item goes to exactly one of its candidates.
        for variables in self.x.values():
            self.model.add_exactly_one(variables.values())
        self._presence = {}
        self._excess = []        # variables counting members beyond a soft rule
        self._uplink = collections.defaultdict(list)
        self._pipe_cost = []
        self._model_pipes()
        self._model_hosts_used()
        for rule in problem.dynamic_rules:
            rule.constrain(self)
        self._set_objective()

    def presence(self, orch, level):
        """domain -> variables whose sum is 1 when ``orch`` is in that domain."""
        key = (orch, level)
        if key not in self._presence:
            domains = self.compiled.domain[level]
            grouped = collections.defaultdict(list)
            for location, var in self.x[orch].items():
                grouped[int(domains[location])].append(var)
            self._presence[key] = dict(grouped)
        return self._presence[key]

    def excess(self, name, most):
        """A new variable (0..``most``) counting how far a soft rule is
        broken; every unit of it costs more than all other terms together."""
        var = self.model.new_int_var(0, most, name)
        self._excess.append(var)
        return var

    def by_location(self):
        grouped = collections.defaultdict(list)
        for orch, variables in self.x.items():
            for location, var in variables.items():
                grouped[location].append((orch, var))
        return grouped

    def uplink_terms(self):
        """(level, domain) -> [(bandwidth, var or None)] the pipes put on its uplink."""
        return self._uplink

    def _model_pipes(self):
        seen = set()
        for orch, item in self.items.items():
            for end in item.pipes:
                if end.pipe in seen:
                    continue
                seen.add(end.pipe)
                if end.peer in self.x:
                    self._pipe_between_items(orch, end.peer, end.bandwidth, end.pipe)
                elif end.peer in self.state.location_of:
                    self._pipe_to_placed(orch, self.state.location_of[end.peer], end.bandwidth)

    def _pipe_between_items(self, first, second, bandwidth, pipe):
        for level in LEVELS:
            at_first, at_second = self.presence(first, level), self.presence(second, level)
            together = []
            for domain in set(at_first) | set(at_second):
                in_first, in_second = at_first.get(domain, []), at_second.get(domain, [])
                for var in in_first + in_second:
                    self._uplink[(level, domain)].append((bandwidth, var))
                if domain < 0 or not in_first or not in_second:
                    continue
                # both[d] can be 1 only when both ends are in domain d.
                both = self.model.new_bool_var(f"same_{pipe}_{level}_{domain}")
                self.model.add(both <= total(in_first))
                self.model.add(both <= total(in_second))
                together.append(both)
                self._uplink[(level, domain)].append((-2 * bandwidth, both))
            # Crossing this level costs the bandwidth unless the ends share a domain.
            self._pipe_cost.append((bandwidth, None))
            self._pipe_cost.extend((-bandwidth, both) for both in together)

    def _pipe_to_placed(self, orch, peer_location, bandwidth):
        for level in LEVELS:
            peer_domain = int(self.compiled.domain[level][peer_location])
            at_item = self.presence(orch, level)
            shared = at_item.get(peer_domain, []) if peer_domain >= 0 else []
            for domain, variables in at_item.items():
                if domain != peer_domain or domain < 0:
                    self._uplink[(level, domain)].extend((bandwidth, v) for v in variables)
            self._pipe_cost.append((bandwidth, None))
            self._pipe_cost.extend((-bandwidth, v) for v in shared)
            if peer_domain >= 0:
                self._uplink[(level, peer_domain)].append((bandwidth, None))
                self._uplink[(level, peer_domain)].extend((-bandwidth, v) for v in shared)

    def _model_hosts_used(self):
        """used[h] is 1 exactly when host h receives a server."""
        hosts = collections.defaultdict(list)
        for orch, variables in self.x.items():
            if self.items[orch].is_server:
                for location, var in variables.items():
                    hosts[location].append(var)
        self.used = {}
        for location, variables in hosts.items():
            flag = self.model.new_bool_var(f"used_{location}")
            self.model.add_max_equality(flag, variables)
            self.used[location] = flag
        # A fact about every valid placement, stated so the solver's bound starts there.
        if self.used:
            self.model.add(total(self.used.values()) >= bounds.hosts_lower_bound(
                self.problem, self.state))

    def at_most_one_unless_unused(self, location):
        """Right-hand side for "at most one of these on one host": the host's
        used flag (tighter than 1 for the solver's bound; equal in value)."""
        return self.used.get(location, 1)

    def _set_objective(self):
        """Pipe cost first, then hosts used (fewest for pack, most for spread),
        then hosts that were empty (avoid for pack, prefer for spread)."""
        spread = self.problem.objective == Objective.SPREAD
        per_host = len(self.used) + 1
        per_pipe = per_host * per_host
        terms = [(int(round(bw)) * per_pipe, var) for bw, var in self._pipe_cost if var is not None]
        for location, flag in self.used.items():
            empty = objectives.host_was_empty(self.state, location)
            terms.append(((-per_host if spread else per_host) + (empty != spread), flag))
        # NOTE: one member less beyond a soft rule is worth more than every
        # other term together (Score.key: soft excess first).
        heaviest = sum(abs(weight) for weight, _ in terms) + 1
        terms.extend((heaviest, var) for var in self._excess)
        self.model.minimize(cp_model.LinearExpr.weighted_sum(
            [var for _, var in terms], [weight for weight, _ in terms]))

    def hint(self, locations):
        for orch, location in locations.items():
            for candidate, var in self.x.get(orch, {}).items():
                self.model.add_hint(var, candidate == location)

    def solve(self, time_limit, workers=1):
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(time_limit, 0.01)
        solver.parameters.num_search_workers = workers
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return ExactResult(None)
        chosen = {orch: next(loc for loc, var in variables.items() if solver.value(var))
                  for orch, variables in self.x.items()}
        return ExactResult(chosen, optimal=status == cp_model.OPTIMAL,
                           hosts_bound=self._hosts_bound(solver))

    def _hosts_bound(self, solver):
        """Lower bound on hosts used, when no pipe term blurs the objective."""
        if any(var is not None for _, var in self._pipe_cost) or not self.used or self._excess:
            return None
        per_host = len(self.used) + 1
        if self.problem.objective == Objective.SPREAD:
            return None
        # Each used host weighs per_host (+1 if it was empty), and fewer than
        # per_host hosts exist, so the bound divided by per_host floors to hosts.
        return math.floor(solver.best_objective_bound / per_host + 1e-9)


@dataclasses.dataclass
class ExactResult:
    locations: dict | None
    optimal: bool = False
    hosts_bound: int | None = None


def candidate_sets(problem, state):
    """orch id -> candidate location indices (each item alone, at ``state``);
    soft rules are left to the model (:meth:`ExactModel.excess`), which may
    break them where the heuristic had to."""
    return {orch: np.flatnonzero(problem.candidates(state, item, soft=False))
            for orch, item in problem.items.items()}


def size(candidates):
    return sum(len(c) for c in candidates.values())

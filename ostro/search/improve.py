"""Local improvement of a heuristic answer: empty lightly used hosts.

For each host holding few of the stack's servers, try to move them all onto
other hosts the stack already uses; keep the move only if the objective
improves.  Stops at a local optimum or when the budget runs out.
"""

import time

import numpy as np

from ostro.config import Objective
from ostro.search import objective, scoring


def _hosts_by_load(problem, state):
    load = {}
    for orch_id, item in problem.items.items():
        if item.is_server:
            load.setdefault(state.location_of[orch_id], []).append(orch_id)
    return sorted(load.items(), key=lambda entry: (len(entry[1]), entry[0]))


def _try_empty(problem, state, host, movers):
    compiled = state.compiled
    for orch_id in movers:
        state.forget(orch_id)
    for orch_id in sorted(movers, key=lambda o: -problem.items[o].demand.sum()):
        item = problem.items[orch_id]
        used_hosts = np.zeros(compiled.size, dtype=bool)
        used_hosts[:compiled.host_count] = state.new_in["host"] > 0
        mask = problem.candidates(state, item) & used_hosts
        mask[host] = False
        if not mask.any():
            return False
        state.assume(item, scoring.best(problem, state, item, mask))
    return True


def improve(problem, base_state, state, deadline):
    """Return a state at least as good as ``state`` for ``problem.objective``."""
    if problem.objective != Objective.PACK:
        return state
    current = objective.of_state(problem, base_state, state).key(Objective.PACK)
    given_up = set()
    improved = True
    while improved and time.monotonic() <= deadline:
        improved = False
        for host, movers in _hosts_by_load(problem, state):
            if host in given_up:
                continue
            if time.monotonic() > deadline:
                break
            trial = state.copy()
            if _try_empty(problem, trial, host, movers):
                score = objective.of_state(problem, base_state, trial)
                if score.key(Objective.PACK) < current:
                    state, current, improved = trial, score.key(Objective.PACK), True
                    break
            given_up.add(host)
    return state


"""Alternate hosts: where one placed server could go instead.

Nova retries a failed build on alternates it was given at scheduling time,
without asking the scheduler again (``[scheduler] max_attempts``).  An
alternate Valet offers must keep every rule of the server's plan with the
rest of the data centre as it is: the server is taken off its host in a
copy of the live state and the same masks the search uses (capacity, its
groups, exclusivity, bandwidth) say where it could be placed now.
"""

from ostro.search import scoring
from ostro.search.problem import Problem


def alternates(compiled, live, item, rules, locations, objective, limit):
    """Up to ``limit`` names of ``locations`` (not the item's own host)
    that could take ``item`` instead, best first as the search would
    choose them.  ``live`` is not changed."""
    current = live.location_of.get(item.orch_id)
    if limit <= 0 or current is None:
        return []
    state = live.copy()
    state.forget(item.orch_id)
    problem = Problem(compiled, {item.orch_id: item}, rules,
                      allowed={item.orch_id: set(locations)},
                      excluded={item.orch_id: {compiled.names[current]}}, objective=objective)
    mask = problem.candidates(state, item).copy()
    ranked = []
    while len(ranked) < limit and mask.any():
        best = scoring.best(problem, state, item, mask)
        ranked.append(compiled.names[best])
        mask[best] = False
    return ranked

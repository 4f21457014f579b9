"""Whole-stack search: heuristic first, then improvement while the budget lasts.

- The heuristic's answer is improved locally (emptying lightly used hosts);
  that is cheap and runs for every stack.
- Unless the answer already meets a lower bound: stacks small enough for the
  exact model go to CP-SAT, which starts from it as a hint (the better one
  wins); larger stacks get greedy restarts in random block orders.
- Heuristic found nothing, stack small enough: CP-SAT on the full model, so
  small stacks are refused only when no placement exists (or the budget ran
  out before one was found, or the model would exceed
  ``exact_max_variables``).
"""

import dataclasses
import time

from ostro.config import Objective
from ostro.deadline import bound
from ostro.search import advice, bounds, exact, heuristic, improve, objective


@dataclasses.dataclass
class Solution:
    locations: dict          # orch id -> location index
    state: object            # search state holding the placements
    method: str              # "heuristic", "improved" or "exact"
    score: objective.Score
    optimal: bool = False


def solve(problem, base_state, settings, deadline=None, budget=None):
    """Place every item of ``problem`` on top of ``base_state``.

    Raises :class:`~ostro.errors.NoPlacement` when nothing is found.
    ``deadline`` (monotonic seconds; default ``solver_time_budget`` from
    now) ends the improvement; ``budget`` (the operation's
    :class:`ostro.deadline.Deadline`) bounds everything, the first answer
    too (:class:`~ostro.errors.LimitExceeded`), and ends improvement sooner.
    """
    started = time.monotonic()
    budget = bound(budget)
    deadline = budget.soonest(deadline or started + settings.solver_time_budget)
    state, refusal = heuristic.run(problem, base_state, deadline, budget=budget)
    first_pass = time.monotonic() - started
    small = len(problem.items) <= settings.exact_max_resources
    if state is None:
        if small:
            found = _exact(problem, base_state, settings, deadline, hint=None,
                           max_variables=settings.exact_max_variables)
            if found is not None:
                return found
        # NOTE: only a refusal pays for the hints (a pass over the items).
        refusal.hints = advice.hints(problem, base_state)
        raise refusal
    solution = _solution(problem, base_state, state, "heuristic")
    if solution.score.hosts_used > 1:
        improved = improve.improve(problem, base_state, state, deadline)
        if improved is not state:
            solution = _solution(problem, base_state, improved, "improved")
    if _clearly_optimal(problem, base_state, solution):
        return solution
    if small:
        found = _exact(problem, base_state, settings, deadline, hint=solution,
                       max_variables=settings.exact_max_variables)
        if found is not None and found.score.key(problem.objective) < \
                solution.score.key(problem.objective):
            return found
        return solution
    return _restart(problem, base_state, solution, deadline, first_pass)


def _restart(problem, base_state, solution, deadline, pass_seconds):
    """Random-order restarts, each improved, until the lower bound, or until
    one more restart (as long as the longest so far) would miss the deadline."""
    passes = heuristic.restarts(problem, base_state, seed=len(problem.items))
    while time.monotonic() + pass_seconds < deadline:
        started = time.monotonic()
        state = next(passes)
        if state is None:
            continue
        state = improve.improve(problem, base_state, state, deadline)
        candidate = _solution(problem, base_state, state, "restarts")
        pass_seconds = max(pass_seconds, time.monotonic() - started)
        if candidate.score.key(problem.objective) < solution.score.key(problem.objective):
            solution = candidate
            if _clearly_optimal(problem, base_state, solution):
                break
    return solution


def _solution(problem, base_state, state, method, optimal=False):
    locations = {orch: state.location_of[orch] for orch in problem.items}
    return Solution(locations, state, method, objective.of_state(problem, base_state, state),
                    optimal)


def _clearly_optimal(problem, base_state, solution):
    if problem.objective != Objective.PACK or solution.score.pipe_cost > 0 \
            or solution.score.soft_excess:
        return False
    return solution.score.hosts_used <= bounds.hosts_lower_bound(problem, base_state)


def _exact(problem, base_state, settings, deadline, hint, max_variables):
    remaining = deadline - time.monotonic()
    if remaining <= 0.01:
        return None
    candidates = exact.candidate_sets(problem, base_state)
    if any(len(c) == 0 for c in candidates.values()):
        return None
    if exact.size(candidates) > max_variables:
        return None
    model = exact.ExactModel(problem, base_state, candidates)
    if hint is not None:
        model.hint(hint.locations)
    result = model.solve(deadline - time.monotonic(), settings.solver_workers)
    if result.locations is None:
        return None
    state = base_state.copy()
    for orch, location in result.locations.items():
        state.assume(problem.items[orch], location)
    return _solution(problem, base_state, state, "exact", result.optimal)

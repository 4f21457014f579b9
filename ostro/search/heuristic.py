"""The fast whole-stack heuristic: greedy placement in a good order, with
squeaky-wheel restarts (an item that found no place goes first next time)."""

import random
import time

from ostro.deadline import bound
from ostro.errors import LimitExceeded
from ostro.search import ordering, scoring


class DeadEnd(Exception):
    """Internal: the greedy pass could not place ``item``."""

    def __init__(self, item, state):
        super().__init__(item.name)
        self.item, self.state = item, state


def greedy(problem, state, order, budget=None):
    """Place ``order`` one by one on ``state``; raise :class:`DeadEnd` on a
    dead end (and :class:`~ostro.errors.LimitExceeded` once ``budget``, a
    :class:`ostro.deadline.Deadline`, has passed)."""
    budget = bound(budget)
    for orch_id in order:
        budget.check("searching")
        item = problem.items[orch_id]
        mask = problem.candidates(state, item)
        if not mask.any():
            raise DeadEnd(item, state)
        state.assume(item, scoring.best(problem, state, item, mask))
    return state


def run(problem, base_state, deadline, restarts=8, budget=None):
    """A state holding every item, or the refusal of the first attempt.

    The first attempt's refusal is the one reported: it comes from the most
    natural order and names the rule a template author should look at.
    ``deadline`` (monotonic seconds) ends the retries; ``budget`` (a
    :class:`ostro.deadline.Deadline`) bounds the whole run, first pass too.
    """
    order = ordering.initial_order(problem, budget)
    first_refusal = None
    for attempt in range(restarts + 1):
        try:
            return greedy(problem, base_state.copy(), order, budget), None
        except LimitExceeded:
            # NOTE: a retry cut short by the budget: the first pass's refusal
            # still says why, and better than the budget would.
            if first_refusal is None:
                raise
            break
        except DeadEnd as refused:
            if first_refusal is None:
                first_refusal = problem.refusal(refused.state, refused.item)
            if attempt and time.monotonic() > deadline:
                break
            promoted = ordering.promote(order, problem, refused.item.orch_id)
            if promoted == order:
                break
            order = promoted
    return None, first_refusal


def restarts(problem, base_state, seed=0):
    """Endless greedy passes over random block orders; yields each complete
    state, or None for a pass that got stuck (the caller keeps the best and
    decides when to stop)."""
    rng = random.Random(seed)
    attempt = 0
    while True:
        order = ordering.shuffled_order(problem, rng, keep_spread_first=attempt % 2 == 0)
        attempt += 1
        try:
            yield greedy(problem, base_state.copy(), order)
        except DeadEnd:
            yield None

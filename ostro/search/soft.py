"""Soft rules: which ones a placement leaves unmet.

A soft group (``enforcement: soft``) narrows an item's candidates only when
something is left (:meth:`ostro.search.problem.Problem.candidates`), and the
exact model lets it break at a cost above every other term of the objective
(:meth:`ostro.search.exact.ExactModel.keep`).  This module judges a finished
search state, so the heuristic, the improvement and the exact model count
broken soft rules the same way: the first term of the score
(:class:`ostro.search.objective.Score`).
"""

from ostro.constraints.diversity import placed_units
from ostro.model.topology import GroupKind


def unmet(problem, state):
    """The soft rules of ``problem`` that ``state`` (every item placed) breaks."""
    return [rule for rule in problem.soft_rules if _broken(rule, state)]


def _broken(rule, state):
    counter = state.counter(rule.key)
    if counter is None or not counter.members:
        return False
    domains = {domain: count for domain, count in counter.members.items() if count > 0}
    if rule.kind == GroupKind.AFFINITY:
        # NOTE: a member with no domain at the level (-1) shares it with no one.
        return len(domains) > 1 or -1 in domains
    distinct = placed_units(counter)
    return any(domain >= 0 and count > rule.limit for domain, count in distinct.items())

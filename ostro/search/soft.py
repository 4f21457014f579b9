"""Soft rules: which ones a placement leaves unmet.

A soft group (``enforcement: soft``) narrows an item's candidates only when
something is left (:meth:`ostro.search.problem.Problem.candidates`), and the
exact model lets it break at a cost above every other term of the objective
(:meth:`ostro.search.exact.ExactModel.excess`).  How far a rule is broken
is its *excess*: for diversity the units beyond the limit, summed over the
domains; for affinity the domains used beyond the first.  This module judges
a finished search state, so the heuristic, the improvement and the exact
model count it the same way: the first term of the score
(:class:`ostro.search.objective.Score`).
"""

from ostro.constraints.diversity import placed_units
from ostro.model.topology import GroupKind


def excess(problem, state):
    """How far ``state`` (every item placed) breaks the soft rules of
    ``problem``, in all."""
    return sum(_excess(rule, state) for rule in problem.soft_rules)


def affinity_excess(counter):
    """How far an affinity group's placed members (``counter``) are split:
    the domains they use beyond the first, plus each member with no domain
    at the level (it shares one with no one: the checker's violation too)."""
    used = sum(1 for domain, count in counter.members.items() if domain >= 0 and count > 0)
    return max(used - 1, 0) + counter.members.get(-1, 0)


def _excess(rule, state):
    counter = state.counter(rule.key)
    if counter is None or not counter.members:
        return 0
    if rule.kind == GroupKind.AFFINITY:
        return affinity_excess(counter)
    return sum(count - rule.limit for domain, count in placed_units(counter).items()
               if domain >= 0 and count > rule.limit)

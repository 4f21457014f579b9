"""The order in which the heuristic places items.

Items bound together (affinity groups, pipes) form a *block* placed in one
run so the first member's choice can account for the rest.  Blocks holding
members of big diversity groups go first: those members must open distinct
hosts, and the rest then fills around them (measured: half the excess hosts
of plain first-fit decreasing on the quality benchmark's stacks).  Then big
blocks first (first-fit decreasing); within a block, affinity mates come
together and pipe peers follow, so each lands beside a placed peer.
"""

from ostro.deadline import bound
from ostro.model.topology import GroupKind


def _blocks(problem):
    parent = {orch: orch for orch in problem.items}

    def root(orch):
        while parent[orch] != orch:
            parent[orch] = parent[parent[orch]]
            orch = parent[orch]
        return orch

    def join(first, second):
        if first in parent and second in parent:
            parent[root(first)] = root(second)

    for rule in problem.group_rules:
        members = [orch for orch in rule.members if orch in problem.items]
        if rule.kind == GroupKind.AFFINITY:
            for other in members[1:]:
                join(members[0], other)
    for orch, item in problem.items.items():
        for end in item.pipes:
            join(orch, end.peer)
    blocks = {}
    for orch in problem.items:
        blocks.setdefault(root(orch), []).append(orch)
    return list(blocks.values())


def _weights(problem):
    scale = problem.compiled.scale
    return {orch: float((item.demand / scale).sum()) for orch, item in problem.items.items()}


def _spread_needed(problem):
    """Item -> units of the largest diversity group it belongs to."""
    needed = dict.fromkeys(problem.items, 0)
    for rule in problem.group_rules:
        if rule.kind != GroupKind.DIVERSITY:
            continue
        members = [orch for orch in rule.members if orch in problem.items]
        units = len({rule.rule.units[orch] for orch in members})
        for orch in members:
            needed[orch] = max(needed[orch], units)
    return needed


def _affinity_mates(problem, deadline):
    """Item -> its affinity mates, each once, in the order groups name them.

    NOTE: once, because items sharing many groups (300 identical ones, say)
    would otherwise list each mate 300 times, and _follow_links queues every
    copy: seconds of list shuffling under the write lock, for the same order.
    """
    mates = {orch: {} for orch in problem.items}
    for rule in problem.group_rules:
        if rule.kind == GroupKind.AFFINITY:
            deadline.check("ordering")
            members = [orch for orch in rule.members if orch in problem.items]
            for orch in members:
                mates[orch].update((other, None) for other in members if other != orch)
    return {orch: list(found) for orch, found in mates.items()}


def _follow_links(problem, block, weight, mates, deadline):
    """Breadth first from the block's volumes, then its heaviest item:
    affinity mates right after each other (so a group is placed in one run),
    then pipe peers.

    NOTE: volumes first, because a pipe to a volume always crosses its
    server's host uplink; with the volume placed, each server's bandwidth
    filter sees that charge when it chooses a host, instead of the volume
    finding every peer's uplink already full at the end.
    """
    ordered, seen = [], set()
    starts = sorted(block, key=lambda orch: (problem.items[orch].is_server, -weight[orch]))
    for start in starts:
        pending = [start]
        while pending:
            deadline.check("ordering")
            orch = pending.pop(0)
            if orch in seen:
                continue
            seen.add(orch)
            ordered.append(orch)
            together = sorted((m for m in mates[orch] if m not in seen), key=lambda m: -weight[m])
            pending[:0] = together
            peers = [end.peer for end in problem.items[orch].pipes if end.peer in problem.items]
            pending.extend(sorted(peers, key=lambda peer: -weight[peer]))
    return ordered


def _expand(problem, blocks, weight, deadline=None):
    """The items of ``blocks`` in order, pinned items first: each has one
    possible location, and whatever is placed before it could take its room."""
    deadline = bound(deadline)
    mates = _affinity_mates(problem, deadline)
    pinned = problem.pinned()
    order = list(pinned)
    taken = set(pinned)
    for block in blocks:
        order.extend(o for o in _follow_links(problem, block, weight, mates, deadline)
                     if o not in taken)
    return order


def shuffled_order(problem, rng, keep_spread_first):
    """A random block order for restarts; optionally still spread-first."""
    weight = _weights(problem)
    blocks = _blocks(problem)
    rng.shuffle(blocks)
    if keep_spread_first:
        spread = _spread_needed(problem)
        blocks.sort(key=lambda block: -max(spread[o] for o in block))
    return _expand(problem, blocks, weight)


def initial_order(problem, deadline=None):
    """The heuristic's first order (``deadline``: the operation's
    :class:`ostro.deadline.Deadline`, checked as it goes; None: none)."""
    if len(problem.items) == 1:
        return list(problem.items)
    weight = _weights(problem)
    spread = _spread_needed(problem)
    blocks = _blocks(problem)
    blocks.sort(key=lambda block: (-max(spread[o] for o in block),
                                   -sum(weight[o] for o in block)))
    return _expand(problem, blocks, weight, deadline)


def promote(order, problem, failed):
    """Move the block holding ``failed`` to the front (squeaky wheel)."""
    block = next(b for b in _blocks(problem) if failed in b)
    members = set(block)
    return [o for o in order if o in members] + [o for o in order if o not in members]

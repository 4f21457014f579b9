"""Capacity: vCPU, RAM and local disk on hosts, GB on storage backends.

Capacities already include overcommit ratios and standby (see
:meth:`Datacenter.capacity`); existing load sits in the state's ``used``.
"""

import numpy as np
from ortools.sat.python import cp_model

from ostro.constraints.base import Rule
from ostro.model.datacenter import DIMENSIONS

#: Float slack so 0.1 + 0.2 style sums never refuse an exact fit.
EPSILON = 1e-6


class Capacity(Rule):
    label = "capacity"

    def mask(self, state, item):
        mask = None
        for dim in np.flatnonzero(item.demand > 0):
            fits = state.headroom[:, dim] >= item.demand[dim] - EPSILON
            mask = fits if mask is None else mask & fits
        return mask

    def detail(self, state, item):
        wanted = [f"{value:g} {dim}" for dim, value in zip(DIMENSIONS, item.demand, strict=True)
                  if value]
        return "needs " + ", ".join(wanted)

    def constrain(self, exact):
        """Demand placed on a location stays within its free capacity, and on
        a host only if the host is used at all: the second half changes no
        answer but hands the solver the bin-packing bound early."""
        free = exact.state.free()
        for location, entries in exact.by_location().items():
            used = exact.used.get(location)
            for dim in range(len(DIMENSIONS)):
                terms = [(exact.demand[orch][dim], var) for orch, var in entries
                         if exact.demand[orch][dim] > 0]
                if not terms or (used is None and len(terms) < 2):
                    continue   # a single item's fit is already in its candidates
                limit = int(free[location, dim] + EPSILON)
                exact.model.add(cp_model.LinearExpr.weighted_sum(
                    [var for _, var in terms], [weight for weight, _ in terms])
                    <= (limit * used if used is not None else limit))

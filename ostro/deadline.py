"""A time budget for one planning operation (``[engine] request_time_budget``).

The engine holds the store's write lock while it plans, so a request whose
parsing, group checks, ordering or search runs long stalls every other
writer.  A :class:`Deadline` is created when the work starts and handed
down; each phase checks it in its loops (:meth:`Deadline.check`) and the
operation is refused with :class:`~ostro.errors.LimitExceeded` naming the
budget, before anything is committed.  No threads: the check is a clock
read, so a phase stops at its next step once the budget is spent.
"""

import time

from ostro.errors import LimitExceeded

#: The option that sets the budget, named in every refusal.
BUDGET_OPTION = "request_time_budget"


class Deadline:
    """``seconds`` from now (None: no bound, for restores and tools that
    must finish whatever it costs)."""

    def __init__(self, seconds=None, clock=time.monotonic):
        self.seconds, self._clock = seconds, clock
        self.at = None if seconds is None else clock() + seconds

    def remaining(self):
        """Seconds left (infinity when unbounded); negative once passed."""
        return float("inf") if self.at is None else self.at - self._clock()

    def expired(self):
        return self.at is not None and self._clock() > self.at

    def check(self, phase):
        """Raise :class:`LimitExceeded` if the budget is spent; ``phase`` says
        what the operation was doing (``"checking groups"``, ``"ordering"``)."""
        if self.expired():
            raise LimitExceeded(
                BUDGET_OPTION, f"planning took longer than [engine] {BUDGET_OPTION} "
                f"({self.seconds:g} s) while {phase}; split the stack into smaller "
                f"ones, or ask the operator to raise the budget")

    def soonest(self, other_at):
        """The earlier of this deadline and the monotonic time ``other_at``."""
        return other_at if self.at is None else min(self.at, other_at)


#: No bound: what a caller that passes no deadline gets.
UNBOUNDED = Deadline()


def bound(deadline):
    """``deadline``, or :data:`UNBOUNDED` when None."""
    return UNBOUNDED if deadline is None else deadline

"""``ValetWeigher``: nova ranks the hosts ValetFilter passed in Valet's
order, the planned host first and its alternates after it.

With it in ``[filter_scheduler] weight_classes`` the filter passes more
than the planned host (doc/openstack.md "Nova"): the planned hosts of a
multi-create request's other instances (nova filters instance n+1 only
among the hosts that passed for instance n) and alternates, which nova's
conductor tries when a build fails (``[scheduler] max_attempts``) without
asking the scheduler again.  Without it the filter passes the planned
host alone.
"""

import nova.conf
from nova.scheduler import weights

from valet_openstack import options
from valet_openstack.nova import ranking

CONF = nova.conf.CONF


class ValetWeigher(weights.BaseHostWeigher):
    """Valet's planned host weighs most, its alternates less, the rest nothing."""

    def __init__(self):
        super().__init__()
        options.register_opts(CONF)     # NOTE: as the filter does: once it is used

    def weight_multiplier(self, host_state):
        return CONF.valet.weight_multiplier

    def _weigh_object(self, host_state, weight_properties):
        return ranking.weight(weight_properties.instance_uuid, host_state.host)

"""Aggregate extra specs: a flavor's extra specs must match the metadata of
the host's aggregates (Nova's AggregateInstanceExtraSpecsFilter semantics;
the ``valet`` key is Valet's own and ignored here)."""

import numpy as np

from ostro.constraints import spec_ops
from ostro.constraints.base import Rule


class AggregateExtraSpecs(Rule):
    label = "aggregate_extra_specs"

    def applies(self, item):
        return item.is_server and bool(item.resource.extra_specs)

    def mask(self, state, item):
        compiled = state.compiled
        specs = item.resource.extra_specs
        key = ("extra_specs", tuple(sorted(specs.items())))
        return compiled.cached_mask(key, lambda: self._build(compiled, specs))

    @staticmethod
    def _build(compiled, specs):
        datacenter = compiled.datacenter
        mask = np.zeros(compiled.size, dtype=bool)
        # NOTE: hosts share a handful of aggregate sets; match each set once.
        verdicts = {}
        for index, host in enumerate(datacenter.hosts.values()):
            if host.aggregates not in verdicts:
                metadata = datacenter.aggregate_metadata(host)
                verdicts[host.aggregates] = spec_ops.host_satisfies(metadata, specs)
            mask[index] = verdicts[host.aggregates]
        return mask

    def detail(self, state, item):
        return f"flavor {item.resource.flavor} extra specs {item.resource.extra_specs}"

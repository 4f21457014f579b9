"""Volumes on storage backends: the backend must offer the volume type."""

import numpy as np

from ostro.constraints.base import Rule


class VolumeType(Rule):
    label = "volume_type"

    def applies(self, item):
        return not item.is_server and bool(item.resource.volume_type)

    def mask(self, state, item):
        compiled = state.compiled
        wanted = item.resource.volume_type
        return compiled.cached_mask(("volume_type", wanted), lambda: self._build(compiled, wanted))

    @staticmethod
    def _build(compiled, wanted):
        mask = np.zeros(compiled.size, dtype=bool)
        for name, backend in compiled.datacenter.backends.items():
            # NOTE: a backend that lists no types takes any (Cinder's default type).
            mask[compiled.index[name]] = not backend.volume_types or wanted in backend.volume_types
        return mask

    def detail(self, state, item):
        return f"volume type {item.resource.volume_type}"

"""Random stacks in the Heat plan format Valet reads (DESIGN §4), for
benchmarks and property tests.

A stack is ``{orch_id: {"type", "name", "properties"}}`` as Heat hands it
over: ``OS::Nova::Server``, ``OS::Cinder::Volume``,
``OS::Valet::GroupAssignment`` and ``ATT::QoS::Pipe``. Groups and pipes name
their members by resource name. Everything random comes from one
:class:`random.Random` seeded by ``seed``, so a seed always gives the same stack.

NOTE: no generated stack contradicts itself. Every server joins at most one
rule, except in the nested case, where an affinity(rack) group holds a
diversity(host) group: affinity at a level wider than the diversity's never
clashes with it. Groups stay small (at most 6 servers, diversity(rack) at
most 3) so that a generated data centre's default size can place them.
"""

import random
import uuid

#: Default flavor mix (name -> weight): mostly small servers, as in practice.
DEFAULT_FLAVORS = {"m1.tiny": 2, "m1.small": 4, "m1.medium": 4, "m1.large": 2, "m1.xlarge": 1}

#: Flat group patterns: name -> (group type, level, fewest members, most members,
#: [max_per_domain, [enforcement]]).
PATTERNS = {
    "diversity(host)": ("diversity", "host", 3, 5),
    "diversity(rack)": ("diversity", "rack", 2, 3),
    "affinity(rack)": ("affinity", "rack", 2, 6),
    "affinity(host)": ("affinity", "host", 2, 2),
    "exclusivity(host)": ("exclusivity", "host", 1, 2),
    # Diversity with a per-domain limit (max_per_domain, the last field).
    "diversity(host)<=2": ("diversity", "host", 3, 6, 2),
    "diversity(rack)<=3": ("diversity", "rack", 4, 6, 3),
    # Soft rules (enforcement: soft, the last field), larger than the
    # domains may hold, so that some cannot be met.
    "soft diversity(host)": ("diversity", "host", 4, 12, 1, "soft"),
    "soft diversity(rack)<=2": ("diversity", "rack", 4, 10, 2, "soft"),
    "soft affinity(host)": ("affinity", "host", 2, 6, None, "soft"),
}

#: Rule mixes: pattern -> weight. ``None`` leaves a server in no group;
#: ``"nested"`` is an affinity(rack) group holding a diversity(host) group.
RULE_MIXES = {
    "none": {None: 1},
    "mixed": {None: 3, "diversity(host)": 3, "diversity(rack)": 2, "affinity(rack)": 2,
              "affinity(host)": 1, "exclusivity(host)": 1, "nested": 1},
    "host-rack": {None: 1, "diversity(host)": 3, "diversity(rack)": 2, "affinity(rack)": 2},
    "limits": {None: 2, "diversity(host)<=2": 3, "diversity(rack)<=3": 2, "diversity(host)": 1,
               "affinity(rack)": 1},
    "soft": {None: 1, "soft diversity(host)": 3, "soft diversity(rack)<=2": 2,
             "soft affinity(host)": 2, "diversity(rack)": 1},
}

# Sizes of the nested case: the inner diversity(host) group, then the other
# servers of the outer affinity(rack) group.
_NESTED_INNER = (2, 3)
_NESTED_OUTER = (1, 2)

VOLUME_GB = (10, 500)
PIPE_MBPS = (100, 2000)


def random_stack(servers, seed, rules="mixed", pipes=0, volumes=0, flavors=None):
    """A stack of ``servers`` servers, ``volumes`` volumes and ``pipes`` pipes.

    ``rules`` names a mix of :data:`RULE_MIXES`; ``"mixed"`` holds one
    nested case whenever there are enough servers for it. ``flavors`` is a
    list of flavor names chosen uniformly (default :data:`DEFAULT_FLAVORS`).
    Pipes join two servers, or alternately a server and a volume when there
    are volumes.
    """
    if rules not in RULE_MIXES:
        raise ValueError(f"rules must be one of {', '.join(RULE_MIXES)}, got {rules!r}")
    if pipes and servers < 2 and not (servers and volumes):
        raise ValueError("pipes need two servers, or a server and a volume")
    builder = _StackBuilder(random.Random(seed))
    weights = dict.fromkeys(flavors, 1) if flavors else DEFAULT_FLAVORS
    server_names = [builder.server(builder.pick(weights)) for _ in range(servers)]
    volume_names = [builder.volume() for _ in range(volumes)]
    builder.groups(list(server_names), RULE_MIXES[rules], nested_first=rules == "mixed")
    for index in range(pipes):
        with_volume = bool(volume_names) and (index % 2 == 0 or servers < 2)
        builder.pipe(server_names, volume_names if with_volume else None)
    return builder.resources


def host_rack_stack(servers, seed):
    """The speed benchmark's stack: diversity(host), diversity(rack) and
    affinity(rack) groups only, no pipes or volumes."""
    return random_stack(servers, seed, rules="host-rack")


class _StackBuilder:
    """Accumulates Heat resources with unique names and seeded orch ids."""

    def __init__(self, rng):
        self.rng = rng
        self.resources = {}
        self.counts = {}

    def pick(self, weights):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _add(self, prefix, heat_type, properties):
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        name = f"{prefix}-{self.counts[prefix]:03d}"
        orch_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self.resources[orch_id] = {"type": heat_type, "name": name, "properties": properties}
        return name

    def server(self, flavor):
        return self._add("server", "OS::Nova::Server",
                         {"flavor": flavor, "image": "cirros", "metadata": {}})

    def volume(self):
        return self._add("volume", "OS::Cinder::Volume", {"size": self.rng.randint(*VOLUME_GB)})

    def group(self, kind, level, members, limit=None, enforcement=None):
        prefix = f"{kind}-{level}"
        number = self.counts.get(prefix, 0) + 1
        properties = {"group_type": kind, "group_name": f"{prefix}-{number:03d}",
                      "level": level, "resources": list(members)}
        if limit is not None and kind == "diversity":
            properties["max_per_domain"] = limit
        if enforcement is not None:
            properties["enforcement"] = enforcement
        return self._add(prefix, "OS::Valet::GroupAssignment", properties)

    def pipe(self, server_names, volume_names):
        first = self.rng.choice(server_names)
        if volume_names:
            second = self.rng.choice(volume_names)
        else:
            second = self.rng.choice([name for name in server_names if name != first])
        bandwidth = self.rng.randrange(PIPE_MBPS[0], PIPE_MBPS[1] + 1, 100)
        self._add("pipe", "ATT::QoS::Pipe", {"resources": [first, second],
                                             "bandwidth": bandwidth})

    def groups(self, names, mix, nested_first):
        """Deal ``names`` out to rule patterns drawn from ``mix``; each
        server lands in at most one pattern."""
        self.rng.shuffle(names)
        if nested_first and len(names) >= _NESTED_INNER[0] + _NESTED_OUTER[0]:
            self.nested(names)
        while names:
            pattern = self.pick(mix)
            if pattern is None:
                names.pop()
            elif pattern == "nested":
                self.nested(names)
            else:
                self.flat(names, *PATTERNS[pattern])

    def flat(self, names, kind, level, fewest, most, limit=None, enforcement=None):
        size = min(self.rng.randint(fewest, most), len(names))
        if size < fewest:
            names.pop()  # too few servers left for this pattern: leave one ungrouped
            return
        self.group(kind, level, _take(names, size), limit, enforcement)

    def nested(self, names):
        inner = self.rng.randint(*_NESTED_INNER)
        outer = self.rng.randint(*_NESTED_OUTER)
        if len(names) < inner + outer:
            names.pop()
            return
        child = self.group("diversity", "host", _take(names, inner))
        self.group("affinity", "rack", [child] + _take(names, outer))


def _take(names, count):
    taken = names[-count:]
    del names[-count:]
    return taken

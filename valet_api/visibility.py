"""Fields of an answer that a rule reveals: without the rule the caller
gets the object with the field left out (doc/api.md "Authentication and
policy").

NOTE: Nova shows a non-admin its own servers without their host
(``OS-EXT-SRV-ATTR:host``) rather than refusing the server; Valet does the
same with where a placement is and with who may join a named group, so a
project's member still reads its plans and the groups it may use.
"""

from valet_api import policy

#: What each kind of answer hides: (the rule that reveals it, the field).
HIDDEN = {
    "placement": ("valet:placements:location:show", "location"),
    "group": ("valet:groups:members:list", "members"),
}


def _without(*fields):
    return lambda shown: {key: value for key, value in shown.items() if key not in fields}


def hidden(request, kind):
    """The field of ``kind`` that ``request`` may not see, or None."""
    rule, field = HIDDEN[kind]
    return None if policy.request_allows(request, rule) else field


#: Fields that tell as much as the hidden one: a reserve's other hosts.
ALONG = {"location": ("alternates", "siblings")}


def shower(request, kind):
    """A function of one shown ``kind`` (a JSON dict) that leaves out what
    ``request`` may not see; asked of the policy once, for a whole list."""
    field = hidden(request, kind)
    return (lambda shown: shown) if field is None else _without(field, *ALONG.get(field, ()))


def plan_shower(request):
    """As :func:`shower` for a plan: its placements' locations."""
    # NOTE: a dry run's placements also say which rack and cluster their
    # host is in (ostro.views.trial_plan): as telling as the host itself.
    field = hidden(request, "placement")
    show = _without() if field is None else _without(field, "rack", "cluster")
    return lambda shown: {**shown, "placements": {
        orch_id: show(placed) for orch_id, placed in shown["placements"].items()}}

"""What Heat does with Valet, whichever hook calls it: plan a stack (create
or bring the plan up to date), forget it, and react to Valet's answers.

Both hooks use it: the lifecycle plugin (legacy engine) and the planned
server and volume types (both engines; doc/decisions.md, "Heat").
Planning is idempotent: Valet keeps one plan per ``stack_id``, so a hook
that runs twice, or in several heat-engine workers at once, plans once;
workers that see more of the tree later join that plan with conditional
writes (:mod:`.join`), so none undoes another's.
"""

import logging

from heat.engine import stack as heat_stack
from oslo_config import cfg

from valet_openstack import client as valet_client
from valet_openstack import options
from valet_openstack.heat import join
from valet_openstack.heat import plan as heat_plan

LOG = logging.getLogger(__name__)
#: How often a worker reads the tree and the plan again after another
#: worker's write came first (each retry follows real progress elsewhere).
JOIN_ATTEMPTS = 8

options.register_opts(cfg.CONF)


class ValetRefused(Exception):
    """Valet will not place the stack; the message is Valet's reason, which
    Heat shows as the stack's (or resource's) status reason."""


def client(context=None):
    """A client on heat.conf's ``[valet]`` (built per use: cheap, and it
    follows configuration changes), sending the global request id of
    ``context`` (the stack's request context), so Valet's log names it."""
    return valet_client.ValetClient(cfg.CONF,
                                    global_request_id=valet_client.global_id_of(context))


def root_of(stack):
    """``(root stack, built)``: the stack to plan as a whole and, when
    ``stack`` is nested, the map that lets :func:`plan.plan_resources` use
    this very object (its uuids are the ones Heat stores)."""
    if stack.in_convergence_check:
        # NOTE: a convergence worker's stack knows only the resource it
        # works on and its inputs (heat refuses to load the others from the
        # database); a fresh copy reads every resource, uuid included.
        stack = heat_stack.Stack.load(stack.context, stack_id=stack.id)
    if not stack.owner_id:
        return stack, {}
    # NOTE: the nested stack is handed over, not found through its parent
    # resource, whose physical id (the nested stack's id) may not be
    # recorded yet while the nested stack is being built.
    root = heat_stack.Stack.load(stack.context, stack_id=stack.root_stack_id())
    return root, {(stack.owner_id, stack.parent_resource_name): stack}


def ensure_planned(stack):
    """Make Valet's plan of ``stack``'s root hold every server and volume
    Heat knows of now (the first call, anywhere in the tree, plans the whole
    tree; later ones join it: :mod:`.join`); the plan (``None`` when Valet
    is down and ``failure_mode = yield``)."""
    root, built = root_of(stack)

    def plan_tree():
        nonlocal root, built
        for attempt in range(1, JOIN_ATTEMPTS + 1):
            unread = []
            resources = heat_plan.plan_resources(root, built, unread=unread)
            try:
                return join.join(client(root.context), root, resources, unread)
            except valet_client.Stale as exc:
                if attempt == JOIN_ATTEMPTS:
                    raise
                # NOTE: another worker wrote first; what it wrote is in
                # Heat's database by now, so read the tree again.
                LOG.info("Valet: plan of stack %s moved on (%s); reading it again",
                         root.name, exc.message)
                root, built = root_of(stack)
        raise AssertionError("unreachable: the last attempt returns or raises")
    return guarded(f"plan stack {root.name}", plan_tree)


def update(stack, resources):
    """Re-plan a stack that Heat is updating (its plan kept where it can)."""
    def update_or_create():
        api = client(stack.context)
        try:
            return api.update_plan(stack.id, resources)
        except valet_client.NotFound:
            # NOTE: a stack created while Valet was yielding has no plan yet.
            return api.create_plan(stack.id, resources, name=stack.name)
    return guarded(f"re-plan stack {stack.name}", update_or_create)


def forget(stack_id, context=None):
    """Delete the plan of a stack; never blocks the delete of the stack: if
    Valet cannot be reached the plan's placements expire by themselves
    (DESIGN §6) and the operator can delete it later."""
    try:
        client(context).delete_plan(stack_id)
    except valet_client.ValetError as exc:
        LOG.warning("Valet: could not delete the plan of stack %s: %s", stack_id, exc)


def forget_on_stack_delete(stack):
    """Called as a server or volume is deleted: when the whole (root) stack
    is being deleted its plan goes too."""
    if not stack.owner_id and stack.action == stack.DELETE:
        forget(stack.id, stack.context)


def guarded(what, call):
    """Run a Valet call the way ``[valet] failure_mode`` wants
    (:func:`valet_openstack.client.on_failure`): a refusal always stops Heat
    with Valet's reason; Valet out of reach stops it (reject) or lets it go
    on without a plan (yield)."""
    try:
        return call()
    except valet_client.Unavailable as exc:
        return valet_client.on_failure(
            cfg.CONF, exc, what, yielded=None,
            rejected=ValetRefused(f"Valet could not {what} (failure_mode = reject): "
                                  f"{exc.message}"))
    except valet_client.ValetError as exc:
        raise ValetRefused(f"Valet refused to {what}: {exc.message}") from exc

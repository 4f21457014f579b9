"""Valet's stack lifecycle plugin (entry point ``heat.stack_lifecycle_plugins``
``valet``), for Heat's legacy engine (``convergence_engine = false``): the
convergence engine never calls lifecycle plugins (DESIGN §10); there the
planned server and volume types do the same work (:mod:`.resources`).

* before CREATE: plan the whole stack (a nested stack being built replaces
  its provisional ids in its root's plan by Heat's uuids);
* before UPDATE (and ROLLBACK): re-plan it with the new definition;
* after a successful DELETE: delete the plan.

A refusal raises, so Heat fails the stack with Valet's reason (Heat takes
the exception's first argument as the status reason).
"""

import logging

from heat.engine import lifecycle_plugin

from valet_openstack.heat import hook
from valet_openstack.heat import plan as heat_plan

LOG = logging.getLogger(__name__)
CREATE, UPDATE, ROLLBACK, DELETE = "CREATE", "UPDATE", "ROLLBACK", "DELETE"


class ValetLifecyclePlugin(lifecycle_plugin.LifecyclePlugin):
    """Keeps Valet's plan of a stack in step with Heat's operations on it."""

    def do_pre_op(self, cnxt, stack, current_stack=None, action=None):
        if action == CREATE:
            if _creates_named_groups(stack):
                # NOTE: Valet would refuse servers that join a group it does
                # not know yet; the planned servers plan the stack once the
                # group exists (they depend on it).
                LOG.info("Valet: stack %s creates named groups: planned by its servers",
                         stack.name)
                return
            hook.ensure_planned(stack)
        elif action in (UPDATE, ROLLBACK) and not stack.owner_id:
            # NOTE: ``stack`` is the stack as it is and ``current_stack`` its
            # new definition; a nested stack's update is part of its root's,
            # whose pre-op already re-planned what is known of it.
            new = current_stack if current_stack is not None else stack
            hook.update(stack, heat_plan.plan_resources(new, previous=stack))

    def do_post_op(self, cnxt, stack, current_stack=None, action=None,
                   is_stack_failure=False):
        if action == DELETE and not is_stack_failure and not stack.owner_id:
            # NOTE: after, not before: until Heat has deleted the servers,
            # their capacity is still in use.
            hook.forget(stack.id, cnxt)

    def get_ordinal(self):
        # NOTE: early, so that other plugins see a stack Valet accepted.
        return 50


def _creates_named_groups(stack):
    return any(res.type() == "OS::Valet::Group" and res.resource_id is None
               for res in stack.resources.values())

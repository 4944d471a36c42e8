# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of support_enable_check: names where the host's support_access_policy is defined, then runs the
module in the controller's worker process for local hosts (see plugin_utils/_in_process), else on the host."""

from __future__ import annotations

from ansible_collections.neocloud.support_access.plugins.modules import support_enable_check as module
from ansible_collections.neocloud.support_access.plugins.plugin_utils._in_process import InProcessModuleAction
from ansible_collections.neocloud.support_access.plugins.plugin_utils._vars_source import variable_source

POLICY_VARIABLE = "support_access_policy"


class ActionModule(InProcessModuleAction):
    """support_enable_check, with policy_source filled in from the inventory."""

    MODULE = module
    MODULE_NAME = "neocloud.support_access.support_enable_check"

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        if not self._task.args.get("policy_source"):
            self._task.args["policy_source"] = policy_source(task_vars, self._task.get_search_path())
        return super().run(tmp, task_vars)


def policy_source(task_vars, search_path):
    """The policy and where it is defined, as messages name it: ``support_access_policy (group_vars of crusoe_ml)``."""
    if POLICY_VARIABLE not in task_vars:
        return ("the policy given to the task (support_enable_policy in the support_enable role) or the defaults - %s "
                "is not set" % POLICY_VARIABLE)
    return "%s (%s)" % (POLICY_VARIABLE, variable_source(task_vars, POLICY_VARIABLE, search_path) or "a play or role variable")

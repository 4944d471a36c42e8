# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of support_cluster_info: the read runs inside the controller's worker process.

The collection's hosts are clusters reached from the controller (``ansible_connection: local`` and the controller's
Python, as the inventory plugins and docs set them up). For such a host a module run would start a new Python,
unpack the module and import the Kubernetes client for every cluster (about 0.7 CPU-seconds each); here the engine
was imported once, when the strategy loaded this plugin in the main process, and every forked worker uses it as is.
Any other connection or interpreter runs the module on the host as usual.
"""

from __future__ import annotations

import os
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.neocloud.support_access.plugins.module_utils import _cluster_state
from ansible_collections.neocloud.support_access.plugins.modules.support_cluster_info import argument_spec


def _same_python(interpreter):
    """Whether ``interpreter`` (a path or None) is the Python this controller runs on."""
    if not interpreter or interpreter in ("auto", "auto_silent", "auto_legacy", "auto_legacy_silent"):
        return True
    try:
        return os.path.realpath(interpreter) == os.path.realpath(sys.executable)
    except (TypeError, ValueError, OSError):
        return False


class ActionModule(ActionBase):
    """Run support_cluster_info in this process for local hosts on the controller's Python, else as a module."""

    TRANSFERS_FILES = False

    def _in_process(self, task_vars):
        if getattr(self._connection, "transport", None) != "local" or self._task.delegate_to:
            return False
        interpreter = task_vars.get("ansible_python_interpreter")
        if interpreter is not None:
            interpreter = self._templar.template(interpreter)
        return _same_python(interpreter)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        if not self._in_process(task_vars):
            result.update(self._execute_module(module_name="neocloud.support_access.support_cluster_info",
                                               task_vars=task_vars))
            return result
        validation = ArgumentSpecValidator(argument_spec()).validate(dict(self._task.args))
        no_log_values = set(validation._no_log_values)  # pylint: disable=protected-access
        if validation.error_messages:
            result.update(failed=True, msg="support_cluster_info: %s" % "; ".join(validation.error_messages))
            return remove_values(result, no_log_values)
        engine_result, secrets = _cluster_state.run(validation.validated_parameters,
                                                    check_mode=bool(self._play_context.check_mode))
        result.update(engine_result)
        return remove_values(result, no_log_values | set(secrets))

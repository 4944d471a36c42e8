# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one of this collection's modules inside the controller's worker process.

The collection's hosts are clusters reached from the controller: ``ansible_connection: local`` and the controller's
own Python, as the inventory plugins and the docs set them up. For such a host a module run starts a new Python,
unpacks the module and imports its libraries (the Kubernetes client alone is about 0.3 CPU-seconds) for every
cluster and every task. Here the module's code was imported once, when the strategy loaded the action plugin in the
main process, and every forked worker runs its ``main()`` as it is: the same AnsibleModule argument validation,
check mode, diff, no_log masking and result, without the process. Each worker is a fresh fork that ends with its
task, so nothing one run sets in the module's globals reaches another.

Any other connection, a delegated task, become, async or another interpreter runs the module on the host as usual.
The task's ``environment`` reaches the module in the worker as it would reach a module process. The result's
``invocation`` says ``in_process: true`` when the module ran in the worker. A kubeconfig is parsed once per run: the
first module run keeps the parsed copy in the run's private temporary directory (module_utils/_kube).

This is a private plugin_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys

from ansible import constants as C
from ansible.module_utils import basic
from ansible.module_utils.common.json import Direction, get_module_encoder
from ansible.plugins.action import ActionBase
from ansible.vars.clean import remove_internal_keys

from ansible_collections.neocloud.support_access.plugins.module_utils import _kube

PROFILE = "legacy"
_AUTO_INTERPRETERS = ("auto", "auto_silent", "auto_legacy", "auto_legacy_silent")


def same_python(interpreter):
    """Whether ``interpreter`` (a path, an ``auto`` setting or None) is the Python this controller runs on."""
    if not interpreter or interpreter in _AUTO_INTERPRETERS:
        return True
    try:
        return os.path.realpath(os.path.expanduser(interpreter)) == os.path.realpath(sys.executable)
    except (TypeError, ValueError, OSError):
        return False


class InProcessModuleAction(ActionBase):
    """Action plugin base: ``MODULE`` is the imported module (its ``main()``), ``MODULE_NAME`` its FQCN."""

    MODULE = None
    MODULE_NAME = ""
    TRANSFERS_FILES = False

    def _in_process(self, task_vars):
        """Local connection, not delegated, no become, not async, and the controller's Python."""
        if getattr(self._connection, "transport", None) != "local" or self._task.delegate_to:
            return False
        if self._play_context.become or self._task.async_val:
            return False
        interpreter = task_vars.get("ansible_python_interpreter")
        if interpreter is not None:
            interpreter = self._templar.template(interpreter)
        return same_python(interpreter)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        if not self._in_process(task_vars):
            wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
            result.update(self._execute_module(module_name=self.MODULE_NAME, task_vars=task_vars, wrap_async=wrap_async))
            return result
        module_args = dict(self._task.args)
        self._update_module_args(self.MODULE_NAME, module_args, task_vars)
        # the task's environment keyword reaches the module as it would reach a module process (this worker ends
        # with the task, so its own environment may change)
        environment = {}
        self._compute_environment_string(environment)
        os.environ.update((str(k), str(v)) for k, v in environment.items())
        # the run's own private temporary directory (0700, removed when ansible-playbook ends)
        os.environ[_kube.RUN_CACHE_ENV] = str(C.DEFAULT_LOCAL_TMP)
        encoder = get_module_encoder(PROFILE, Direction.CONTROLLER_TO_MODULE)
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": module_args}, cls=encoder).encode()
        out, err = io.StringIO(), io.StringIO()
        code = 0
        saved = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE)  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = payload, PROFILE  # pylint: disable=protected-access
        try:
            # the module's own output only: its JSON result, and what a module's stderr would have held
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.MODULE.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = saved  # pylint: disable=protected-access
        data = self._parse_returned_data({"stdout": out.getvalue(), "stderr": err.getvalue(), "rc": code}, PROFILE)
        remove_internal_keys(data)
        if isinstance(data.get("invocation"), dict):
            data["invocation"]["in_process"] = True
        result.update(data)
        return result

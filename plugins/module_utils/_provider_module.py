# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the provider API modules (CoreWeave and Crusoe) share: the worker base ProviderModule (the module, its result
and structured failures) and run_module.

A provider's worker base (_coreweave.AnsibleCoreWeave, _crusoe_module.AnsibleCrusoe) combines ProviderModule with the
provider's API class and says which options every module of it takes (argument_spec) and which ApiError subclass
stands for its failures (ERROR_CLASS). A module's worker class adds run(); its main() calls run_module.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.neocloud.support_access.plugins.module_utils._http import ApiError


def error_fields(error):
    """(fields, message) of a failure.

    An ApiError gives the fields it knows (status, code, reason, request_id, method, path, details and the provider's
    own, such as Crusoe's error_id) and message, the API's own message where it gave one, else the error's; anything
    else gives no fields and its text.
    """
    if isinstance(error, ApiError):
        fields = error.as_dict()
        fields["message"] = (error.details or {}).get("api_message") or error.message
        return fields, error.message
    return {}, to_native(error)


class ProviderModule:
    """Base of a provider module's worker: the AnsibleModule, the result it exits with and failures as fail_json with
    the structured error."""

    # The failure of this provider: run_module turns a ValueError into one.
    ERROR_CLASS = ApiError

    def __init__(self, module):
        self.module = module
        self.result = dict(changed=False)

    @staticmethod
    def argument_spec():
        """The options every module of this worker class takes (its own options come on top)."""
        return {}

    # -- result handling
    def _mark_as_changed(self):
        self.result["changed"] = True

    def _set_diff(self, before, after):
        """The result's diff, when the task runs with --diff."""
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = dict(before=before, after=after)

    def failure_message(self, msg):
        """The msg of a failure; a provider may say first what it is about."""
        return msg

    def fail(self, error, **extra):
        """fail_json with msg and the structured error (error_fields plus ``extra``); the result so far goes along
        (but changed and msg)."""
        fields, msg = error_fields(error)
        fields.update(extra)
        self.module.fail_json(msg=self.failure_message(msg), error=fields,
                              **dict((k, v) for k, v in self.result.items() if k not in ("changed", "msg")))

    def get_result(self):
        """The module's return value."""
        return self.result


def run_module(worker_class, options, **module_kwargs):
    """The whole module: an AnsibleModule with worker_class.argument_spec() plus ``options`` (check mode supported;
    ``module_kwargs`` are further AnsibleModule arguments such as required_if), then worker_class(module).run(), and
    exit with its result. An ApiError, or a ValueError as the worker's ERROR_CLASS, fails the module (worker.fail)."""
    argument_spec = worker_class.argument_spec()
    argument_spec.update(options)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    worker = worker_class(module)
    try:
        worker.run()
    except ApiError as exc:
        worker.fail(exc)
    except ValueError as exc:
        worker.fail(worker.ERROR_CLASS(to_native(exc)))
    module.exit_json(**worker.get_result())

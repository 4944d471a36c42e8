# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the Crusoe modules: their connection options, AnsibleCrusoe (CrusoeApi with the module, its result and
structured failures) and run_module.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import (
    DEFAULT_CONFIG_FILE,
    CrusoeApi,
    CrusoeError,
    client_from_params,
    resolve_config,
)


def crusoe_argument_spec():
    """Connection options shared by every Crusoe module (documented in the neocloud.support_access.crusoe fragment)."""
    return dict(
        api_endpoint=dict(type="str"),
        access_key_id=dict(type="str"),
        secret_key=dict(type="str", no_log=True),
        project=dict(type="str"),
        profile=dict(type="str"),
        config_file=dict(type="path", default=DEFAULT_CONFIG_FILE),
        api_timeout=dict(type="int", default=30),
        api_retries=dict(type="int", default=5),
        validate_certs=dict(type="bool", default=True),
    )


class AnsibleCrusoe(CrusoeApi):
    """Base class for Crusoe modules: the CrusoeApi plus the module, its result and failures."""

    def __init__(self, module, client=None):
        self.module = module
        self.result = dict(changed=False)
        self._project = None
        config = None
        try:
            if client is None:
                config, client = client_from_params(module.params)
            else:
                config = resolve_config(module.params)
        except CrusoeError as exc:
            self.fail(exc)
        super().__init__(client, config)

    # -- result handling
    def _mark_as_changed(self):
        self.result["changed"] = True

    def fail(self, error, **extra):
        """fail_json with the structured error: msg plus code, message, reason, error_id, status, request_id."""
        fields, msg = error_fields(error)
        fields.update(extra)
        prefix = self._context()
        if prefix and ("cluster '%s'" % self.module.params.get("cluster")) not in msg:
            msg = "%s: %s" % (prefix, msg)
        self.module.fail_json(msg=msg, error=fields,
                              **dict((k, v) for k, v in self.result.items() if k not in ("changed", "msg")))

    def _context(self):
        """Which cluster (and project) a failure is about, for the message prefix."""
        cluster = self.module.params.get("cluster")
        if not cluster:
            return ""
        if self._project:
            return "cluster '%s' in project '%s'" % (cluster, self._project.get("name") or self._project["id"])
        return "cluster '%s'" % cluster

    def get_result(self):
        """The module's return value."""
        return self.result


def error_fields(error):
    """(fields, message) of an error: CrusoeError's code, message, reason, error_id, status, request_id."""
    if isinstance(error, CrusoeError):
        fields = error.as_dict()
        fields.setdefault("message", error.message)
        if error.details and error.details.get("api_message"):
            fields["message"] = error.details["api_message"]
        return fields, error.message
    return {}, to_native(error)


def run_module(module, worker_class):
    """Run worker_class(module).run() and exit with its result, turning CrusoeError into fail_json."""
    worker = worker_class(module)
    try:
        worker.run()
    except CrusoeError as exc:
        worker.fail(exc)
    except ValueError as exc:
        worker.fail(CrusoeError(to_native(exc)))
    module.exit_json(**worker.get_result())

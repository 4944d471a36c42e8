# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the Crusoe modules: their connection options and AnsibleCrusoe (CrusoeApi with the module, its result
and structured failures from _provider_module.ProviderModule). Modules run it with _provider_module.run_module.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import (
    DEFAULT_CONFIG_FILE,
    CrusoeApi,
    CrusoeError,
    client_from_params,
    resolve_config,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._provider_module import ProviderModule


def crusoe_argument_spec():
    """Connection options shared by every Crusoe module (documented in the neocloud.support_access.crusoe fragment)."""
    return dict(
        api_endpoint=dict(type="str"),
        access_key_id=dict(type="str"),
        secret_key=dict(type="str", no_log=True),
        client_id=dict(type="str"),
        client_secret=dict(type="str", no_log=True),
        token_url=dict(type="str", no_log=False),  # a URL, not a secret
        project=dict(type="str"),
        profile=dict(type="str"),
        config_file=dict(type="path", default=DEFAULT_CONFIG_FILE),
        api_timeout=dict(type="int", default=30),
        api_retries=dict(type="int", default=5),
        validate_certs=dict(type="bool", default=True),
    )


class AnsibleCrusoe(ProviderModule, CrusoeApi):
    """Base class for Crusoe modules: the CrusoeApi plus the module, its result and failures."""

    ERROR_CLASS = CrusoeError
    argument_spec = staticmethod(crusoe_argument_spec)

    def __init__(self, module, client=None):
        ProviderModule.__init__(self, module)
        self._project = None
        config = None
        try:
            if client is None:
                config, client = client_from_params(module.params)
            else:
                config = resolve_config(module.params)
        except CrusoeError as exc:
            self.fail(exc)
        CrusoeApi.__init__(self, client, config)

    def _mask_credentials(self):
        """The service account's secret (also when it came from the environment) and its tokens join the module's
        no_log values, so an answer that echoes them is masked in the result like a no_log option."""
        values = getattr(self.module, "no_log_values", None)  # None: the inventory plugin's stand-in
        client = getattr(self, "client", None)
        if values is not None and client is not None:
            values.update(client.secret_values())

    def fail(self, error, **extra):
        """ProviderModule.fail, with the service account's credentials masked."""
        self._mask_credentials()
        ProviderModule.fail(self, error, **extra)

    def get_result(self):
        """ProviderModule.get_result, with the service account's credentials masked."""
        self._mask_credentials()
        return ProviderModule.get_result(self)

    def failure_message(self, msg):
        """The msg, with the cluster (and project) it is about first unless it names the cluster itself."""
        prefix = self._context()
        if prefix and ("cluster '%s'" % self.module.params.get("cluster")) not in msg:
            return "%s: %s" % (prefix, msg)
        return msg

    def _context(self):
        """Which cluster (and project) a failure is about, for the message prefix."""
        cluster = self.module.params.get("cluster")
        if not cluster:
            return ""
        if self._project:
            return "cluster '%s' in project '%s'" % (cluster, self._project.get("name") or self._project["id"])
        return "cluster '%s'" % cluster

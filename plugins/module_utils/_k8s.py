# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A thin base for this collection's Kubernetes-side modules: the module, its options and the cluster's API.

Authentication is exactly kubernetes.core's options (kubeconfig, context, host, api_key, ... and the K8S_AUTH_*
environment variables); the connection, requests, paged lists, retries and errors are module_utils/_kube's
KubeClient (no discovery, no dynamic client). Every error names the cluster, what was being done, the API's status
code and message.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import copy
import os
import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.neocloud.support_access.plugins.module_utils import _kube
from ansible_collections.neocloud.support_access.plugins.module_utils._kube import (  # noqa: F401 - re-exported
    API_RETRIES,
    DEFAULT_PAGE_SIZE,
    K8sClusterError,
    K8sConfigError,
    kubeconfig_credentials,
    status_message,
)

__all__ = ["API_RETRIES", "DEFAULT_PAGE_SIZE", "K8sClusterError", "K8sConfigError", "SupportK8sModule",
           "kubeconfig_credentials", "status_message"]

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
    HAS_K8S_CORE = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_K8S_CORE = False
    AUTH_ARG_SPEC = {}


class SupportK8sModule:
    """Base for modules that do one cluster's job: the AnsibleModule, the cluster's KubeClient, requests, paged lists.

    Subclasses describe their options in ``argument_spec`` (the kubernetes.core auth options are added) and call
    ``request()``, ``list_all()`` and ``fail()``.
    """

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = copy.deepcopy(AUTH_ARG_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        if not HAS_K8S_CORE:
            self.module.fail_json(msg=missing_required_lib("kubernetes.core collection"))
        if not _kube.HAS_KUBERNETES:
            self.module.fail_json(msg=missing_required_lib("kubernetes"), exception=_kube.KUBERNETES_IMPORT_ERROR)
        self.params = self.module.params
        self.retries = API_RETRIES
        self.sleep = time.sleep
        self._kube = None
        self.server = None
        kubeconfig = _kube.connection_params(self.params).get("kubeconfig")
        self._kubeconfig_data = None
        if isinstance(kubeconfig, str) and os.pathsep not in kubeconfig:
            self._kubeconfig_data = _kube.read_kubeconfig(kubeconfig)
        # credentials never appear in a result, also when an API error message echoes the request
        self.mask(kubeconfig_credentials(kubeconfig, configs=[self._kubeconfig_data] if self._kubeconfig_data else None))
        self.cluster = self._cluster_name()

    def mask(self, values):
        """Mask these values in every result, as for a no_log option."""
        self.module.no_log_values.update(values)

    @property
    def check_mode(self):
        """Whether the module runs in check mode."""
        return self.module.check_mode

    @property
    def diff_mode(self):
        """Whether --diff was asked for."""
        return self.module._diff  # pylint: disable=protected-access

    def _cluster_name(self):
        """A name for the cluster in messages: the context, else the host, else the kubeconfig's current context."""
        params = _kube.connection_params(self.params)
        if params.get("context"):
            return params["context"]
        if params.get("host"):
            return params["host"]
        kubeconfig = params.get("kubeconfig")
        data = kubeconfig if isinstance(kubeconfig, dict) else self._kubeconfig_data
        if isinstance(data, dict) and data.get("current-context"):
            return data["current-context"]
        if isinstance(kubeconfig, dict):
            return "in-memory kubeconfig"
        return kubeconfig or "default kubeconfig"

    def fail(self, msg, **kwargs):
        """fail_json with the cluster named first: "cluster 'x': <msg>"."""
        kwargs.setdefault("cluster", self.cluster)
        self.module.fail_json(msg="cluster '%s': %s" % (self.cluster, msg), **kwargs)

    def fail_error(self, error, **kwargs):
        """fail_json from a K8sClusterError, with status and reason as result keys."""
        self.fail(error.text(), status=error.status, reason=error.reason, api_message=error.message, **kwargs)

    def connect(self):
        """The cluster's KubeClient (created on first use); raises K8sConfigError for a connection that cannot be set up."""
        if self._kube is None:
            self._kube = _kube.KubeClient(self.params, retries=self.retries, sleep=self.sleep,
                                          kubeconfig_data=self._kubeconfig_data)
            self.mask(self._kube.secrets)
            self.server = self._kube.server
            if self.cluster in ("default kubeconfig", "in-memory kubeconfig"):
                self.cluster = self.server
        return self._kube

    @property
    def kube(self):
        """The cluster's KubeClient (created on first use; fails the module with a clear message)."""
        try:
            return self.connect()
        except K8sConfigError as exc:
            self.fail(str(exc))
            return None

    def request(self, method, path, what, query=None, body=None, ok_statuses=()):
        """One API request (KubeClient.request): the decoded JSON body; raises K8sClusterError."""
        return self.kube.request(method, path, what, query=query, body=body, ok_statuses=ok_statuses)

    def list_all(self, path, what, page_size=DEFAULT_PAGE_SIZE, label_selector=None, field_selector=None, kind=None):
        """Every item of a collection, in pages (_kube.list_pages over request()); raises K8sClusterError."""
        return _kube.list_pages(self.request, path, what, page_size, label_selector, field_selector, kind)

    def exit(self, **result):
        """exit_json with the cluster name added."""
        result.setdefault("cluster", self.cluster)
        self.module.exit_json(**result)


def run_reader_module(argument_spec, run):
    """main() of a module that reads a cluster through the engine (support_cluster_info, support_enable_check):
    kubernetes.core's connection options plus ``argument_spec``; ``run(module)`` returns (result, secrets). The
    secrets are masked wherever they came from; a result with ``failed`` fails the task."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    result, secrets = run(module)
    module.no_log_values.update(secrets)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)

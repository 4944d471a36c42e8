# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_chart
short_description: Install or uninstall the provider's support chart release on a Kubernetes cluster
version_added: 0.1.0
description:
  - Reads the release of the provider's support chart (by default C(crusoe-support-roles) in C(crusoe-system)) from
    Helm's own storage, the release Secrets of type C(helm.sh/release.v1) and their labels, without running helm.
  - With O(state=absent) a release that is still live - C(deployed), C(failed), C(pending-install),
    C(pending-upgrade), C(pending-rollback) or C(uninstalling) - is uninstalled with one C(helm uninstall --wait).
    A release left C(uninstalling) by a run that was killed during C(helm uninstall) still grants what it installed;
    it is uninstalled too. Without a live release nothing is run and nothing changes.
  - With O(state=present) the release namespace is created when it is missing (the chart's templates look it up) and
    the chart is installed with one C(helm upgrade --install) straight from O(chart_repo_url) (no C(helm repo add)
    state) when no release is live; with O(upgrade=true) also when the live release is not C(deployed) at
    O(chart_version). An existing namespace is not written to. The
    C(neocloud.support_access.crusoe_support_roles) role installs the chart this way.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    details: Reads the release and reports whether it would be uninstalled; runs no helm command and sends no write.
  diff_mode:
    details: >-
      Shows the release (status, revision, chart) before and after; with O(state=present) also whether the release
      namespace exists.
options:
  state:
    description:
      - V(absent) uninstalls a live release.
      - V(present) installs the chart when no release is live (see O(upgrade)).
      - V(query) only reads it (for example to decide whether to install the chart).
    type: str
    choices: [absent, present, query]
    default: absent
  release:
    description: The Helm release name (a Kubernetes object name, RFC 1123 label).
    type: str
    default: crusoe-support-roles
  namespace:
    description: The release's namespace (a Kubernetes namespace name, RFC 1123 label).
    type: str
    default: crusoe-system
  chart:
    description: The chart's name in O(chart_repo_url) (used with O(state=present)).
    type: str
    default: crusoe-support-roles
  chart_repo_url:
    description: The chart repository URL; required with O(state=present).
    type: str
  chart_version:
    description: The chart version to install; required with O(state=present).
    type: str
  upgrade:
    description:
      - With O(state=present), also install O(chart_version) over a live release that is not C(deployed) at that
        version. Without it a live release is left as it is.
    type: bool
    default: false
  timeout:
    description:
      - How long C(helm uninstall --wait) waits for the chart's objects to be gone, as a Go duration (C(5m0s), C(90s)).
      - With O(state=present), helm's C(--timeout) for the install's hooks.
    type: str
    default: 5m0s
  binary_path:
    description: The helm binary (Helm 3 or 4); by default C(helm) from E(PATH).
    type: path
notes:
  - Needs C(list) on Secrets in O(namespace) to read the release, and what C(helm uninstall) needs to delete the
    chart's objects. O(state=present) also needs C(get) (and C(create) when it is missing) on the namespace, and what
    C(helm upgrade --install) needs to create the chart's objects.
  - C(helm) gets the connection as C(--kubeconfig) and C(--kube-context), or through its C(HELM_KUBEAPISERVER),
    C(HELM_KUBETOKEN), C(HELM_KUBECAFILE) and C(HELM_KUBEINSECURE_SKIP_TLS_VERIFY) environment variables (a token
    never appears on a command line). An in-memory O(kubeconfig) is written to a private temporary file for the
    helm run and removed afterwards. Client certificates or user names given as options, not in a kubeconfig, are not
    supported by helm and are refused.
seealso:
  - module: kubernetes.core.helm
  - module: neocloud.support_access.support_cluster_info
"""

EXAMPLES = r"""
- name: Uninstall the Crusoe support chart (any live status)
  neocloud.support_access.support_chart:
    context: training-prod
    state: absent

- name: Install version 0.2.0 of the chart when it is not installed
  neocloud.support_access.support_chart:
    context: training-prod
    state: present
    chart_repo_url: https://crusoecloud.github.io/crusoe-support-roles-helm-charts/charts
    chart_version: 0.2.0

- name: See whether it would be uninstalled
  neocloud.support_access.support_chart:
    context: training-prod
  check_mode: true
  register: chart

- name: Show the release
  ansible.builtin.debug:
    msg: "{{ chart.release.chart }} is {{ chart.release.status or 'not installed' }}"
"""

RETURN = r"""
cluster:
  description: The cluster the module talked to (the context, else the host).
  returned: always
  type: str
  sample: training-prod
release:
  description: The release as found before the run, read from Helm's storage.
  returned: success
  type: dict
  contains:
    installed:
      description: Whether the newest revision is live (its objects may still be in the cluster).
      type: bool
    status:
      description: The newest revision's status (C(deployed), C(uninstalling), ...); empty without a release.
      type: str
    revision:
      description: The newest revision; 0 without a release.
      type: int
    chart:
      description: C(<chart>-<version>) as C(helm list) prints it.
      type: str
    version:
      description: The chart version.
      type: str
    app_version:
      description: The chart's app version.
      type: str
uninstalled:
  description: Whether helm uninstalled the release (in check mode, whether it would).
  returned: success
  type: bool
installed:
  description: Whether helm installed or upgraded the release (in check mode, whether it would).
  returned: success
  type: bool
namespace_created:
  description: Whether the release namespace was created (in check mode, whether it would be).
  returned: success
  type: bool
command:
  description: The helm command run (or that would run in check mode); empty when none was needed.
  returned: success
  type: list
  elements: str
error:
  description: On failure, what failed without the cluster prefix of C(msg) (for roles that add their own wording).
  returned: failure
  type: str
api_unreachable:
  description: On failure, whether the Kubernetes API server could not be reached at all.
  returned: failure
  type: bool
msg:
  description: What was done.
  returned: always
  type: str
"""

import json
import os
import re
import tempfile

from ansible_collections.neocloud.support_access.plugins.module_utils import _helm_storage, _kube, _support
from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import (
    K8sClusterError,
    K8sConfigError,
    SupportK8sModule,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._objects import is_dns_label

# Helm release names are at most 53 characters, namespaces (RFC 1123 labels) 63.
NAME_LIMITS = {"release": ("Helm release name", 53), "namespace": ("Kubernetes namespace name", 63)}
GO_DURATION_RE = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")
# Connection options helm cannot take (kubernetes.core.helm refuses them the same way).
UNSUPPORTED_BY_HELM = ("username", "password", "client_cert", "client_key", "proxy", "no_proxy", "proxy_headers",
                       "persist_config", "impersonate_user", "impersonate_groups")


class SupportChart(SupportK8sModule):
    """Read the support chart's release from Helm's storage; uninstall it with helm when it is live, or install it
    (state=present) when it is not."""

    def run(self):
        params = self.params
        self.validate()
        state = self.read()
        if params["state"] == "present":
            self.run_present(state)
            return
        command = self.helm_command() if state["installed"] and params["state"] == "absent" else []
        changed = bool(command)
        if changed and not self.check_mode:
            self.run_helm(command, "uninstall")
        result = {
            "changed": changed,
            "release": state,
            "uninstalled": changed,
            "installed": False,
            "namespace_created": False,
            "command": command,
            "msg": self.message(state, changed),
        }
        if self.diff_mode and params["state"] == "absent":
            before = self.shown(state)
            result["diff"] = {"before": before, "after": {} if changed else before}
        self.exit(**result)

    @staticmethod
    def shown(state):
        """The release as a diff shows it: status, revision and chart; {} when no release is live."""
        return {k: state[k] for k in ("status", "revision", "chart")} if state["installed"] else {}

    def wanted_chart(self):
        return "%s-%s" % (self.params["chart"], self.params["chart_version"])

    def run_present(self, state):
        """state=present: the namespace when it is missing, then one helm upgrade --install when no release is live
        (or, with upgrade, when the live one is not deployed at chart_version). Exits the module."""
        params = self.params
        outdated = state["status"] != "deployed" or state["chart"] != self.wanted_chart()
        install = not state["installed"] or (params["upgrade"] and outdated)
        namespace_exists = self.namespace_exists() if install else True
        command = self.helm_command("install") if install else []
        after = state
        if install and not self.check_mode:
            if not namespace_exists:
                self.create_namespace()
            self.run_helm(command, "upgrade --install")
            if self.diff_mode:
                after = self.read()
        result = {
            "changed": install,
            "release": state,
            "uninstalled": False,
            "installed": install,
            "namespace_created": not namespace_exists,
            "command": command,
            "msg": self.message(state, install, installing=True, namespace_created=not namespace_exists),
        }
        if self.diff_mode:
            if install and self.check_mode:
                after = {"installed": True, "status": "deployed", "revision": state["revision"] + 1,
                         "chart": self.wanted_chart()}
            result["diff"] = {
                "before": {"namespace": {"name": params["namespace"], "exists": namespace_exists},
                           "release": self.shown(state)},
                "after": {"namespace": {"name": params["namespace"], "exists": True}, "release": self.shown(after)},
            }
        self.exit(**result)

    def message(self, state, changed, installing=False, namespace_created=False):
        name = "%s/%s" % (self.params["namespace"], self.params["release"])
        if changed and installing:
            return "release %s: %s %s%s" % (
                name, self.wanted_chart(), "would be installed" if self.check_mode else "installed",
                " (namespace %s %s)" % (self.params["namespace"], "would be created" if self.check_mode else "created")
                if namespace_created else "")
        if changed:
            return "release %s (%s) %s" % (name, state["status"], "would be uninstalled" if self.check_mode else "uninstalled")
        if state["installed"]:
            return "release %s is installed (%s, %s)" % (name, state["status"], state["chart"])
        return "release %s is not installed%s" % (name, " (last status %s)" % state["status"] if state["status"] else "")

    def stop(self, error, unreachable=False, **kwargs):
        """Fail with the cluster named in msg and the bare error for roles (``api_unreachable``: a result key
        ``unreachable`` would make Ansible take the host for unreachable)."""
        self.fail(error, error=error, api_unreachable=unreachable, **kwargs)

    def validate(self):
        params = self.params
        for option, (kind, limit) in NAME_LIMITS.items():
            value = params[option] or ""
            if not is_dns_label(value, limit):
                self.stop("invalid option %s: %r is not a %s (lower-case letters, digits and '-', at most %d characters)"
                          % (option, value, kind, limit))
        if not GO_DURATION_RE.match(params["timeout"] or ""):
            self.stop("invalid option timeout: %r is not a duration helm understands (for example 5m0s, 90s, 1h)"
                      % params["timeout"])
        binary = params["binary_path"]
        if binary and not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            self.stop("invalid option binary_path: %s is not an executable file (helm 3 or 4)" % binary)
        given = [name for name in UNSUPPORTED_BY_HELM if params.get(name)]
        if given:
            self.stop("helm cannot use the option(s) %s; put the credentials in a kubeconfig (option kubeconfig)"
                      % ", ".join(given))
        if params["state"] == "present":
            missing = [name for name in ("chart_repo_url", "chart_version") if not params[name]]
            if missing:
                self.stop("state is present but %s %s not set" % (" and ".join(missing), "is" if len(missing) == 1 else "are"))
            if not is_dns_label(params["chart"] or "", 63):
                self.stop("invalid option chart: %r is not a chart name (lower-case letters, digits and '-')" % params["chart"])

    @property
    def conn(self):
        """The connection options in effect (each option, else its K8S_AUTH_* variable)."""
        return _kube.connection_params(self.params)

    def where(self):
        conn = self.conn
        kubeconfig = conn.get("kubeconfig")
        return "context %s of %s" % (conn.get("context") or "(current)",
                                     kubeconfig if isinstance(kubeconfig, str) else
                                     ("an in-memory kubeconfig" if kubeconfig else "the default kubeconfig"))

    def read(self):
        params = self.params
        try:
            kube = self.connect()
            secrets = _kube.list_pages(kube.request, _helm_storage.list_path(params["namespace"]),
                                       "listing the Helm release Secrets of %s in %s"
                                       % (params["release"], params["namespace"]),
                                       label_selector=_helm_storage.label_selector(params["release"]))
        except K8sConfigError as exc:
            self.stop(str(exc))
        except K8sClusterError as err:
            self.api_error(err, "read Helm releases")
        return _helm_storage.release_state(secrets, params["release"])

    def api_error(self, err, what):
        if err.status is None:
            self.stop("cannot reach the Kubernetes API through %s: %s" % (self.where(), err.message or err.text()),
                      unreachable=True)
        self.stop("cannot %s through %s: %s" % (what, self.where(), err.text()), status=err.status)

    def namespace_exists(self):
        """Whether the release namespace exists (one GET)."""
        namespace = self.params["namespace"]
        try:
            self.connect().request("GET", "/api/v1/namespaces/%s" % namespace, "reading the namespace %s" % namespace)
        except K8sClusterError as err:
            if err.status == 404:
                return False
            self.api_error(err, "read the namespace %s" % namespace)
        return True

    def create_namespace(self):
        """Create the release namespace (one POST; one created meanwhile by someone else is as good)."""
        namespace = self.params["namespace"]
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        try:
            self.connect().request("POST", "/api/v1/namespaces", "creating the namespace %s" % namespace, body=body,
                                   ok_statuses=(409,))
        except K8sClusterError as err:
            self.api_error(err, "create the namespace %s" % namespace)

    def helm_command(self, action="uninstall"):
        """The helm argv of ``action`` (uninstall or install) (no secrets in it: tokens go through the environment)."""
        params = self.params
        binary = params["binary_path"] or self.module.get_bin_path("helm")
        if not binary:
            self.stop("no helm binary on PATH: install helm 3 or 4, or set the option binary_path")
        conn = self.conn
        if action == "install":
            # straight from the repository URL (no `helm repo add` state shared between runs); the chart's defaults
            # as values, also over an earlier revision (--reset-values)
            argv = [binary, "upgrade", "--install", params["release"], params["chart"],
                    "--repo=%s" % params["chart_repo_url"], "--version=%s" % params["chart_version"],
                    "--namespace", params["namespace"], "--reset-values", "--timeout", params["timeout"]]
        else:
            argv = [binary, "uninstall", params["release"], "--namespace", params["namespace"], "--wait",
                    "--timeout", params["timeout"]]
        if isinstance(conn.get("kubeconfig"), str):
            argv.append("--kubeconfig=%s" % conn["kubeconfig"])
        if conn.get("context"):
            argv.append("--kube-context=%s" % conn["context"])
        return argv

    def helm_environment(self):
        conn = self.conn
        env = {}
        if conn.get("host"):
            env["HELM_KUBEAPISERVER"] = conn["host"]
        if conn.get("api_key"):
            env["HELM_KUBETOKEN"] = conn["api_key"]
        if conn.get("ca_cert"):
            env["HELM_KUBECAFILE"] = conn["ca_cert"]
        if conn.get("validate_certs") is False:
            env["HELM_KUBEINSECURE_SKIP_TLS_VERIFY"] = "true"
        if conn.get("context"):
            env["HELM_KUBECONTEXT"] = conn["context"]  # as --kube-context; kubernetes.core.helm passes it this way
        return env

    def run_helm(self, argv, action):
        conn = self.conn
        env = self.helm_environment()
        path = None
        if isinstance(conn.get("kubeconfig"), dict):
            handle, path = tempfile.mkstemp(prefix="support-chart-", suffix=".kubeconfig")
            with os.fdopen(handle, "w") as stream:
                json.dump(conn["kubeconfig"], stream)
            argv = argv + ["--kubeconfig=%s" % path]
        try:
            rc, out, err = self.module.run_command(argv, environ_update=env)
        finally:
            if path:
                os.unlink(path)
        if rc != 0:
            detail = (err or out or "").strip()
            unreachable = bool(_kube.UNREACHABLE.search(detail))
            self.stop("helm %s %s in %s through %s failed (rc %d): %s"
                      % (action, self.params["release"], self.params["namespace"], self.where(), rc, detail),
                      unreachable=unreachable, rc=rc)


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["absent", "present", "query"], default="absent"),
        release=dict(type="str", default=_support.CRUSOE_CHART_RELEASE),
        namespace=dict(type="str", default=_support.CRUSOE_CHART_NAMESPACE),
        chart=dict(type="str", default=_support.CRUSOE_CHART_NAME),
        chart_repo_url=dict(type="str"),
        chart_version=dict(type="str"),
        upgrade=dict(type="bool", default=False),
        timeout=dict(type="str", default="5m0s"),
        binary_path=dict(type="path"),
    )
    SupportChart(argument_spec, supports_check_mode=True).run()


if __name__ == "__main__":
    main()

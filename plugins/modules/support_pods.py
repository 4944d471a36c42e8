# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_pods
short_description: Find diagnostic pods left by a support session and delete the confirmed ones
version_added: 0.1.0
description:
  - Finds node-shell, C(kubectl debug node) and similar diagnostic pods that can give node-level access independent
    of RBAC, in one cluster, with one paged list of all pods (or one list per namespace in O(namespaces)).
  - Each pod gets signals (diagnostic name prefix C(node-shell-), C(node-debugger-) or C(nsenter-); created by a
    diagnostic tool per C(metadata.managedFields); a marker label or annotation; bare pod without a controller;
    C(hostPID), C(hostNetwork), C(hostIPC); privileged containers; hostPath C(/); nsenter/chroot commands;
    ephemeral debug containers) and a verdict.
  - C(confirmed) (safe to delete) needs a bare pod with a diagnostic marker AND host-level access, or a bare pod on
    the O(deny) list. C(suspicious) pods are reported, never deleted; a pod with a controller owner (DaemonSet,
    ReplicaSet, StatefulSet, Job, ...) is never confirmed, whatever it looks like, nor is a pod with an ephemeral
    debug container (deleting it would kill the workload it debugs) unless it is a bare pod on the O(deny) list.
  - O(state=absent) deletes only C(confirmed) pods, only with O(confirm=true), each with a uid precondition so only
    the exact pod that was classified is deleted.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    details: Lists what would be deleted; sends no DELETE request at all.
  diff_mode:
    details: Shows the reported pods before and after.
options:
  state:
    description:
      - V(present) only reports.
      - V(absent) deletes the C(confirmed) pods (requires O(confirm=true) outside check mode).
    type: str
    choices: [present, absent]
    default: present
  confirm:
    description: Must be V(true) for O(state=absent) to delete anything.
    type: bool
    default: false
  namespaces:
    description:
      - Only look in these namespaces (one list request each). Omitted means all namespaces (one paged list).
    type: list
    elements: str
  managed_namespaces:
    description:
      - The namespaces the provider manages; each pod says whether it is in one (RV(pods[].in_managed_namespace)).
      - Defaults to the eight Crusoe-managed namespaces.
    type: list
    elements: str
  report_all:
    description: Also report pods without a verdict.
    type: bool
    default: false
  allow:
    description:
      - C(namespace/name) glob patterns of pods that are never confirmed and never deleted, for example
        C(kube-system/node-shell-keep-*). A pattern without C(/) matches in every namespace.
    type: list
    elements: str
    default: []
  deny:
    description:
      - C(namespace/name) glob patterns of pods treated as C(confirmed) when they are bare pods (no controller).
        A deny-listed pod with a controller is only C(suspicious).
    type: list
    elements: str
    default: []
  diagnostic_managers:
    description:
      - C(metadata.managedFields) manager names that mark a pod as created by a diagnostic tool.
      - Defaults to C(kubectl-debug), C(node-shell), C(kubectl-node_shell), C(kubectl-node-shell), C(nsenter).
    type: list
    elements: str
  marker_labels:
    description:
      - Labels that mark a diagnostic pod, label -> value; an empty value or C(*) matches any value.
      - Always checked in addition, the label C(app.kubernetes.io/managed-by=kubectl-debug) that C(kubectl debug node)
        puts on its pods.
    type: dict
    default: {}
  marker_annotations:
    description:
      - Annotations that mark a diagnostic pod, annotation -> value; an empty value or C(*) matches any value.
    type: dict
    default: {}
  grace_period_seconds:
    description: The grace period for deleted pods; omitted uses each pod's own.
    type: int
  page_size:
    description: How many pods to ask for per list page.
    type: int
    default: 500
notes:
  - Needs C(list) on pods (cluster-wide unless O(namespaces) is set) and C(delete) on pods for O(state=absent).
  - A pod already terminating is reported (RV(pods[].terminating)) and not deleted again.
seealso:
  - module: neocloud.support_access.support_rbac_info
"""

EXAMPLES = r"""
- name: Report diagnostic pods in the whole cluster
  neocloud.support_access.support_pods:
    context: training-prod
  register: diag

- name: Preview what a sweep would delete
  neocloud.support_access.support_pods:
    context: training-prod
    state: absent
  check_mode: true

- name: Delete the confirmed diagnostic pods, keeping one known helper
  neocloud.support_access.support_pods:
    context: training-prod
    state: absent
    confirm: true
    allow:
      - kube-system/node-shell-keep-*

- name: Only the Crusoe-managed namespaces
  neocloud.support_access.support_pods:
    context: training-prod
    namespaces: [crusoe-system, kube-system, nvidia-gpu-operator, nvidia-network-operator,
                 kube-amd-gpu, kube-amd-network, slinky, slurm]
"""

RETURN = r"""
cluster:
  description: The cluster the module talked to (the context, else the host).
  returned: always
  type: str
  sample: training-prod
pods:
  description: The pods with a verdict (all scanned pods with O(report_all)), sorted by namespace and name.
  returned: success
  type: list
  elements: dict
  contains:
    namespace:
      description: The pod's namespace.
      type: str
    name:
      description: The pod's name.
      type: str
    uid:
      description: The pod's uid.
      type: str
    node:
      description: The node it runs on.
      type: str
    owner:
      description: The controller owner C({kind, name, uid}), null for a bare pod.
      type: dict
    phase:
      description: The pod's phase.
      type: str
    created:
      description: The pod's creation timestamp.
      type: str
    signals:
      description: What hints at a diagnostic or host-level pod.
      type: list
      elements: str
      sample: [bare_pod, diagnostic_name, host_pid, privileged]
    verdict:
      description: C(confirmed), C(suspicious) or null.
      type: str
    in_managed_namespace:
      description: Whether the pod is in one of O(managed_namespaces).
      type: bool
    terminating:
      description: Whether the pod is already being deleted.
      type: bool
    allow_listed:
      description: The O(allow) pattern that matched, or null.
      type: str
    deny_listed:
      description: The O(deny) pattern that matched, or null.
      type: str
would_delete:
  description: The pods O(state=absent) with O(confirm=true) deletes (the C(confirmed) pods not yet terminating).
  returned: success
  type: list
  elements: dict
  sample: [{namespace: kube-system, name: node-shell-3f2a, uid: 6a1c0f7e-0000-4000-8000-000000000001}]
deleted:
  description: The pods deleted by this run.
  returned: success
  type: list
  elements: dict
skipped:
  description: Confirmed pods not deleted because they were gone or replaced (uid changed) by the time of deletion.
  returned: success
  type: list
  elements: dict
summary:
  description: Counts.
  returned: success
  type: dict
  contains:
    scanned:
      description: How many pods were looked at.
      type: int
    confirmed:
      description: How many pods are C(confirmed).
      type: int
    suspicious:
      description: How many pods are C(suspicious).
      type: int
    in_managed_namespaces:
      description: How many reported pods are in a managed namespace.
      type: int
    deleted:
      description: How many pods this run deleted.
      type: int
    would_delete:
      description: How many pods a confirmed O(state=absent) run deletes.
      type: int
"""

import re

from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import K8sClusterError, SupportK8sModule
from ansible_collections.neocloud.support_access.plugins.module_utils import _objects, _pods, _support

_NAMESPACE_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _ref(entry):
    return {"namespace": entry["namespace"], "name": entry["name"], "uid": entry["uid"]}


def _names(refs):
    return ["%s/%s" % (r["namespace"], r["name"]) for r in refs]


class SupportPods(SupportK8sModule):
    """Classify one cluster's pods and delete the confirmed diagnostic ones."""

    def run(self):
        """Validate the options, list, classify, maybe delete, exit."""
        params = self.params
        try:
            allow = _pods.normalize_patterns(params["allow"], "allow")
            deny = _pods.normalize_patterns(params["deny"], "deny")
            _objects.check_page_size(params["page_size"])
        except ValueError as exc:
            self.module.fail_json(msg="invalid option: %s" % exc)
            return
        if params["grace_period_seconds"] is not None and params["grace_period_seconds"] < 0:
            self.module.fail_json(msg="invalid option: grace_period_seconds must not be negative")
            return
        if any(not ns for ns in params["namespaces"] or []):
            self.module.fail_json(msg="invalid option: namespaces must not contain empty names")
            return
        bad = [ns for ns in params["namespaces"] or [] if not _NAMESPACE_RE.match(ns)]
        if bad:
            self.module.fail_json(msg="invalid option: namespaces %s: not Kubernetes namespace names (lower-case letters, "
                                      "digits and '-', at most 63 characters)" % ", ".join(repr(ns) for ns in bad))
            return
        try:
            pods = self.list_pods()
        except K8sClusterError as err:
            self.fail_error(err)
            return
        managed = params["managed_namespaces"]
        if managed is None:
            managed = list(_support.CRUSOE_MANAGED_NAMESPACES)
        managers = params["diagnostic_managers"]
        if managers is None:
            managers = list(_pods.DIAGNOSTIC_MANAGERS)
        entries = [_pods.classify_pod(pod, allow=allow, deny=deny, managed_namespaces=managed, managers=managers,
                                      marker_labels=params["marker_labels"],
                                      marker_annotations=params["marker_annotations"])
                   for pod in pods]
        entries.sort(key=lambda e: (e["namespace"] or "", e["name"] or ""))
        reported = [e for e in entries if e["verdict"] or params["report_all"]]
        candidates = [_ref(e) for e in entries if e["verdict"] == _pods.VERDICT_CONFIRMED and not e["terminating"]]
        result = {"pods": reported, "would_delete": candidates, "deleted": [], "skipped": []}

        if params["state"] == "absent" and not self.check_mode and not params["confirm"]:
            what = ", ".join(_names(candidates)) if candidates else "nothing (no confirmed diagnostic pods)"
            self.fail("state=absent deletes pods and needs confirm=true; it would delete %d pod(s): %s"
                      % (len(candidates), what), **result)
            return

        if params["state"] == "absent" and not self.check_mode:
            for ref in candidates:
                try:
                    outcome = self.delete_pod(ref)
                except K8sClusterError as err:
                    result["summary"] = _pods.pods_summary(entries, result["deleted"], candidates)
                    self.fail_error(err, **result)
                    return
                if outcome == "deleted":
                    result["deleted"].append(ref)
                else:
                    skipped = dict(ref)
                    skipped["reason"] = outcome
                    result["skipped"].append(skipped)

        gone = result["deleted"] if not self.check_mode else (candidates if params["state"] == "absent" else [])
        changed = bool(gone)
        if self.diff_mode and params["state"] == "absent":
            before = _names(reported)
            gone_names = set(_names(gone))
            result["diff"] = {"before": {"pods": before}, "after": {"pods": [n for n in before if n not in gone_names]}}
        result["summary"] = _pods.pods_summary(entries, result["deleted"], candidates)
        self.exit(changed=changed, **result)

    def list_pods(self):
        """All pods: one paged cluster-wide list, or one paged list per namespace in ``namespaces``."""
        page = self.params["page_size"]
        namespaces = self.params["namespaces"]
        if not namespaces:
            return self.list_all("/api/v1/pods", "listing pods in all namespaces", page_size=page, kind="Pod")
        pods = []
        for namespace in dict.fromkeys(namespaces):
            pods.extend(self.list_all("/api/v1/namespaces/%s/pods" % namespace, "listing pods in namespace %s" % namespace,
                                      page_size=page, kind="Pod"))
        return pods

    def delete_pod(self, ref):
        """Delete one pod with a uid precondition. Returns "deleted", "gone" or "replaced (uid changed)"."""
        body = _objects.delete_options(ref["uid"], self.params["grace_period_seconds"])
        what = "deleting pod %s/%s" % (ref["namespace"], ref["name"])
        answer = self.request("DELETE", "/api/v1/namespaces/%s/pods/%s" % (ref["namespace"], ref["name"]), what,
                              body=body, ok_statuses=(404, 409))
        return _objects.delete_outcome(answer)


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        confirm=dict(type="bool", default=False),
        namespaces=dict(type="list", elements="str"),
        managed_namespaces=dict(type="list", elements="str"),
        report_all=dict(type="bool", default=False),
        allow=dict(type="list", elements="str", default=[]),
        deny=dict(type="list", elements="str", default=[]),
        diagnostic_managers=dict(type="list", elements="str"),
        marker_labels=dict(type="dict", default={}),
        marker_annotations=dict(type="dict", default={}),
        grace_period_seconds=dict(type="int"),
        page_size=dict(type="int", default=500),
    )
    SupportPods(argument_spec, supports_check_mode=True).run()


if __name__ == "__main__":
    main()

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
  - With O(workloads) it also classifies the pod controllers (DaemonSets, Deployments, StatefulSets, ReplicaSets,
    Jobs, CronJobs) by their pod template - C(confirmed) (support tooling with node access, or on the O(deny) list),
    C(suspicious) (node access of unknown origin in a managed namespace) or C(kept) (the customer's) - and
    O(state=absent) deletes the C(confirmed) controllers first (a controller recreates the pods a sweep deletes),
    then their pods.
  - Pods with running ephemeral (debug) containers are reported in RV(debugged); only deleting the pod removes them,
    so O(state=absent) deletes them only with O(delete_debugged_pods=true).
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
  workloads:
    description:
      - Also classify the pod controllers (of O(namespaces), else of every namespace), and delete the C(confirmed)
        ones with O(state=absent).
    type: bool
    default: true
  activity_logs:
    description:
      - Kubernetes audit log files (or directories, globs; gzip is read too) of this cluster, as
        M(neocloud.support_access.support_activity) reads them. A pod or pod controller the logs show a support
        identity creating is support's (C(confirmed)) whatever it looks like, unless allow-listed.
    type: list
    elements: path
    default: []
  activity_cluster:
    description: The cluster's name in the audit logs (the C(cluster) option of M(neocloud.support_access.support_activity)); defaults to the context.
    type: str
  activity_support_users:
    description: Glob patterns of support user names in the logs, besides the provider's support groups.
    type: list
    elements: str
    default: []
  delete_debugged_pods:
    description:
      - With O(state=absent), also delete every pod with a running ephemeral (debug) container - the only way to end
        one. Off by default - such a pod is usually the customer's workload that was debugged.
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
workloads:
  description: The pod controllers with a verdict (O(workloads)) - kind, namespace, name, uid, signals, origin, verdict.
  returned: success
  type: list
  elements: dict
debugged:
  description: Pods with running ephemeral (debug) containers - namespace, name, uid, node, containers, close_command.
  returned: success
  type: list
  elements: dict
would_delete_workloads:
  description: The controllers O(state=absent) with O(confirm=true) deletes.
  returned: success
  type: list
  elements: dict
deleted_workloads:
  description: The controllers deleted by this run (their pods follow, deleted by the garbage collector and this run).
  returned: success
  type: list
  elements: dict
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

import itertools
import re

from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import K8sClusterError, SupportK8sModule
from ansible_collections.neocloud.support_access.plugins.module_utils import _activity, _objects, _pods, _support, _workloads

_NAMESPACE_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _ref(entry):
    return {"namespace": entry["namespace"], "name": entry["name"], "uid": entry["uid"]}


def _names(refs):
    return ["%s%s/%s" % (r["kind"] + " " if r.get("kind") else "", r["namespace"], r["name"]) for r in refs]


def _workload_ref(entry):
    return {"kind": entry["kind"], "namespace": entry["namespace"], "name": entry["name"], "uid": entry["uid"]}


_WORKLOAD_PATHS = dict((kind, (group, version, plural)) for group, version, kind, plural in _workloads.CONTROLLERS)


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
        try:
            created = self.support_created()
        except (_activity.ActivityError, ValueError) as exc:
            self.fail("invalid option activity_logs: %s" % exc)
            return
        managers = params["diagnostic_managers"]
        if managers is None:
            managers = list(_pods.DIAGNOSTIC_MANAGERS)
        entries = []
        for pod in pods:
            entry = _pods.classify_pod(pod, allow=allow, deny=deny, managed_namespaces=managed, managers=managers,
                                       marker_labels=params["marker_labels"], marker_annotations=params["marker_annotations"])
            user = _workloads.created_by(created, "pods", pod)
            entries.append(_workloads.mark_created_pod(entry, user) if user else entry)
        entries.sort(key=lambda e: (e["namespace"] or "", e["name"] or ""))
        reported = [e for e in entries if e["verdict"] or params["report_all"]]
        try:
            workloads = self.list_workloads(allow, deny, managed, created) if params["workloads"] else []
        except K8sClusterError as err:
            self.fail_error(err)
            return
        debugged = [d for d in (_workloads.debugged_pod(pod) for pod in pods) if d]
        doomed_workloads = [w for w in workloads if w["verdict"] == _pods.VERDICT_CONFIRMED]
        owners = set(w["uid"] for w in doomed_workloads)
        candidates = [_ref(e) for e in entries if not e["terminating"] and (
            e["verdict"] == _pods.VERDICT_CONFIRMED or (e["owner"] or {}).get("uid") in owners)]
        if params["delete_debugged_pods"]:
            candidates += [_ref(d) for d in debugged if _ref(d) not in candidates]
        result = {"pods": reported, "workloads": workloads, "debugged": debugged, "would_delete": candidates,
                  "would_delete_workloads": [_workload_ref(w) for w in doomed_workloads], "deleted": [],
                  "deleted_workloads": [], "skipped": []}

        if params["state"] == "absent" and not self.check_mode and not params["confirm"]:
            what = ", ".join(_names(candidates) + _names(result["would_delete_workloads"])) \
                or "nothing (no confirmed diagnostic pods or workloads)"
            self.fail("state=absent deletes pods and needs confirm=true; it would delete %d pod(s) and %d workload(s): %s"
                      % (len(candidates), len(doomed_workloads), what), **result)
            return

        if params["state"] == "absent" and not self.check_mode:
            # the controllers first: they would make new pods for the ones deleted below
            for ref in result["would_delete_workloads"] + candidates:
                try:
                    outcome = self.delete(ref)
                except K8sClusterError as err:
                    result["summary"] = _pods.pods_summary(entries, result["deleted"], candidates)
                    self.fail_error(err, **result)
                    return
                if outcome == "deleted":
                    result["deleted_workloads" if ref.get("kind") else "deleted"].append(ref)
                else:
                    skipped = dict(ref)
                    skipped["reason"] = outcome
                    result["skipped"].append(skipped)

        gone = result["deleted"] + result["deleted_workloads"] if not self.check_mode else (
            candidates + result["would_delete_workloads"] if params["state"] == "absent" else [])
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

    def support_created(self):
        """{(plural, namespace, name): user} of what the audit logs show a support identity creating (O(activity_logs))."""
        params = self.params
        if not params["activity_logs"]:
            return {}
        cluster = params["activity_cluster"] or self.cluster
        result = _activity.analyze(list(params["activity_logs"]), cluster=cluster,
                                   support_users=params["activity_support_users"])
        return _workloads.support_created(((result.get("clusters") or {}).get(cluster) or {}).get("created"))

    def list_workloads(self, allow, deny, managed, created=None):
        """The pod controllers of every namespace with a verdict (_workloads.classify_workload)."""
        found = []
        namespaces = list(dict.fromkeys(self.params["namespaces"] or [None]))
        for (group, version, kind, plural), namespace in itertools.product(_workloads.CONTROLLERS, namespaces):
            base = "/apis/%s/%s/%s" % (group, version, "namespaces/%s/%s" % (namespace, plural) if namespace else plural)
            what = "listing %s in %s" % (plural, "namespace %s" % namespace if namespace else "all namespaces")
            for obj in self.list_all(base, what, page_size=self.params["page_size"], kind=kind):
                entry = _workloads.classify_workload(obj, kind, allow=allow, deny=deny, managed_namespaces=managed,
                                                     created_by=_workloads.created_by(created or {}, plural, obj))
                if entry and entry["verdict"]:
                    found.append(entry)
        return sorted(found, key=lambda e: (e["namespace"] or "", e["kind"], e["name"] or ""))

    def delete(self, ref):
        """Delete one pod or controller (``kind`` set) with a uid precondition, its dependents in the background.
        Returns "deleted", "gone" or "replaced (uid changed)"."""
        body = _objects.delete_options(ref["uid"], self.params["grace_period_seconds"])
        if ref.get("kind"):
            group, version, plural = _WORKLOAD_PATHS[ref["kind"]]
            path = "/apis/%s/%s/namespaces/%s/%s/%s" % (group, version, ref["namespace"], plural, ref["name"])
        else:
            path = "/api/v1/namespaces/%s/pods/%s" % (ref["namespace"], ref["name"])
        what = "deleting %s %s/%s" % (ref.get("kind") or "pod", ref["namespace"], ref["name"])
        return _objects.delete_outcome(self.request("DELETE", path, what, body=body, ok_statuses=(404, 409)))


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        confirm=dict(type="bool", default=False),
        namespaces=dict(type="list", elements="str"),
        managed_namespaces=dict(type="list", elements="str"),
        report_all=dict(type="bool", default=False),
        workloads=dict(type="bool", default=True),
        activity_logs=dict(type="list", elements="path", default=[]),
        activity_cluster=dict(type="str"),
        activity_support_users=dict(type="list", elements="str", default=[]),
        delete_debugged_pods=dict(type="bool", default=False),
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

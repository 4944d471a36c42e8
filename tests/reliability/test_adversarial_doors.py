# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adversarial doors: one cluster left the way a real support engagement leaves it, through real ansible-playbook.

The engaged cluster of the simulated fleet (access on, the chart installed, a lease) gets a door of every class of
docs/doors.md that the chart does not make, and look-alikes of the customer's that are no doors:

- RBAC: a support group bound to cluster-admin outside the chart; a ClusterRole granting the kubelet API, token
  minting and CSR approval bound to the read-only group; a dangling RoleBinding of the operator group; a
  ServiceAccount named like the provider's support, bound to cluster-admin, with a token; ``system:authenticated``
  bound to the kubelet API; a ServiceAccount the policy declares as support's, bound to ``edit``;
- workloads: a node-shell DaemonSet in crusoe-system (its pods come back when deleted) and a privileged Job of
  unknown origin in kube-system; a plain Deployment the audit log shows a support engineer creating; a debug
  container running in a customer pod;
- firewall: a customer source (a /24) that covers the support VPN address;
- look-alikes: the GPU operator's privileged DaemonSet, a customer Deployment named like a tool, the customer's
  cluster-admin binding.

The audit must name every door with what it grants; revoke must close what is support's, say NOT REVOKED naming
every door it may not close, and delete nothing of the customer's (the emulator's request log is the proof); after a
person's decisions (allow by name, the deny list, deleting the debugged pod) revoke says REVOKED.
"""

from __future__ import annotations

import datetime

from fleet_state import rule_sources, support_settings
from sim import activity_logs

from ansible_collections.neocloud.support_access.plugins.module_utils import _support

from reliability.conftest import load_report, run_playbook

CLUSTER = "training-prod"
RBAC = "rbac.authorization.k8s.io"
ROOT = {"hostPID": True, "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
        "containers": [{"name": "shell", "image": "docker.io/library/alpine:3.20", "command": ["sleep", "infinity"],
                        "securityContext": {"privileged": True}, "volumeMounts": [{"name": "host", "mountPath": "/host"}]}]}
COVER = "4.7.95.0/24"
POLICY = {"support_subjects": [{"kind": "Group", "name": g} for g in _support.CRUSOE_SUPPORT_GROUPS]
          + [{"kind": "ServiceAccount", "name": "vendor-debug", "namespace": "ml"}]}


def _binding(kind, name, role_kind, role, subjects, namespace=None):
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": RBAC + "/v1", "kind": kind, "metadata": meta,
            "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role},
            "subjects": [dict(s, apiGroup=RBAC) if s["kind"] != "ServiceAccount" else s for s in subjects]}


def _group(name):
    return {"kind": "Group", "name": name}


def _controller(kind, name, namespace, spec, labels=None, release=None):
    meta = {"name": name, "namespace": namespace, "labels": dict(labels or {}, app=name)}
    if release:  # installed by the customer's Helm release
        meta["annotations"] = {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace}
    template = {"metadata": {"labels": {"app": name}}, "spec": dict(spec, restartPolicy="Never" if kind == "Job" else "Always")}
    body = {"template": template}
    if kind != "Job":
        body["selector"] = {"matchLabels": {"app": name}}
    return {"apiVersion": "batch/v1" if kind == "Job" else "apps/v1", "kind": kind, "metadata": meta, "spec": body}


def support_log(tmp_path):
    """A Kubernetes audit log in which a support engineer (the operator group) creates the log-shipper Deployment."""
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=30)
    path = tmp_path / "audit.log"
    path.write_text(activity_logs._line(activity_logs.k8s_event(  # pylint: disable=protected-access
        when, "create", "eng@support.crusoe.example", ["crusoe:support:operator"], "deployments",
        namespace="crusoe-system", name="log-shipper", api_group="apps", code=201)))
    return str(path)


def plant(fleet):
    """Seed the doors and the look-alikes; returns {door ref: expected status} and the customer's objects."""
    cluster = fleet.kube(CLUSTER)
    node = cluster.list("v1", "Node")[0]["metadata"]["name"]
    cluster.seed([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in ("ml", "research")])
    cluster.seed([
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "crusoe-support", "namespace": "kube-system"}},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
         "metadata": {"name": "crusoe-support-token", "namespace": "kube-system",
                      "annotations": {"kubernetes.io/service-account.name": "crusoe-support"}}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "vendor-debug", "namespace": "ml"}},
        {"apiVersion": RBAC + "/v1", "kind": "ClusterRole", "metadata": {"name": "node-debug-helper"}, "rules": [
            {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
            {"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"]}]},
        {"apiVersion": RBAC + "/v1", "kind": "ClusterRole", "metadata": {"name": "node-proxier"},
         "rules": [{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]},
        _binding("ClusterRoleBinding", "support-cluster-admin", "ClusterRole", "cluster-admin", [_group("crusoe:support:operator")]),
        _binding("ClusterRoleBinding", "support-node-helper", "ClusterRole", "node-debug-helper", [_group("crusoe:support:readonly")]),
        _binding("RoleBinding", "support-dangling", "Role", "support-gone", [_group("crusoe:support:operator")], "kube-system"),
        _binding("ClusterRoleBinding", "crusoe-support-admin", "ClusterRole", "cluster-admin",
                 [{"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "kube-system"}]),
        _binding("ClusterRoleBinding", "everyone-kubelet", "ClusterRole", "node-proxier", [_group("system:authenticated")]),
        _binding("RoleBinding", "vendor-edit", "ClusterRole", "edit",
                 [{"kind": "ServiceAccount", "name": "vendor-debug", "namespace": "ml"}], "ml"),
        # the customer's: no doors
        _binding("ClusterRoleBinding", "ml-admins", "ClusterRole", "cluster-admin", [_group("ml-admins")]),
        _controller("DaemonSet", "node-shell-ds", "crusoe-system", ROOT, labels={"app.kubernetes.io/managed-by": "kubectl-debug"}),
        _controller("Job", "root-collector", "kube-system", ROOT),
        _controller("Deployment", "log-shipper", "crusoe-system", {"containers": [{"name": "ship", "image": "fluent/fluent-bit:3.2"}]}),
        _controller("DaemonSet", "nvidia-driver-daemonset", "nvidia-gpu-operator", ROOT, release="gpu-operator"),
        _controller("Deployment", "node-shell-viewer", "research", {"containers": [{"name": "ui", "image": "nginx:1.27"}]}),
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "trainer-0", "namespace": "ml"}, "spec": {
            "nodeName": node, "containers": [{"name": "main", "image": "pytorch/pytorch:2.5"}],
            "ephemeralContainers": [{"name": "debugger", "image": "busybox:1.36", "targetContainerName": "main",
                                     "securityContext": {"privileged": True}}]}},
    ])
    with fleet.crusoe.lock:
        fleet.crusoe.state["firewall_rules"][fleet.rule_id(CLUSTER)]["sources"].append({"cidr": COVER})
    doors = {
        "ClusterRoleBinding/support-cluster-admin": "confirmed",
        "ClusterRoleBinding/support-node-helper": "confirmed",
        "RoleBinding/kube-system/support-dangling": "confirmed",
        "RoleBinding/ml/vendor-edit": "confirmed",
        "ClusterRoleBinding/crusoe-support-admin": "suspicious",
        "ClusterRoleBinding/everyone-kubelet": "suspicious",
        "DaemonSet/crusoe-system/node-shell-ds": "confirmed",
        "Job/kube-system/root-collector": "suspicious",
        "Deployment/crusoe-system/log-shipper": "confirmed",
        "Pod/ml/trainer-0": "suspicious",
    }
    customer = {("clusterrolebindings", "", "ml-admins"), ("daemonsets", "nvidia-gpu-operator", "nvidia-driver-daemonset"),
                ("deployments", "research", "node-shell-viewer"), ("pods", "ml", "trainer-0"),
                ("clusterrolebindings", "", "crusoe-support-admin"), ("clusterrolebindings", "", "everyone-kubelet"),
                ("jobs", "kube-system", "root-collector"), ("serviceaccounts", "kube-system", "crusoe-support")}
    cluster.clear_log()
    fleet.crusoe.clear_log()
    return doors, customer


def deletes(fleet):
    return {(e["resource"], e["namespace"] or "", e["name"]) for e in fleet.kube(CLUSTER).request_log()
            if e["method"] == "DELETE"}


def test_every_door_named_support_closed_customer_kept(ansible_playbook, fleet, tmp_path, reliability):
    planted, customer = plant(fleet)
    extra = {"support_access_policy": POLICY, "support_access_activity_logs": [support_log(tmp_path)]}

    # the audit names every door, with its status and what it grants
    res = run_playbook(ansible_playbook, fleet, "audit", tmp_path, extra, limit=CLUSTER, check=True)
    assert res.rc == 0, res.stdout
    report = load_report(tmp_path)[1][CLUSTER]
    found = {d["ref"]: d for d in report["doors"]}
    named = [ref for ref, status in planted.items() if ref in found and found[ref]["status"] == status]
    codes = {f["code"] for f in report["findings"]}
    cover_named = "firewall-admits-support-vpn" in codes and COVER in " ".join(f["message"] for f in report["findings"])
    reliability.doors(planted=len(planted) + 1, found=len(named) + int(cover_named), where="in the audit",
                      false_verdicts=int(report["verdict"] == "compliant"))
    assert sorted(named) == sorted(planted), {ref: found.get(ref) for ref in planted}
    assert cover_named and report["verdict"] == "noncompliant", report["findings"]
    assert {"suspicious-doors", "support-workloads-present", "out-of-chart-support-bindings"} <= codes, codes
    assert "node_proxy" in found["ClusterRoleBinding/support-node-helper"]["what"]
    assert "mint_tokens" in found["ClusterRoleBinding/support-node-helper"]["what"]
    assert "approve_csr" in found["ClusterRoleBinding/support-node-helper"]["what"]
    assert "re-arms" in found["RoleBinding/kube-system/support-dangling"]["what"]
    assert "kubectl delete pod -n ml trainer-0" in found["Pod/ml/trainer-0"]["closes"]
    assert "eng@support.crusoe.example" in found["Deployment/crusoe-system/log-shipper"]["what"]
    assert not any(ref.endswith(("ml-admins", "nvidia-driver-daemonset", "node-shell-viewer")) for ref in found)
    assert {(w["name"], w["verdict"]) for w in report["pods"]["workloads"]} >= {
        ("nvidia-driver-daemonset", "kept"), ("node-shell-viewer", "kept")}

    # revoke closes support's doors, keeps the customer's and says NOT REVOKED naming the rest
    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, dict(extra, support_access_confirm=True), limit=CLUSTER)
    report = load_report(tmp_path)[1][CLUSTER]
    gone = deletes(fleet)
    deleted_customer = sorted(customer & gone)
    reliability.doors(planted=0, found=0, customer_deleted=len(deleted_customer), where="by revoke",
                      false_verdicts=int(report["verdict"] == "revoked"))
    assert not deleted_customer, deleted_customer
    assert res.rc != 0 and report["verdict"] == "not_revoked", report["verdict"]
    left = {d["ref"] for d in report["doors"] if d["status"] in ("confirmed", "suspicious")}
    assert left == {ref for ref, status in planted.items() if status == "suspicious"}, left
    assert {("clusterrolebindings", "", "support-cluster-admin"), ("clusterrolebindings", "", "support-node-helper"),
            ("rolebindings", "kube-system", "support-dangling"), ("rolebindings", "ml", "vendor-edit"),
            ("daemonsets", "crusoe-system", "node-shell-ds"), ("deployments", "crusoe-system", "log-shipper")} <= gone
    cluster = fleet.kube(CLUSTER)
    assert not [p for p in cluster.list("v1", "Pod", "crusoe-system") if p["metadata"]["name"].startswith("node-shell-ds")]
    assert COVER in rule_sources(fleet, CLUSTER) and _support.CRUSOE_SUPPORT_VPN_CIDR not in rule_sources(fleet, CLUSTER)
    assert support_settings(fleet, CLUSTER)["access_enabled"] is False
    for ref in left:
        assert ref in report["error"], (ref, report["error"])

    # a person decides: deletes the binding that lets everyone use the kubelet API (the support groups' probes still
    # find that way in while it exists), allows the look-alike ServiceAccount's binding by name, puts the root Job on
    # the deny list and lets revoke delete the debugged pod; then revoke says REVOKED
    cluster.delete(RBAC + "/v1", "ClusterRoleBinding", "everyone-kubelet")
    decided = {"support_access_policy": dict(POLICY, allow=["ClusterRoleBinding/crusoe-support-admin"]),
               "support_access_activity_logs": extra["support_access_activity_logs"],
               "support_access_confirm": True, "support_access_delete_debugged_pods": True,
               "support_revoke_pods_deny": ["kube-system/root-collector"]}
    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, decided, limit=CLUSTER)
    report = load_report(tmp_path)[1][CLUSTER]
    assert res.rc == 0 and report["verdict"] == "revoked", report["error"]
    assert [(d["ref"], d["status"]) for d in report["doors"]] == [("ClusterRoleBinding/crusoe-support-admin", "allowed")]
    assert {("jobs", "kube-system", "root-collector"), ("pods", "ml", "trainer-0")} <= deletes(fleet)
    kept = customer - {("jobs", "kube-system", "root-collector"), ("pods", "ml", "trainer-0")}
    assert not kept & deletes(fleet), sorted(kept & deletes(fleet))

# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_rbac through real ansible-playbook against an emulated cluster with the chart and leftovers."""

from __future__ import annotations

import pytest

from support_k8s_helpers import MANAGED, install_chart, kube_vars, namespace, playbook

RBAC = "rbac.authorization.k8s.io/v1"


def role_binding(name, ns, subjects, role="view", kind="ClusterRole", labels=None):
    return {"apiVersion": RBAC, "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role}, "subjects": subjects}


def group(name):
    return {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name}


OPERATOR = group("crusoe:support:operator")
WATCH_AGENT = {"crusoe.ai/managed": "true", "app.kubernetes.io/instance": "crusoe-watch-agent",
               "app.kubernetes.io/name": "crusoe-watch-agent", "app.kubernetes.io/managed-by": "Helm"}


@pytest.fixture
def leftovers(kube_cluster):
    k = kube_cluster
    k.cluster.seed([namespace(ns) for ns in MANAGED])
    install_chart(k)
    k.cluster.seed([
        role_binding("support-orphan", "kube-system", [OPERATOR], role="edit"),
        role_binding("ops-shared", "slurm", [OPERATOR, group("slurm-admins")], role="edit"),
        role_binding("customer-view", "slurm", [group("slurm-admins")]),
        {"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": "system:support-looking"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
         "subjects": [OPERATOR]},
        # Another Crusoe-managed chart: carries crusoe.ai/managed=true but is not the support chart.
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "crusoe-watch-agent", "labels": WATCH_AGENT},
         "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]},
        {"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": "crusoe-watch-agent", "labels": WATCH_AGENT},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "crusoe-watch-agent"},
         "subjects": [{"kind": "ServiceAccount", "name": "crusoe-watch-agent", "namespace": "crusoe-system"}]},
    ])
    k.cluster.clear_log()
    return k


def names(refs):
    return {(r["kind"], r["namespace"], r["name"]) for r in refs}


def test_delete_support_rbac(ansible_playbook, leftovers):
    k = leftovers
    chart_crbs = {c["metadata"]["name"] for c in k.cluster.list(RBAC, "ClusterRoleBinding")
                  if c["metadata"].get("labels", {}).get("app.kubernetes.io/instance") == "crusoe-support-roles"}
    assert chart_crbs

    res = ansible_playbook(playbook("support_rbac", {}, name="rbac"), extra_vars=kube_vars(k), check=True, diff=True)
    assert res.rc == 0, res.stdout
    out = res.result("rbac")["result"]
    assert out["changed"] is True and k.cluster.writes() == []
    would = names(out["would_delete"])
    assert ("RoleBinding", "kube-system", "support-orphan") in would
    assert ("FlowSchema", None, "crusoe-support") in would
    assert ("PriorityLevelConfiguration", None, "crusoe-support") in would
    assert {("ClusterRoleBinding", None, n) for n in chart_crbs} <= would
    kept = {(r["kind"], r["namespace"], r["name"]): r["reason"] for r in out["kept"]}
    assert "shared binding" in kept[("RoleBinding", "slurm", "ops-shared")]
    assert "built-in" in kept[("ClusterRoleBinding", None, "system:support-looking")]
    assert ("RoleBinding", "slurm", "customer-view") not in would | set(kept)

    res = ansible_playbook(playbook("support_rbac", {}, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc != 0
    msg = res.result("rbac")["result"]["msg"]
    assert "confirm=true" in msg and k.name in msg and "support-orphan" in msg
    assert k.cluster.writes() == []

    res = ansible_playbook(playbook("support_rbac", {"confirm": True}, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc == 0, res.stdout
    assert names(res.result("rbac")["result"]["deleted"]) == would
    deletes = [e for e in k.cluster.writes() if e["method"] == "DELETE"]
    assert len(deletes) == len(would) and not [e for e in k.cluster.writes() if e["method"] != "DELETE"]
    assert k.cluster.get(RBAC, "RoleBinding", "support-orphan", "kube-system") is None
    assert k.cluster.get(RBAC, "ClusterRole", "crusoe-support-operator") is None
    assert k.cluster.get(RBAC, "ClusterRole", "crusoe-watch-agent") is not None
    assert k.cluster.get(RBAC, "ClusterRoleBinding", "crusoe-watch-agent") is not None
    assert k.cluster.get(RBAC, "RoleBinding", "ops-shared", "slurm") is not None
    assert k.cluster.get(RBAC, "RoleBinding", "customer-view", "slurm") is not None
    assert k.cluster.get(RBAC, "ClusterRoleBinding", "system:support-looking") is not None
    assert k.cluster.get(RBAC, "ClusterRole", "cluster-admin") is not None

    k.cluster.clear_log()
    res = ansible_playbook(playbook("support_rbac", {"confirm": True}, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc == 0 and res.result("rbac")["changed"] is False and k.cluster.writes() == []


def test_shared_bindings_lose_only_support_subjects(ansible_playbook, leftovers):
    k = leftovers
    params = {"confirm": True, "remove_subjects_from_shared_bindings": True}
    res = ansible_playbook(playbook("support_rbac", params, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc == 0, res.stdout
    out = res.result("rbac")["result"]
    assert names(out["updated"]) == {("RoleBinding", "slurm", "ops-shared")}
    shared = k.cluster.get(RBAC, "RoleBinding", "ops-shared", "slurm")
    assert [s["name"] for s in shared["subjects"]] == ["slurm-admins"]
    puts = [e for e in k.cluster.writes() if e["method"] == "PUT"]
    assert len(puts) == 1 and puts[0]["name"] == "ops-shared"
    k.cluster.clear_log()
    res = ansible_playbook(playbook("support_rbac", params, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc == 0 and res.result("rbac")["changed"] is False and k.cluster.writes() == []


def test_custom_subjects(ansible_playbook, kube_cluster):
    k = kube_cluster
    k.cluster.seed([namespace("slurm"),
                    role_binding("vendor", "slurm", [{"kind": "User", "name": "vendor@example.com"}]),
                    role_binding("support-orphan", "slurm", [OPERATOR])])
    params = {"confirm": True, "subjects": [{"kind": "User", "name": "*@example.com"}]}
    res = ansible_playbook(playbook("support_rbac", params, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc == 0, res.stdout
    assert names(res.result("rbac")["result"]["deleted"]) == {("RoleBinding", "slurm", "vendor")}
    assert k.cluster.get(RBAC, "RoleBinding", "support-orphan", "slurm") is not None

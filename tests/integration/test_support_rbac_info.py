# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_rbac_info through real ansible-playbook against an emulated cluster with the support chart installed."""

from __future__ import annotations

import pytest
import yaml

from support_k8s_helpers import MANAGED, install_chart, kube_vars, namespace, playbook

ORPHAN = {
    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
    "metadata": {"name": "support-leftover", "namespace": "apps"},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
    "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "crusoe:support:operator"}],
}


@pytest.fixture
def supported(kube_cluster):
    """A cluster with the managed namespaces, the chart 0.2.0 installed by helm and an orphan RoleBinding."""
    kube_cluster.cluster.seed([namespace(ns) for ns in MANAGED + ("apps",)])
    install_chart(kube_cluster)
    kube_cluster.cluster.seed([ORPHAN])
    kube_cluster.cluster.clear_log()
    return kube_cluster


def probe(result, name):
    found = [p for p in result["probes"] if p["name"] == name]
    assert len(found) == 1, [p["name"] for p in result["probes"]]
    return found[0]


def test_reports_chart_bindings_orphan_and_probes(ansible_playbook, supported):
    res = ansible_playbook(playbook("support_rbac_info", {}, name="scan"), extra_vars=kube_vars(supported))
    assert res.rc == 0, res.stdout
    out = res.result("scan")["result"]
    assert out["changed"] is False and out["cluster"] == supported.name
    names = {(b["kind"], b["namespace"], b["name"]): b for b in out["bindings"]}
    assert ("ClusterRoleBinding", None, "crusoe-support-operator-binding") in names
    assert ("ClusterRoleBinding", None, "crusoe-support-readonly-binding") in names
    debug = names[("RoleBinding", "kube-system", "crusoe-support-debug-binding")]
    assert debug["chart_managed"] is True and {"exec_pods", "portforward_pods"} <= set(debug["capabilities"])
    assert debug["support_subjects"] == [{"kind": "Group", "name": "crusoe:support:operator", "namespace": None}]
    assert {ns for kind, ns, name in names if name == "crusoe-support-debug-binding"} == set(MANAGED)
    orphan = names[("RoleBinding", "apps", "support-leftover")]
    assert orphan["chart_managed"] is False and orphan["role_found"] is True
    assert "read_secrets" in orphan["capabilities"]          # edit is aggregated: resolved through its selectors
    operator = names[("ClusterRoleBinding", None, "crusoe-support-operator-binding")]
    assert {"delete_pods", "evict_pods", "patch_nodes"} <= set(operator["capabilities"])

    kinds = {o["kind"] for o in out["labelled_objects"]}
    assert kinds == {"ClusterRole", "ClusterRoleBinding", "RoleBinding", "FlowSchema", "PriorityLevelConfiguration"}
    assert out["flowcontrol_served"] is True

    allowed = probe(out, "crusoe:support:operator:exec_pods_kube_system")
    assert allowed["allowed"] is True and "crusoe-support-debug-binding" in allowed["reason"]
    assert probe(out, "crusoe:support:readonly:exec_pods_kube_system")["allowed"] is False
    assert probe(out, "crusoe:support:operator:delete_pods_kube_system")["allowed"] is True
    summary = out["summary"]
    assert summary["support_subjects_bound"] is True and summary["clean"] is False
    assert summary["probes_allowed"] == sum(1 for p in out["probes"] if p["allowed"]) > 0
    # read-only: nothing written, only GETs and access reviews
    assert supported.cluster.writes() == []
    assert {e["method"] for e in supported.cluster.request_log()} <= {"GET", "POST"}
    assert all(e["resource"] == "subjectaccessreviews" for e in supported.cluster.request_log() if e["method"] == "POST")


def test_after_removing_the_bindings_probes_are_denied(ansible_playbook, supported):
    supported.helm("uninstall", "crusoe-support-roles", "--namespace", "crusoe-system")
    supported.kubectl("delete", "rolebinding", "support-leftover", "--namespace", "apps")
    res = ansible_playbook(playbook("support_rbac_info", {}, name="scan"), extra_vars=kube_vars(supported), check=True)
    assert res.rc == 0, res.stdout
    out = res.result("scan")["result"]
    assert out["bindings"] == [] and out["labelled_objects"] == []
    assert out["probes"] and not any(p["allowed"] for p in out["probes"])
    assert out["summary"] == dict(out["summary"], support_subjects_bound=False, capabilities=[], probes_allowed=0, clean=True)


def test_custom_subjects_support_roles_and_probes(ansible_playbook, kube_cluster):
    kube_cluster.cluster.seed([
        namespace("team"),
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": "teleport-cluster-viewers"},
         "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": "teleport-viewers"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "teleport-cluster-viewers"},
         "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "cw-staff"}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "helper-view", "namespace": "team"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
         "subjects": [{"kind": "ServiceAccount", "name": "helper", "namespace": "team"}]},
    ])
    params = {
        "subjects": [{"kind": "ServiceAccount", "name": "helper", "namespace": "team"}],
        "support_cluster_roles": ["teleport-cluster-viewers", "teleport-cluster-super-admins"],
        "probes": [{"name": "viewers exec", "groups": ["cw-staff"], "verb": "get", "resource": "pods",
                    "subresource": "exec", "namespace": "kube-system"},
                   {"name": "helper list pods", "user": "system:serviceaccount:team:helper",
                    "groups": ["system:serviceaccounts", "system:serviceaccounts:team"], "verb": "list",
                    "resource": "pods", "namespace": "team"}],
    }
    res = ansible_playbook(playbook("support_rbac_info", params, name="scan"), extra_vars=kube_vars(kube_cluster))
    assert res.rc == 0, res.stdout
    out = res.result("scan")["result"]
    by_name = {b["name"]: b for b in out["bindings"]}
    assert set(by_name) == {"teleport-viewers", "helper-view"}
    assert by_name["teleport-viewers"]["support_role"] is True
    assert "exec_pods_via_get" in by_name["teleport-viewers"]["flags"]
    assert by_name["helper-view"]["support_subjects"] == [{"kind": "ServiceAccount", "name": "helper", "namespace": "team"}]
    assert [p["allowed"] for p in out["probes"]] == [True, True]
    assert "exec_pods" in out["summary"]["capabilities"]


def test_forbidden_names_cluster_and_status(ansible_playbook, kube_cluster, tmp_path):
    kubeconfig = kube_cluster.emulator.write_kubeconfig(tmp_path / "readonly.yaml", clusters=[kube_cluster.name],
                                                        user="nobody")
    res = ansible_playbook(playbook("support_rbac_info", {}, name="scan"),
                           extra_vars={"kubeconfig": str(kubeconfig), "context": kube_cluster.name})
    assert res.rc != 0
    out = res.result("scan")["result"]
    assert out["msg"].startswith("cluster '%s': listing clusterroles failed: 403 Forbidden: " % kube_cluster.name)
    assert "nobody" in out["msg"]


def test_unknown_context_and_unreachable_cluster(ansible_playbook, kube_cluster):
    res = ansible_playbook(playbook("support_rbac_info", {}, name="scan"),
                           extra_vars={"kubeconfig": kube_cluster.kubeconfig, "context": "no-such-cluster"})
    msg = res.result("scan")["result"]["msg"]
    assert msg.startswith("cluster 'no-such-cluster': cannot load the Kubernetes client configuration") and "no-such-cluster" in msg
    kube_cluster.cluster.set_fault("unreachable")
    res = ansible_playbook(playbook("support_rbac_info", {}, name="scan"), extra_vars=kube_vars(kube_cluster))
    msg = res.result("scan")["result"]["msg"]
    assert msg.startswith("cluster '%s': " % kube_cluster.name) and "cannot reach the API server" in msg
    assert kube_cluster.cluster.server_url.split("/clusters/")[0] in msg


def test_k8s_auth_environment_variables(ansible_playbook, supported):
    text = ("- hosts: localhost\n  gather_facts: false\n  tasks:\n"
            "    - name: scan\n      neocloud.support_access.support_rbac_info:\n        probes: []\n")
    res = ansible_playbook(text, env={"K8S_AUTH_KUBECONFIG": supported.kubeconfig, "K8S_AUTH_CONTEXT": supported.name})
    assert res.rc == 0, res.stdout
    out = res.result("scan")["result"]
    assert out["cluster"] == supported.name and out["summary"]["support_subjects_bound"] is True


def test_bad_token_is_401(ansible_playbook, kube_cluster, tmp_path):
    config = kube_cluster.emulator.kubeconfig([kube_cluster.name])
    for user in config["users"]:
        user["user"]["token"] = "not-a-valid-token"
    path = tmp_path / "bad-token.yaml"
    path.write_text(yaml.safe_dump(config))
    res = ansible_playbook(playbook("support_rbac_info", {}, name="scan"),
                           extra_vars={"kubeconfig": str(path), "context": kube_cluster.name})
    msg = res.result("scan")["result"]["msg"]
    assert msg.startswith("cluster '%s': " % kube_cluster.name) and "401 Unauthorized" in msg, msg

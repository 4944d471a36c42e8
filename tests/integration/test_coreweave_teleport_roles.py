# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CoreWeave's Teleport roles audited in the cluster: support_rbac_info -> support_access_report through real
ansible-playbook against an emulated cluster.

CoreWeave documents ``teleport-cluster-viewers`` as read-only without Secrets. A viewer role that grants `get` on
pods/exec (WebSocket exec before Kubernetes 1.35) or reads Secrets must be reported; one that grants `get` on ``pods/*``
is reported as viewer-can-exec too (written to open shells), although RBAC reads ``pods/*`` as a literal name and the API
server's own SubjectAccessReview denies exec; a correct viewer role is not reported.
"""

from __future__ import annotations

import json

import pytest

from support_k8s_helpers import kube_vars, namespace

RBAC = "rbac.authorization.k8s.io"
VIEWERS, ADMINS = "teleport-cluster-viewers", "teleport-cluster-super-admins"
READ = ["get", "list", "watch"]
CORRECT_VIEWER = [
    {"apiGroups": [""], "resources": ["pods", "pods/log", "nodes", "services", "configmaps", "events", "namespaces"],
     "verbs": READ},
    {"apiGroups": ["apps", "batch"], "resources": ["*"], "verbs": READ},
]
VARIANTS = {
    "exec-via-get-and-secrets": CORRECT_VIEWER + [
        {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
    ],
    "pods-star": CORRECT_VIEWER + [{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}],
    "correct": CORRECT_VIEWER,
}
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: scan
      neocloud.support_access.support_rbac_info:
        kubeconfig: "{{ kubeconfig }}"
        context: "{{ context }}"
        subjects: []
        support_cluster_roles: [teleport-cluster-viewers, teleport-cluster-super-admins]
        probes:
          - {name: viewers exec websocket, groups: [cw-viewers], verb: get, resource: pods, subresource: exec, namespace: kube-system}
          - {name: viewers exec, groups: [cw-viewers], verb: create, resource: pods, subresource: exec, namespace: kube-system}
          - {name: viewers secrets, groups: [cw-viewers], verb: get, resource: secrets, namespace: kube-system}
          - {name: viewers pods, groups: [cw-viewers], verb: list, resource: pods}
      register: rbac
    - name: report
      neocloud.support_access.support_access_report:
        reports:
          - schema: 1
            cluster: "{{ context }}"
            provider: coreweave
            reachable: true
            rbac: "{{ rbac }}"
        dest: "{{ dest }}"
        formats: [json]
"""


def cluster_role(name, rules):
    return {"apiVersion": RBAC + "/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules}


def binding(name, role, group):
    return {"apiVersion": RBAC + "/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "Group", "apiGroup": RBAC, "name": group}]}


def run(ansible_playbook, kube, tmp_path, viewer_rules):
    kube.cluster.seed([
        namespace("kube-system"),
        cluster_role(VIEWERS, viewer_rules),
        cluster_role(ADMINS, [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                              {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
        binding("teleport-viewers", VIEWERS, "cw-viewers"),
        binding("teleport-super-admins", ADMINS, "cw-admins"),
    ])
    kube.cluster.clear_log()
    extra = dict(kube_vars(kube), dest=str(tmp_path / "report"))
    res = ansible_playbook(PLAYBOOK, extra_vars=extra)
    assert res.rc == 0, res.stdout + res.stderr
    scan = res.result("scan")["result"]
    with open(tmp_path / "report" / "support-access-report.json", encoding="utf-8") as handle:
        report = json.load(handle)
    assert kube.cluster.writes() == []
    bindings = {b["name"]: b for b in scan["bindings"]}
    probes = {p["name"]: p["allowed"] for p in scan["probes"]}
    # the report holds the RBAC scan only: the pods and the lease were not read, which its ``unknown`` record says
    findings = report["clusters"][0]["findings"]
    assert [f["sections"] for f in findings if f["code"] == "unknown"] == [["pods", "lease"]]
    codes = sorted(f["code"] for f in findings if f["code"] != "unknown")
    return bindings, probes, codes, scan["summary"]


def test_viewer_that_execs_via_get_and_reads_secrets_is_flagged(ansible_playbook, kube_cluster, tmp_path):
    bindings, probes, codes, summary = run(ansible_playbook, kube_cluster, tmp_path, VARIANTS["exec-via-get-and-secrets"])
    viewer = bindings["teleport-viewers"]
    assert viewer["support_role"] is True and viewer["expected"] == "read-only"
    assert {"exec_pods", "read_secrets"} <= set(viewer["capabilities"])
    assert "exec_pods_via_get" in viewer["flags"]
    assert viewer["read_only_violations"] == ["exec_pods", "read_secrets"]
    # the API server agrees: WebSocket exec and Secrets are open to the viewers, create pods/exec is not
    assert probes == {"viewers exec websocket": True, "viewers exec": False, "viewers secrets": True, "viewers pods": True}
    assert codes == ["viewer-can-exec", "viewer-can-read-secrets"]
    assert summary["read_only_violations"] == 1
    admins = bindings["teleport-super-admins"]
    assert admins["expected"] is None and admins["read_only_violations"] == [] and "full_access" in admins["capabilities"]


def test_viewer_granting_get_on_pods_star_is_flagged_viewer_can_exec(ansible_playbook, kube_cluster, tmp_path):
    """`get` on pods/* is written to open shells over WebSocket: the report flags viewer-can-exec and says that the API
    server (which reads pods/* literally) denies exec today; the capabilities stay what RBAC effectively grants."""
    bindings, probes, codes, summary = run(ansible_playbook, kube_cluster, tmp_path, VARIANTS["pods-star"])
    viewer = bindings["teleport-viewers"]
    assert "exec_pods" not in viewer["capabilities"] and "exec_pods_via_get" not in viewer["flags"]
    assert {"literal_subresource_wildcard", "exec_pods_via_subresource_wildcard"} <= set(viewer["flags"])
    assert viewer["read_only_violations"] == []
    # the emulated API server applies upstream RBAC: exec is denied, the rest of the viewer role works
    assert probes["viewers exec websocket"] is False and probes["viewers exec"] is False
    assert probes["viewers secrets"] is False and probes["viewers pods"] is True
    assert codes == ["viewer-can-exec"]
    assert summary["read_only_violations"] == 0


def test_correct_viewer_role_is_not_flagged(ansible_playbook, kube_cluster, tmp_path):
    bindings, probes, codes, summary = run(ansible_playbook, kube_cluster, tmp_path, VARIANTS["correct"])
    viewer = bindings["teleport-viewers"]
    assert viewer["expected"] == "read-only" and viewer["read_only_violations"] == []
    assert viewer["flags"] == [] and "read_pod_logs" in viewer["capabilities"]
    assert set(viewer["capabilities"]) <= {"read_pod_logs"}
    assert not any(probes[name] for name in ("viewers exec websocket", "viewers exec", "viewers secrets"))
    assert codes == []
    assert summary["read_only_violations"] == 0


@pytest.mark.parametrize("variant,expected", [("exec-via-get-and-secrets", ["exec_pods", "read_secrets"]),
                                              ("pods-star", []), ("correct", [])])
def test_read_only_roles_option_off_reports_no_violations(ansible_playbook, kube_cluster, tmp_path, variant, expected):
    """With read_only_roles: [] nothing is classified; the capabilities stay the same."""
    kube_cluster.cluster.seed([namespace("kube-system"), cluster_role(VIEWERS, VARIANTS[variant]),
                               binding("teleport-viewers", VIEWERS, "cw-viewers")])
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: scan
      neocloud.support_access.support_rbac_info:
        kubeconfig: "{{ kubeconfig }}"
        context: "{{ context }}"
        subjects: []
        support_cluster_roles: [teleport-cluster-viewers]
        read_only_roles: []
        probes: []
"""
    res = ansible_playbook(playbook, extra_vars=kube_vars(kube_cluster))
    assert res.rc == 0, res.stdout
    viewer = res.result("scan")["result"]["bindings"][0]
    assert viewer["expected"] is None and viewer["read_only_violations"] == []
    assert [c for c in ("exec_pods", "read_secrets") if c in viewer["capabilities"]] == expected

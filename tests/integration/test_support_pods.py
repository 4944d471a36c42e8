# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_pods through real ansible-playbook against an emulated cluster with diagnostic pods and look-alikes."""

from __future__ import annotations

import pytest

from support_k8s_helpers import MANAGED, kube_vars, namespace, playbook

PRIVILEGED = {"privileged": True}
HOST_ROOT = [{"name": "host-root", "hostPath": {"path": "/"}}]


def node_shell(name, ns, node):
    """A pod as kubectl-node-shell creates it: bare, hostPID, hostNetwork, privileged, nsenter into PID 1."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"nodeName": node, "hostPID": True, "hostNetwork": True, "restartPolicy": "Never",
                     "containers": [{"name": "shell", "image": "docker.io/library/alpine", "securityContext": PRIVILEGED,
                                     "command": ["nsenter"], "args": ["-t", "1", "-m", "-u", "-i", "-n", "--", "bash", "-l"]}]}}


def daemonset(name, ns, privileged=True):
    template = {"metadata": {"labels": {"app": name}},
                "spec": {"hostPID": True, "volumes": HOST_ROOT,
                         "containers": [{"name": "driver", "image": "nvcr.io/nvidia/driver",
                                         "securityContext": PRIVILEGED if privileged else {},
                                         "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}]}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template}}


def deployment(name, ns):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def customer_bare_pod(name, ns):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"volumes": HOST_ROOT, "containers": [{"name": "backup", "image": "restic",
                                                           "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}]}}


@pytest.fixture
def fleet(kube_cluster):
    """Node-shell pods in kube-system and slurm, a real `kubectl debug node` pod in default, and look-alikes."""
    cluster = kube_cluster.cluster
    node = cluster.list("v1", "Node")[0]["metadata"]["name"]
    cluster.seed([namespace(ns) for ns in MANAGED + ("web", "ops")])
    cluster.seed([
        node_shell("node-shell-5c1f0a2e", "kube-system", node),
        node_shell("node-shell-77d0b9c1", "slurm", node),
        daemonset("nvidia-driver-daemonset", "nvidia-gpu-operator"),
        daemonset("node-shell-gpu-validator", "nvidia-gpu-operator"),
        deployment("node-shell-frontend", "web"),
        customer_bare_pod("backup-agent", "ops"),
    ])
    kube_cluster.kubectl("debug", "node/%s" % node, "--image=busybox", "--profile=legacy", "--namespace", "default")
    cluster.clear_log()
    return kube_cluster


def pods_by_name(cluster):
    return {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in cluster.list("v1", "Pod")}


def deletes(cluster):
    return [e for e in cluster.request_log() if e["method"] == "DELETE"]


def confirmed_names(cluster):
    return {k for k in pods_by_name(cluster) if k[1].startswith(("node-shell-5", "node-shell-7", "node-debugger-"))}


def test_report_classifies_with_one_paged_list(ansible_playbook, fleet):
    res = ansible_playbook(playbook("support_pods", {"page_size": 3}, name="pods"), extra_vars=kube_vars(fleet))
    assert res.rc == 0, res.stdout
    out = res.result("pods")["result"]
    verdicts = {(p["namespace"], p["name"]): p["verdict"] for p in out["pods"]}
    expected_confirmed = confirmed_names(fleet.cluster)
    assert len(expected_confirmed) == 3
    assert {k for k, v in verdicts.items() if v == "confirmed"} == expected_confirmed
    suspicious = {k for k, v in verdicts.items() if v == "suspicious"}
    assert ("ops", "backup-agent") in suspicious
    assert {k[0] for k in suspicious} == {"ops", "nvidia-gpu-operator", "web"}
    assert all(v != "confirmed" for k, v in verdicts.items() if k[0] in ("web", "nvidia-gpu-operator"))
    assert not any(k[1].startswith("nvidia-driver-daemonset") for k in verdicts)
    debugger = [p for p in out["pods"] if p["name"].startswith("node-debugger-")][0]
    assert debugger["in_managed_namespace"] is False
    assert {"host_pid", "host_network", "host_ipc", "host_root_mount", "bare_pod", "diagnostic_name",
            "diagnostic_label"} <= set(debugger["signals"])
    shell = [p for p in out["pods"] if p["namespace"] == "kube-system"][0]
    assert shell["in_managed_namespace"] is True and shell["owner"] is None
    assert out["changed"] is False and len(out["would_delete"]) == 3
    log = fleet.cluster.request_log()
    pod_lists = [e for e in log if e["resource"] == "pods"]
    assert {e["path"] for e in pod_lists} == {"/api/v1/pods"}
    assert len(pod_lists) == -(-len(fleet.cluster.list("v1", "Pod")) // 3)   # pages of 3, one list
    assert not deletes(fleet.cluster) and fleet.cluster.writes() == []


def test_check_mode_then_confirm_then_idempotent(ansible_playbook, fleet):
    before = pods_by_name(fleet.cluster)
    params = {"state": "absent", "confirm": True}
    res = ansible_playbook(playbook("support_pods", params, name="sweep"), extra_vars=kube_vars(fleet), check=True, diff=True)
    assert res.rc == 0, res.stdout
    out = res.result("sweep")["result"]
    assert out["changed"] is True and out["deleted"] == []
    assert {(p["namespace"], p["name"]) for p in out["would_delete"]} == confirmed_names(fleet.cluster)
    assert out["diff"]["after"]["pods"] == sorted(set(out["diff"]["before"]["pods"])
                                                  - {"%s/%s" % k for k in confirmed_names(fleet.cluster)})
    assert not deletes(fleet.cluster) and pods_by_name(fleet.cluster).keys() == before.keys()

    res = ansible_playbook(playbook("support_pods", {"state": "absent"}, name="sweep"), extra_vars=kube_vars(fleet))
    assert res.rc != 0
    msg = res.result("sweep")["result"]["msg"]
    assert msg.startswith("cluster '%s': state=absent deletes pods and needs confirm=true" % fleet.name)
    assert "kube-system/node-shell-5c1f0a2e" in msg and "slurm/node-shell-77d0b9c1" in msg
    assert not deletes(fleet.cluster)

    expected = confirmed_names(fleet.cluster)
    res = ansible_playbook(playbook("support_pods", params, name="sweep"), extra_vars=kube_vars(fleet))
    assert res.rc == 0, res.stdout
    out = res.result("sweep")["result"]
    assert out["changed"] is True
    assert {(d["namespace"], d["name"]) for d in out["deleted"]} == expected
    assert {(e["namespace"], e["name"]) for e in deletes(fleet.cluster)} == expected
    after = pods_by_name(fleet.cluster)
    assert set(before) - set(after) == expected          # exactly the confirmed pods are gone
    for key, pod in after.items():
        assert pod["metadata"]["uid"] == before[key]["metadata"]["uid"]

    fleet.cluster.clear_log()
    res = ansible_playbook(playbook("support_pods", params, name="sweep"), extra_vars=kube_vars(fleet))
    assert res.rc == 0 and res.changed == 0
    assert res.result("sweep")["result"]["deleted"] == [] and not deletes(fleet.cluster)


def test_namespaces_allow_and_deny(ansible_playbook, fleet):
    params = {"namespaces": list(MANAGED), "allow": ["slurm/node-shell-*"], "deny": ["ops/backup-*"], "report_all": True}
    res = ansible_playbook(playbook("support_pods", params, name="pods"), extra_vars=kube_vars(fleet))
    assert res.rc == 0, res.stdout
    out = res.result("pods")["result"]
    assert {p["namespace"] for p in out["pods"]} <= set(MANAGED)
    assert [p["name"] for p in out["would_delete"]] == ["node-shell-5c1f0a2e"]
    slurm = [p for p in out["pods"] if p["namespace"] == "slurm"][0]
    assert slurm["verdict"] is None and slurm["allow_listed"] == "slurm/node-shell-*"
    paths = [e["path"] for e in fleet.cluster.request_log() if e["resource"] == "pods"]
    assert sorted(paths) == sorted("/api/v1/namespaces/%s/pods" % ns for ns in MANAGED)
    # deny applies to bare pods in the namespaces scanned
    res = ansible_playbook(playbook("support_pods", {"namespaces": ["ops"], "deny": ["ops/backup-*"]}, name="pods"),
                           extra_vars=kube_vars(fleet))
    out = res.result("pods")["result"]
    assert [(p["name"], p["verdict"]) for p in out["pods"]] == [("backup-agent", "confirmed")]


def test_forbidden_lists_fail_clearly(ansible_playbook, fleet, tmp_path):
    kubeconfig = fleet.emulator.write_kubeconfig(tmp_path / "ro.yaml", clusters=[fleet.name], user="crusoe-support-readonly")
    res = ansible_playbook(playbook("support_pods", {"state": "absent", "confirm": True}, name="pods"),
                           extra_vars={"kubeconfig": str(kubeconfig), "context": fleet.name})
    assert res.rc != 0
    msg = res.result("pods")["result"]["msg"]
    assert msg.startswith("cluster '%s': listing pods in all namespaces failed: 403 Forbidden: " % fleet.name), msg
    assert not deletes(fleet.cluster)

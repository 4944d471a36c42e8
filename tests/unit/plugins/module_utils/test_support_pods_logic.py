# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for diagnostic-pod signals and verdicts in _pods.py."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _pods


def pod(name, namespace="kube-system", owner=None, host_pid=False, host_network=False, host_ipc=False,
        privileged=False, host_root=False, command=None, managers=(), ephemeral=False, labels=None, annotations=None,
        host_path=None):
    meta = {"name": name, "namespace": namespace, "uid": "uid-" + name, "labels": labels or {},
            "annotations": annotations or {}, "managedFields": [{"manager": m, "operation": "Update"} for m in managers]}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner, "name": "ctl", "uid": "u1", "controller": True}]
    container = {"name": "main", "image": "busybox"}
    if privileged:
        container["securityContext"] = {"privileged": True}
    if command:
        container["command"] = command
    spec = {"containers": [container], "nodeName": "node-1"}
    if host_pid:
        spec["hostPID"] = True
    if host_network:
        spec["hostNetwork"] = True
    if host_ipc:
        spec["hostIPC"] = True
    if host_root or host_path:
        spec["volumes"] = [{"name": "host", "hostPath": {"path": host_path or "/"}}]
    if ephemeral:
        spec["ephemeralContainers"] = [{"name": "debugger-x", "image": "busybox"}]
        meta["managedFields"].append({"manager": "kubectl-debug", "operation": "Update", "subresource": "ephemeralcontainers"})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": {"phase": "Running"}}


NODE_SHELL = pod("node-shell-7f3c1", host_pid=True, privileged=True, command=["nsenter", "-t", "1", "-m", "-u", "-i", "-n", "bash"])
NODE_DEBUGGER = pod("node-debugger-node-1-abcde", namespace="default", host_pid=True, host_network=True, host_ipc=True,
                    host_root=True, managers=["kubectl-debug"])

VERDICTS = [
    ("node-shell bare pod with hostPID+privileged", NODE_SHELL, "confirmed"),
    ("kubectl debug node pod", NODE_DEBUGGER, "confirmed"),
    ("node-debugger named without tool manager", pod("node-debugger-x", host_pid=True, host_root=True), "confirmed"),
    ("tool manager, odd name, host access", pod("diag-1", host_network=True, managers=["node-shell"]), "confirmed"),
    ("nsenter- prefix with privileged", pod("nsenter-abc", namespace="slurm", privileged=True), "confirmed"),
    ("GPU operator DaemonSet pod named like node-shell",
     pod("node-shell-gpu-driver", namespace="nvidia-gpu-operator", owner="DaemonSet", privileged=True, host_root=True), "suspicious"),
    ("GPU operator DaemonSet pod", pod("nvidia-driver-daemonset-abc", namespace="nvidia-gpu-operator", owner="DaemonSet",
                                       privileged=True, host_root=True, host_pid=True), None),
    ("Deployment pod named node-shell-frontend", pod("node-shell-frontend-5d9f-abc", namespace="web", owner="ReplicaSet"),
     "suspicious"),
    ("StatefulSet pod with nsenter command", pod("db-0", owner="StatefulSet", command=["nsenter", "-t", "1"], privileged=True), None),
    ("Job pod named node-debugger", pod("node-debugger-job-x", owner="Job", host_pid=True), "suspicious"),
    ("customer bare pod with hostPath / but no marker", pod("backup-agent", namespace="ops", host_root=True), "suspicious"),
    ("customer bare pod with privileged only", pod("tuner", namespace="ops", privileged=True), "suspicious"),
    ("customer bare pod with hostNetwork only", pod("net-test", namespace="ops", host_network=True), None),
    ("plain bare pod", pod("hello", namespace="default"), None),
    ("diagnostic name without host access", pod("node-shell-nohost", namespace="default"), "suspicious"),
    ("customer pod with ephemeral debug container", pod("api-server-x", namespace="web", ephemeral=True), "suspicious"),
    ("owned pod with ephemeral debug container", pod("api-7d-x", namespace="web", owner="ReplicaSet", ephemeral=True),
     "suspicious"),
    ("hostPath other than / is not host root", pod("logs-reader", namespace="ops", host_path="/var/log"), None),
    ("chroot in shell command", pod("fix-node", namespace="ops", command=["sh", "-c", "chroot /host systemctl restart kubelet"]),
     "suspicious"),
]


@pytest.mark.parametrize("obj,verdict", [v[1:] for v in VERDICTS], ids=[v[0] for v in VERDICTS])
def test_verdicts(obj, verdict):
    assert _pods.classify_pod(obj)["verdict"] == verdict


def test_signals_of_node_debugger():
    entry = _pods.classify_pod(NODE_DEBUGGER)
    assert entry["signals"] == ["bare_pod", "diagnostic_manager", "diagnostic_name", "host_ipc", "host_network", "host_path",
                                "host_pid", "host_root_mount"]
    assert entry["in_managed_namespace"] is False and entry["owner"] is None and entry["node"] == "node-1"
    assert _pods.classify_pod(NODE_SHELL)["in_managed_namespace"] is True
    assert "host_command" in _pods.classify_pod(NODE_SHELL)["signals"]


def test_debug_container_manager_does_not_mark_the_pod():
    entry = _pods.classify_pod(pod("api-server-x", namespace="web", ephemeral=True, privileged=True))
    assert "diagnostic_manager" not in entry["signals"]
    assert "ephemeral_debug_container" in entry["signals"]
    assert entry["verdict"] == "suspicious"


def test_any_controller_owner_blocks_confirmation():
    for kind in ("DaemonSet", "ReplicaSet", "StatefulSet", "Job", "ReplicationController", "Node", "SomeCRD"):
        obj = copy.deepcopy(NODE_SHELL)
        obj["metadata"]["ownerReferences"] = [{"kind": kind, "name": "x", "uid": "u", "controller": True}]
        assert _pods.classify_pod(obj)["verdict"] == "suspicious", kind


def test_non_controller_owner_is_still_bare():
    obj = copy.deepcopy(NODE_SHELL)
    obj["metadata"]["ownerReferences"] = [{"kind": "ConfigMap", "name": "x", "uid": "u"}]
    assert _pods.classify_pod(obj)["verdict"] == "confirmed"


def test_marker_labels_and_annotations():
    obj = pod("helper", namespace="ops", host_pid=True, labels={"support.example.com/session": "ZD-1"})
    assert _pods.classify_pod(obj)["verdict"] == "suspicious"
    assert _pods.classify_pod(obj, marker_labels={"support.example.com/session": "*"})["verdict"] == "confirmed"
    assert _pods.classify_pod(obj, marker_labels={"support.example.com/session": "ZD-2"})["verdict"] == "suspicious"
    obj2 = pod("helper", namespace="ops", privileged=True, annotations={"debug": "yes"})
    assert _pods.classify_pod(obj2, marker_annotations={"debug": "yes"})["verdict"] == "confirmed"


def test_custom_managers():
    obj = pod("helper", namespace="ops", host_pid=True, managers=["my-debug-tool"])
    assert _pods.classify_pod(obj)["verdict"] == "suspicious"
    assert _pods.classify_pod(obj, managers=["my-debug-tool"])["verdict"] == "confirmed"


def test_allow_list_never_confirms():
    allow = _pods.normalize_patterns(["kube-system/node-shell-7f*"], "allow")
    entry = _pods.classify_pod(NODE_SHELL, allow=allow)
    assert entry["verdict"] is None and entry["allow_listed"] == "kube-system/node-shell-7f*"
    assert "allow_listed" in entry["signals"]
    other_ns = _pods.normalize_patterns(["slurm/node-shell-*"], "allow")
    assert _pods.classify_pod(NODE_SHELL, allow=other_ns)["verdict"] == "confirmed"


def test_allow_beats_deny():
    entry = _pods.classify_pod(NODE_SHELL, allow=["*/node-shell-*"], deny=["kube-system/*"])
    assert entry["verdict"] is None and entry["deny_listed"] is None


def test_deny_list_confirms_bare_pods_only():
    deny = _pods.normalize_patterns(["leftover-*"], "deny")
    assert deny == ["*/leftover-*"]
    bare = pod("leftover-debug", namespace="ops")
    entry = _pods.classify_pod(bare, deny=deny)
    assert entry["verdict"] == "confirmed" and entry["deny_listed"] == "*/leftover-*"
    owned = pod("leftover-debug", namespace="ops", owner="DaemonSet")
    assert _pods.classify_pod(owned, deny=deny)["verdict"] == "suspicious"


@pytest.mark.parametrize("patterns", [[""], ["a/b/c"], [None]])
def test_bad_patterns(patterns):
    with pytest.raises(ValueError, match="allow"):
        _pods.normalize_patterns(patterns, "allow")


def test_terminating_and_summary():
    obj = copy.deepcopy(NODE_SHELL)
    obj["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    entries = [_pods.classify_pod(obj), _pods.classify_pod(NODE_DEBUGGER), _pods.classify_pod(pod("backup", namespace="ops", host_root=True)),
               _pods.classify_pod(pod("hello"))]
    assert entries[0]["terminating"] is True
    summary = _pods.pods_summary(entries, deleted=[1], would_delete=[1, 2])
    assert summary == {"scanned": 4, "confirmed": 2, "suspicious": 1, "in_managed_namespaces": 1, "deleted": 1,
                       "would_delete": 2}


def test_managed_namespaces_configurable():
    assert _pods.classify_pod(NODE_DEBUGGER, managed_namespaces=("default",))["in_managed_namespace"] is True


def test_kubectl_debug_label_is_a_marker():
    obj = pod("dbg", namespace="default", host_pid=True, labels={"app.kubernetes.io/managed-by": "kubectl-debug"})
    entry = _pods.classify_pod(obj)
    assert "diagnostic_label" in entry["signals"] and entry["verdict"] == "confirmed"
    other = pod("dbg", namespace="default", host_pid=True, labels={"app.kubernetes.io/managed-by": "Helm"})
    assert _pods.classify_pod(other)["verdict"] == "suspicious"


def test_ephemeral_debug_container_is_never_confirmed_unless_denied():
    shell = copy.deepcopy(NODE_SHELL)
    shell["spec"]["ephemeralContainers"] = [{"name": "debugger-1", "image": "busybox"}]
    assert _pods.classify_pod(shell)["verdict"] == "suspicious"
    assert _pods.classify_pod(shell, deny=["kube-system/node-shell-*"])["verdict"] == "confirmed"

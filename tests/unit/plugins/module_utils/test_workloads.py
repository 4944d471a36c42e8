"""Workloads that are ways onto a node: pod controllers by their template, and running debug containers."""

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _workloads

ROOT = {"volumes": [{"name": "host", "hostPath": {"path": "/"}}],
        "containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": True},
                        "volumeMounts": [{"name": "host", "mountPath": "/host"}]}], "hostPID": True}
PLAIN = {"containers": [{"name": "c", "image": "nginx"}]}


def controller(kind, name, namespace, spec, labels=None, annotations=None, owners=None):
    template = {"metadata": {"labels": {"app": name}}, "spec": spec}
    body = {"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" else {"template": template}
    return {"metadata": {"name": name, "namespace": namespace, "uid": "u-" + name, "labels": labels or {},
                         "annotations": annotations or {}, "ownerReferences": owners or []}, "spec": body}


TOOL = {"app.kubernetes.io/managed-by": "kubectl-debug"}


@pytest.mark.parametrize("kind,name,namespace,spec,extra,verdict", [
    # support tooling (a tool's name and its label) with node access and no known origin: confirmed, in any namespace
    ("DaemonSet", "node-shell-ds", "research", ROOT, {"labels": TOOL}, "confirmed"),
    ("Job", "crusoe-support-debug", "crusoe-system", ROOT, {"labels": TOOL}, "confirmed"),
    ("CronJob", "nsenter-every-minute", "default", ROOT, {"labels": TOOL}, "confirmed"),
    ("Deployment", "node-debugger-x", "kube-system", ROOT, {"labels": TOOL}, "confirmed"),
    # a tool's name alone is not support's: suspicious in a managed namespace, the customer's elsewhere
    ("DaemonSet", "node-shell-agent", "kube-system", ROOT, {}, "suspicious"),
    ("Deployment", "node-shell-proxy", "research", ROOT, {}, "kept"),
    # a tool's name without node access: named as kept
    ("Deployment", "node-shell-ui", "research", PLAIN, {}, "kept"),
    # node access with no known origin in a managed namespace: blocks until a person decides
    ("DaemonSet", "left-behind", "crusoe-system", ROOT, {}, "suspicious"),
    ("Job", "root-job", "kube-system", ROOT, {}, "suspicious"),
    # a known origin makes it the customer's, whatever it is called
    ("DaemonSet", "nvidia-driver-daemonset", "nvidia-gpu-operator", ROOT,
     {"owners": [{"kind": "ClusterPolicy", "name": "cluster-policy", "controller": True}]}, "kept"),
    ("DaemonSet", "cilium", "kube-system", ROOT, {"annotations": {"meta.helm.sh/release-name": "cilium"}}, "kept"),
    ("DaemonSet", "node-shell", "kube-system", ROOT, {"labels": TOOL, "annotations": {"meta.helm.sh/release-name": "tools"}},
     "kept"),
    ("DaemonSet", "node-exporter", "monitoring", ROOT, {}, "kept"),
    # nothing of either
    ("Deployment", "web", "kube-system", PLAIN, {}, None),
])
def test_controller_verdicts(kind, name, namespace, spec, extra, verdict):
    entry = _workloads.classify_workload(controller(kind, name, namespace, spec, **extra), kind)
    assert entry["verdict"] == verdict, entry


def test_runtime_socket_is_node_access():
    spec = {"volumes": [{"name": "sock", "hostPath": {"path": "/run/containerd/containerd.sock"}}], "containers": [{"name": "c"}]}
    entry = _workloads.classify_workload(controller("DaemonSet", "helper", "crusoe-system", spec), "DaemonSet")
    assert "runtime_socket" in entry["signals"] and entry["verdict"] == "suspicious"


def test_allow_and_deny_lists_by_name_or_kind_and_name():
    obj = controller("DaemonSet", "left-behind", "crusoe-system", ROOT)
    assert _workloads.classify_workload(obj, "DaemonSet", allow=["crusoe-system/DaemonSet/left-behind"])["verdict"] is None
    assert _workloads.classify_workload(obj, "DaemonSet", allow=["*/left-*"])["verdict"] is None
    kept = controller("DaemonSet", "node-exporter", "monitoring", ROOT)
    assert _workloads.classify_workload(kept, "DaemonSet", deny=["monitoring/node-exporter"])["verdict"] == "confirmed"
    assert _workloads.classify_workload(kept, "DaemonSet")["verdict"] == "kept"


def test_a_controller_run_by_another_is_its_owners_door():
    rs = controller("ReplicaSet", "node-shell-abc", "research", ROOT,
                    owners=[{"kind": "Deployment", "name": "node-shell", "controller": True}])
    assert _workloads.classify_workload(rs, "ReplicaSet") is None
    job = controller("Job", "nsenter-123", "default", ROOT, owners=[{"kind": "CronJob", "name": "nsenter", "controller": True}])
    assert _workloads.classify_workload(job, "Job") is None


def test_running_debug_containers_and_how_to_close_them():
    containers = [{"name": "debugger-a", "image": "busybox", "command": ["sh"], "targetContainerName": "main",
                   "securityContext": {"privileged": True}},
                  {"name": "debugger-b", "image": "busybox"},
                  {"name": "debugger-c", "image": "busybox"}]
    statuses = [{"name": "debugger-a", "state": {"running": {}}},
                {"name": "debugger-b", "state": {"terminated": {"exitCode": 0}}}]
    pod = {"metadata": {"name": "trainer-0", "namespace": "ml", "uid": "p1"},
           "spec": {"nodeName": "gpu-1", "containers": [{"name": "main"}], "ephemeralContainers": containers},
           "status": {"ephemeralContainerStatuses": statuses}}
    entry = _workloads.debugged_pod(pod)
    assert [c["name"] for c in entry["containers"]] == ["debugger-a", "debugger-c"]
    assert entry["containers"][0] == {"name": "debugger-a", "image": "busybox", "command": ["sh"], "target": "main",
                                      "privileged": True}
    assert entry["close_command"] == "kubectl delete pod -n ml trainer-0"
    pod["spec"]["ephemeralContainers"] = pod["spec"]["ephemeralContainers"][1:2]
    assert _workloads.debugged_pod(pod) is None


def test_what_a_support_identity_created_is_support_s():
    created = _workloads.support_created([{"resource": "deployments", "namespace": "crusoe-system", "name": "log-shipper",
                                           "user": "eng@crusoe"}, {"resource": "pods", "namespace": "ml", "name": "probe"}])
    shipper = controller("Deployment", "log-shipper", "crusoe-system", PLAIN)
    entry = _workloads.classify_workload(shipper, "Deployment", created_by=_workloads.created_by(created, "deployments", shipper))
    assert entry["verdict"] == "confirmed" and entry["created_by"] == "eng@crusoe" and "created_by_support" in entry["signals"]
    assert _workloads.classify_workload(shipper, "Deployment")["verdict"] is None
    allowed = _workloads.classify_workload(shipper, "Deployment", allow=["crusoe-system/log-shipper"], created_by="eng@crusoe")
    assert allowed["verdict"] is None
    pod = {"metadata": {"name": "probe", "namespace": "ml"}}
    assert _workloads.created_by(created, "pods", pod) == "support"
    marked = _workloads.mark_created_pod({"name": "probe", "verdict": None, "signals": ["bare_pod"]}, "support")
    assert marked["verdict"] == "confirmed" and marked["signals"] == ["bare_pod", "created_by_support"]
    assert _workloads.mark_created_pod({"verdict": None, "allow_listed": "ml/probe"}, "support")["verdict"] is None

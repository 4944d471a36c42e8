# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adversarial sweep cases through real ansible-playbook over the simulated fleet.

One cluster is seeded with pods built to fool the diagnostic-pod classifier:

- look-alikes: pods named ``node-shell-*``, ``nsenter-*`` and ``node-debugger-*`` with the exact node-shell spec
  (privileged, hostPID, nsenter into PID 1) but created by a DaemonSet, ReplicaSet, Deployment, StatefulSet or Job
  that exists and that the customer's own Helm release installed, and a mirror pod owned by its Node;
- GPU and network operator pods: privileged, hostPID/hostNetwork, hostPath mounts (``/`` included), in their usual
  namespaces with their usual labels, installed by the operators' Helm releases;
- customer pods with hostPath ``/``, bare and privileged, in a customer namespace and in a Crusoe-managed one (that
  one cannot be told from a door: the revocation is allowed to finish only because the policy allows it by name);

and with real node-shell pods (the shape the support tooling creates) in each of the eight Crusoe-managed namespaces.
A revocation (and a sweep) must delete every real node-shell pod and nothing else: the emulator's objects and its
request log (DELETE requests) are the proof.
"""

from __future__ import annotations

from sim.fleet import node_shell_pod

from ansible_collections.neocloud.support_access.plugins.module_utils import _pods, _support

from reliability.conftest import load_report, run_playbook

CLUSTER = "training-prod"     # the "engaged" cluster of the default seed mix: access on, chart installed, a lease
CUSTOMER_NS = "research"
PRIVILEGED = {"privileged": True}


def _namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _node_shell_spec(node=None):
    """The node-shell pod spec (sim.fleet.node_shell_pod), for templates of controllers."""
    spec = node_shell_pod("x", "default", node)["spec"]
    if node is None:
        del spec["nodeName"]
    spec["restartPolicy"] = "Always"
    return spec


def _workload(kind, name, namespace, spec, labels=None, replicas=None, api_version="apps/v1", release=None):
    labels = dict(labels or {"app": name})
    body = {"selector": {"matchLabels": {"app": labels.get("app", name)}},
            "template": {"metadata": {"labels": labels}, "spec": spec}}
    if replicas is not None:
        body["replicas"] = replicas
    if kind == "StatefulSet":
        body["serviceName"] = name
    if kind == "Job":
        del body["selector"]
        body["template"]["spec"] = dict(spec, restartPolicy="Never")
    meta = {"name": name, "namespace": namespace}
    if release:  # installed by a Helm release: the customer's
        meta["annotations"] = {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace}
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, "spec": body}


def _host_volumes(*paths):
    return [{"name": "host-%d" % i, "hostPath": {"path": p}} for i, p in enumerate(paths)]


def _operator_spec(image, paths, host_pid=False, host_network=False, command=None):
    spec = {"volumes": _host_volumes(*paths),
            "containers": [{"name": image.rsplit("/", 1)[-1].split(":")[0], "image": image, "securityContext": PRIVILEGED,
                            "volumeMounts": [{"name": "host-%d" % i, "mountPath": "/host%d" % i} for i in range(len(paths))]}]}
    if command:
        spec["containers"][0]["command"] = command
    if host_pid:
        spec["hostPID"] = True
    if host_network:
        spec["hostNetwork"] = True
    return spec


def look_alike_controllers():
    """(a) Controllers whose pods are named and built like node-shell pods."""
    debug_label = {"app": "node-shell", "app.kubernetes.io/managed-by": "kubectl-debug"}
    tools = "platform-tools"
    return [
        _workload("DaemonSet", "node-shell", "kube-system", _node_shell_spec(), labels=debug_label, release=tools),
        _workload("ReplicaSet", "nsenter-toolbox", "nvidia-gpu-operator", _node_shell_spec(), replicas=2, release=tools),
        _workload("Deployment", "node-shell-proxy", CUSTOMER_NS, _node_shell_spec(), replicas=1),
        _workload("StatefulSet", "nsenter-agent", "crusoe-system", _node_shell_spec(), replicas=1, release=tools),
        _workload("Job", "node-debugger-collect-logs", "slurm", _node_shell_spec(), api_version="batch/v1", release=tools),
    ]


def mirror_pod(node):
    """(a) A static (mirror) pod named like nsenter: its controller owner is the Node."""
    pod = node_shell_pod("nsenter-static-%s" % node["metadata"]["name"], "kube-system", node["metadata"]["name"])
    pod["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "Node", "name": node["metadata"]["name"],
                                           "uid": node["metadata"]["uid"], "controller": True}]
    pod["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "0f1e2d3c", "kubernetes.io/config.source": "file"}
    return pod


def operator_controllers():
    """(b) GPU operator and network operator DaemonSets: privileged, host namespaces, hostPath mounts."""
    gpu = "nvidia-gpu-operator"
    net = "nvidia-network-operator"
    return [
        _workload("DaemonSet", "nvidia-driver-daemonset", gpu,
                  _operator_spec("nvcr.io/nvidia/driver:570.133.20", ["/run/nvidia", "/var/log", "/", "/dev/log"], host_pid=True,
                                 command=["nvidia-driver", "init"]),
                  labels={"app": "nvidia-driver-daemonset", "app.kubernetes.io/component": "nvidia-driver",
                          "app.kubernetes.io/managed-by": "gpu-operator", "helm.sh/chart": "gpu-operator-v25.3.0"}),
        _workload("DaemonSet", "nvidia-device-plugin-daemonset", gpu,
                  _operator_spec("nvcr.io/nvidia/k8s-device-plugin:v0.17.1", ["/var/lib/kubelet/device-plugins", "/run/nvidia"]),
                  labels={"app": "nvidia-device-plugin-daemonset", "app.kubernetes.io/managed-by": "gpu-operator"}),
        _workload("DaemonSet", "nvidia-container-toolkit-daemonset", gpu,
                  _operator_spec("nvcr.io/nvidia/k8s/container-toolkit:v1.17.5", ["/run/nvidia", "/usr/local/nvidia", "/"],
                                 host_pid=True, command=["/bin/sh", "-c", "chroot /host nvidia-ctk runtime configure"]),
                  labels={"app": "nvidia-container-toolkit-daemonset", "app.kubernetes.io/managed-by": "gpu-operator"}),
        _workload("DaemonSet", "mofed-ubuntu22.04-ds", net,
                  _operator_spec("nvcr.io/nvidia/mellanox/doca-driver:25.01", ["/run/mellanox/drivers", "/lib/modules", "/"],
                                 host_network=True, command=["nsenter", "-t", "1", "-m", "--", "modprobe", "mlx5_core"]),
                  labels={"app": "mofed-ubuntu22.04", "nvidia.com/ofed-driver": "", "mofed-ds-format-version": "1"},
                  release="network-operator"),
        _workload("DaemonSet", "rdma-shared-dp-ds", net,
                  _operator_spec("nvcr.io/nvidia/mellanox/k8s-rdma-shared-dev-plugin:v1.5.2",
                                 ["/var/lib/kubelet/device-plugins", "/dev/infiniband"], host_network=True),
                  labels={"app": "rdma-shared-dp", "app.kubernetes.io/managed-by": "network-operator"}),
        _workload("DaemonSet", "kube-multus-ds", net,
                  _operator_spec("ghcr.io/k8snetworkplumbingwg/multus-cni:v4.1.0", ["/etc/cni/net.d", "/opt/cni/bin"],
                                 host_network=True),
                  labels={"app": "multus", "name": "multus"}, release="network-operator"),
        _workload("DaemonSet", "amd-gpu-device-plugin", "kube-amd-gpu",
                  _operator_spec("rocm/k8s-device-plugin:1.31.0.6", ["/var/lib/kubelet/device-plugins", "/sys"]),
                  labels={"app": "amd-gpu-device-plugin", "app.kubernetes.io/managed-by": "amd-gpu-operator"}),
    ]


def customer_root_pods(node_name):
    """(c) Customer pods mounting the whole host (hostPath /), privileged, bare."""
    pods = []
    for name, namespace in (("disk-inspector", CUSTOMER_NS), ("host-backup", "kube-system")):
        pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                                                     "labels": {"team": "ml-platform"}},
                     "spec": {"nodeName": node_name, "volumes": _host_volumes("/"),
                              "containers": [{"name": "main", "image": "docker.io/restic/restic", "securityContext": PRIVILEGED,
                                              "volumeMounts": [{"name": "host-0", "mountPath": "/host"}]}]}})
    return pods


def kvaps_node_shell(name, namespace, node_name):
    """A pod as kubectl-node-shell (kvaps) creates it: nsenter-<random>, privileged, hostPID, hostNetwork."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"nodeName": node_name, "hostPID": True, "hostNetwork": True, "restartPolicy": "Never",
                     "priorityClassName": "system-node-critical",
                     "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                     {"effect": "NoExecute", "operator": "Exists"}],
                     "containers": [{"name": "nsenter", "image": "docker.io/library/alpine", "securityContext": PRIVILEGED,
                                     "stdin": True, "stdinOnce": True, "tty": True,
                                     "command": ["nsenter", "--target", "1", "--mount", "--uts", "--ipc", "--net", "--pid",
                                                 "--", "bash", "-l"]}]}}


def real_node_shells(node_name):
    """(d) A node-shell pod in every Crusoe-managed namespace, plus kubectl-node-shell pods in two of them."""
    pods = [node_shell_pod("node-shell-%08x" % (0x5c1f0a2e + i), ns, node_name)
            for i, ns in enumerate(_support.CRUSOE_MANAGED_NAMESPACES)]
    pods.append(kvaps_node_shell("nsenter-q7w2ke", "kube-system", node_name))
    pods.append(kvaps_node_shell("nsenter-z81mfa", "slurm", node_name))
    return pods


def seed_adversarial(fleet):
    """Seed CLUSTER; returns (kept, doomed): {(namespace, name): uid} of the pods that must stay and must go."""
    cluster = fleet.kube(CLUSTER)
    nodes = cluster.list("v1", "Node")
    node_name = nodes[0]["metadata"]["name"]
    before = {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in cluster.list("v1", "Pod")}
    cluster.seed([_namespace(CUSTOMER_NS)])
    cluster.seed(look_alike_controllers() + operator_controllers())
    cluster.seed([mirror_pod(nodes[0])] + customer_root_pods(node_name))
    planted = {(p["metadata"]["namespace"], p["metadata"]["name"]): p["metadata"]["uid"]
               for p in cluster.list("v1", "Pod") if (p["metadata"]["namespace"], p["metadata"]["name"]) not in before}
    shells = real_node_shells(node_name)
    cluster.seed(shells)
    doomed = {}
    for pod in shells:
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        doomed[key] = cluster.get("v1", "Pod", key[1], key[0])["metadata"]["uid"]
    cluster.clear_log()
    return planted, doomed


def pods_now(fleet):
    return {(p["metadata"]["namespace"], p["metadata"]["name"]): p["metadata"]["uid"]
            for p in fleet.kube(CLUSTER).list("v1", "Pod")}


def pod_deletes(fleet):
    return {(e["namespace"], e["name"]) for e in fleet.kube(CLUSTER).request_log()
            if e["method"] == "DELETE" and e["resource"] == "pods"}


def task_result(res, task):
    """The one result of a task (role tasks are named '<role> : <task>') on CLUSTER."""
    found = [e for e in res.results(host=CLUSTER) if e["task"] == task or e["task"].endswith(" : " + task)]
    assert len(found) == 1, "expected one result of %r, got %d:\n%s" % (task, len(found), res.stdout)
    return found[0]["result"]


def check_planted(planted, fleet, kept, doomed):
    """Sanity of the seed itself: every look-alike really is controller-owned and every kind of case is present."""
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in fleet.kube(CLUSTER).list("v1", "Pod")}
    owners = {pods[k]["metadata"]["ownerReferences"][0]["kind"] for k in kept if pods[k]["metadata"].get("ownerReferences")}
    assert owners >= {"DaemonSet", "ReplicaSet", "StatefulSet", "Job", "Node"}, owners
    prefixes = _pods.DIAGNOSTIC_NAME_PREFIXES
    assert sum(1 for k in kept if k[1].startswith(prefixes)) >= 6
    assert {k[0] for k in doomed} == set(_support.CRUSOE_MANAGED_NAMESPACES)
    assert {("kube-system", "host-backup"), (CUSTOMER_NS, "disk-inspector")} <= set(kept)
    assert planted == len(kept) + len(doomed)


def judge(fleet, kept, doomed):
    """(survived, problems): each kept pod still there with the same uid and never DELETEd; each doomed pod gone and
    DELETEd."""
    now = pods_now(fleet)
    deletes = pod_deletes(fleet)
    problems = []
    for key, uid in sorted(kept.items()):
        if now.get(key) != uid:
            problems.append("%s/%s must be kept but is gone or replaced" % key)
        elif key in deletes:
            problems.append("%s/%s must be kept but a DELETE was sent" % key)
    for key in sorted(doomed):
        if key in now:
            problems.append("%s/%s is a node-shell pod and was not deleted" % key)
        elif key not in deletes:
            problems.append("%s/%s is gone without a DELETE from the run" % key)
    return len(kept) + len(doomed) - len(problems), problems


def test_sweep_and_revoke_delete_every_node_shell_and_nothing_else(ansible_playbook, fleet, tmp_path, reliability):
    kept, doomed = seed_adversarial(fleet)
    planted = len(kept) + len(doomed)
    check_planted(planted, fleet, kept, doomed)

    # the sweep without confirmation reports exactly the node-shell pods as the ones it would delete
    res = run_playbook(ansible_playbook, fleet, "sweep", tmp_path, limit=CLUSTER)
    assert res.rc == 0, res.stdout
    report_only = task_result(res, "Sweep diagnostic pods")
    assert {(p["namespace"], p["name"]) for p in report_only["would_delete"]} == set(doomed)
    verdicts = {(p["namespace"], p["name"]): p["verdict"] for p in report_only["pods"]}
    for key in kept:
        assert verdicts.get(key) != _pods.VERDICT_CONFIRMED, key
    # the look-alikes are reported for a human to look at
    assert verdicts[("kube-system", "host-backup")] == _pods.VERDICT_SUSPICIOUS
    assert verdicts[(CUSTOMER_NS, "disk-inspector")] == _pods.VERDICT_SUSPICIOUS
    assert all(verdicts.get(k) == _pods.VERDICT_SUSPICIOUS for k in kept if k[1].startswith(_pods.DIAGNOSTIC_NAME_PREFIXES))
    assert not pod_deletes(fleet) and fleet.kube_writes() == {}

    # a privileged bare pod with hostPath / in kube-system cannot be told from a door: it blocks the verdict ...
    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True}, limit=CLUSTER)
    assert res.rc != 0
    pods = task_result(res, "Delete confirmed diagnostic pods")
    _doc, clusters = load_report(tmp_path)
    first_actions = clusters[CLUSTER]["actions"]
    suspicious = [d["ref"] for d in clusters[CLUSTER]["doors"] if d["status"] == "suspicious"]
    assert clusters[CLUSTER]["verdict"] == "not_revoked" and suspicious == ["Pod/kube-system/host-backup"], suspicious
    # ... until a person allows it by name; the customer's workloads are listed as kept, never as doors
    allow = {"support_access_policy": {"allow": ["Pod/kube-system/host-backup"]}}
    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, dict(allow, support_access_confirm=True), limit=CLUSTER)
    survived, problems = judge(fleet, kept, doomed)
    reliability.fault(injected=planted, survived=survived)
    assert not problems, problems
    assert res.rc == 0, res.stdout
    assert {(d["namespace"], d["name"]) for d in pods["deleted"]} == set(doomed)
    assert pod_deletes(fleet) == set(doomed)
    _doc, clusters = load_report(tmp_path)
    assert clusters[CLUSTER]["verdict"] == "revoked", clusters[CLUSTER]
    assert [(d["ref"], d["status"]) for d in clusters[CLUSTER]["doors"]] == [("Pod/kube-system/host-backup", "allowed")]
    kept = {(w["kind"], w["name"]) for w in clusters[CLUSTER]["pods"]["workloads"] if w["verdict"] == "kept"}
    assert {("DaemonSet", "node-shell"), ("DaemonSet", "nvidia-driver-daemonset"), ("DaemonSet", "kube-multus-ds"),
            ("Deployment", "node-shell-proxy")} <= kept
    assert sorted(a for a in first_actions if a.startswith("deleted diagnostic pod ")) == sorted(
        "deleted diagnostic pod %s/%s" % key for key in doomed)
    # the verification after the revocation found no diagnostic pod left, and only the seeded cluster was written to
    assert task_result(res, "Verify what is left open")["report"]["pods"]["confirmed"] == []
    assert set(fleet.kube_writes()) == {CLUSTER}

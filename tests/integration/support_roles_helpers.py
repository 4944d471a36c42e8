# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared setup for the role integration tests: a Crusoe fleet whose cluster is the emulated one, inventories."""

from __future__ import annotations

import json
import os

from sim.crusoe_api import CrusoeSim, default_fleet

VENV_BIN = os.path.dirname(os.path.abspath(os.sys.executable))
CRUSOE_CLUSTER_ID = "cd5b0b6e-0000-4000-8000-000000000001"


def crusoe_fleet(cluster_name, enabled=True):
    """The simulator's default fleet with its cluster training-prod renamed to ``cluster_name``.

    With ``enabled`` support access is on (readonly, operator) with an active request, as during an engagement.
    Its control-plane firewall rule is restricted (203.0.113.0/24, 198.51.100.7/32).
    """
    fleet = default_fleet()
    for cluster in fleet["clusters"]:
        if cluster["id"] == CRUSOE_CLUSTER_ID:
            cluster["name"] = cluster_name
            if enabled:
                cluster["support"] = {
                    "access_enabled": True,
                    "enabled_roles": ["SUPPORT_ACCESS_ROLE_READONLY", "SUPPORT_ACCESS_ROLE_OPERATOR"],
                    "active_requests": [{"access_role": "SUPPORT_ACCESS_ROLE_OPERATOR", "requestor_id": "00ab12cd5d7",
                                         "support_reason": "node not ready", "ticket_ref": "ZD#4242",
                                         "requested_at": "-1h", "expires_at": "+3h"}]}
    return fleet


def start_crusoe(cluster_name, enabled=True):
    return CrusoeSim(crusoe_fleet(cluster_name, enabled), operation_polls=1, page_size=2).start()


def support_settings(sim):
    return sim.state["support"][CRUSOE_CLUSTER_ID]


def firewall_sources(sim):
    return [s.get("cidr") for s in sim.state["firewall_rules"]["f1000000-0000-4000-8000-000000000001"]["sources"]]


def write_inventory(path, kube, **host_vars):
    """An inventory with one host per cluster, named like it, with the support_access_* host variables."""
    hostvars = {
        "ansible_connection": "local",
        "ansible_python_interpreter": os.sys.executable,
        "support_access_provider": "crusoe",
        "support_access_cluster": kube.name,
        "support_access_project": "ml",
        "support_access_kubeconfig": kube.kubeconfig,
        "support_access_context": kube.name,
    }
    hostvars.update(host_vars)
    inventory = {"all": {"hosts": {kube.name: hostvars}}}
    path.write_text(json.dumps(inventory))
    return str(path)


def role_play(role, extra=None):
    """A playbook that applies one role of the collection to every host."""
    lines = ["- hosts: all", "  gather_facts: false", "  roles:", "    - role: neocloud.support_access.%s" % role]
    for key, value in (extra or {}).items():
        lines.append("      %s: %s" % (key, json.dumps(value)))
    return "\n".join(lines) + "\n"


def run_env(kube, crusoe=None):
    """Environment for ansible-playbook: the cluster's HELM_* homes, PATH with helm, and the Crusoe simulator."""
    env = {k: v for k, v in kube.env.items() if k.startswith("HELM_")}
    env["PATH"] = VENV_BIN + os.pathsep + os.environ.get("PATH", "")
    if crusoe is not None:
        env.update(crusoe.env(project="ml"))
        env["CRUSOE_PROFILE"] = ""
        env["HOME"] = str(kube.tmp_path)
    return env


def helm_releases(kube, version=3):
    out = kube.helm("list", "--namespace", "crusoe-system", "-o", "json", version=version).stdout
    return {r["name"]: r for r in json.loads(out or "[]")}


def fact(res, name, host=None):
    """The last value a task set for the fact ``name`` (set_fact results carry ansible_facts)."""
    found = [e["result"]["ansible_facts"][name] for e in res.results(host=host)
             if name in ((e.get("result") or {}).get("ansible_facts") or {})]
    assert found, "no task set %s:\n%s" % (name, res.stdout)
    return found[-1]


def task_results(res, suffix, host=None):
    """Results of the tasks whose name ends with ``suffix`` (role tasks are named '<role> : <name>')."""
    return [e for e in res.results(host=host) if e["task"].endswith(suffix)]


PRIVILEGED = {"privileged": True}
HOST_ROOT = [{"name": "host-root", "hostPath": {"path": "/"}}]
MANAGED = ("crusoe-system", "kube-system", "nvidia-gpu-operator", "nvidia-network-operator", "kube-amd-gpu",
           "kube-amd-network", "slinky", "slurm")


def node_shell(name, ns, node):
    """A pod as kubectl-node-shell creates it: bare, hostPID, hostNetwork, privileged, nsenter into PID 1."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"nodeName": node, "hostPID": True, "hostNetwork": True, "restartPolicy": "Never",
                     "containers": [{"name": "shell", "image": "docker.io/library/alpine", "securityContext": PRIVILEGED,
                                     "command": ["nsenter"], "args": ["-t", "1", "-m", "-u", "-i", "-n", "--", "bash", "-l"]}]}}


def deployment(name, ns):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def orphan_binding(name="crusoe-support-operator-extra", ns="kube-system"):
    """A RoleBinding granting the operator group edit in kube-system that no chart tracks."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "crusoe:support:operator"}]}


def pod_keys(kube):
    return {(p["metadata"]["namespace"], p["metadata"]["name"]): p["metadata"]["uid"] for p in kube.cluster.list("v1", "Pod")}

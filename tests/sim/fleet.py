# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated Crusoe fleet: the Crusoe API simulator, the Kubernetes emulator and the chart repository, seeded alike.

    from sim.fleet import build_fleet
    fleet = build_fleet(6)                    # or build_fleet(4, seed_mix=["engaged", "clean", ...])
    fleet.names                               # cluster names = inventory host names = kubeconfig contexts
    fleet.inventory                           # path of fleet.crusoe.yml (plugin neocloud.support_access.crusoe)
    fleet.kubeconfig                          # one context per cluster, user admin, TLS
    fleet.env()                               # environment for ansible-playbook (CRUSOE_*, HOME, HELM_*, PATH)
    fleet.service_account_env()               # the same, logging in as the fleet's Crusoe service account
    fleet.crusoe, fleet.emulator, fleet.chart_repo, fleet.kube(name), fleet.cluster_id(name), fleet.scenario(name)
    fleet.clear_logs(); fleet.crusoe_writes(); fleet.kube_writes()   # what was written, per simulator
    fleet.reset()                             # back to the seeded state (same names, ports, files)
    fleet.stop()

Each cluster has its own project-scoped VPC network, subnet and control-plane firewall rule
(``cmk-cp-api-access-cp-<id prefix>``, restricted to 203.0.113.0/24 unless the scenario says otherwise), and one of
these scenarios (``SCENARIOS``), in the Crusoe API and in the cluster:

- ``engaged``: support access on (readonly, operator) with an active request, the chart installed, an active lease
  for ticket ZD-4242 and the support VPN on the firewall rule (compliant under the default policy).
- ``expired``: access on (readonly), the chart installed, a lease that ran out two hours ago, the support VPN on the rule.
- ``unleased``: access on (readonly, operator) with an active request, the chart installed, no lease, the rule open to all.
- ``clean``: access off, no chart (a cluster older than the pre-installed chart), nothing left (compliant).
- ``dormant``: access off, but the pre-installed chart's bindings are there.
- ``diagnostic``: access off, no chart, a node-shell pod left in kube-system next to a GPU operator DaemonSet look-alike.

Standalone: ``PYTHONPATH=tests:.cache/collections python -m sim.fleet --clusters 6 --dir DIR`` prints one JSON line
({inventory, kubeconfig, env, names}) and serves until SIGTERM or SIGINT. To try the playbooks by hand, ``make sandbox``
(tools/sandbox.py) serves the demo's fleet (sim.demo_fleet) with CoreWeave clusters, an env file and an ansible.cfg.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from sim.chartrepo import ChartRepo
from sim.crusoe_api import CrusoeSim
from sim.kube.emulator import Emulator

from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils import _support

VENV_BIN = os.path.dirname(os.path.abspath(sys.executable))
SCENARIOS = ("engaged", "expired", "unleased", "clean", "dormant", "diagnostic")
DEFAULT_NAMES = ("training-prod", "inference", "research-a", "batch-eu", "notebooks", "staging", "eval", "finetune")
PROJECTS = ({"id": "1f000000-0000-4000-8000-000000000001", "name": "ml"},
            {"id": "1f000000-0000-4000-8000-000000000002", "name": "research"})
KEY = {"access_key_id": "FLEETKEY00000001", "secret_key": "ZmxlZXQtc2ltdWxhdG9yLXNlY3JldC1rZXktMDAwMDAwMDE"}
SERVICE_ACCOUNT = {"client_id": "fleet-sa-00000001", "client_secret": "fleet-sa-secret-3c8e1d07b2f94-do-not-print"}
CHART_VERSION = "0.2.0"
RESTRICTED_SOURCE = "203.0.113.0/24"
SUPPORT_VPN = _support.CRUSOE_SUPPORT_VPN_CIDR
RULE_ID = "f2000000-0000-4000-8000-%012d"
CLUSTER_ID = "c2%06d-0000-4000-8000-00000000c0de"
NODE_SHELL = "node-shell-5c1f0a2e"
GPU_DAEMONSET = "nvidia-driver-daemonset"

# scenario -> what the Crusoe API and the cluster hold
_API = {
    "engaged": {"access_enabled": True, "enabled_roles": ["readonly", "operator"], "request": ("operator", "+3h")},
    "expired": {"access_enabled": True, "enabled_roles": ["readonly"], "request": ("readonly", "-2h")},
    "unleased": {"access_enabled": True, "enabled_roles": ["readonly", "operator"], "request": ("operator", "+5h")},
    "clean": {"access_enabled": False, "enabled_roles": []},
    "dormant": {"access_enabled": False, "enabled_roles": []},
    "diagnostic": {"access_enabled": False, "enabled_roles": []},
}
_CHART = ("engaged", "expired", "unleased", "dormant")
_SOURCES = {"engaged": [RESTRICTED_SOURCE, SUPPORT_VPN], "expired": [RESTRICTED_SOURCE, SUPPORT_VPN],
            "unleased": ["0.0.0.0/0"]}
# scenario -> (lease started hours ago, lease length in hours)
_LEASES = {"engaged": (1, 8), "expired": (10, 8)}


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def client_env(kubeconfig, home):
    """Environment for real kubectl / helm and for ansible-playbook: KUBECONFIG, venv bin on PATH, private HELM_* homes."""
    return {
        "KUBECONFIG": str(kubeconfig),
        "PATH": VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
        "HELM_CACHE_HOME": os.path.join(str(home), "helm", "cache"),
        "HELM_CONFIG_HOME": os.path.join(str(home), "helm", "config"),
        "HELM_DATA_HOME": os.path.join(str(home), "helm", "data"),
        "HOME": str(home),
    }


def _namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def node_shell_pod(name, namespace, node):
    """A pod as kubectl-node-shell creates it: bare, hostPID, hostNetwork, privileged, nsenter into PID 1."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
            "spec": {"nodeName": node, "hostPID": True, "hostNetwork": True, "restartPolicy": "Never",
                     "containers": [{"name": "shell", "image": "docker.io/library/alpine",
                                     "securityContext": {"privileged": True}, "command": ["nsenter"],
                                     "args": ["-t", "1", "-m", "-u", "-i", "-n", "--", "bash", "-l"]}]}}


def gpu_daemonset(name, namespace):
    """A GPU operator DaemonSet: privileged, hostPID, hostPath / - like a node shell, but controller-owned and made by
    the GPU operator (its managed-by label says so, as the operator's own DaemonSets do)."""
    template = {"metadata": {"labels": {"app": name, "app.kubernetes.io/managed-by": "gpu-operator"}},
                "spec": {"hostPID": True, "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
                         "containers": [{"name": "driver", "image": "nvcr.io/nvidia/driver",
                                         "securityContext": {"privileged": True},
                                         "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}]}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": {"app": name, "app.kubernetes.io/managed-by": "gpu-operator"}},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template}}


class Fleet:
    """The started simulators of one fleet and the files that describe it. Build it with build_fleet()."""

    def __init__(self, names, seed_mix, workdir, emulator=None, owns_workdir=False):
        if len(names) != len(seed_mix):
            raise ValueError("names and seed_mix differ in length")
        unknown = sorted(set(seed_mix) - set(SCENARIOS))
        if unknown:
            raise ValueError("unknown scenarios %s; known: %s" % (", ".join(unknown), ", ".join(SCENARIOS)))
        self.names = list(names)
        self.seed_mix = list(seed_mix)
        self.workdir = str(workdir)
        self.home = os.path.join(self.workdir, "home")
        self.inventory = os.path.join(self.workdir, "fleet.crusoe.yml")
        self.kubeconfig = os.path.join(self.workdir, "kubeconfig.yaml")
        self._owns_workdir = owns_workdir
        self._owns_emulator = emulator is None
        self.emulator = emulator or Emulator().start()
        self.chart_repo = ChartRepo().start()
        self.crusoe = None
        self._lock = threading.Lock()
        os.makedirs(self.home, exist_ok=True)

    # -------------------------------------------------------------------------------- description
    def scenario(self, name):
        return self.seed_mix[self.names.index(name)]

    def names_with(self, *scenarios):
        return [n for n, s in zip(self.names, self.seed_mix) if s in scenarios]

    def cluster_id(self, name):
        return CLUSTER_ID % (self.names.index(name) + 1)

    def rule_id(self, name):
        return RULE_ID % (self.names.index(name) + 1)

    def kube(self, name):
        """The emulator's cluster handle (seed, get, list, request_log, writes, set_fault, ...)."""
        return self.emulator.cluster(name)

    def crusoe_fleet(self):
        """The Crusoe simulator's fleet document for the seed mix (times relative to now)."""
        fleet = {"organization_id": "9f000000-0000-4000-8000-0000000000f1", "keys": [dict(KEY)],
                 "service_accounts": [dict(SERVICE_ACCOUNT)],
                 "projects": [dict(p) for p in PROJECTS], "vpc_networks": [], "subnets": [], "clusters": [],
                 "firewall_rules": []}
        for index, (name, scenario) in enumerate(zip(self.names, self.seed_mix), start=1):
            project = PROJECTS[(index - 1) * len(PROJECTS) // len(self.names)]
            vpc, subnet = "7b000000-0000-4000-8000-%012d" % index, "5c000000-0000-4000-8000-%012d" % index
            cidr = "172.%d.0.0/20" % (16 + index)
            fleet["vpc_networks"].append({"id": vpc, "name": "%s-vpc" % name, "project_id": project["id"],
                                          "cidr": "172.%d.0.0/16" % (16 + index)})
            fleet["subnets"].append({"id": subnet, "name": "%s-a" % name, "project_id": project["id"], "vpc_network_id": vpc,
                                     "location": "us-east1-a" if index % 2 else "us-southcentral1-a", "cidr": cidr})
            api = _API[scenario]
            support = {"access_enabled": api["access_enabled"], "enabled_roles": list(api["enabled_roles"]),
                       "active_requests": []}
            if "request" in api:
                role, expires = api["request"]
                support["active_requests"].append({
                    "access_role": "SUPPORT_ACCESS_ROLE_%s" % role.upper(), "requestor_id": "00ab12cd5d%d" % index,
                    "requestor_team": "cmk-support", "support_reason": "CMK Node Not Ready on %s" % name,
                    "ticket_ref": "ZD#%d" % (4240 + index), "requested_at": "-4h", "expires_at": expires})
            cluster_id = self.cluster_id(name)
            fleet["clusters"].append({"id": cluster_id, "name": name, "project_id": project["id"],
                                      "location": "us-east1-a" if index % 2 else "us-southcentral1-a",
                                      "subnet_id": subnet, "state": "STATE_RUNNING", "version": "1.33.4-cmk.1",
                                      "support": support})
            fleet["firewall_rules"].append({
                "id": self.rule_id(name), "name": _support.CRUSOE_CP_FIREWALL_RULE_PREFIX + cluster_id[:8],
                "project_id": project["id"], "vpc_network_id": vpc, "action": "allow", "direction": "ingress",
                "protocols": ["tcp"], "sources": [{"cidr": c} for c in _SOURCES.get(scenario, [RESTRICTED_SOURCE])],
                "destinations": [{"cidr": cidr}], "source_ports": [], "destination_ports": ["443"]})
        return fleet

    # -------------------------------------------------------------------------------- lifecycle
    def start(self):
        """Start the Crusoe simulator, add the clusters to the emulator, seed both, write the files. Returns self."""
        self.crusoe = CrusoeSim(self.crusoe_fleet(), operation_polls=1, page_size=3).start()
        self._seed_clusters()
        self._write_files()
        return self

    def reset(self):
        """Back to the seeded state: fresh clusters of the same names, the Crusoe state as built, empty logs."""
        fresh = CrusoeSim(self.crusoe_fleet(), operation_polls=1, page_size=3)
        with self.crusoe.lock:
            self.crusoe.state = fresh.state
        self.crusoe.clear_faults()
        for name in self.names:
            self.emulator.remove_cluster(name)
        self._seed_clusters()
        self._write_files()
        self.clear_logs()
        return self

    def stop(self):
        for name in self.names:
            if name in self.emulator.clusters:
                self.emulator.remove_cluster(name)
        if self.crusoe is not None:
            self.crusoe.stop()
        self.chart_repo.stop()
        if self._owns_emulator:
            self.emulator.stop()
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -------------------------------------------------------------------------------- seeding
    def _seed_clusters(self):
        for name in self.names:
            self.emulator.add_cluster(name)
        self.emulator.write_kubeconfig(self.kubeconfig, clusters=self.names)
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self._seed_cluster, self.names, self.seed_mix))
        self.clear_logs()

    def _seed_cluster(self, name, scenario):
        cluster = self.kube(name)
        cluster.seed([_namespace(ns) for ns in _support.CRUSOE_MANAGED_NAMESPACES])
        if scenario in _CHART:
            self.helm(name, "install", _support.CRUSOE_CHART_RELEASE, _support.CRUSOE_CHART_NAME, "--repo",
                      self.chart_repo.url, "--version", CHART_VERSION, "--namespace", _support.CRUSOE_CHART_NAMESPACE)
        if scenario in _LEASES:
            started_hours_ago, hours = _LEASES[scenario]
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            lease = _lease.new_lease("crusoe", name, "ZD-%d" % (4240 + self.names.index(name) + 1),
                                     "CMK Node Not Ready on %s" % name, "alice", _API[scenario]["enabled_roles"],
                                     "%dh" % hours, now - datetime.timedelta(hours=started_hours_ago))
            cluster.seed([_lease.configmap_for(lease)])
        if scenario == "diagnostic":
            node = cluster.list("v1", "Node")[0]["metadata"]["name"]
            cluster.seed([node_shell_pod(NODE_SHELL, "kube-system", node), gpu_daemonset(GPU_DAEMONSET, "nvidia-gpu-operator")])

    def helm(self, name, *args):
        """Run the real helm 3 against one cluster of the fleet."""
        cmd = [os.path.join(VENV_BIN, "helm"), "--kube-context", name] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **self.client_env()),
                              timeout=300, check=False)
        if proc.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def _write_files(self):
        with open(self.inventory, "w", encoding="utf-8") as handle:
            handle.write("# The simulated Crusoe fleet: every project, one host per running cluster.\n"
                         "plugin: neocloud.support_access.crusoe\n"
                         "all_projects: true\n"
                         "kubeconfig: %s\n" % json.dumps(self.kubeconfig))

    # -------------------------------------------------------------------------------- runs
    def client_env(self):
        """KUBECONFIG, PATH, HELM_* and HOME for kubectl / helm against the fleet."""
        return client_env(self.kubeconfig, self.home)

    def env(self):
        """Environment for ansible-playbook / ansible-inventory over the fleet (Crusoe credentials, helm, kubeconfig)."""
        env = self.client_env()
        env.update(self.crusoe.env())
        env["CRUSOE_PROFILE"] = ""
        env["CRUSOE_DEFAULT_PROJECT"] = ""
        return env

    def service_account_env(self):
        """env(), logging in to the Crusoe API as the fleet's service account instead of signing with the key."""
        env = self.env()
        env.update(self.crusoe.service_account_env())
        env["CRUSOE_DEFAULT_PROJECT"] = ""
        return env

    def clear_logs(self):
        if self.crusoe is not None:
            self.crusoe.clear_log()
        for name in self.names:
            if name in self.emulator.clusters:
                self.kube(name).clear_log()
        self.chart_repo.clear_log()

    def crusoe_writes(self):
        """Crusoe API write requests since the last clear_logs()."""
        return self.crusoe.writes()

    def kube_writes(self, name=None):
        """Kubernetes write requests since the last clear_logs(), {cluster: [entries]} (or one cluster's list)."""
        if name is not None:
            return self.kube(name).writes()
        return {n: self.kube(n).writes() for n in self.names if self.kube(n).writes()}

    def describe(self):
        return {"inventory": self.inventory, "kubeconfig": self.kubeconfig, "env": self.env(), "names": self.names,
                "scenarios": dict(zip(self.names, self.seed_mix)), "chart_repo_url": self.chart_repo.url}


def build_fleet(n=6, seed_mix=None, workdir=None, emulator=None, names=None):
    """A started fleet of ``n`` clusters.

    ``seed_mix``: a scenario per cluster (list of SCENARIOS); default: the scenarios in order, repeated.
    ``workdir``: where fleet.crusoe.yml, kubeconfig.yaml and the HOME of runs go (default: a new temporary directory,
    removed by stop()). ``emulator``: a running Emulator to add the clusters to (default: one of its own).
    """
    if seed_mix is None:
        seed_mix = [SCENARIOS[i % len(SCENARIOS)] for i in range(n)]
    seed_mix = list(seed_mix)
    if len(seed_mix) != n:
        raise ValueError("seed_mix has %d scenarios for %d clusters" % (len(seed_mix), n))
    if names is None:
        names = [DEFAULT_NAMES[i] if i < len(DEFAULT_NAMES) else "cluster-%02d" % (i + 1) for i in range(n)]
    owns = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="neocloud-fleet-")
    os.makedirs(str(workdir), exist_ok=True)
    fleet = Fleet(names, seed_mix, workdir, emulator=emulator, owns_workdir=owns)
    try:
        return fleet.start()
    except Exception:
        fleet.stop()
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve a simulated Crusoe fleet (Crusoe API, Kubernetes, chart repo).")
    parser.add_argument("--clusters", type=int, default=6)
    parser.add_argument("--mix", default="", help="comma-separated scenarios, one per cluster (%s)" % ", ".join(SCENARIOS))
    parser.add_argument("--dir", default=None, help="where the inventory and kubeconfig are written")
    args = parser.parse_args(argv)
    mix = [s.strip() for s in args.mix.split(",") if s.strip()] or None
    fleet = build_fleet(args.clusters, seed_mix=mix, workdir=args.dir)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    print(json.dumps(fleet.describe()), flush=True)
    try:
        done.wait()
    finally:
        fleet.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

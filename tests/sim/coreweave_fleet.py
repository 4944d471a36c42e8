# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulated CoreWeave fleet: the CoreWeave API simulator listing CKS clusters that live on the Kubernetes emulator.

    from sim.coreweave_fleet import build_coreweave_fleet
    cw = build_coreweave_fleet(emulator, workdir, names=["cks-a", "cks-b"], scenarios=["compliant", "broad-viewer"])
    cw.inventory, cw.kubeconfig, cw.env()        # fleet.coreweave.yml (plugin neocloud.support_access.coreweave), contexts, COREWEAVE_*
    cw.api, cw.kube(name), cw.cluster_id(name), cw.writes(), cw.kube_writes(), cw.clear_logs(), cw.stop()

Every cluster's ``apiServerEndpoint`` is its URL on the emulator and its kubeconfig context is its name (the inventory
plugin's default). Each cluster has CoreWeave's Teleport roles ``teleport-cluster-viewers`` (bound to the group of the
same name) and ``teleport-cluster-super-admins``, and one of these scenarios (``SCENARIOS``):

- ``compliant``: a read-only viewer role without Secrets; the cluster's audit logs are forwarded (an enabled pipeline
  from its own CKS audit stream to the customer's SIEM endpoint).
- ``broad-viewer``: the viewer role also grants ``get`` on ``pods/exec`` and reads Secrets; audit logs forwarded.
- ``unforwarded``: the correct viewer role, but no enabled pipeline carries the cluster's audit logs.

Telemetry Relay (organization-wide): the standard streams (``audit-logs`` "Audit Logs", application and platform logs)
plus one stream per cluster (``cks-audit-<n>``, filter ``{source="cks-audit", cluster_id="<id>"}``); endpoints
``customer-siem`` (basic auth, a token in its URL's query) and ``archive``; pipelines ``audit-archive`` (Audit Logs to
archive, disabled), ``apps-to-siem`` (application logs, enabled) and ``cks-audit-<n>`` for every forwarded cluster.
The API token the environment carries is the reader token (Telemetry Relay Reader, CKS read): an audit needs no more.
"""

from __future__ import annotations

import json
import os

from sim.coreweave_api import CoreWeaveSim, ROLE_CKS, ROLE_READER, default_fleet

SCENARIOS = ("compliant", "broad-viewer", "unforwarded")
CLUSTER_ID = "5c0e0000-0000-4000-8000-%012d"
RBAC = "rbac.authorization.k8s.io"
VIEWERS, ADMINS = "teleport-cluster-viewers", "teleport-cluster-super-admins"
READ = ["get", "list", "watch"]
VIEWER_RULES = [
    {"apiGroups": [""], "resources": ["pods", "pods/log", "nodes", "services", "configmaps", "events", "namespaces"], "verbs": READ},
    {"apiGroups": ["apps", "batch"], "resources": ["*"], "verbs": READ},
]
BROAD_VIEWER_RULES = VIEWER_RULES + [
    {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]},
]
ADMIN_RULES = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]
SIEM_URL = "https://relay:not-a-real-password@siem.customer.example/coreweave?token=url-token-0001"
SIEM_SAFE_URL = "https://siem.customer.example/coreweave"
ARCHIVE_URL = "https://archive.customer.example/cw"


def cluster_role(name, rules):
    return {"apiVersion": RBAC + "/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules}


def group_binding(role, group):
    return {"apiVersion": RBAC + "/v1", "kind": "ClusterRoleBinding", "metadata": {"name": role},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "Group", "apiGroup": RBAC, "name": group}]}


class CoreWeaveFleet:
    """The started CoreWeave API simulator and emulated CKS clusters of one fleet. Build it with build_coreweave_fleet()."""

    def __init__(self, emulator, workdir, names, scenarios, zone="US-EAST-04A"):
        if len(names) != len(scenarios):
            raise ValueError("names and scenarios differ in length")
        unknown = sorted(set(scenarios) - set(SCENARIOS))
        if unknown:
            raise ValueError("unknown CoreWeave scenarios %s; known: %s" % (", ".join(unknown), ", ".join(SCENARIOS)))
        self.emulator = emulator
        self.names = list(names)
        self.scenarios = list(scenarios)
        self.zone = zone
        self.workdir = str(workdir)
        self.inventory = os.path.join(self.workdir, "fleet.coreweave.yml")
        self.kubeconfig = os.path.join(self.workdir, "kubeconfig.coreweave.yaml")
        self.api = None

    def scenario(self, name):
        return self.scenarios[self.names.index(name)]

    def names_with(self, *scenarios):
        return [n for n, s in zip(self.names, self.scenarios) if s in scenarios]

    def cluster_id(self, name):
        return CLUSTER_ID % (self.names.index(name) + 1)

    def stream_slug(self, name):
        return "cks-audit-%d" % (self.names.index(name) + 1)

    def kube(self, name):
        return self.emulator.cluster(name)

    def api_fleet(self):
        """The CoreWeave simulator's fleet document."""
        fleet = default_fleet()
        fleet["tokens"] = [dict(t) for t in fleet["tokens"]]
        fleet["clusters"] = []
        fleet["endpoints"] = [
            {"slug": "customer-siem", "displayName": "Customer SIEM", "url": SIEM_URL,
             "basicAuth": {"username": "relay", "password": "not-a-real-password"}},
            {"slug": "archive", "displayName": "Archive", "url": ARCHIVE_URL},
        ]
        fleet["pipelines"] = [
            {"slug": "audit-archive", "source": "audit-logs", "destination": "archive", "enabled": False},
            {"slug": "apps-to-siem", "source": "application-logs", "destination": "customer-siem", "enabled": True},
        ]
        for index, (name, scenario) in enumerate(zip(self.names, self.scenarios), start=1):
            cluster_id = self.cluster_id(name)
            fleet["clusters"].append({
                "id": cluster_id, "name": name, "zone": self.zone, "status": "STATUS_RUNNING", "version": "v1.33",
                "apiServerEndpoint": self.kube(name).server_url,
                "auditPolicy": "" if index % 2 else "YXBpVmVyc2lvbjogYXVkaXQuazhzLmlvL3YxCmtpbmQ6IFBvbGljeQo=",
                "authzWebhook": {} if index % 2 else {"server": "https://authz.customer.example/webhook"}})
            fleet["streams"].append({"slug": self.stream_slug(name), "displayName": "CKS audit: %s" % name,
                                     "kind": "STREAM_KIND_LOGS",
                                     "filter": {"include": ['{source="cks-audit", cluster_id="%s"}' % cluster_id]}})
            if scenario != "unforwarded":
                fleet["pipelines"].append({"slug": self.stream_slug(name), "source": self.stream_slug(name),
                                           "destination": "customer-siem", "enabled": True})
        return fleet

    def start(self):
        """Add and seed the clusters on the emulator, start the API simulator, write the files. Returns self."""
        for name, scenario in zip(self.names, self.scenarios):
            cluster = self.emulator.add_cluster(name)
            cluster.seed([
                cluster_role(VIEWERS, BROAD_VIEWER_RULES if scenario == "broad-viewer" else VIEWER_RULES),
                cluster_role(ADMINS, ADMIN_RULES),
                group_binding(VIEWERS, VIEWERS),
                group_binding(ADMINS, ADMINS),
            ])
        self.emulator.write_kubeconfig(self.kubeconfig, clusters=self.names)
        self.api = CoreWeaveSim(self.api_fleet()).start()
        with open(self.inventory, "w", encoding="utf-8") as handle:
            handle.write("# The simulated CoreWeave fleet: one host per running CKS cluster.\n"
                         "plugin: neocloud.support_access.coreweave\n"
                         "kubeconfig: %s\n" % json.dumps(self.kubeconfig))
        self.clear_logs()
        return self

    def stop(self):
        if self.api is not None:
            self.api.stop()
            self.api = None
        for name in self.names:
            if name in self.emulator.clusters:
                self.emulator.remove_cluster(name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def env(self):
        """COREWEAVE_* for ansible-playbook: the simulator and its read-only token."""
        reader = next(t for t in self.api.tokens if ROLE_READER in t["roles"] and ROLE_CKS in t["roles"])
        return {"COREWEAVE_API_ENDPOINT": self.api.url, "COREWEAVE_API_TOKEN": reader["token"], "COREWEAVE_HTTP_TIMEOUT": "10"}

    def clear_logs(self):
        if self.api is not None:
            self.api.clear_log()
        for name in self.names:
            self.kube(name).clear_log()

    def writes(self):
        """CoreWeave API write requests since the last clear_logs()."""
        return self.api.writes()

    def kube_writes(self):
        """Kubernetes write requests since the last clear_logs(), {cluster: [entries]}."""
        return {n: self.kube(n).writes() for n in self.names if self.kube(n).writes()}


def build_coreweave_fleet(emulator, workdir, names=("gpu-train", "gpu-infer", "gpu-research"), scenarios=None):
    """A started CoreWeave fleet on ``emulator``; files go to ``workdir``. Default scenarios: SCENARIOS in order."""
    names = list(names)
    if scenarios is None:
        scenarios = [SCENARIOS[i % len(SCENARIOS)] for i in range(len(names))]
    fleet = CoreWeaveFleet(emulator, workdir, names, list(scenarios))
    try:
        return fleet.start()
    except Exception:
        fleet.stop()
        raise

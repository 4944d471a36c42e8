# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults: the fleet playbooks through real ansible-playbook while the Crusoe API simulator and the emulated clusters
misbehave (bursts of 429/500/503, slow answers, a cluster that never answers, a firewall operation that ends FAILED).

Each scenario asserts the end state in the simulators and the fleet report, and records the faults injected (the
requests the simulators answered with a fault, from their request logs) and survived (all of them, when the run
behaved as it must: retried and succeeded, or failed that one cluster clearly while the others finished).
"""

from __future__ import annotations

import re

from reliability.conftest import load_report, run_playbook

from sim.fleet import NODE_SHELL, SUPPORT_VPN

RBAC = "rbac.authorization.k8s.io/v1"
SUPPORT_GROUPS = ("crusoe:support:readonly", "crusoe:support:operator")
RESTRICTED = "203.0.113.0/24"
# The default seed mix of the fleet fixture, by cluster name (see sim.fleet.SCENARIOS).
ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC = (
    "training-prod", "inference", "research-a", "batch-eu", "notebooks", "staging")
# The Crusoe client's retry budget (api_retries default): one request is sent at most this many times.
CRUSOE_ATTEMPTS = 6
CONFIRM = {"support_access_confirm": True}


# ---------------------------------------------------------------------------------------------- end state

def support_settings(fleet, name):
    return fleet.crusoe.state["support"][fleet.cluster_id(name)]


def rule_sources(fleet, name):
    return [s.get("cidr") for s in fleet.crusoe.state["firewall_rules"][fleet.rule_id(name)]["sources"]]


def helm_releases(fleet, name):
    return [s["metadata"]["name"] for s in fleet.kube(name).list("v1", "Secret", "crusoe-system")
            if s.get("type") == "helm.sh/release.v1"]


def support_bindings(fleet, name):
    found = []
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        for binding in fleet.kube(name).list(RBAC, kind):
            if any(s.get("name") in SUPPORT_GROUPS for s in binding.get("subjects") or []):
                found.append("%s/%s" % (kind, binding["metadata"]["name"]))
    return found


def lease_state(fleet, name):
    cm = fleet.kube(name).get("v1", "ConfigMap", "neocloud-support-access-lease", "kube-system")
    return None if cm is None else cm["data"]["state"]


def node_shells(fleet, name):
    return [p["metadata"]["name"] for p in fleet.kube(name).list("v1", "Pod") if p["metadata"]["name"].startswith("node-shell-")]


def assert_closed(fleet, name):
    """Nothing support could use is left, in the Crusoe API or in the cluster."""
    assert support_settings(fleet, name)["access_enabled"] is False, name
    assert SUPPORT_VPN not in rule_sources(fleet, name), name
    assert helm_releases(fleet, name) == [], name
    assert support_bindings(fleet, name) == [], name
    assert lease_state(fleet, name) in (None, "closed"), name
    assert node_shells(fleet, name) == [], name


# ---------------------------------------------------------------------------------------------- fault counts

def crusoe_faults(fleet, kind=None):
    """Crusoe API requests answered with an injected fault (optionally only those of one kind, e.g. "status 503")."""
    return [e for e in fleet.crusoe.request_log() if e.get("fault") and (kind is None or e["fault"] == kind)]


def kube_faults(fleet, name=None):
    """Kubernetes API requests answered with an injected fault, {cluster: [entries]} (or one cluster's list)."""
    if name is not None:
        return [e for e in fleet.kube(name).request_log() if e.get("fault")]
    return {n: [e for e in fleet.kube(n).request_log() if e.get("fault")] for n in fleet.names}


def kinds(entries):
    return sorted(set(e["fault"] for e in entries))


def failed_hosts(res):
    return sorted(h for h, r in res.recap.items() if r["failed"])


# ---------------------------------------------------------------------------------------------- scenarios

def test_crusoe_api_bursts_and_slow_answers_during_revoke_are_retried(ansible_playbook, fleet, tmp_path, reliability):
    """429 with Retry-After, 500 and 503 bursts and slow answers on every kind of Crusoe request revoke makes."""
    crusoe = fleet.crusoe
    crusoe.inject(r"/support/settings$", method="GET", status=429, retry_after=1, count=3)
    crusoe.inject(r"/support/settings$", method="PATCH", status=503, count=2)
    crusoe.inject(r"/support/settings$", method="PATCH", status=500, count=1)
    crusoe.inject(r"/kubernetes/clusters$", method="GET", status=503, count=2)
    crusoe.inject(r"/kubernetes/clusters$", method="GET", delay=2, count=4)
    crusoe.inject(r"/vpc-firewall-rules$", method="GET", status=429, retry_after=1, count=2)
    crusoe.inject(r"/vpc-firewall-rules/%s$" % fleet.rule_id(ENGAGED), method="PATCH", status=503, count=2)
    crusoe.inject(r"/vpc-firewall-rules/operations/", method="GET", status=500, count=2)
    crusoe.inject(r"/vpc-firewall-rules/operations/", method="GET", delay=1, count=1)

    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, CONFIRM)

    faults = crusoe_faults(fleet)
    assert kinds(faults) == ["delay 1", "delay 2", "status 429", "status 500", "status 503"], faults
    assert res.rc == 0, res.stdout
    assert failed_hosts(res) == []
    clusters = load_report(tmp_path)[1]
    for name in fleet.names:
        assert clusters[name]["verdict"] == "revoked", clusters[name]
        assert clusters[name]["error"] == ""
        assert_closed(fleet, name)
    assert RESTRICTED in rule_sources(fleet, ENGAGED)
    assert "disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"]
    # every faulted request was sent again and then answered: each PATCH that failed has a later successful twin
    for entry in (e for e in faults if e["write"]):
        later = [e for e in crusoe.request_log() if (e["method"], e["path"]) == (entry["method"], entry["path"])
                 and e["status"] == 200]
        assert later, entry
    reliability.fault(injected=len(faults), survived=len(faults))


def test_cluster_bursts_and_slow_answers_during_revoke_are_retried(ansible_playbook, fleet, tmp_path, reliability):
    """429 (Retry-After), 500 and 503 bursts and slow answers from the clusters, on the requests of every kind of
    client revoke uses: helm (release records), the collection's modules (RBAC, pods, the lease, reviews)."""
    fleet.kube(ENGAGED).set_fault("status", code=503, retry_after=1, path_contains="/secrets", count=2)
    fleet.kube(ENGAGED).set_fault("status", code=500, path_contains="/configmaps", count=2)
    fleet.kube(EXPIRED).set_fault("status", code=429, retry_after=1, path_contains="/pods", count=3)
    fleet.kube(UNLEASED).set_fault("slow", seconds=2, path_contains="/configmaps", count=2)
    fleet.kube(CLEAN).set_fault("status", code=503, path_contains="/rbac.authorization.k8s.io/", count=3)
    fleet.kube(DORMANT).set_fault("status", code=429, retry_after=1, path_contains="/secrets", count=2)
    fleet.kube(DORMANT).set_fault("slow", seconds=1, path_contains="/rbac.authorization.k8s.io/", count=3)
    fleet.kube(DIAGNOSTIC).set_fault("status", code=500, path_contains="/pods", count=2)
    fleet.kube(DIAGNOSTIC).set_fault("status", code=429, retry_after=1, path_contains="/subjectaccessreviews", count=1)

    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, CONFIRM)

    faults = kube_faults(fleet)
    assert {n: kinds(f) for n, f in faults.items()} == {
        ENGAGED: ["status 500", "status 503"], EXPIRED: ["status 429"], UNLEASED: ["slow"], CLEAN: ["status 503"],
        DORMANT: ["slow", "status 429"], DIAGNOSTIC: ["status 429", "status 500"]}, faults
    assert res.rc == 0, res.stdout
    assert failed_hosts(res) == []
    clusters = load_report(tmp_path)[1]
    for name in fleet.names:
        assert clusters[name]["verdict"] == "revoked", clusters[name]
        assert_closed(fleet, name)
    assert "deleted diagnostic pod kube-system/%s" % NODE_SHELL in clusters[DIAGNOSTIC]["actions"]
    # every request answered with a fault was sent again and then answered
    for name, entries in faults.items():
        log = fleet.kube(name).request_log()
        for entry in entries:
            if entry["fault"].startswith("status"):
                assert any((e["method"], e["path"]) == (entry["method"], entry["path"]) and e["status"] < 500
                           and not e.get("fault") for e in log), (name, entry)
    injected = sum(len(f) for f in faults.values())
    reliability.fault(injected=injected, survived=injected)

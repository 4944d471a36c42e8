# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults: the fleet playbooks through real ansible-playbook while the Crusoe API simulator and the emulated clusters
misbehave (bursts of 429/500/503, slow answers, a cluster that never answers, a firewall operation that ends FAILED).

Each scenario asserts the end state in the simulators and the fleet report, and records the faults injected (the
requests the simulators answered with a fault, from their request logs) and survived (all of them, when the run
behaved as it must: retried and succeeded, or failed that one cluster clearly while the others finished).
"""

from __future__ import annotations

import json

import pytest

from reliability.conftest import load_report, run_playbook
from fleet_state import helm_releases, lease_state, rule_sources, support_bindings, support_settings
from fleet_state import node_shell_pods as node_shells

from sim.fleet import NODE_SHELL, SUPPORT_VPN

RESTRICTED = "203.0.113.0/24"
# The default seed mix of the fleet fixture, by cluster name (see sim.fleet.SCENARIOS).
ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC = (
    "training-prod", "inference", "research-a", "batch-eu", "notebooks", "staging")
# The Crusoe client's retry budget (api_retries default): one request is sent at most this many times.
CRUSOE_ATTEMPTS = 6
CONFIRM = {"support_access_confirm": True}


# ---------------------------------------------------------------------------------------------- end state

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

@pytest.mark.slow
def test_bursts_and_slow_answers_from_the_crusoe_api_and_the_clusters_during_revoke_are_retried(
        ansible_playbook, fleet, tmp_path, reliability):
    """429 with Retry-After, 500 and 503 bursts and slow answers, in one revoke run: on every kind of Crusoe request
    revoke makes, and from the clusters on the requests of every kind of client revoke uses: helm (release records),
    the collection's modules (RBAC, pods, the lease, reviews)."""
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

    crusoe_entries = crusoe_faults(fleet)
    kube = kube_faults(fleet)
    assert kinds(crusoe_entries) == ["delay 1", "delay 2", "status 429", "status 500", "status 503"], crusoe_entries
    assert {n: kinds(f) for n, f in kube.items()} == {
        ENGAGED: ["status 500", "status 503"], EXPIRED: ["status 429"], UNLEASED: ["slow"], CLEAN: ["status 503"],
        DORMANT: ["slow", "status 429"], DIAGNOSTIC: ["status 429", "status 500"]}, kube
    assert res.rc == 0, res.stdout
    assert failed_hosts(res) == []
    clusters = load_report(tmp_path)[1]
    for name in fleet.names:
        assert clusters[name]["verdict"] == "revoked", clusters[name]
        assert clusters[name]["error"] == ""
        assert_closed(fleet, name)
    assert RESTRICTED in rule_sources(fleet, ENGAGED)
    assert "disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"]
    assert "deleted diagnostic pod kube-system/%s" % NODE_SHELL in clusters[DIAGNOSTIC]["actions"]
    # every faulted request was sent again and then answered: each Crusoe PATCH that failed has a later successful
    # twin, and every cluster request answered with a fault status was sent again and answered
    for entry in (e for e in crusoe_entries if e["write"]):
        later = [e for e in crusoe.request_log() if (e["method"], e["path"]) == (entry["method"], entry["path"])
                 and e["status"] == 200]
        assert later, entry
    for name, entries in kube.items():
        log = fleet.kube(name).request_log()
        for entry in entries:
            if entry["fault"].startswith("status"):
                assert any((e["method"], e["path"]) == (entry["method"], entry["path"]) and e["status"] < 500
                           and not e.get("fault") for e in log), (name, entry)
    injected = len(crusoe_entries) + sum(len(f) for f in kube.values())
    reliability.fault(injected=injected, survived=injected)


EXPECTED_AUDIT = {
    ENGAGED: ("compliant", []),
    UNLEASED: ("noncompliant", ["firewall-admits-support-vpn", "support-access-without-lease"]),
    CLEAN: ("compliant", []),
    DORMANT: ("noncompliant", ["support-bindings-without-access"]),
}
PERSISTENT = 10 ** 6


def codes(cluster):
    return sorted(f["code"] for f in cluster["findings"])


def test_audit_names_a_persistently_failing_cluster_while_the_others_survive_bursts(ansible_playbook, fleet, tmp_path,
                                                                                    reliability):
    """One cluster answers every request with 503, one drops every connection; the rest and the Crusoe API answer
    in bursts of faults. The two fail clearly and are named in the report; the others get their true verdicts."""
    fleet.kube(DIAGNOSTIC).set_fault("status", code=503, count=PERSISTENT)
    fleet.kube(EXPIRED).set_fault("unreachable")
    fleet.kube(ENGAGED).set_fault("status", code=429, retry_after=1, count=2)
    fleet.kube(UNLEASED).set_fault("status", code=500, path_contains="/rbac.authorization.k8s.io/", count=2)
    fleet.kube(CLEAN).set_fault("slow", seconds=2, path_contains="/pods", count=1)
    fleet.kube(DORMANT).set_fault("status", code=503, path_contains="/configmaps", count=2)
    fleet.crusoe.inject(r"/support/settings$", method="GET", status=503, count=3)
    fleet.crusoe.inject(r"/kubernetes/clusters$", method="GET", status=429, retry_after=1, count=2)

    res = run_playbook(ansible_playbook, fleet, "audit", tmp_path)

    assert res.rc != 0
    assert failed_hosts(res) == sorted([DIAGNOSTIC, EXPIRED]), res.recap
    assert fleet.crusoe_writes() == [] and fleet.kube_writes() == {}
    doc, clusters = load_report(tmp_path)
    assert sorted(clusters) == sorted(fleet.names)
    for name, (verdict, expected) in EXPECTED_AUDIT.items():
        assert (clusters[name]["verdict"], codes(clusters[name])) == (verdict, expected), clusters[name]
        assert clusters[name]["error"] == "" and clusters[name]["reachable"] is True
    # the 503 cluster: its message names the cluster, the status, what the API said and that it was retried
    failing = clusters[DIAGNOSTIC]
    assert failing["verdict"] in ("error", "unreachable"), failing
    assert "503" in failing["error"] and "the server is currently unable to handle the request" in failing["error"]
    assert "(6 attempts)" in failing["error"], failing["error"]
    assert failing["api"]["access_enabled"] is False  # the Crusoe API still answered for it
    fatal = [line for line in res.stdout.splitlines() if line.startswith("fatal: [%s]" % DIAGNOSTIC)]
    assert fatal and all("503" in line for line in fatal), res.stdout
    assert any("cluster %s" % DIAGNOSTIC in line or "cluster '%s'" % DIAGNOSTIC in line for line in fatal), fatal
    # retries are bounded: no request to the failing cluster was sent more than six times (one try, five retries)
    sent = {}
    for entry in fleet.kube(DIAGNOSTIC).request_log():
        key = (entry["method"], entry["path"], entry["query"], entry["user"], tuple(entry["impersonated_groups"]))
        sent[key] = sent.get(key, 0) + 1
    assert max(sent.values()) <= 6 * 2, sent  # the same request from at most two steps (scan, then report)
    down = clusters[EXPIRED]
    assert down["verdict"] == "unreachable" and down["reachable"] is False, down
    assert "cannot reach" in down["error"] or "connection" in down["error"].lower(), down["error"]
    assert {DIAGNOSTIC, EXPIRED} <= set(doc["summary"]["failed"]), doc["summary"]

    crusoe = crusoe_faults(fleet)
    kube = kube_faults(fleet)
    assert kinds(crusoe) == ["status 429", "status 503"], crusoe
    assert {n: kinds(f) for n, f in kube.items() if f} == {
        DIAGNOSTIC: ["status 503"], EXPIRED: ["unreachable"], ENGAGED: ["status 429"], UNLEASED: ["status 500"],
        CLEAN: ["slow"], DORMANT: ["status 503"]}, kube
    injected = len(crusoe) + sum(len(f) for f in kube.values())
    reliability.fault(injected=injected, survived=injected)


@pytest.mark.slow
def test_revoke_reports_a_failed_firewall_operation_and_an_exhausted_retry_budget(ansible_playbook, fleet, tmp_path,
                                                                                  reliability):
    """The firewall operation of one cluster ends FAILED; the Crusoe API answers another cluster's settings PATCH
    with 503 every time; a third cluster's RBAC API answers 503 every time. Those three fail clearly with what the
    API said, do not claim success, and stay as they are where the write did not land; the other three are revoked."""
    fleet.crusoe.inject(r"/vpc-firewall-rules/%s$" % fleet.rule_id(ENGAGED), method="PATCH", count=1,
                        fail_operation={"code": "firewall_update_failed", "message": "the firewall backend rejected the update"})
    fleet.crusoe.inject(r"/clusters/%s/support/settings$" % fleet.cluster_id(UNLEASED), method="PATCH", status=503,
                        count=PERSISTENT)
    fleet.kube(DORMANT).set_fault("status", code=503, path_contains="/rbac.authorization.k8s.io/", count=PERSISTENT)

    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, CONFIRM)

    assert res.rc != 0
    assert failed_hosts(res) == sorted([ENGAGED, UNLEASED, DORMANT]), res.recap
    clusters = load_report(tmp_path)[1]
    for name in (EXPIRED, CLEAN, DIAGNOSTIC):
        assert clusters[name]["verdict"] == "revoked", clusters[name]
        assert_closed(fleet, name)
    for name in (ENGAGED, UNLEASED):
        assert clusters[name]["verdict"] == "not_revoked", clusters[name]
    # the RBAC API of DORMANT also fails the audit after the revocation: its verdict says the audit failed
    assert clusters[DORMANT]["verdict"] in ("not_revoked", "error"), clusters[DORMANT]

    # the FAILED operation: named with its error, the support VPN is still on the rule, the lease is not closed
    engaged = clusters[ENGAGED]
    assert "FAILED" in engaged["error"] and "the firewall backend rejected the update" in engaged["error"], engaged["error"]
    assert SUPPORT_VPN in rule_sources(fleet, ENGAGED) and RESTRICTED in rule_sources(fleet, ENGAGED)
    assert lease_state(fleet, ENGAGED) == "active"
    assert support_settings(fleet, ENGAGED)["access_enabled"] is False and helm_releases(fleet, ENGAGED) == []
    operations = [e for e in fleet.crusoe.request_log() if "/vpc-firewall-rules/operations/" in e["path"]]
    failed_ops = [op for op in fleet.crusoe.state["operations"].values() if op["op"]["state"] == "FAILED"]
    assert len(failed_ops) == 1 and failed_ops[0]["resource_id"] == fleet.rule_id(ENGAGED)
    assert any(failed_ops[0]["op"]["operation_id"] in e["path"] for e in operations)
    rule_patches = [e for e in fleet.crusoe.writes() if e["path"].endswith(fleet.rule_id(ENGAGED))]
    assert len(rule_patches) == 1  # an operation that ended FAILED is reported, not blindly sent again

    # the exhausted Crusoe retry budget: exactly six PATCH attempts, then a clear failure; access is still enabled
    unleased = clusters[UNLEASED]
    patches = [e for e in fleet.crusoe.writes() if e["path"].endswith("/clusters/%s/support/settings" % fleet.cluster_id(UNLEASED))]
    assert [e["status"] for e in patches] == [503] * CRUSOE_ATTEMPTS
    assert "Crusoe API error 503 on PATCH" in unleased["error"] and "injected fault 503" in unleased["error"], unleased["error"]
    assert "support access still enabled in the Crusoe API" in unleased["error"]
    assert support_settings(fleet, UNLEASED)["access_enabled"] is True
    disable = [json.loads(line.split(" => ", 1)[1]) for line in res.stdout.splitlines()
               if line.startswith("fatal: [%s]" % UNLEASED) and "Crusoe API error 503 on PATCH" in line and " => {" in line]
    assert disable and disable[0]["error"]["details"]["attempts"] == CRUSOE_ATTEMPTS, disable

    # the exhausted Kubernetes retry budget: the RBAC step failed after six attempts and is named
    dormant = clusters[DORMANT]
    assert "503 Service Unavailable" in dormant["error"] and "(6 attempts)" in dormant["error"], dormant["error"]
    not_revoked = [line for line in res.stdout.splitlines()
                   if line.startswith("fatal: [%s]" % DORMANT) and "cluster %s: NOT REVOKED: " % DORMANT in line]
    assert not_revoked and "Delete leftover support RBAC failed: cluster '%s': " % DORMANT in not_revoked[0], res.stdout
    assert "listing clusterrolebindings failed: 503 Service Unavailable" in not_revoked[0]
    rbac_lists = {}
    for entry in fleet.kube(DORMANT).request_log():
        if entry.get("fault") and entry["method"] == "GET" and entry["resource"] == "clusterrolebindings":
            rbac_lists[entry["query"]] = rbac_lists.get(entry["query"], 0) + 1
    assert rbac_lists and max(rbac_lists.values()) <= 6 * 3, rbac_lists  # six attempts per step that lists them
    assert support_bindings(fleet, DORMANT)  # they could not be deleted, and the run says so

    crusoe = crusoe_faults(fleet)
    kube = kube_faults(fleet)
    assert kinds(crusoe) == ["fail_operation", "status 503"], crusoe
    assert {n: kinds(f) for n, f in kube.items() if f} == {DORMANT: ["status 503"]}
    injected = len(crusoe) + sum(len(f) for f in kube.values())
    reliability.fault(injected=injected, survived=injected)

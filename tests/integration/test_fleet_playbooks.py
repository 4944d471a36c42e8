# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks users run (neocloud.support_access.audit, enable, disable, revoke, sweep, expire, report_merge) over a
simulated fleet: the Crusoe API simulator and the Kubernetes emulator hold the same six clusters, the hosts come from
the neocloud.support_access.crusoe inventory plugin, and each run is real ansible-playbook with forks."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from fleet_state import helm_releases, lease_state, pod_names, rule_sources, support_bindings, support_settings
from sim.fleet import GPU_DAEMONSET, NODE_SHELL, SUPPORT_VPN, build_fleet

RESTRICTED = "203.0.113.0/24"
# The default seed mix, by cluster name (see sim.fleet.SCENARIOS).
ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC = (
    "training-prod", "inference", "research-a", "batch-eu", "notebooks", "staging")
EXPECTED_AUDIT = {
    ENGAGED: ("compliant", []),
    EXPIRED: ("noncompliant", ["lease-expired-access-open"]),
    UNLEASED: ("noncompliant", ["support-access-without-lease"]),
    CLEAN: ("compliant", []),
    DORMANT: ("noncompliant", ["support-bindings-without-access"]),
    DIAGNOSTIC: ("noncompliant", ["diagnostic-pods-present"]),
}


@pytest.fixture(scope="module")
def fleet_session(kube_emulator, tmp_path_factory):
    """One fleet of six clusters for this module (the session's emulator, its own Crusoe simulator and chart repo)."""
    built = build_fleet(6, emulator=kube_emulator, workdir=str(tmp_path_factory.mktemp("fleet")))
    assert built.names == [ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC]
    try:
        yield built
    finally:
        built.stop()


@pytest.fixture
def fleet(fleet_session):
    """The shared fleet, back in its seeded state with empty request logs."""
    return fleet_session.reset()


def run(ansible_playbook, fleet, playbook, tmp_path, extra=None, inventory=None, **kwargs):
    extra_vars = {"support_access_report_dir": str(tmp_path / "reports")}
    extra_vars.update(extra or {})
    kwargs.setdefault("forks", 6)
    return ansible_playbook("neocloud.support_access.%s" % playbook, inventory=inventory or fleet.inventory,
                            extra_vars=extra_vars, env=fleet.env(), **kwargs)


def report(tmp_path, basename="support-access-report"):
    with open(str(tmp_path / "reports" / (basename + ".json")), encoding="utf-8") as handle:
        doc = json.load(handle)
    return doc, {c["cluster"]: c for c in doc["clusters"]}


def codes(cluster):
    return sorted(f["code"] for f in cluster["findings"])


def stats(res):
    found = [e["result"]["ansible_stats"]["data"] for e in res.results()
             if "ansible_stats" in (e.get("result") or {})]
    assert len(found) == 1, res.stdout
    return found[0]


def no_writes(fleet):
    assert fleet.crusoe_writes() == []
    assert fleet.kube_writes() == {}


def assert_closed(fleet, name):
    """Everything support could use is gone from the cluster and from the Crusoe API."""
    assert support_settings(fleet, name)["access_enabled"] is False, name
    assert SUPPORT_VPN not in rule_sources(fleet, name), name
    assert helm_releases(fleet, name) == [], name
    assert support_bindings(fleet, name) == [], name
    assert lease_state(fleet, name) in (None, "closed"), name
    assert not [p for p in pod_names(fleet, name) if p.startswith("node-shell-")], name


def writes_touch_only(fleet, names):
    """Every Crusoe write is about one of ``names`` (its cluster or its firewall rule); no other cluster was written."""
    ids = [fleet.cluster_id(n) for n in names] + [fleet.rule_id(n) for n in names]
    stray = [w for w in fleet.crusoe_writes() if not any(i in w["path"] for i in ids)]
    assert stray == [], stray
    assert set(fleet.kube_writes()) <= set(names), sorted(fleet.kube_writes())


def policy_inventory(fleet, tmp_path, group_vars):
    """A copy of the fleet inventory with group_vars next to it."""
    inv_dir = tmp_path / "inventory"
    (inv_dir / "group_vars").mkdir(parents=True)
    shutil.copy(fleet.inventory, str(inv_dir / "fleet.crusoe.yml"))
    for group, data in group_vars.items():
        (inv_dir / "group_vars" / ("%s.yml" % group)).write_text(json.dumps(data))
    return str(inv_dir / "fleet.crusoe.yml")


def test_audit_is_read_only_applies_policy_and_fails_only_on_findings(ansible_playbook, fleet, tmp_path):
    res = run(ansible_playbook, fleet, "audit", tmp_path, {"support_access_fail_on_findings": True})
    assert res.rc != 0
    assert res.changed == 0, res.recap
    no_writes(fleet)
    failure = res.result("Fail the run when a cluster breaks the policy (support_access_fail_on_findings)")
    assert failure["status"] == "failed"
    for name in (EXPIRED, UNLEASED, DORMANT, DIAGNOSTIC):
        assert name in failure["result"]["msg"]
    assert ENGAGED not in failure["result"]["msg"] and CLEAN not in failure["result"]["msg"]
    doc, clusters = report(tmp_path)
    assert sorted(clusters) == sorted(fleet.names)
    for name, (verdict, expected) in EXPECTED_AUDIT.items():
        assert (clusters[name]["verdict"], codes(clusters[name])) == (verdict, expected), clusters[name]
        assert clusters[name]["playbook"] == "audit" and clusters[name]["reachable"] is True
        assert clusters[name]["cluster_id"] == fleet.cluster_id(name) and clusters[name]["error"] == ""
    engaged = clusters[ENGAGED]
    assert engaged["project"] == "ml" and engaged["provider"] == "crusoe"
    assert engaged["api"]["access_enabled"] is True and engaged["api"]["roles"] == ["readonly", "operator"]
    assert [(r["role"], r["ticket"], r["status"]) for r in engaged["api"]["active_requests"]] == [("operator", "ZD#4241", "active")]
    assert engaged["chart"]["installed"] is True and engaged["chart"]["version"] == "0.2.0"
    assert engaged["firewall"]["restricted"] is True and engaged["firewall"]["support_source_present"] is True
    assert engaged["lease"]["status"] == "active" and engaged["lease"]["ticket"] == "ZD-4241"
    assert engaged["rbac"]["bindings"] and engaged["rbac"]["probes_allowed"] > 0
    assert clusters[UNLEASED]["firewall"]["restricted"] is False
    assert [p["name"] for p in clusters[DIAGNOSTIC]["pods"]["confirmed"]] == [NODE_SHELL]
    assert clusters[CLEAN]["chart"]["installed"] is False and clusters[CLEAN]["lease"]["status"] == "none"
    summary = stats(res)["support_access"]
    assert summary["verdicts"]["compliant"] == 2 and summary["noncompliant"] == sorted([EXPIRED, UNLEASED, DORMANT, DIAGNOSTIC])
    assert doc["summary"]["failed"] == summary["failed"]

    # without fail_on_findings a noncompliant cluster does not fail the run; -l limits the run and the report
    res = run(ansible_playbook, fleet, "audit", tmp_path, limit="%s,%s" % (ENGAGED, DORMANT), check=True, diff=True)
    assert res.rc == 0, res.stdout
    clusters = report(tmp_path)[1]
    assert {n: c["verdict"] for n, c in clusters.items()} == {ENGAGED: "compliant", DORMANT: "noncompliant"}

    # with it, a compliant selection passes
    res = run(ansible_playbook, fleet, "audit", tmp_path, {"support_access_fail_on_findings": True}, limit="%s,%s" % (ENGAGED, CLEAN))
    assert res.rc == 0, res.stdout
    no_writes(fleet)

    # a group's policy (inventory group_vars) makes the same cluster noncompliant
    inventory = policy_inventory(fleet, tmp_path, {"crusoe_ml": {"support_access_policy": {
        "allowed_roles": ["readonly"], "allow_firewall_opening": False}}})
    res = run(ansible_playbook, fleet, "audit", tmp_path, {"support_access_fail_on_findings": True}, inventory=inventory,
              limit="%s,%s" % (ENGAGED, CLEAN))
    assert res.rc != 0
    clusters = report(tmp_path)[1]
    assert codes(clusters[ENGAGED]) == ["firewall-opening-not-allowed", "role-not-allowed"]
    assert clusters[CLEAN]["verdict"] == "compliant"


def test_audit_names_an_unreachable_cluster_and_finishes_the_rest(ansible_playbook, fleet, tmp_path):
    fleet.kube(DIAGNOSTIC).set_fault("unreachable")
    res = run(ansible_playbook, fleet, "audit", tmp_path, limit="%s,%s,%s" % (DIAGNOSTIC, ENGAGED, EXPIRED))
    assert res.rc != 0
    assert res.recap[DIAGNOSTIC]["failed"] == 1
    assert res.recap[ENGAGED]["failed"] == 0 and res.recap[EXPIRED]["failed"] == 0, res.recap
    clusters = report(tmp_path)[1]
    down = clusters[DIAGNOSTIC]
    assert down["verdict"] == "unreachable" and down["reachable"] is False and codes(down) == ["unreachable"]
    assert "cannot reach" in down["error"] or "connection" in down["error"].lower(), down["error"]
    assert down["api"]["access_enabled"] is False  # the provider API still answered
    for name in (ENGAGED, EXPIRED):
        assert (clusters[name]["verdict"], codes(clusters[name])) == EXPECTED_AUDIT[name], clusters[name]
    assert stats(res)["support_access"]["unreachable"] == [DIAGNOSTIC]
    no_writes(fleet)


def test_revoke_needs_confirm_checks_without_writing_and_revokes_the_whole_fleet(ansible_playbook, fleet, tmp_path):
    res = run(ansible_playbook, fleet, "revoke", tmp_path)
    assert res.rc != 0
    assert sorted(h for h, r in res.recap.items() if r["failed"]) == sorted(fleet.names)
    assert "support_access_confirm=true" in res.stdout
    no_writes(fleet)
    clusters = report(tmp_path)[1]
    assert all("support_access_confirm=true" in clusters[n]["error"] for n in fleet.names)

    res = run(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True}, check=True, diff=True)
    assert res.rc == 0, res.stdout
    no_writes(fleet)
    clusters = report(tmp_path)[1]
    assert "would have disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"]
    assert "would have deleted diagnostic pod kube-system/%s" % NODE_SHELL in clusters[DIAGNOSTIC]["actions"]

    # one cluster down: it is reported unreachable, every other one is revoked and verified
    fleet.kube(EXPIRED).set_fault("unreachable")
    res = run(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True})
    assert res.rc != 0
    assert [h for h, r in res.recap.items() if r["failed"]] == [EXPIRED], res.recap
    clusters = report(tmp_path)[1]
    assert clusters[EXPIRED]["verdict"] == "unreachable"
    for name in fleet.names:
        if name != EXPIRED:
            assert clusters[name]["verdict"] == "revoked", clusters[name]
            assert_closed(fleet, name)
    assert "disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"]
    assert "deleted diagnostic pod kube-system/%s" % NODE_SHELL in clusters[DIAGNOSTIC]["actions"]
    assert len([p for p in pod_names(fleet, DIAGNOSTIC) if p.startswith(GPU_DAEMONSET)]) == 1  # look-alike kept
    assert RESTRICTED in rule_sources(fleet, ENGAGED)

    fleet.kube(EXPIRED).clear_faults()
    fleet.clear_logs()
    res = run(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True}, limit=EXPIRED)
    assert res.rc == 0, res.stdout
    assert report(tmp_path)[1][EXPIRED]["verdict"] == "revoked"
    assert_closed(fleet, EXPIRED)
    writes_touch_only(fleet, [EXPIRED])

    fleet.clear_logs()
    res = run(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True})
    assert res.rc == 0, res.stdout
    assert res.changed == 0, res.stdout
    no_writes(fleet)
    assert {n: (c["verdict"], c["actions"]) for n, c in report(tmp_path)[1].items()} == dict.fromkeys(fleet.names, ("revoked", []))
    for name in fleet.names:
        assert_closed(fleet, name)


def test_expire_revokes_only_what_ran_out(ansible_playbook, fleet, tmp_path):
    res = run(ansible_playbook, fleet, "expire", tmp_path)
    assert res.rc != 0
    assert "support_access_expire_confirm=true" in res.stdout
    no_writes(fleet)

    res = run(ansible_playbook, fleet, "expire", tmp_path, {"support_access_expire_confirm": True})
    assert res.rc == 0, res.stdout
    assert_closed(fleet, EXPIRED)
    writes_touch_only(fleet, [EXPIRED])
    assert support_settings(fleet, ENGAGED)["access_enabled"] and support_settings(fleet, UNLEASED)["access_enabled"]
    assert lease_state(fleet, ENGAGED) == "active" and helm_releases(fleet, DORMANT)
    clusters = report(tmp_path)[1]
    assert clusters[EXPIRED]["actions"][0].startswith("revoked: lease ZD-4242 expired at ")
    assert clusters[EXPIRED]["verdict"] == "compliant" and clusters[EXPIRED]["lease"]["status"] == "closed"
    assert all(clusters[n]["actions"] == [] for n in fleet.names if n != EXPIRED)

    fleet.clear_logs()
    res = run(ansible_playbook, fleet, "expire", tmp_path, {"support_access_expire_confirm": True,
                                                            "support_access_expire_unleased": True})
    assert res.rc == 0, res.stdout
    assert_closed(fleet, UNLEASED)
    writes_touch_only(fleet, [UNLEASED])
    assert support_settings(fleet, ENGAGED)["access_enabled"] and lease_state(fleet, ENGAGED) == "active"


def test_enable_never_opens_the_fleet_by_accident(ansible_playbook, fleet, tmp_path):
    """No target: refused. More clusters than support_access_max_clusters: refused, naming how many and which,
    unless support_access_fleet_confirm=true. --check stops the same way; nothing reaches any API."""
    extra = {"support_access_chart_repo_url": fleet.chart_repo.url, "support_access_ticket": "ZD-1237"}
    fleet.clear_logs()
    for check in (True, False):
        res = run(ansible_playbook, fleet, "enable", tmp_path, extra, check=check)
        assert res.rc != 0
        assert ("enable needs an explicit target and never runs on the whole inventory (%d cluster(s) here): name the "
                "clusters with -l CLUSTER" % len(fleet.names)) in " ".join(res.stdout.split())
        no_writes(fleet)
        assert not (tmp_path / "reports").exists()

    two = "%s,%s" % (CLEAN, DORMANT)
    res = run(ansible_playbook, fleet, "enable", tmp_path, extra, limit=two, check=True)
    assert res.rc != 0
    text = " ".join(res.stdout.split())
    assert "enable would open support access on 2 clusters (%s, %s), more than support_access_max_clusters=1" % (
        CLEAN, DORMANT) in text or "enable would open support access on 2 clusters (%s, %s), more than" % (
        DORMANT, CLEAN) in text
    assert "support_access_fleet_confirm=true" in text
    res = run(ansible_playbook, fleet, "enable", tmp_path, dict(extra, support_access_max_clusters=2), limit=two,
              check=True)
    assert res.rc == 0, res.stdout
    res = run(ansible_playbook, fleet, "enable", tmp_path, dict(extra, support_access_fleet_confirm=True), limit=two,
              check=True)
    assert res.rc == 0, res.stdout
    no_writes(fleet)  # check mode


def test_enable_with_a_ticket_then_audit_shows_the_lease(ansible_playbook, fleet, tmp_path):
    extra = {"support_access_chart_repo_url": fleet.chart_repo.url}
    res = run(ansible_playbook, fleet, "enable", tmp_path, extra, limit=CLEAN)
    assert res.rc != 0
    assert "needs a ticket" in res.stdout
    no_writes(fleet)

    extra.update(support_access_ticket="ZD-7777", support_access_roles=["readonly", "operator"],
                 support_access_duration="4h", support_access_reason="CMK Node Not Ready on gpu-3")
    res = run(ansible_playbook, fleet, "enable", tmp_path, extra, limit=CLEAN)
    assert res.rc == 0, res.stdout
    settings = support_settings(fleet, CLEAN)
    assert settings["access_enabled"] is True
    assert sorted(settings["enabled_roles"]) == ["SUPPORT_ACCESS_ROLE_OPERATOR", "SUPPORT_ACCESS_ROLE_READONLY"]
    assert helm_releases(fleet, CLEAN) and support_bindings(fleet, CLEAN)
    assert SUPPORT_VPN in rule_sources(fleet, CLEAN) and lease_state(fleet, CLEAN) == "active"
    writes_touch_only(fleet, [CLEAN])
    enabled = report(tmp_path)[1][CLEAN]
    assert enabled["playbook"] == "enable" and enabled["verdict"] == "compliant"
    assert any(a.startswith("recorded the lease ZD-7777 until ") for a in enabled["actions"])

    res = run(ansible_playbook, fleet, "audit", tmp_path, {"support_access_fail_on_findings": True}, limit=CLEAN)
    assert res.rc == 0, res.stdout
    audited = report(tmp_path)[1][CLEAN]
    assert audited["verdict"] == "compliant" and audited["findings"] == []
    assert audited["lease"]["status"] == "active" and audited["lease"]["ticket"] == "ZD-7777"
    assert audited["lease"]["reason"] == "CMK Node Not Ready on gpu-3"
    assert sorted(audited["lease"]["roles"]) == ["operator", "readonly"]
    assert audited["api"]["access_enabled"] is True and audited["firewall"]["support_source_present"] is True


def test_disable_and_sweep(ansible_playbook, fleet, tmp_path):
    res = run(ansible_playbook, fleet, "disable", tmp_path, limit=ENGAGED)
    assert res.rc == 0, res.stdout
    assert support_settings(fleet, ENGAGED)["access_enabled"] is False
    assert lease_state(fleet, ENGAGED) == "closed" and helm_releases(fleet, ENGAGED)
    disabled = report(tmp_path)[1][ENGAGED]
    assert disabled["actions"] == ["disabled support access in the Crusoe API", "closed the lease ZD-4241"]
    assert codes(disabled) == ["support-bindings-without-access"]

    fleet.clear_logs()
    res = run(ansible_playbook, fleet, "sweep", tmp_path, limit=DIAGNOSTIC)
    assert res.rc == 0, res.stdout
    no_writes(fleet)
    assert NODE_SHELL in pod_names(fleet, DIAGNOSTIC)
    assert [p["name"] for p in report(tmp_path)[1][DIAGNOSTIC]["pods"]["confirmed"]] == [NODE_SHELL]

    res = run(ansible_playbook, fleet, "sweep", tmp_path, {"support_access_confirm": True}, limit=DIAGNOSTIC)
    assert res.rc == 0, res.stdout
    pods = pod_names(fleet, DIAGNOSTIC)
    assert NODE_SHELL not in pods and [p for p in pods if p.startswith(GPU_DAEMONSET)]
    swept = report(tmp_path)[1][DIAGNOSTIC]
    assert swept["actions"] == ["deleted diagnostic pod kube-system/%s" % NODE_SHELL]
    assert swept["verdict"] == "compliant"
    writes_touch_only(fleet, [DIAGNOSTIC])
    assert not fleet.crusoe_writes()


def _doc(clusters):
    return {"schema": 1, "title": "slice", "generated_at": "2026-11-22T10:00:00Z", "clusters": clusters}


def _cluster(name, verdict, checked_at, **extra):
    data = {"schema": 1, "cluster": name, "provider": "crusoe", "playbook": "audit", "checked_at": checked_at,
            "reachable": verdict != "unreachable", "findings": [], "verdict": verdict, "error": ""}
    data.update(extra)
    return data


def test_report_merge_joins_slices(ansible_playbook, tmp_path):
    slices = tmp_path / "slices"
    slices.mkdir()
    (slices / "slice-1.json").write_text(json.dumps(_doc([
        _cluster("a", "compliant", "2026-11-22T10:00:00Z"),
        _cluster("b", "noncompliant", "2026-11-22T10:00:00Z",
                 findings=[{"severity": "high", "code": "support-access-without-lease", "message": "x"}])])))
    (slices / "slice-2.json").write_text(json.dumps(_doc([
        _cluster("b", "compliant", "2026-11-22T11:00:00Z"), _cluster("c", "compliant", "2026-11-22T11:00:00Z")])))
    extra = {"support_access_report_sources": [str(slices / "slice-*.json")], "support_access_report_dir": str(tmp_path / "reports"),
             "support_access_report_basename": "fleet", "support_access_fail_on_findings": True}
    res = ansible_playbook("neocloud.support_access.report_merge", extra_vars=extra)
    assert res.rc == 0, res.stdout
    doc, clusters = report(tmp_path, "fleet")
    assert {n: c["verdict"] for n, c in clusters.items()} == {"a": "compliant", "b": "compliant", "c": "compliant"}
    assert os.path.exists(str(tmp_path / "reports" / "fleet.html"))
    assert stats(res)["support_access"]["clusters"] == 3

    (slices / "slice-3.json").write_text(json.dumps(_doc([
        _cluster("d", "unreachable", "2026-11-22T11:00:00Z", error="cannot reach the API server")])))
    res = ansible_playbook("neocloud.support_access.report_merge", extra_vars=extra)
    assert res.rc != 0
    assert "d" in res.result("Fail the run when a cluster breaks the policy (support_access_fail_on_findings)")["result"]["msg"]

    res = ansible_playbook("neocloud.support_access.report_merge", extra_vars={"support_access_report_dir": str(tmp_path)})
    assert res.rc != 0 and "set support_access_report_sources" in res.stdout

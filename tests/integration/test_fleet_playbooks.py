# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks users run (neocloud.support_access.audit, enable, disable, revoke, sweep, expire, report_merge) over a
simulated fleet: the Crusoe API simulator and the Kubernetes emulator hold the same six clusters, the hosts come from
the neocloud.support_access.crusoe inventory plugin, and each run is real ansible-playbook with forks."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from fleet_state import latest_report, helm_releases, lease_state, pod_names, rule_sources, support_bindings, support_settings
from sim.fleet import GPU_DAEMONSET, NODE_SHELL, SUPPORT_VPN, build_fleet

RESTRICTED = "203.0.113.0/24"
# The default seed mix, by cluster name (see sim.fleet.SCENARIOS).
ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC = (
    "training-prod", "inference", "research-a", "batch-eu", "notebooks", "staging")
EXPECTED_AUDIT = {
    ENGAGED: ("compliant", []),
    EXPIRED: ("noncompliant", ["lease-expired-access-open"]),
    # its control-plane rule is open to all (0.0.0.0/0), which admits the support VPN too
    UNLEASED: ("noncompliant", ["firewall-admits-support-vpn", "support-access-without-lease"]),
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
    kwargs.setdefault("env", fleet.env())
    return ansible_playbook("neocloud.support_access.%s" % playbook, inventory=inventory or fleet.inventory,
                            extra_vars=extra_vars, **kwargs)


def report(tmp_path, basename=None):
    """The JSON report of the last run (reports/latest-<playbook>.json), or the one named ``basename``."""
    path = latest_report(tmp_path / "reports") if basename is None else str(tmp_path / "reports" / (basename + ".json"))
    with open(path, encoding="utf-8") as handle:
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
    res = run(ansible_playbook, fleet, "audit", tmp_path, {"support_access_fail_on_findings": True}, env=terminal(fleet))
    assert res.rc != 0
    assert res.changed == 0, res.recap
    no_writes(fleet)
    # the terminal: one line per cluster with its verdict (the failure is not said again), then the fleet
    for name, (verdict, expected) in EXPECTED_AUDIT.items():
        lines = cluster_lines(res, name)
        assert len(lines) == 1 and lines[0].split()[1] == verdict.upper(), (name, res.stdout)
        assert all(code in lines[0] for code in expected), lines
    assert "open: api/support-access, helm/crusoe-support-roles" in cluster_lines(res, ENGAGED)[0]
    assert "lease ZD-4241 active until " in cluster_lines(res, ENGAGED)[0]
    assert "\naudit: 6 cluster(s): 2 compliant, 4 noncompliant\n" in res.stdout, res.stdout
    # open now: whatever the verdict (the engaged cluster is compliant, and open)
    assert "  open now (5): %s\n" % ", ".join(sorted(set(fleet.names) - {CLEAN})) in res.stdout, res.stdout
    assert re.search(r"^  report: reports/\d{8}T\d{6}Z-audit\.html \(and ", res.stdout, re.M), res.stdout
    assert "TASK [" not in res.stdout and "ok: [" not in res.stdout and "skipping: [" not in res.stdout
    # each cluster that breaks the policy fails, and only those: the PLAY RECAP names them
    gate = "Fail the clusters whose run failed, and with support_access_fail_on_findings those that break the policy"
    for name in (EXPIRED, UNLEASED, DORMANT, DIAGNOSTIC):
        failure = res.result(gate, host=name)
        assert failure["status"] == "failed" and failure["result"]["msg"].startswith("cluster %s: NONCOMPLIANT: " % name)
        assert res.recap[name]["failed"] == 1, res.recap
    for name in (ENGAGED, CLEAN):
        assert res.result(gate, host=name)["status"] == "skipped" and res.recap[name]["failed"] == 0, res.recap
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
    assert down["verdict"] == "unreachable" and down["reachable"] is False and codes(down) == ["unknown", "unreachable"]
    assert [f["sections"] for f in down["findings"] if f["code"] == "unknown"] == [["rbac", "chart", "pods", "lease"]]
    assert "cannot reach" in down["error"] or "connection" in down["error"].lower(), down["error"]
    assert down["api"]["access_enabled"] is False  # the provider API still answered
    for name in (ENGAGED, EXPIRED):
        assert (clusters[name]["verdict"], codes(clusters[name])) == EXPECTED_AUDIT[name], clusters[name]
    assert stats(res)["support_access"]["unreachable"] == [DIAGNOSTIC]
    no_writes(fleet)


def test_audit_judges_only_what_it_read(ansible_playbook, fleet, tmp_path):
    """A cluster with an active lease whose lease ConfigMap answers 403, then whose kubeconfig context is wrong: each
    time its report says error, names what was not read and why, and claims no support-access-without-lease (the
    provider API still says access is enabled); what was read is still judged."""
    fleet.kube(ENGAGED).set_fault("status", code=403, path_contains="/configmaps/neocloud-support-access-lease", count=10 ** 6)
    res = run(ansible_playbook, fleet, "audit", tmp_path, limit="%s,%s" % (ENGAGED, CLEAN))
    assert res.rc != 0
    assert res.recap[ENGAGED]["failed"] == 1 and res.recap[CLEAN]["failed"] == 0, res.recap
    no_writes(fleet)
    clusters = report(tmp_path)[1]
    engaged = clusters[ENGAGED]
    assert engaged["verdict"] == "error" and engaged["reachable"] is True, engaged
    assert engaged["api"]["access_enabled"] is True and engaged["lease"] is None
    assert codes(engaged) == ["unknown"], engaged["findings"]
    assert "step 'read the lease' failed" in engaged["error"] and "403" in engaged["error"], engaged["error"]
    assert list(engaged["unread"]) == ["lease"] and "403" in engaged["unread"]["lease"]
    unknown = engaged["findings"][0]
    assert unknown["severity"] == "unknown" and unknown["sections"] == ["lease"]
    assert unknown["message"].startswith("not read, so not judged: lease (step 'read the lease' failed")
    assert engaged["rbac"]["bindings"] and engaged["chart"]["installed"] is True  # read, and judged
    assert clusters[CLEAN]["verdict"] == "compliant" and clusters[CLEAN]["unread"] == {}

    fleet.kube(ENGAGED).clear_faults()
    inventory = policy_inventory(fleet, tmp_path, {})
    host_vars = tmp_path / "inventory" / "host_vars"
    host_vars.mkdir()
    (host_vars / ("%s.yml" % ENGAGED)).write_text(json.dumps({"support_access_context": "nowhere"}))
    res = run(ansible_playbook, fleet, "audit", tmp_path, inventory=inventory, limit=ENGAGED)
    assert res.rc != 0
    engaged = report(tmp_path)[1][ENGAGED]
    assert engaged["verdict"] == "error" and engaged["api"]["access_enabled"] is True, engaged
    assert codes(engaged) == ["unknown"] and "nowhere" in engaged["error"], engaged
    assert sorted(engaged["unread"]) == ["chart", "lease", "pods", "rbac"]
    assert "nowhere" in engaged["unread"]["rbac"]
    assert engaged["unread"]["lease"] == "not tried after step 'scan the support RBAC' failed"
    markdown = open(latest_report(tmp_path / "reports", "audit", ".md"), encoding="utf-8").read()
    assert "- **unknown**: not read, so not judged: " in markdown
    no_writes(fleet)


def test_audit_reconciles_the_providers_requests_with_the_lease_ticket(ansible_playbook, fleet, tmp_path):
    """The engaged cluster's lease names ZD-4241 and its provider request ZD#4241 (the same ticket); a second active
    request under ZD#9999 is a ticket-mismatch. A cluster without a lease is support-access-without-lease (and its
    rule, open to all, admits the support VPN), no ticket-mismatch."""
    settings = support_settings(fleet, ENGAGED)
    with fleet.crusoe.lock:
        settings["active_requests"].append(dict(settings["active_requests"][0], ticket_ref="ZD#9999",
                                                requestor_id="00ff00ff001", cert_serial="9f9f"))
    res = run(ansible_playbook, fleet, "audit", tmp_path, limit="%s,%s" % (ENGAGED, UNLEASED))
    assert res.rc == 0, res.stdout
    no_writes(fleet)
    clusters = report(tmp_path)[1]
    engaged = clusters[ENGAGED]
    assert [(r["ticket"], r["requestor_id"]) for r in engaged["api"]["active_requests"]] == [
        ("ZD#4241", "00ab12cd5d1"), ("ZD#9999", "00ff00ff001")]
    assert engaged["lease"]["ticket"] == "ZD-4241"
    assert engaged["verdict"] == "noncompliant" and codes(engaged) == ["ticket-mismatch"], engaged["findings"]
    assert engaged["findings"][0]["message"] == (
        "request cert 9f9f by 00ff00ff001 (cmk-support) works under ticket ZD#9999; the active lease names ZD-4241")
    assert codes(clusters[UNLEASED]) == ["firewall-admits-support-vpn", "support-access-without-lease"]


def terminal(fleet):
    """The environment of a run that prints with the collection's stdout callback (what a person reads)."""
    return dict(fleet.env(), ANSIBLE_STDOUT_CALLBACK="neocloud.support_access.fleet")


def cluster_lines(res, name):
    """The output lines about one cluster (its progress line and any failure), the PLAY RECAP left out."""
    return [line for line in res.stdout.split("PLAY RECAP")[0].splitlines() if line.split()[:1] == [name]]


def test_revoke_needs_confirm_checks_without_writing_and_revokes_the_whole_fleet(ansible_playbook, fleet, tmp_path):
    # without the confirmation: refused once, before any cluster is read, and no report that could mislead
    res = run(ansible_playbook, fleet, "revoke", tmp_path, env=terminal(fleet))
    assert res.rc != 0
    assert list(res.recap) == ["localhost"] and res.recap["localhost"]["failed"] == 1, res.recap
    text = " ".join(res.stdout.split())
    assert text.count("needs -e support_access_confirm=true") == 1, res.stdout
    assert "--check --diff" in text and "Nothing was read or changed and no report was written" in text
    assert not (tmp_path / "reports").exists()
    no_writes(fleet)
    assert all(fleet.kube(n).request_log() == [] for n in fleet.names)
    # with -l (localhost is then outside the run): the clusters named are refused, the message said once
    res = run(ansible_playbook, fleet, "revoke", tmp_path, env=terminal(fleet), limit="%s,%s" % (ENGAGED, EXPIRED))
    assert res.rc != 0 and sorted(res.recap) == sorted([ENGAGED, EXPIRED]), res.recap
    assert " ".join(res.stdout.split()).count("needs -e support_access_confirm=true") == 1, res.stdout
    assert not (tmp_path / "reports").exists()
    no_writes(fleet)
    assert all(fleet.kube(n).request_log() == [] for n in fleet.names)

    # --check: a banner first and last, verdicts that say what a revoke would do, never "not revoked"
    res = run(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True}, check=True, diff=True,
              env=terminal(fleet))
    assert res.rc == 0, res.stdout
    no_writes(fleet)
    assert res.stdout.startswith("revoke: DRY RUN (--check): nothing is changed"), res.stdout[:500]
    assert "NOT_REVOKED" not in res.stdout and "not_revoked" not in res.stdout
    doc, clusters = report(tmp_path)
    assert doc["check_mode"] is True and doc["playbook"] == "revoke"
    assert os.path.basename(latest_report(tmp_path / "reports")) == "latest-revoke.json"
    assert {n: c["verdict"] for n, c in clusters.items()} == dict(
        {n: "would_revoke" for n in fleet.names}, **{CLEAN: "revoked"}), res.stdout
    assert "would have disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"]
    assert "would have deleted diagnostic pod kube-system/%s" % NODE_SHELL in clusters[DIAGNOSTIC]["actions"]
    for name in fleet.names:
        line = cluster_lines(res, name)
        assert len(line) == 1 and line[0].split()[1] == clusters[name]["verdict"].upper(), (name, res.stdout)
    assert "would close: api/support-access" in cluster_lines(res, ENGAGED)[0]
    assert "revoke (dry run, --check): 6 cluster(s): 1 revoked, 5 would_revoke" in res.stdout, res.stdout
    # the run's own files and the latest copy, relative to where ansible-playbook ran
    assert re.search(r"^  report: reports/\d{8}T\d{6}Z-revoke\.html \(and ", res.stdout, re.M), res.stdout
    assert "\n  latest: reports/latest-revoke.html\n" in res.stdout

    # one cluster down: it is reported unreachable, once, every other one is revoked and verified
    fleet.kube(EXPIRED).set_fault("unreachable")
    res = run(ansible_playbook, fleet, "revoke", tmp_path, {"support_access_confirm": True}, env=terminal(fleet))
    assert res.rc != 0
    assert [h for h, r in res.recap.items() if r["failed"]] == [EXPIRED], res.recap
    assert len(cluster_lines(res, EXPIRED)) == 1 and cluster_lines(res, EXPIRED)[0].split()[1] == "UNREACHABLE", res.stdout
    assert "unknown, could not be read (1): %s" % EXPIRED in res.stdout and "open now (0): none" in res.stdout
    assert "TASK [" not in res.stdout and "Origin:" not in res.stdout
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


@pytest.mark.parametrize("playbook", ["audit", "revoke"])
def test_the_gate_fails_closed_when_the_inventory_yields_no_cluster(ansible_playbook, fleet, tmp_path, playbook):
    """A wrong Crusoe secret, an inventory file the plugin does not accept and support_access_hosts naming no host:
    each run fails with a report that says no cluster was checked; with ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true
    a failed source stops the run with its own error. A limit that matches no host stops ansible-playbook; fewer
    clusters than support_access_expected_clusters fail the run after the report."""
    gate = {"support_access_fail_on_findings": True, "support_access_confirm": True}
    misnamed = tmp_path / "fleet.yml"
    misnamed.write_text(open(fleet.inventory, encoding="utf-8").read())
    cases = ((dict(fleet.env(), CRUSOE_SECRET_KEY="d3JvbmctZmxlZXQtc2VjcmV0"), fleet.inventory, {}),
             (fleet.env(), str(misnamed), {}),
             (fleet.env(), fleet.inventory, {"support_access_hosts": "no-such-cluster"}))
    for env, inventory, extra in cases:
        fleet.clear_logs()
        res = run(ansible_playbook, fleet, playbook, tmp_path, dict(gate, **extra), inventory=inventory, env=env)
        text = " ".join(res.stdout.split())
        assert res.rc != 0, res.stdout
        assert "the inventory yielded no cluster for hosts '%s'" % extra.get("support_access_hosts", "all") in text
        assert "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true" in text and "nothing was checked or changed" in text
        doc = report(tmp_path)[0]
        assert doc["clusters"] == [] and doc["summary"]["ok"] is False
        assert doc["summary"]["problems"][0].startswith("the inventory yielded no cluster")
        no_writes(fleet)
        shutil.rmtree(str(tmp_path / "reports"))
    for env, inventory, _extra in cases[:2]:
        res = run(ansible_playbook, fleet, playbook, tmp_path, gate, inventory=inventory,
                  env=dict(env, ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true"))
        assert res.rc != 0 and "Completely failed to parse inventory source" in res.stdout + res.stderr
    res = run(ansible_playbook, fleet, playbook, tmp_path, gate, limit="no-such-cluster")
    assert res.rc != 0 and "no hosts to target" in res.stdout + res.stderr
    assert fleet.crusoe_writes() == [] and fleet.kube_writes() == {}

    if playbook == "audit":
        res = run(ansible_playbook, fleet, playbook, tmp_path, {"support_access_expected_clusters": len(fleet.names)},
                  limit="%s,%s" % (ENGAGED, CLEAN))
        assert res.rc != 0
        assert "2 of %d expected cluster(s) reported (support_access_expected_clusters=%d)" % (
            len(fleet.names), len(fleet.names)) in " ".join(res.stdout.split())
        doc = report(tmp_path)[0]
        assert len(doc["clusters"]) == 2 and doc["summary"]["ok"] is False
        res = run(ansible_playbook, fleet, playbook, tmp_path, {"support_access_expected_clusters": len(fleet.names)})
        assert report(tmp_path)[0]["summary"]["problems"] == []


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
        # refused on localhost, in the run's first play: no cluster is blamed in the PLAY RECAP
        assert list(res.recap) == ["localhost"] and res.recap["localhost"]["failed"] == 1, res.recap

    two = "%s,%s" % (CLEAN, DORMANT)
    res = run(ansible_playbook, fleet, "enable", tmp_path, extra, limit=two, check=True)
    # -l leaves localhost out: the clusters named are refused, each with the same words, in the first play
    assert res.rc != 0 and sorted(res.recap) == sorted([CLEAN, DORMANT]), res.recap
    assert all(r["failed"] == 1 and r["changed"] == 0 for r in res.recap.values()), res.recap
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


def test_enable_enforces_policy_lease_and_requests_before_any_write(ansible_playbook, fleet, tmp_path):
    """The policy (allowed_roles, max_lease, allow_firewall_opening), a live lease and an active request's role are
    checked on each cluster before anything changes; each refusal names the key, where the policy is defined and the
    cluster. support_access_extend=true changes a live lease and keeps the old one in its history."""
    extra = {"support_access_chart_repo_url": fleet.chart_repo.url, "support_access_ticket": "ZD-9",
             "support_access_roles": ["readonly", "operator"], "support_access_duration": "8h"}
    inventory = policy_inventory(fleet, tmp_path, {"crusoe_ml": {"support_access_policy": {
        "allowed_roles": ["readonly"], "max_lease": "4h", "allow_firewall_opening": False}}})
    for check in (True, False):
        fleet.clear_logs()
        res = run(ansible_playbook, fleet, "enable", tmp_path, extra, inventory=inventory, limit=EXPIRED, check=check)
        assert res.rc != 0
        text = " ".join(res.stdout.split())
        source = "of support_access_policy (group_vars of crusoe_ml)"
        assert "cluster '%s': enable refused: role(s) operator: not in allowed_roles [readonly] %s" % (EXPIRED, source) in text
        assert "duration 8h: longer than max_lease 4h %s" % source in text
        assert "allow_firewall_opening is false in support_access_policy (group_vars of crusoe_ml)" in text
        assert "nothing was changed" in text
        no_writes(fleet)

    # within the policy (and without the firewall opening) the same cluster is enabled; the expired lease is history
    res = run(ansible_playbook, fleet, "enable", tmp_path, dict(extra, support_access_roles=["readonly"],
              support_access_duration="4h", support_access_firewall=False), inventory=inventory, limit=EXPIRED)
    assert res.rc == 0, res.stdout
    lease = report(tmp_path)[1][EXPIRED]["lease"]
    assert lease["ticket"] == "ZD-9" and lease["status"] == "active"
    assert [(h["ticket"], h["ended"]) for h in lease["history"]] == [("ZD-4242", "expired")]

    # a live lease (ZD-4241, readonly+operator, an operator request active) is never replaced silently
    fleet.clear_logs()
    res = run(ansible_playbook, fleet, "enable", tmp_path, extra, limit=ENGAGED)
    text = " ".join(res.stdout.split())
    assert res.rc != 0 and "an active lease exists (ticket ZD-4241, requested by alice, roles operator, readonly" in text
    assert "set extend (support_access_extend, support_enable_extend) to true" in text
    no_writes(fleet)
    res = run(ansible_playbook, fleet, "enable", tmp_path, dict(extra, support_access_roles=["readonly"],
              support_access_extend=True), limit=ENGAGED)
    text = " ".join(res.stdout.split())
    assert res.rc != 0 and "an active support request by" in text and "ticket ZD#4241" in text
    assert "uses role operator, which roles readonly would drop" in text
    no_writes(fleet)
    res = run(ansible_playbook, fleet, "enable", tmp_path, dict(extra, support_access_extend=True), limit=ENGAGED)
    assert res.rc == 0, res.stdout
    lease = report(tmp_path)[1][ENGAGED]["lease"]
    assert lease["ticket"] == "ZD-9"
    assert [(h["ticket"], h["requested_by"], h["ended"]) for h in lease["history"]] == [("ZD-4241", "alice", "replaced")]
    # the same request again changes nothing
    fleet.clear_logs()
    res = run(ansible_playbook, fleet, "enable", tmp_path, extra, limit=ENGAGED)
    assert res.rc == 0, res.stdout
    no_writes(fleet)
    assert res.changed == 0, res.recap


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


# What a clean run must not print with Ansible's default warning settings: Ansible's warnings and deprecations, a
# Python library warning (file:line: SomeWarning: ...) and kubernetes.core's "No meaningful diff was generated".
NOISE = re.compile(r"\[DEPRECATION WARNING\]|\[WARNING\]|Warning:|No meaningful diff")
WARNINGS_ON = {"ANSIBLE_DEPRECATION_WARNINGS": "1", "ANSIBLE_LOCALHOST_WARNING": "1",
               "ANSIBLE_INVENTORY_UNPARSED_WARNING": "1"}


def test_a_clean_run_prints_no_warning(ansible_playbook, fleet, tmp_path):
    """audit, enable (the chart installed, the namespace there already), revoke --check --diff and revoke --diff with
    deprecation warnings on, as a user runs them: no warning and no deprecation from the collection's own calls."""
    env = dict(fleet.env(), **WARNINGS_ON)
    runs = (("audit", {}, {}),
            ("enable", {"support_access_chart_repo_url": fleet.chart_repo.url, "support_access_ticket": "ZD-1",
                        "support_access_duration": "4h"}, {"limit": CLEAN, "diff": True}),
            ("revoke", {"support_access_confirm": True}, {"check": True, "diff": True}),
            ("revoke", {"support_access_confirm": True}, {"diff": True}))
    for playbook, extra, options in runs:
        res = run(ansible_playbook, fleet, playbook, tmp_path, extra, env=env, **options)
        assert res.rc == 0, res.stdout + res.stderr
        noise = [line for line in (res.stdout + res.stderr).splitlines() if NOISE.search(line)]
        # a CryptographyDeprecationWarning from ansible-core's own start-up: the .venv predates the cryptography pin of
        # tools/requirements-dev.txt (make setup installs it)
        assert noise == [], "%s %s printed:\n%s" % (playbook, options, "\n".join(noise))
        if playbook == "enable":
            assert helm_releases(fleet, CLEAN), "enable did not install the chart"
    assert helm_releases(fleet, CLEAN) == [] and support_settings(fleet, CLEAN)["access_enabled"] is False

# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode writes nothing: every playbook under playbooks/, run with --check --diff over the simulated fleet with
the variables that make it write for real, leaves the Crusoe API simulator's, every emulated cluster's and the chart
repository's request logs free of writes, and still reports what it would have changed. The same for the CoreWeave
Telemetry Relay modules against the CoreWeave API simulator."""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT, load_report, run_playbook
from sim.coreweave_fixtures import coreweave_env, coreweave_sim  # noqa: F401  pylint: disable=unused-import
from sim.fleet import NODE_SHELL

# The default seed mix of sim.fleet, by cluster name.
ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC = (
    "training-prod", "inference", "research-a", "batch-eu", "notebooks", "staging")
KUBE_READS_ONLY = ("GET", "HEAD", "OPTIONS")


def _would(clusters, name, prefix):
    return [a for a in clusters[name]["actions"] if a.startswith(prefix)]


def expect_audit(res, clusters):
    # read-only for real too: it changes nothing, but it must have looked at every cluster
    assert res.changed == 0, res.recap
    assert clusters[ENGAGED]["verdict"] == "compliant" and clusters[DORMANT]["verdict"] == "noncompliant"
    assert clusters[ENGAGED]["lease"]["status"] == "active"


def expect_enable(res, clusters):
    assert res.recap[CLEAN]["changed"] > 0, res.recap
    assert _would(clusters, CLEAN, "would have installed the Helm chart"), clusters[CLEAN]["actions"]
    assert _would(clusters, CLEAN, "would have enabled support access in the Crusoe API"), clusters[CLEAN]["actions"]
    assert _would(clusters, CLEAN, "would have recorded the lease ZD-9001"), clusters[CLEAN]["actions"]


def expect_disable(res, clusters):
    assert res.recap[ENGAGED]["changed"] > 0, res.recap
    assert "would have disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"], clusters[ENGAGED]


def expect_revoke(res, clusters):
    assert res.recap[ENGAGED]["changed"] > 0, res.recap
    assert "would have disabled support access in the Crusoe API" in clusters[ENGAGED]["actions"], clusters[ENGAGED]
    assert "would have deleted diagnostic pod kube-system/%s" % NODE_SHELL in clusters[DIAGNOSTIC]["actions"]


def expect_sweep(res, clusters):
    assert res.recap[DIAGNOSTIC]["changed"] > 0, res.recap
    assert clusters[DIAGNOSTIC]["actions"] == ["would have deleted diagnostic pod kube-system/%s" % NODE_SHELL]


def expect_expire(res, clusters):
    assert res.recap[EXPIRED]["changed"] > 0 and res.recap[UNLEASED]["changed"] > 0, res.recap
    assert clusters[EXPIRED]["actions"][0].startswith("would revoke: lease ZD-4242 expired at "), clusters[EXPIRED]
    assert clusters[UNLEASED]["actions"][0].startswith("would revoke: support access was on without a lease")
    assert clusters[ENGAGED]["actions"] == [] and res.recap[ENGAGED]["changed"] == 0


def expect_report_merge(res, clusters):
    # its only output is the merged report (written in check mode too); nothing in the fleet
    assert res.rc == 0, res.stdout
    assert sorted(clusters) == sorted([ENGAGED, EXPIRED, UNLEASED, CLEAN, DORMANT, DIAGNOSTIC])


# playbook -> (clusters it runs on, extra vars that make it write for real, what its check run must report).
# Each runs on the clusters where it has something to write plus, for the playbooks that pick their targets, ones
# it must leave alone (the whole fleet six times over would not fit the suite's time budget).
CASES = {
    "audit": (None, {}, expect_audit),
    "enable": ((CLEAN, DORMANT), {"support_access_ticket": "ZD-9001", "support_access_roles": ["readonly", "operator"],
                                  "support_access_duration": "4h", "support_access_reason": "check mode",
                                  "support_access_fleet_confirm": True}, expect_enable),
    "disable": ((ENGAGED, UNLEASED), {"support_access_reason": "check mode"}, expect_disable),
    "revoke": ((ENGAGED, DIAGNOSTIC), {"support_access_confirm": True}, expect_revoke),
    "sweep": ((DIAGNOSTIC, CLEAN), {"support_access_confirm": True}, expect_sweep),
    "expire": ((ENGAGED, EXPIRED, UNLEASED), {"support_access_expire_confirm": True,
                                              "support_access_expire_unleased": True}, expect_expire),
    "report_merge": (None, None, expect_report_merge),  # sources: two report slices, written below
}


def _slice(names, checked_at):
    clusters = [{"schema": 1, "cluster": n, "provider": "crusoe", "playbook": "audit", "checked_at": checked_at,
                 "reachable": True, "findings": [], "verdict": "compliant", "error": ""} for n in names]
    return {"schema": 1, "title": "slice", "generated_at": checked_at, "clusters": clusters}


@pytest.fixture(scope="module")
def seeded_fleet(reliability_fleet_session):
    """The shared fleet reset once for this module: check-mode runs leave it as it is (the writes counters prove it)."""
    return reliability_fleet_session.reset()


def fleet_writes(fleet):
    """Every write request that reached a simulator since the last clear_logs(), whatever its answer:
    Crusoe API POST/PUT/PATCH/DELETE, cluster mutating requests that were not dry runs or reviews, chart repo non-reads."""
    writes = ["crusoe %s %s" % (e["method"], e["path"]) for e in fleet.crusoe.request_log() if e["write"]]
    for name in fleet.names:
        writes += ["%s %s %s" % (name, e["method"], e["path"]) for e in fleet.kube(name).request_log()
                   if e["mutating"] and not e["dry_run"] and not e.get("review")]
    writes += ["chartrepo %s %s" % (e["method"], e["path"]) for e in fleet.chart_repo.request_log()
               if e["method"] not in KUBE_READS_ONLY]
    return writes


def test_every_playbook_is_covered():
    shipped = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(ROOT, "playbooks"))
                     if f.endswith((".yml", ".yaml")))
    assert shipped and shipped == sorted(CASES), "playbooks without a check-mode scenario: %s" % (
        sorted(set(shipped) - set(CASES)))


@pytest.mark.parametrize("playbook", sorted(CASES))
def test_playbook_check_mode_writes_nothing(ansible_playbook, seeded_fleet, tmp_path, reliability, playbook):
    fleet = seeded_fleet
    limit, extra, expect = CASES[playbook]
    if playbook == "enable":
        extra = dict(extra, support_access_chart_repo_url=fleet.chart_repo.url)
    if playbook == "report_merge":
        slices = tmp_path / "slices"
        slices.mkdir()
        half = len(fleet.names) // 2
        for index, names in enumerate((fleet.names[:half], fleet.names[half:]), start=1):
            (slices / ("slice-%d.json" % index)).write_text(json.dumps(_slice(names, "2026-11-22T1%d:00:00Z" % index)))
        extra = {"support_access_report_sources": [str(slices / "slice-*.json")]}
    fleet.clear_logs()
    res = run_playbook(ansible_playbook, fleet, playbook, tmp_path, extra, check=True, diff=True,
                       limit=",".join(limit) if limit else None)
    writes = fleet_writes(fleet)
    reliability.check_writes(len(writes), where="(%s playbook: %s)" % (playbook, ", ".join(writes[:5])))
    assert writes == []
    assert res.failed == 0 and res.rc == 0, res.stdout[-4000:]
    # it did read: the simulators saw the run (a run that does nothing cannot pass)
    if playbook != "report_merge":
        assert fleet.crusoe.request_log(), "the Crusoe API was never asked"
        assert all(fleet.kube(n).request_log() for n in limit or fleet.names), "a cluster was never asked"
    _doc, clusters = load_report(tmp_path)
    expect(res, clusters)


COREWEAVE_CREATE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: endpoint
      neocloud.support_access.coreweave_telemetry_endpoint:
        slug: customer-siem
        display_name: Customer SIEM
        url: "{{ siem_url }}"
        basic_auth:
          username: coreweave-relay
          password: check-mode-password-7d1e
        update_credentials: "{{ siem_update_credentials }}"
    - name: pipeline
      neocloud.support_access.coreweave_telemetry_pipeline:
        slug: audit-to-siem
        source_name: Audit Logs
        destination: customer-siem
        enabled: "{{ siem_enabled }}"
"""
COREWEAVE_DELETE = """
    - name: drop pipeline
      neocloud.support_access.coreweave_telemetry_pipeline:
        slug: audit-to-siem
        state: absent
    - name: drop endpoint
      neocloud.support_access.coreweave_telemetry_endpoint:
        slug: customer-siem
        state: absent
"""


def test_coreweave_telemetry_check_mode_writes_nothing(ansible_playbook, coreweave_sim, coreweave_env, reliability):  # noqa: F811  pylint: disable=redefined-outer-name
    create = {"siem_url": "https://siem.customer.example/coreweave", "siem_update_credentials": "on_create",
              "siem_enabled": True}
    update = {"siem_url": "https://siem2.customer.example/coreweave", "siem_update_credentials": "always",
              "siem_enabled": False}
    writes = 0

    def checked(playbook, extra, tasks=("endpoint", "pipeline")):
        nonlocal writes
        coreweave_sim.clear_log()
        res = ansible_playbook(playbook, env=coreweave_env, extra_vars=extra, check=True, diff=True)
        found = coreweave_sim.writes()
        writes += len(found)
        assert res.rc == 0, res.stdout + res.stderr
        assert coreweave_sim.request_log(), "the CoreWeave API was never asked"
        assert found == [], found
        for task in tasks:
            assert res.result(task, "localhost")["changed"] is True, res.stdout
        return res

    # create: nothing exists, nothing is created
    res = checked(COREWEAVE_CREATE, create)
    assert res.result("endpoint", "localhost")["result"]["credential_action"] == "CREDENTIAL_ACTION_REPLACE"
    assert coreweave_sim.state["endpoints"] == {} and coreweave_sim.state["pipelines"] == {}

    # what a real run created: updated (new URL, rotated credentials, pipeline disabled), then deleted, in one check run
    real = ansible_playbook(COREWEAVE_CREATE, env=coreweave_env, extra_vars=create)
    assert real.rc == 0 and real.changed == 2, real.stdout + real.stderr
    before = json.dumps(coreweave_sim.state, sort_keys=True, default=str)
    res = checked(COREWEAVE_CREATE + COREWEAVE_DELETE, update, ("endpoint", "pipeline", "drop pipeline", "drop endpoint"))
    assert res.result("endpoint", "localhost")["result"]["credential_action"] == "CREDENTIAL_ACTION_REPLACE"
    assert res.result("endpoint", "localhost")["result"]["endpoint"]["url"] == update["siem_url"]
    assert res.result("drop endpoint", "localhost")["result"]["endpoint"] is None
    assert json.dumps(coreweave_sim.state, sort_keys=True, default=str) == before
    reliability.check_writes(writes, where="(CoreWeave Telemetry Relay modules)")
